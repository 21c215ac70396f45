//go:build cgo

package ort

import (
	"github.com/fairbinn/fairbinn-go/tensor"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/npy"
)

// backboneDir holds the PyTorch-exported models with their inputs and PyTorch's outputs.
var backboneDir = filepath.Join("..", "testdata", "models")

// TestBackbones runs every committed backbone through ONNX Runtime and compares with PyTorch's output.
func TestBackbones(t *testing.T) {
	requireORT(t)
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
			s, err := OpenFile(filepath.Join(dir, "model.onnx"), Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// A batch of 3 splits every input unevenly, so chunk boundaries are exercised.
			got, err := RunBatched(s, tensor.Tensor{Shape: in.Shape, Data: in.Data}, 3)
			if err != nil && strings.Contains(err.Error(), "static batch") {
				got, err = RunBatched(s, tensor.Tensor{Shape: in.Shape, Data: in.Data}, int(in.Shape[0]))
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(t, got, tensor.Tensor{Shape: want.Shape, Data: want.Data}); d > 1e-5 {
				t.Errorf("max abs diff from PyTorch %g, want <= 1e-5", d)
			}
		})
	}
	if ran == 0 {
		t.Fatalf("no backbones under %s", backboneDir)
	}
}

// maxAbsDiff compares shapes exactly and values within float32 rounding of different kernels.
func maxAbsDiff(t *testing.T, got, want tensor.Tensor) float64 {
	t.Helper()
	if len(got.Shape) != len(want.Shape) || len(got.Data) != len(want.Data) {
		t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
	}
	for i := range got.Shape {
		if got.Shape[i] != want.Shape[i] {
			t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
		}
	}
	var d float64
	for i := range got.Data {
		d = math.Max(d, math.Abs(float64(got.Data[i])-float64(want.Data[i])))
	}
	return d
}

// TestOpenExternalData shows why OpenFile exists: from bytes alone, external initializers cannot be found.
func TestOpenExternalData(t *testing.T) {
	requireORT(t)
	path := filepath.Join(backboneDir, "mlp_static_ext", "model.onnx")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(b, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open from bytes resolved external data")
	}
	t.Logf("Open from bytes: %v", err)
}
