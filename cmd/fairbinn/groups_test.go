package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A sensitive group too small to measure on validation is refused before training, in one line naming
// it with its count; --min-group-size -1 lets the run go on.
func TestTrainSmallGroups(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 200, 1) // ~40 validation rows: ~20 per sex, ~10 per sex × race
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex,race"))
	out := filepath.Join(dir, "fair.onnx")
	args := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex,race", "--position", "1", "--epochs", "1", "--batch", "50", "--out", out, "--quiet"}
	code, _, stderr := runCLI(t, args...)
	if code != exitBadInput || !strings.Contains(stderr, "fewer than 30 validation rows") || !strings.Contains(stderr, `"F|A"`) ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("tiny groups: exit %d, stderr %q; want exit 2 and one line naming the groups", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a model was written for groups too small to measure")
	}
	if testing.Short() {
		return
	}
	mustRun(t, append(args, "--min-group-size", "-1")...)
}
