// Package testkit holds what the tests of every package share: the gates for what a test needs from
// outside the repository (RequireORT, Unavailable, ExternalDir), the onnx.checker wrapper (OnnxChecker),
// the one float tolerance comparison (CloseTo) and the lookup of committed test files (Fixture).
//
// The gates follow one rule. With CI=true, as .ci/run sets it, everything a test uses from outside the
// repository has been installed, so a missing library, Debian package or data set fails the test; elsewhere
// the test is skipped with the reason. A committed file (testdata/...) is part of the checkout and its
// absence always fails.
//
// testkit imports ort, so only external test packages (ort_test) can use it from inside ort, and the
// packages ort imports (tensor, internal/fault) cannot use it at all.
package testkit
