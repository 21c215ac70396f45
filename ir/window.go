package ir

import (
	"fmt"
	"slices"
)

// Window is what a Conv or pooling node (MaxPool, AveragePool) says about its sliding window over the
// spatial axes of an input [N, C, spatial...]: the ONNX attributes with their defaults filled in.
type Window struct {
	Kernel    []int64 // nil when not known (a Conv whose weights have unknown spatial dims)
	Strides   []int64
	Dilations []int64
	Pads      []int64 // begins, then ends
	AutoPad   string  // NOTSET, VALID, SAME_UPPER or SAME_LOWER
	Ceil      bool    // a pool's ceil_mode
}

// ParseWindow reads kernel_shape, strides, dilations, pads, auto_pad (and ceil_mode when pool is set)
// with their ONNX defaults, for rank spatial axes, and checks them. kernel is the kernel the inputs imply
// (Conv's weights), or nil; a pool needs kernel_shape. The errors wrap ErrBadAttribute, or
// ErrShapeMismatch when kernel_shape disagrees with kernel.
func ParseWindow(n *Node, rank int, kernel []int64, pool bool) (Window, error) {
	var w Window
	var err error
	if w.Kernel, err = n.AttrInts("kernel_shape", kernel); err != nil {
		return w, err
	}
	switch {
	case w.Kernel == nil && pool:
		return w, fmt.Errorf("%w: attribute \"kernel_shape\" is required", ErrBadAttribute)
	case kernel != nil && !slices.Equal(w.Kernel, kernel):
		return w, fmt.Errorf("%w: attribute \"kernel_shape\" is %v but the weights have kernel %v", ErrShapeMismatch, w.Kernel, kernel)
	}
	ones := make([]int64, rank)
	for i := range ones {
		ones[i] = 1
	}
	if w.Strides, err = n.AttrInts("strides", ones); err != nil {
		return w, err
	}
	if w.Dilations, err = n.AttrInts("dilations", ones); err != nil {
		return w, err
	}
	if w.Pads, err = n.AttrInts("pads", make([]int64, 2*rank)); err != nil {
		return w, err
	}
	if w.AutoPad, err = n.AttrString("auto_pad", "NOTSET"); err != nil {
		return w, err
	}
	if pool {
		c, err := n.AttrInt("ceil_mode", 0)
		if err != nil {
			return w, err
		}
		w.Ceil = c != 0
	}
	type check struct {
		name string
		v    []int64
		n    int
		min  int64
	}
	var checks []check
	if w.Kernel != nil {
		checks = append(checks, check{"kernel_shape", w.Kernel, rank, 1})
	}
	checks = append(checks, check{"strides", w.Strides, rank, 1}, check{"dilations", w.Dilations, rank, 1}, check{"pads", w.Pads, 2 * rank, 0})
	for _, a := range checks {
		if len(a.v) != a.n {
			return w, fmt.Errorf("%w: attribute %q has %d values, want %d for %d spatial axes", ErrBadAttribute, a.name, len(a.v), a.n, rank)
		}
		for _, v := range a.v {
			if v < a.min {
				return w, fmt.Errorf("%w: attribute %q: value %d is below %d", ErrBadAttribute, a.name, v, a.min)
			}
		}
	}
	switch w.AutoPad {
	case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER":
	default:
		return w, fmt.Errorf("%w: attribute \"auto_pad\": unknown value %q", ErrBadAttribute, w.AutoPad)
	}
	return w, nil
}

// same reports whether the window pads to keep ceil(in/stride) outputs (auto_pad SAME_UPPER or
// SAME_LOWER).
func (w Window) same() bool { return w.AutoPad == "SAME_UPPER" || w.AutoPad == "SAME_LOWER" }

// Axis resolves spatial axis i of the window against an input of size in, following onnxruntime's output
// sizes and auto_pad rules: it returns the output size and the padding at the begin and the end of the
// axis. The kernel must be known. A window that does not fit, or an empty output, is an error wrapping
// ErrShapeMismatch.
func (w Window) Axis(i int, in int64) (out, padBegin, padEnd int64, err error) {
	rank := len(w.Strides)
	s, dk := w.Strides[i], (w.Kernel[i]-1)*w.Dilations[i]+1
	if w.same() {
		out = (in + s - 1) / s
		total := max(0, (out-1)*s+dk-in)
		if w.AutoPad == "SAME_LOWER" {
			padBegin = (total + 1) / 2
		} else {
			padBegin = total / 2
		}
		padEnd = total - padBegin
	} else {
		if w.AutoPad == "NOTSET" {
			padBegin, padEnd = w.Pads[i], w.Pads[rank+i]
		}
		span := in + padBegin + padEnd - dk
		if span < 0 {
			return 0, 0, 0, fmt.Errorf("%w: axis %d: window of %d (dilated) does not fit the padded input of %d", ErrShapeMismatch, 2+i, dk, in+padBegin+padEnd)
		}
		out = span/s + 1
		if w.Ceil {
			out = (span+s-1)/s + 1
			// As onnxruntime and PyTorch do, the last window must start inside the input or the begin
			// padding.
			if (out-1)*s >= in+padBegin {
				out--
			}
		}
	}
	if out < 1 {
		return 0, 0, 0, fmt.Errorf("%w: axis %d: output would be empty", ErrShapeMismatch, 2+i)
	}
	return out, padBegin, padEnd, nil
}
