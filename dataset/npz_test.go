package dataset

import (
	"archive/zip"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// writeNPZ writes arrays as numpy's .npz does: a zip of NAME.npy files.
func writeNPZ(t *testing.T, arrays map[string]tensor.Tensor) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "data.npz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, a := range arrays {
		tmp := filepath.Join(dir, name+".npy")
		if err := npy.Write(tmp, a); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(tmp)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(name + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Labels and groups stored as floats must be whole numbers: 1.5 and NaN are refused, naming the array and
// the row, instead of being truncated to a code.
func TestNPZCodesAreWholeNumbers(t *testing.T) {
	x := tensor.Tensor{Shape: []int64{4, 2}, DType: tensor.Float32, Data: make([]float32, 8)}
	codes := func(v ...float32) tensor.Tensor {
		return tensor.Tensor{Shape: []int64{int64(len(v))}, DType: tensor.Float32, Data: v}
	}
	ok := writeNPZ(t, map[string]tensor.Tensor{"x": x, "label": codes(0, 1, 0, 1), "group": codes(0, 0, 1, 1)})
	if _, err := Load("npz:"+ok, Options{Inputs: []string{"x"}, Seed: 1}); err != nil {
		t.Fatalf("whole-number float codes: %v", err)
	}
	for _, tc := range []struct {
		name         string
		label, group tensor.Tensor
		want         string
	}{
		{"fractional label", codes(0, 1.5, 0, 1), codes(0, 0, 1, 1), "row 1 has label 1.5"},
		{"NaN label", codes(0, 1, float32(math.NaN()), 1), codes(0, 0, 1, 1), "row 2 has label NaN"},
		{"fractional group", codes(0, 1, 0, 1), codes(0, 0.5, 1, 1), "row 1 has group 0.5"},
		{"infinite group", codes(0, 1, 0, 1), codes(0, 0, 1, float32(math.Inf(1))), "row 3 has group +Inf"},
	} {
		path := writeNPZ(t, map[string]tensor.Tensor{"x": x, "label": tc.label, "group": tc.group})
		_, err := Load("npz:"+path, Options{Inputs: []string{"x"}, Seed: 1})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v; want a bad-input error with %q", tc.name, err, tc.want)
		}
	}
}
