package ort

// InstallHint exports installHint to the external test package (ort_test), whose tests check that the
// error of a missing library says how to install it.
const InstallHint = installHint
