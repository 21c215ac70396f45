package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestScenarios runs the command-line scenarios in testdata/scenarios/*.txtar.
//
// Each archive's files are written to a fresh temporary directory; its comment is a script, one
// directive a line (blank lines and lines starting with # are ignored):
//
//	fairbinn ARGS...     run the CLI in-process (no chdir: onnxruntime is found through the checkout)
//	exit N               the last command's exit code is N (default 0)
//	stdout REGEXP        the last command's stdout matches REGEXP (multi-line mode)
//	! stdout REGEXP      it does not
//	stderr REGEXP        the last command's stderr matches REGEXP
//	! stderr REGEXP      it does not
//	exists FILE          FILE exists (relative names are in the temporary directory)
//	! exists FILE        FILE does not exist
//
// In every line $WORK is the temporary directory and $REPO the repository root. ARGS are split at
// spaces; single quotes group words. A REGEXP is the rest of the line.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/scenarios/*.txtar")
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			for _, f := range ar.Files {
				path := filepath.Join(work, filepath.FromSlash(f.Name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			runScenario(t, file, string(ar.Comment), work, repo)
		})
	}
}

// scenarioRun is the outcome of one fairbinn line.
type scenarioRun struct {
	line           string
	code           int
	stdout, stderr string
	exitChecked    bool
}

func runScenario(t *testing.T, file, script, work, repo string) {
	var last *scenarioRun
	finish := func() {
		if last != nil && !last.exitChecked && last.code != 0 {
			t.Errorf("%s: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", last.line, last.code, last.stdout, last.stderr)
		}
	}
	expand := strings.NewReplacer("$WORK", work, "$REPO", repo).Replace
	for i, raw := range strings.Split(script, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", file, i+1)
		line = expand(line)
		neg := false
		if rest, ok := strings.CutPrefix(line, "! "); ok {
			neg, line = true, strings.TrimSpace(rest)
		}
		verb, arg, _ := strings.Cut(line, " ")
		arg = strings.TrimSpace(arg)
		if verb == "fairbinn" {
			if neg {
				t.Fatalf("%s: ! fairbinn: use exit N", where)
			}
			finish()
			args, err := splitArgs(arg)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			last = &scenarioRun{line: where + ": " + line, code: code, stdout: stdout.String(), stderr: stderr.String()}
			continue
		}
		if last == nil && verb != "exists" {
			t.Fatalf("%s: %s before any fairbinn line", where, verb)
		}
		switch verb {
		case "exit":
			want, err := strconv.Atoi(arg)
			if err != nil || neg {
				t.Fatalf("%s: want exit N", where)
			}
			last.exitChecked = true
			if last.code != want {
				t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", last.line, last.code, want, last.stdout, last.stderr)
			}
		case "stdout", "stderr":
			re, err := regexp.Compile("(?m)" + arg)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			text := last.stdout
			if verb == "stderr" {
				text = last.stderr
			}
			if re.MatchString(text) == neg {
				not := ""
				if !neg {
					not = "not "
				}
				t.Errorf("%s: %s %sfound in %s of %s:\n%s", where, arg, not, verb, last.line, text)
			}
		case "exists":
			path := arg
			if !filepath.IsAbs(path) {
				path = filepath.Join(work, path)
			}
			_, err := os.Stat(path)
			if exists := err == nil; exists == neg {
				t.Errorf("%s: %s exists: %v, want %v", where, arg, exists, !neg)
			}
		default:
			t.Fatalf("%s: unknown directive %q", where, verb)
		}
	}
	finish()
}

// splitArgs splits s at spaces; single quotes group words.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case !quoted && (r == ' ' || r == '\t'):
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}
