package main

import (
	"strings"
	"testing"
)

// The exit codes of the CLI contract (DESIGN.md), written out here so that the tests check the code
// against the contract rather than against itself.
const (
	exitOK       = 0
	exitInternal = 1
	exitBadInput = 2
	exitMismatch = 3
	exitDrift    = 4
)

// A flag error, a missing flag and an unknown command are one line each, exit 2.
func TestFlagErrorsOneLine(t *testing.T) {
	for _, args := range [][]string{{"train", "--epochs", "x"}, {"eval", "--bogus"}, {"eval"}, {"frob"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "fairbinn") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
