package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A checkpoint resumes only the run it was made by: another insertion position is refused before
// training, not loaded at the wrong place.
func TestResumeOtherPosition(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "ckpt")
	base := []string{"train", "--backbone", "../../testdata/models/adult_mlp/model.onnx", "--data", "adult:../../testdata/adult",
		"--checkpoint", ckpt, "--quiet", "--select", "last"}
	mustRun(t, append(base, "--position", "2", "--epochs", "1", "--out", filepath.Join(dir, "a.onnx"))...)
	out := filepath.Join(dir, "b.onnx")
	code, _, stderr := runCLI(t, append(base, "--position", "3", "--epochs", "2", "--resume", "--out", out)...)
	if code != exitBadInput || !strings.Contains(stderr, "insertion position") {
		t.Errorf("resume at another position: exit %d, stderr %q; want exit 2 naming the position", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a model was written from a checkpoint of another position")
	}
}
