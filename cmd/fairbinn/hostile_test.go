package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile or careless flags are refused before any work, with one line, exit 2 and nothing written.
func TestHostileFlags(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/models/adult_mlp/model.onnx"
	data := "adult:../../testdata/adult"
	out := filepath.Join(dir, "out.onnx")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a million fairness layers", []string{"train", "--backbone", model, "--data", data, "--position", "2", "--out", out, "--fair-layers", "1000000"}, "--fair-layers 1000000"},
		{"zero fairness layers", []string{"train", "--backbone", model, "--data", data, "--position", "2", "--out", out, "--fair-layers", "0"}, "--fair-layers 0"},
		{"negative decay", []string{"train", "--backbone", model, "--data", data, "--position", "2", "--out", out, "--acc-decay", "-0.5"}, "--acc-decay -0.5"},
		{"NaN decay", []string{"train", "--backbone", model, "--data", data, "--position", "2", "--out", out, "--acc-decay", "NaN"}, "--acc-decay NaN"},
		{"a hundred thousand threads", []string{"train", "--backbone", model, "--data", data, "--position", "2", "--out", out, "--threads", "100000"}, "--threads 100000"},
		{"negative threads", []string{"train", "--backbone", model, "--data", data, "--position", "2", "--out", out, "--threads", "-1"}, "--threads -1"},
		{"NaN drift tolerance", []string{"eval", "--model", model, "--data", data, "--baseline", model, "--drift-tol", "NaN"}, "drift tolerance NaN"},
		{"10^12 random rows", []string{"verify", "--model", model, "--random", "1000000000000"}, "random rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line containing %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}
