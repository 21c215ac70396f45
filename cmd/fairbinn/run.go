package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ir"
)

// Version is the toolkit version written into exported models.
const Version = "0.1.0"

// Exit codes of the CLI contract.
const (
	exitOK       = 0
	exitInternal = 1
	exitBadInput = 2
	exitMismatch = 3 // verify: runtimes disagree beyond the tolerance
	exitDrift    = 4 // eval --baseline: a metric got worse than recorded
)

//go:embed usage.txt
var usageText string

// command is one subcommand of the CLI.
type command interface {
	Name() string
	// Synopsis is the one-line usage shown in the overview and on usage errors.
	Synopsis() string
	// Flags declares the command's flags on fs.
	Flags(fs *flag.FlagSet)
	// Run executes the command with the positional arguments left after flag parsing.
	Run(ctx context.Context, env *cmdEnv, args []string) error
}

// cmdEnv is what every command gets besides its flags.
type cmdEnv struct {
	stdout, stderr io.Writer
	json           bool
}

func commands() []command {
	return []command{
		&inspectCmd{}, &insertCmd{}, &trainCmd{}, &evalCmd{}, &sweepCmd{}, &predictCmd{}, &verifyCmd{}, &demoCmd{},
		&benchCmd{},
	}
}

// inputError marks an error caused by the user's input (files, flags, data): exit code 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

func badInput(err error) error {
	if err == nil {
		return nil
	}
	return &inputError{err}
}

func badInputf(format string, args ...any) error { return badInput(fmt.Errorf(format, args...)) }

// exitError carries a specific exit code with a message (verify's 3, eval's 4).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError is a mistake in the command line itself: the usage text is printed.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usageText)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "fairbinn", Version)
		return exitOK
	}
	var cmd command
	for _, c := range commands() {
		if c.Name() == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "fairbinn: unknown command %q\n\n%s", args[0], usageText)
		return exitBadInput
	}
	env := &cmdEnv{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("fairbinn "+cmd.Name(), flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&env.json, "json", false, "print one JSON object on stdout instead of a table")
	cmd.Flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: fairbinn %s\n\nflags:\n", cmd.Synopsis())
		fs.PrintDefaults()
	}
	positional, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "usage: fairbinn %s\n\nflags:\n", cmd.Synopsis())
		fs.PrintDefaults()
		return exitOK
	}
	if err != nil {
		return exitBadInput // flag has printed the error and the usage
	}
	err = cmd.Run(ctx, env, positional)
	return report(err, cmd, fs, stderr)
}

// report prints err the way the CLI contract says and returns the exit code.
func report(err error, cmd command, fs *flag.FlagSet, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ee *exitError
	var ie *inputError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "fairbinn %s: %s\n", cmd.Name(), ue.msg)
		fs.Usage()
		return exitBadInput
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "fairbinn %s: %s\n", cmd.Name(), oneLine(ee.msg))
		return ee.code
	case errors.As(err, &ie), isInputError(err):
		fmt.Fprintf(stderr, "fairbinn: %s\n", oneLine(err.Error()))
		return exitBadInput
	}
	fmt.Fprintf(stderr, "fairbinn: internal error: %s\n", oneLine(err.Error()))
	return exitInternal
}

// isInputError recognises errors from the packages that only fail because of what they were given.
func isInputError(err error) bool {
	return importer.IsBadModel(err) ||
		errors.Is(err, ir.ErrUnsupportedOp) ||
		errors.Is(err, insert.ErrBadPosition) ||
		errors.Is(err, ir.ErrShapeMismatch) ||
		errors.Is(err, ir.ErrBadAttribute) ||
		errors.Is(err, os.ErrNotExist) ||
		errors.Is(err, os.ErrPermission)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseInterleaved parses flags that may come before or after positional arguments
// ("inspect model.onnx --json"), which the flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// loadModel imports an ONNX file; every failure is the user's input.
func loadModel(path string, opts importer.Options) (*ir.Graph, error) {
	if path == "" {
		return nil, &usageError{"no model given"}
	}
	g, err := importer.ReadFile(path, opts)
	if err != nil {
		return nil, badInput(err)
	}
	return g, nil
}

// refuseOverwriteInput stops a command from replacing its own input file.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
