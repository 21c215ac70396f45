package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
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
		&inspectCmd{}, &insertCmd{}, &trainCmd{}, &evalCmd{}, &sweepCmd{}, &predictCmd{}, &verifyCmd{}, &reportCmd{}, &demoCmd{},
	}
}

// usageError is a mistake in the command line itself: the usage text is printed, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string         { return e.msg }
func (e *usageError) FaultKind() fault.Kind { return fault.BadInput }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// noArgs refuses positional arguments for commands that take none.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usageText)
		if len(args) == 0 {
			return fault.BadInput.ExitCode()
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "fairbinn", fairbinn.Version)
		return 0
	}
	var cmd command
	for _, c := range commands() {
		if c.Name() == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		names := make([]string, 0, len(commands()))
		for _, c := range commands() {
			names = append(names, c.Name())
		}
		fmt.Fprintf(stderr, "fairbinn: unknown command %q; the commands are %s, version (fairbinn --help says what each does)\n", fault.Line(args[0]), strings.Join(names, ", "))
		return fault.BadInput.ExitCode()
	}
	env := &cmdEnv{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("fairbinn "+cmd.Name(), flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed below, once
	fs.BoolVar(&env.json, "json", false, "print one JSON object on stdout instead of a table")
	cmd.Flags(fs)
	positional, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, cmd, fs)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "fairbinn %s: %s (fairbinn %s --help lists the flags)\n", cmd.Name(), fault.Line(err.Error()), cmd.Name())
		return fault.BadInput.ExitCode()
	}
	return exitCode(cmd.Run(ctx, env, positional), cmd, stderr)
}

func printUsage(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: fairbinn %s\n\nflags:\n", cmd.Synopsis())
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// exitCode prints err the way the CLI contract says and returns the exit code its kind gives.
func exitCode(err error, cmd command, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	kind := fault.Of(err)
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "fairbinn %s: %s; usage: fairbinn %s (fairbinn %s --help lists the flags)\n", cmd.Name(), fault.Line(ue.msg), cmd.Synopsis(), cmd.Name())
	case kind == fault.Internal:
		fmt.Fprintf(stderr, "fairbinn: internal error: %s\n", fault.Line(err.Error()))
	case kind == fault.BadInput:
		fmt.Fprintf(stderr, "fairbinn: %s\n", fault.Line(err.Error()))
	default:
		fmt.Fprintf(stderr, "fairbinn %s: %s\n", cmd.Name(), fault.Line(err.Error()))
	}
	return kind.ExitCode()
}

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
