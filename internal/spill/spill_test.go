//go:build unix

package spill

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, -2.5, float32(math.Inf(1)), 0, 3, 4, 5, 6, 7, 1e-30}
	if err := w.Write(want[:4]); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(want[4:]); err != nil {
		t.Fatal(err)
	}
	a, err := w.Map()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range want {
		if a.Data[i] != v {
			t.Fatalf("value %d: %v, want %v", i, a.Data[i], v)
		}
	}
	a.Data[0] = 42 // a private mapping: writable
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("files left in the folder: %v", left)
	}
	if err := a.Close(); err != nil || a.Data != nil {
		t.Errorf("close: %v", err)
	}
}

func TestWrongCount(t *testing.T) {
	w, err := Create(t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]float32{1, 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Map(); err == nil {
		t.Error("mapped 2 of 3 values")
	}
	w, _ = Create(t.TempDir(), 1)
	if err := w.Write([]float32{1, 2}); err == nil {
		t.Error("wrote 2 values into 1")
	}
	if _, err := Create(os.DevNull, 4); err == nil {
		t.Error("created a file in a folder that is not one")
	}
}

func TestAvailable(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("no /proc/meminfo on this system")
	}
	n, ok := Available()
	if !ok || n < 1<<20 {
		t.Errorf("available memory %d (%v)", n, ok)
	}
}
