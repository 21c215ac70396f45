package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/exporter"
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

// Another backbone of the same structure (other weights) is another run: resuming its checkpoint is
// refused, while the same backbone resumes.
func TestResumeOtherWeights(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "ckpt")
	backbone := "../../testdata/models/adult_mlp/model.onnx"
	m, err := fairbinn.Load(backbone)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Graph.Initializers["out.weight"]
	w.Float[0] += 0.5
	w.Changed = true
	raw, err := exporter.Marshal(m.Graph)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.onnx")
	if err := os.WriteFile(other, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"train", "--data", "adult:../../testdata/adult", "--checkpoint", ckpt, "--quiet", "--select", "last", "--position", "2", "--html", "none"}
	mustRun(t, append(base, "--backbone", backbone, "--epochs", "1", "--out", filepath.Join(dir, "a.onnx"))...)
	code, _, stderr := runCLI(t, append(base, "--backbone", other, "--epochs", "2", "--resume", "--out", filepath.Join(dir, "b.onnx"))...)
	if code != exitBadInput || !strings.Contains(stderr, "another backbone") {
		t.Errorf("resume from other weights: exit %d, stderr %q", code, stderr)
	}
	mustRun(t, append(base, "--backbone", backbone, "--epochs", "2", "--resume", "--out", filepath.Join(dir, "c.onnx"))...)
}
