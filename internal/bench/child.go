package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ExecFlag is the flag by which the runner is asked to run one command under the timing protocol:
// `RUNNER --exec ARGV`, ARGV a JSON array of strings.
const ExecFlag = "--exec"

// runChild runs a program to completion under the runner and returns its wall time, its peak RSS and its
// stdout; env is added to this process's environment.
//
// Started directly from this process, a child's peak RSS would be at least this process's own: Go starts
// programs with vfork, and Linux carries the high-water mark of the memory the child shared with its parent
// over the exec into the child's maxrss. The runner is a small process that starts the program and reports
// what wait4 says.
func runChild(ctx context.Context, runner string, env []string, name string, args ...string) (Proc, []byte, error) {
	argv, err := json.Marshal(append([]string{name}, args...))
	if err != nil {
		return Proc{}, nil, err
	}
	cmd := exec.CommandContext(ctx, runner, ExecFlag, string(argv))
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r, w, err := os.Pipe()
	if err != nil {
		return Proc{}, nil, err
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return Proc{}, nil, err
	}
	report, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		return Proc{}, nil, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, msg)
	}
	var p Proc
	if err := json.Unmarshal(report, &p); err != nil {
		return p, nil, fmt.Errorf("%s %s: %w", filepath.Base(runner), ExecFlag, err)
	}
	return p, stdout.Bytes(), nil
}

// Exec is the runner's side of the timing protocol, `RUNNER --exec ARGV`: it runs the command ARGV (a JSON
// array of strings) with this process's standard streams and writes {"wall_s", "peak_rss_mb"} as JSON on
// file descriptor 3. It returns the exit code for the runner: 0, the command's own when it fails (with
// nothing added to stderr, so that the command's last line stays the last), 2 for an unusable ARGV and 1
// for any other failure, which it describes on stderr.
func Exec(ctx context.Context, argv string, stderr io.Writer) int {
	var args []string
	if err := json.Unmarshal([]byte(argv), &args); err != nil || len(args) == 0 {
		fmt.Fprintf(stderr, "%s %q: want a JSON array of strings\n", ExecFlag, argv)
		return 2
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	t := time.Now()
	err := cmd.Run()
	p := Proc{Wall: time.Since(t).Seconds()}
	if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.ExitCode() > 0 {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
		return 1
	}
	p.PeakRSSMB = peakRSSMB(cmd.ProcessState)
	out := os.NewFile(3, "report")
	if out == nil {
		fmt.Fprintf(stderr, "%s: no file descriptor 3 to report on\n", ExecFlag)
		return 1
	}
	defer out.Close()
	if err := json.NewEncoder(out).Encode(p); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", ExecFlag, err)
		return 1
	}
	return 0
}
