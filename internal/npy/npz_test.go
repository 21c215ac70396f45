package npy

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// The .npz files of testdata/models9 were written by testdata/gen/make_heads.py with numpy's layout.
func TestReadNPZ(t *testing.T) {
	arrays, err := ReadNPZ(filepath.Join("..", "..", "testdata", "models9", "embed_two_inputs", "inputs.npz"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range arrays {
		names = append(names, a.Name)
		if err := a.Tensor.Validate(); err != nil {
			t.Errorf("%s: %v", a.Name, err)
		}
	}
	if !slices.Contains(names, "codes") || !slices.Contains(names, "num") {
		t.Fatalf("arrays %v, want codes and num", names)
	}
	for _, a := range arrays {
		if a.Name == "codes" && a.Tensor.DType != tensor.Int64 {
			t.Errorf("codes read as %s, want int64", a.Tensor.DType)
		}
	}
	if _, err := ReadNPZ(filepath.Join("testdata", "f4_2x3.npy")); err == nil {
		t.Error("a .npy file read as an .npz")
	}
}
