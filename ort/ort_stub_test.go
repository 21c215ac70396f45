//go:build !cgo

package ort

import (
	"errors"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/tensor"
)

func TestStubUnavailable(t *testing.T) {
	if err := Init(); !errors.Is(err, ErrRuntimeUnavailable) || !strings.Contains(err.Error(), "without cgo") {
		t.Errorf("Init: got %v, want ErrRuntimeUnavailable mentioning cgo", err)
	}
	s, err := Open([]byte("model"), Options{})
	if !errors.Is(err, ErrRuntimeUnavailable) {
		t.Errorf("Open: got %v, want ErrRuntimeUnavailable", err)
	}
	if s != nil {
		t.Errorf("Open returned a session")
	}
}

func TestStubSession(t *testing.T) {
	var s Session
	if _, err := s.Run([]tensor.Tensor{{Shape: []int64{1}, Data: []float32{1}}}); !errors.Is(err, ErrRuntimeUnavailable) {
		t.Errorf("Run: got %v, want ErrRuntimeUnavailable", err)
	}
	if s.Inputs() != nil || s.Outputs() != nil {
		t.Errorf("stub session describes inputs or outputs")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	// RunBatched is shared code: with no model it must refuse, not panic.
	if _, err := RunBatched(&s, tensor.Tensor{Shape: []int64{1, 1}, Data: []float32{1}}, 1); err == nil {
		t.Errorf("RunBatched on a stub session succeeded")
	}
}
