//go:build !unix

package spill

import "fmt"

// Array is a float32 array; without mmap it is held in memory.
type Array struct{ Data []float32 }

// Writer fills an Array n values long, in order.
type Writer struct{ a *Array }

// Create makes an array for n values (in memory on this system).
func Create(dir string, n int) (*Writer, error) {
	if n < 1 {
		return nil, fmt.Errorf("spill: %d values", n)
	}
	return &Writer{a: &Array{Data: make([]float32, 0, n)}}, nil
}

// Write appends values.
func (w *Writer) Write(values []float32) error {
	if len(w.a.Data)+len(values) > cap(w.a.Data) {
		return fmt.Errorf("spill: %d values written to an array of %d", len(w.a.Data)+len(values), cap(w.a.Data))
	}
	w.a.Data = append(w.a.Data, values...)
	return nil
}

// Map returns the array.
func (w *Writer) Map() (*Array, error) {
	if len(w.a.Data) != cap(w.a.Data) {
		return nil, fmt.Errorf("spill: %d of %d values written", len(w.a.Data), cap(w.a.Data))
	}
	return w.a, nil
}

// Close drops the array.
func (a *Array) Close() error { a.Data = nil; return nil }

// Available is unknown here.
func Available() (int64, bool) { return 0, false }
