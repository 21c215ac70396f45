//go:build cgo

package ort_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// backboneDir holds the PyTorch-exported models with their inputs and PyTorch's outputs.
var backboneDir = filepath.Join("..", "testdata", "models")

// TestBackbones runs every committed backbone through ONNX Runtime and compares with PyTorch's output.
func TestBackbones(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the loop over every backbone")
	}
	testkit.RequireORT(t)
	dirs, err := os.ReadDir(backboneDir)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		ran++
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(backboneDir, d.Name())
			in, err := npy.Read(filepath.Join(dir, "input.npy"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := npy.Read(filepath.Join(dir, "expected.npy"))
			if err != nil {
				t.Fatal(err)
			}
			s, err := ort.OpenFile(filepath.Join(dir, "model.onnx"), ort.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// A batch of 3 splits every input unevenly, so chunk boundaries are exercised.
			got, err := ort.RunBatched(s, tensor.Tensor{Shape: in.Shape, Data: in.Data}, 3)
			if err != nil && strings.Contains(err.Error(), "static batch") {
				got, err = ort.RunBatched(s, tensor.Tensor{Shape: in.Shape, Data: in.Data}, int(in.Shape[0]))
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Shape, want.Shape) {
				t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
			}
			testkit.CloseTo(t, "vs PyTorch", got.Data, want.Data, 1e-5, 0)
		})
	}
	if ran == 0 {
		t.Fatalf("no backbones under %s", backboneDir)
	}
}

// TestOpenExternalData shows why OpenFile exists: from bytes alone, external initializers cannot be found.
func TestOpenExternalData(t *testing.T) {
	testkit.RequireORT(t)
	path := filepath.Join(backboneDir, "mlp_static_ext", "model.onnx")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.Open(b, ort.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open from bytes resolved external data")
	}
	t.Logf("Open from bytes: %v", err)
}
