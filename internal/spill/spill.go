//go:build unix

package spill

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// Array is a float32 array in a memory-mapped file.
type Array struct {
	mem  []byte
	Data []float32
}

// Writer fills an Array n values long, in order.
type Writer struct {
	f    *os.File
	n    int
	done int
}

// Create makes a temporary file in dir ("" for the system's) for n float32 values.
func Create(dir string, n int) (*Writer, error) {
	if n < 1 {
		return nil, fmt.Errorf("spill: %d values", n)
	}
	f, err := os.CreateTemp(dir, "fairbinn-cache-*")
	if err != nil {
		return nil, err
	}
	// Unlinked at once: the open file (then the mapping) keeps it, and nothing outlives the process.
	os.Remove(f.Name())
	return &Writer{f: f, n: n}, nil
}

// Write appends values; together they must be the n values Create was given.
func (w *Writer) Write(values []float32) error {
	if w.done+len(values) > w.n {
		w.f.Close()
		return fmt.Errorf("spill: %d values written to an array of %d", w.done+len(values), w.n)
	}
	if len(values) == 0 {
		return nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&values[0])), 4*len(values))
	if _, err := w.f.Write(b); err != nil {
		w.f.Close()
		return fmt.Errorf("spill: %w", err)
	}
	w.done += len(values)
	return nil
}

// Map maps the values written, which must be all n of them, and closes the file. The mapping is private:
// a write to Data changes this process's copy only.
func (w *Writer) Map() (*Array, error) {
	defer w.f.Close()
	if w.done != w.n {
		return nil, fmt.Errorf("spill: %d of %d values written", w.done, w.n)
	}
	mem, err := syscall.Mmap(int(w.f.Fd()), 0, 4*w.n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("spill: mmap of %d bytes: %w", 4*w.n, err)
	}
	return &Array{mem: mem, Data: unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), w.n)}, nil
}

// Close unmaps the array; Data must not be used after it.
func (a *Array) Close() error {
	if a == nil || a.mem == nil {
		return nil
	}
	err := syscall.Munmap(a.mem)
	a.mem, a.Data = nil, nil
	return err
}
