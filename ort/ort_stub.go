//go:build !cgo

package ort

import "github.com/fairbinn/fairbinn-go/tensor"
import "fmt"

// errNoCgo explains why nothing runs: onnxruntime_go needs cgo to load the shared library.
var errNoCgo = fmt.Errorf("%w: built without cgo (rebuild with CGO_ENABLED=1 and a C compiler)", ErrRuntimeUnavailable)

// Init reports ErrRuntimeUnavailable: without cgo the shared library cannot be loaded.
func Init() error { return errNoCgo }

// Session is a loaded model; without cgo none can be opened.
type Session struct{}

// Open reports ErrRuntimeUnavailable: without cgo the shared library cannot be loaded.
func Open(modelBytes []byte, opts Options) (*Session, error) { return nil, errNoCgo }

// OpenFile reports ErrRuntimeUnavailable: without cgo the shared library cannot be loaded.
func OpenFile(path string, opts Options) (*Session, error) { return nil, errNoCgo }

// Inputs returns nil: no model is loaded without cgo.
func (s *Session) Inputs() []IOInfo { return nil }

// Outputs returns nil: no model is loaded without cgo.
func (s *Session) Outputs() []IOInfo { return nil }

// Run reports ErrRuntimeUnavailable.
func (s *Session) Run(inputs []tensor.Tensor) ([]tensor.Tensor, error) { return nil, errNoCgo }

// Close does nothing.
func (s *Session) Close() error { return nil }
