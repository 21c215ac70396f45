package testkit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/fairbinn/fairbinn-go/ort"
)

// CI reports whether the tests run in CI (CI=true), which installs everything the tests use from outside
// the repository.
func CI() bool { return os.Getenv("CI") == "true" }

// Unavailable ends the test because something it needs from outside the repository is missing, as the
// message formatted from format and args says: t.Fatalf under CI=true, t.Skip elsewhere.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		t.Fatalf("%s (CI=true: CI installs it, so this is a failure)", msg)
	}
	t.Skip(msg)
}

// RequireORT loads the ONNX Runtime library (ort.Init), or ends the test through Unavailable.
func RequireORT(t testing.TB) {
	t.Helper()
	if err := ort.Init(); err != nil {
		Unavailable(t, "%v", err) // ort's error starts "onnxruntime unavailable" and says how to install it
	}
}

// ExternalDir returns dir, a folder installed outside the repository, or ends the test through Unavailable
// when it is missing; install says how to get it (a Debian package, an environment variable).
func ExternalDir(t testing.TB, dir, install string) string {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		Unavailable(t, "%v; %s", err, install)
	}
	return dir
}

// Fixture returns path, a file committed to the repository, and fails the test when it is missing: a
// missing committed file is a broken checkout, never a reason to skip.
func Fixture(t testing.TB, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("committed test file missing: %v", err)
	}
	return path
}

// python is Debian's interpreter, which python3-onnx serves; a python3 earlier on PATH (a venv, pyenv)
// may lack onnx.
const python = "/usr/bin/python3"

// checkScript runs the full check, with shape inference, on the model named by its first argument.
const checkScript = "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)"

var checker struct {
	once sync.Once
	err  error
}

// OnnxChecker runs onnx.checker.check_model(full_check=True) with Debian's python3-onnx on the model file
// at path and fails the test (t.Errorf) when the checker rejects it. Without python3-onnx the test ends
// through Unavailable.
func OnnxChecker(t testing.TB, path string) {
	t.Helper()
	checker.once.Do(func() {
		if out, err := exec.Command(python, "-c", "import onnx").CombinedOutput(); err != nil {
			checker.err = fmt.Errorf("%s cannot import onnx: %v: %s", python, err, bytes.TrimSpace(out))
		}
	})
	if checker.err != nil {
		Unavailable(t, "onnx.checker not run: %v (install python3-onnx)", checker.err)
	}
	if out, err := exec.Command(python, "-c", checkScript, path).CombinedOutput(); err != nil {
		t.Errorf("onnx.checker rejects %s: %v\n%s", path, err, out)
	}
}
