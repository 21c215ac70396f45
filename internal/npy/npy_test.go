package npy

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/tensor"
)

var want2x3 = tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{-1, -0.5, 0, 0.5, 1, 1.5}}

// sameArray compares bit for bit so that NaN equals NaN.
func sameArray(a, b tensor.Tensor) bool {
	return slices.Equal(a.Shape, b.Shape) && slices.EqualFunc(a.Data, b.Data, func(x, y float32) bool {
		return math.Float32bits(x) == math.Float32bits(y)
	})
}

func TestReadNumpyFiles(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		file string
		want tensor.Tensor
	}{
		{"f4_2x3.npy", want2x3},
		{"f4_1d.npy", tensor.Tensor{Shape: []int64{3}, Data: []float32{1.5, -2, 3}}},
		{"f4_scalar.npy", tensor.Tensor{Shape: []int64{}, Data: []float32{7.5}}},
		{"f4_0x3.npy", tensor.Tensor{Shape: []int64{0, 3}, Data: []float32{}}},
		{"f4_2x3x2.npy", tensor.Tensor{Shape: []int64{2, 3, 2}, Data: []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}},
		{"f4_nan.npy", tensor.Tensor{Shape: []int64{3}, Data: []float32{nan, 1, inf}}},
		{"f4_big_endian.npy", want2x3},
		{"f8_2x3.npy", want2x3},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := Read(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !sameArray(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// Integer arrays (category codes for an embedding) are read as int64 values.
func TestReadInt64(t *testing.T) {
	a, err := Read(filepath.Join("testdata", "i8_2x3.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if a.DType != tensor.Int64 || !slices.Equal(a.Shape, []int64{2, 3}) || !slices.Equal(a.Ints, []int64{0, 1, 2, 3, 4, 5}) {
		t.Errorf("i8_2x3.npy read as %+v", a)
	}
	// A dtype fairbinn does not exchange is still refused, with its numpy name.
	raw, err := os.ReadFile(filepath.Join("testdata", "f4_2x3.npy"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = decode(bytes.Replace(raw, []byte("'<f4'"), []byte("'<c8'"), 1))
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "complex64") {
		t.Errorf("complex64 array: %v, want an unsupported-dtype error naming complex64", err)
	}
}

func TestReadRejects(t *testing.T) {
	for _, tc := range []struct {
		file    string
		is      error
		wantErr string
	}{
		{"f4_fortran.npy", ErrUnsupported, "testdata/f4_fortran.npy: unsupported .npy file: Fortran-ordered array of shape [2 3]"},
		{"f4_truncated.npy", ErrCorrupt, "testdata/f4_truncated.npy: corrupt .npy file: truncated: shape [2 3] of <f4 needs 24 data bytes, file has 19"},
		{"f4_trailing.npy", ErrCorrupt, "trailing bytes after the data"},
		{"f8_overflow.npy", nil, "float64 value 1e+300 at flat index 1 does not fit in float32"},
		{"make_npy.py", ErrCorrupt, "not a .npy file"},
		{"missing.npy", os.ErrNotExist, "no such file"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Read(filepath.Join("testdata", tc.file))
			if err == nil {
				t.Fatal("Read succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %q, want it to contain %q", err, tc.wantErr)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want errors.Is %v", err, tc.is)
			}
		})
	}
}

func TestDecodeCorruptHeaders(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "f4_2x3.npy"))
	if err != nil {
		t.Fatal(err)
	}
	v2huge := append([]byte("\x93NUMPY\x02\x00"), 0xff, 0xff, 0xff, 0x7f)
	noNewline := bytes.ReplaceAll(slices.Clone(good), []byte("\n"), []byte(" "))
	data := good[len(good)-24:]
	for name, b := range map[string][]byte{
		"empty":           nil,
		"magic only":      []byte("\x93NUMPY"),
		"version 9":       []byte("\x93NUMPY\x09\x00\x00\x00"),
		"short header":    good[:40],
		"v2 length 2 GiB": v2huge,
		"no newline":      noNewline,
		"keys reordered":  withHeader("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4', }", data),
		"negative dim":    withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", data),
		"huge dim":        withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 3), }", data),
		"bad order value": withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }", data),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decode(b)
			t.Log(err)
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v, want ErrCorrupt or ErrUnsupported", err)
			}
		})
	}
}

