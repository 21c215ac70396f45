package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestHelpGolden compares every command's --help, and the top-level --help, with
// testdata/help/<name>.golden ("fairbinn.golden" for the top level). Run with -update to
// rewrite the golden files after a deliberate change to the help text.
func TestHelpGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{{"fairbinn", []string{"--help"}}}
	for _, c := range commands() {
		cases = append(cases, struct {
			name string
			args []string
		}{c.Name(), []string{c.Name(), "--help"}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != 0 {
				t.Errorf("%v: exit %d, want 0", tc.args, code)
			}
			if stderr.Len() != 0 {
				t.Errorf("%v: stderr not empty (help goes to stdout, once):\n%s", tc.args, stderr.String())
			}
			golden := filepath.Join("testdata", "help", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHelpGolden -update to create it)", err)
			}
			if got := stdout.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("%v: stdout differs from %s (go test -run TestHelpGolden -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s",
					tc.args, golden, got, want)
			}
		})
	}
}
