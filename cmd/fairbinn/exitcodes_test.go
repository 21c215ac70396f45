package main

// The exit codes of the CLI contract (DESIGN.md), written out here so that the tests check the code
// against the contract rather than against itself.
const (
	exitOK       = 0
	exitInternal = 1
	exitBadInput = 2
	exitMismatch = 3
	exitDrift    = 4
)