// withHeader builds a version 1.0 .npy file from a header dict and raw data.
func withHeader(dict string, data []byte) []byte {
	header := dict + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	return append(append(b, header...), data...)
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, a := range []tensor.Tensor{
		want2x3,
		{Shape: []int64{4}, Data: []float32{1, 2, 3, 4}},
		{Shape: []int64{}, Data: []float32{42}},
		{Shape: []int64{2, 1, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
		{Shape: []int64{0, 1}, Data: []float32{}},
		{Shape: []int64{3, 0}, Data: []float32{}},
		{Shape: []int64{0}, Data: []float32{}},
		{Shape: []int64{3}, Data: []float32{float32(math.NaN()), float32(math.Inf(-1)), -0}},
	} {
		path := filepath.Join(dir, "a.npy")
		if err := Write(path, a); err != nil {
			t.Fatalf("Write %v: %v", a.Shape, err)
		}
		got, err := Read(path)
		if err != nil {
			t.Fatalf("Read %v: %v", a.Shape, err)
		}
		if !sameArray(got, a) {
			t.Errorf("round trip of %+v gave %+v", a, got)
		}
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.npy")
	if err := Write(path, want2x3); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o644 {
		t.Errorf("permissions %v, want 0644", perm)
	}

	// A bad array fails before anything is written, and the old file survives.
	if err := Write(path, tensor.Tensor{Shape: []int64{2, 2}, Data: []float32{1}}); err == nil || !strings.Contains(err.Error(), "shape [2 2] needs 4 values, got 1") {
		t.Errorf("short data: got %v", err)
	}
	if err := Write(path, tensor.Tensor{Shape: []int64{-1}}); err == nil || !strings.Contains(err.Error(), "dim 0 is negative") {
		t.Errorf("negative dim: got %v", err)
	}
	// Renaming over a folder fails after the temporary file is written; it must be removed.
	sub := filepath.Join(dir, "folder.npy")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(sub, want2x3); err == nil {
		t.Error("writing over a folder succeeded")
	}
	if err := Write(filepath.Join(dir, "nope", "x.npy"), want2x3); err == nil {
		t.Error("writing into a missing folder succeeded")
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"folder.npy", "out.npy"}) {
		t.Errorf("folder holds %v, want only folder.npy and out.npy", names)
	}
	got, err := Read(path)
	if err != nil || !sameArray(got, want2x3) {
		t.Errorf("out.npy after failed writes: %+v, %v", got, err)
	}
}

// TestNumpyReadsOurFiles checks the other direction against numpy itself, which CI installs.
func TestNumpyReadsOurFiles(t *testing.T) {
	// The system Python is tried too: a python3 earlier on PATH (pyenv, a venv) may lack numpy.
	var python string
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		if p, err := exec.LookPath(cand); err == nil && exec.Command(p, "-c", "import numpy").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		testkit.Unavailable(t, "no python3 with numpy (install python3-numpy, which python3-onnx brings)")
	}
	dir := t.TempDir()
	cases := map[string]tensor.Tensor{
		"a.npy": want2x3,
		"b.npy": {Shape: []int64{0, 3}, Data: []float32{}},
		"c.npy": {Shape: []int64{}, Data: []float32{2.5}},
		"d.npy": {Shape: []int64{2, 1, 2}, Data: []float32{1, 2, 3, 4}},
	}
	for name, a := range cases {
		if err := Write(filepath.Join(dir, name), a); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import sys, numpy as np
for name in sorted(sys.argv[2:]):
    a = np.load(sys.argv[1] + "/" + name)
    print(name, a.dtype.str, list(a.shape), a.flags.c_contiguous, a.ravel().tolist())
`
	out, err := exec.Command(python, "-c", script, dir, "a.npy", "b.npy", "c.npy", "d.npy").CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	want := strings.Join([]string{
		"a.npy <f4 [2, 3] True [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]",
		"b.npy <f4 [0, 3] True []",
		"c.npy <f4 [] True [2.5]",
		"d.npy <f4 [2, 1, 2] True [1.0, 2.0, 3.0, 4.0]",
	}, "\n") + "\n"
	if string(out) != want {
		t.Errorf("numpy read:\n%s\nwant:\n%s", out, want)
	}
}

// FuzzDecode checks that no input makes decode panic or accept data that disagrees with its shape.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.npy"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decode(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= int(d)
		}
		if n != a.Len() {
			t.Fatalf("shape %v with %d values", a.Shape, a.Len())
		}
	})
}
