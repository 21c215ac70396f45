package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run whose outputs cannot all be written stops before any work and writes nothing: a report in a
// missing folder, or --out naming a folder.
func TestTrainOutputsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 200, 1)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	base := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--epochs", "1", "--batch", "50", "--quiet"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"report in a missing folder", []string{"--out", filepath.Join(dir, "fair.onnx"), "--report", filepath.Join(dir, "nope", "r.json")}, "nope"},
		{"out is a folder", []string{"--out", dir}, "is a folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadDir(dir)
			code, _, stderr := runCLI(t, append(base, tc.args...)...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line naming %q", code, stderr, tc.want)
			}
			if after, _ := os.ReadDir(dir); len(after) != len(before) {
				t.Errorf("files written: %d before, %d after", len(before), len(after))
			}
		})
	}
}
