package ir

import (
	"fmt"
	"slices"
)

// Readers of what the attributes of an op mean, with their ONNX defaults and checks. Shape inference and
// the lowering to gorgonia both read the ops through them, so the two cannot disagree about an attribute.
// The sliding window of Conv and the pooling ops is read by ParseWindow (window.go).

// NormAxis maps an ONNX axis in [-rank, rank) to [0, rank).
func NormAxis(axis int64, rank int) (int, error) {
	if axis < -int64(rank) || axis >= int64(rank) {
		return 0, fmt.Errorf("%w: axis %d out of range for rank %d", ErrBadAttribute, axis, rank)
	}
	if axis < 0 {
		axis += int64(rank)
	}
	return int(axis), nil
}

// FlattenAxis returns Flatten's axis for an input of rank rank, in [0, rank]: the attribute axis,
// default 1, which may be negative (Flatten-11 and later).
func FlattenAxis(n *Node, rank int) (int, error) {
	axis, err := n.AttrInt("axis", 1)
	if err != nil {
		return 0, err
	}
	r := int64(rank)
	if axis < -r || axis > r {
		return 0, fmt.Errorf("%w: axis %d out of range for rank %d", ErrBadAttribute, axis, r)
	}
	if axis < 0 {
		axis += r
	}
	return int(axis), nil
}

// SoftmaxAxis returns the attribute axis of a Softmax or LogSoftmax, not yet normalised: its default is 1
// before opset 13 (where the input is coerced to 2-D at axis) and -1 from 13 (one axis).
func SoftmaxAxis(n *Node, opset int64) (int64, error) {
	def := int64(-1)
	if opset < 13 {
		def = 1
	}
	return n.AttrInt("axis", def)
}

// GemmSpec is what a Gemm node's attributes say: Y = Alpha·A'·B' + Beta·C, where A' is A transposed when
// TransA is set and B' is B transposed when TransB is.
type GemmSpec struct {
	Alpha, Beta    float32
	TransA, TransB bool
}

// GemmAttrs reads Gemm's alpha and beta (default 1) and transA and transB (default 0).
func GemmAttrs(n *Node) (GemmSpec, error) {
	var g GemmSpec
	var err error
	if g.Alpha, err = n.AttrFloat("alpha", 1); err != nil {
		return g, err
	}
	if g.Beta, err = n.AttrFloat("beta", 1); err != nil {
		return g, err
	}
	transA, err := n.AttrInt("transA", 0)
	if err != nil {
		return g, err
	}
	transB, err := n.AttrInt("transB", 0)
	if err != nil {
		return g, err
	}
	g.TransA, g.TransB = transA != 0, transB != 0
	return g, nil
}

// ShapeRange returns the dims [start, end) of an input of rank rank that a Shape node returns: the
// attributes start (default 0) and end (default rank) of Shape-15, negative from the end and clamped to
// [0, rank]; before opset 15 they are absent and take their defaults. end is never below start.
func ShapeRange(n *Node, rank int) (start, end int64, err error) {
	r := int64(rank)
	if start, err = n.AttrInt("start", 0); err != nil {
		return 0, 0, err
	}
	if end, err = n.AttrInt("end", r); err != nil {
		return 0, 0, err
	}
	if start < 0 {
		start += r
	}
	if end < 0 {
		end += r
	}
	start, end = clampInt(start, 0, r), clampInt(end, 0, r)
	return start, max(end, start), nil
}

// SliceDefaults completes a Slice's axes and steps with their defaults (the first len(starts) axes, and
// steps of 1) and checks that starts, ends, axes and steps have one value per sliced axis.
func SliceDefaults(starts, ends, axes, steps []int64) ([]int64, []int64, error) {
	if len(starts) != len(ends) {
		return nil, nil, fmt.Errorf("%w: Slice has %d starts and %d ends", ErrShapeMismatch, len(starts), len(ends))
	}
	if axes == nil {
		for i := range starts {
			axes = append(axes, int64(i))
		}
	}
	if steps == nil {
		for range starts {
			steps = append(steps, 1)
		}
	}
	if len(axes) != len(starts) || len(steps) != len(starts) {
		return nil, nil, fmt.Errorf("%w: Slice's starts, ends, axes and steps differ in length", ErrShapeMismatch)
	}
	return axes, steps, nil
}

// SliceRange resolves one sliced axis of size dim: start and end, negative from the end, are clamped as
// the ONNX spec says ([0, dim] by a positive step, [-1, dim-1] by a negative one), and it returns the
// first index and how many elements the slice keeps. step must not be 0.
func SliceRange(start, end, step, dim int64) (first, count int64) {
	if start < 0 {
		start += dim
	}
	if end < 0 {
		end += dim
	}
	if step > 0 {
		start, end = clampInt(start, 0, dim), clampInt(end, 0, dim)
	} else {
		start, end = clampInt(start, 0, dim-1), clampInt(end, -1, dim-1)
	}
	switch {
	case step > 0 && end > start:
		count = (end-start-1)/step + 1
	case step < 0 && start > end:
		count = (start-end-1)/-step + 1
	}
	return start, count
}

// SliceAttrs reads the starts, ends and axes attributes of Slice-1, the form before opset 10 (from 10
// they are inputs, with steps). starts and ends are required; axes is nil when absent.
func SliceAttrs(n *Node) (starts, ends, axes []int64, err error) {
	if starts, err = n.AttrInts("starts", nil); err != nil {
		return nil, nil, nil, err
	}
	if ends, err = n.AttrInts("ends", nil); err != nil {
		return nil, nil, nil, err
	}
	if axes, err = n.AttrInts("axes", nil); err != nil {
		return nil, nil, nil, err
	}
	if starts == nil || ends == nil {
		return nil, nil, nil, fmt.Errorf("%w: Slice needs starts and ends", ErrBadAttribute)
	}
	return starts, ends, axes, nil
}

// PadAttrs reads the attributes of Pad-2, the form before opset 11 (from 11 pads and the constant value
// are inputs): pads (required; paddings in Pad-1) and value (default 0).
func PadAttrs(n *Node) (pads []int64, value float32, err error) {
	name := "pads"
	if !n.HasAttr(name) && n.HasAttr("paddings") {
		name = "paddings"
	}
	if pads, err = n.AttrInts(name, nil); err != nil {
		return nil, 0, err
	}
	if pads == nil {
		return nil, 0, fmt.Errorf("%w: Pad needs attribute pads", ErrBadAttribute)
	}
	if value, err = n.AttrFloat("value", 0); err != nil {
		return nil, 0, err
	}
	return pads, value, nil
}

// ReduceSpec is what the attributes of a reduction (ReduceMean, ReduceMax, ...; not ReduceSum, whose
// axes became an input at opset 13) say.
type ReduceSpec struct {
	// KeepDims keeps the reduced axes as dims of size 1 (attribute keepdims, default 1).
	KeepDims bool
	// Axes is the attribute axes (before opset 18; nil when absent, which reduces every axis).
	Axes []int64
	// AxesInput is set from opset 18, where the axes are the optional input 1.
	AxesInput bool
	// NoopWithEmptyAxes (opset 18 on) makes a reduction over no axes the identity instead of a
	// reduction over all of them.
	NoopWithEmptyAxes bool
}

// ReduceAttrs reads a reduction's keepdims, and either its axes attribute (before opset 18) or its
// noop_with_empty_axes attribute (from 18, where the axes are input 1).
func ReduceAttrs(n *Node, opset int64) (ReduceSpec, error) {
	var r ReduceSpec
	keep, err := n.AttrInt("keepdims", 1)
	if err != nil {
		return r, err
	}
	r.KeepDims = keep != 0
	if opset < 18 {
		r.Axes, err = n.AttrInts("axes", nil)
		return r, err
	}
	if n.HasAttr("axes") {
		return r, fmt.Errorf("%w: attribute \"axes\" of %s is input 1 from opset 18, the model has %d", ErrBadAttribute, n.OpType, opset)
	}
	noop, err := n.AttrInt("noop_with_empty_axes", 0)
	if err != nil {
		return r, err
	}
	r.AxesInput, r.NoopWithEmptyAxes = true, noop != 0
	return r, nil
}

// ReducedAxes returns which axes of a tensor of rank rank a reduction over axes reduces: the axes,
// normalised, which must be distinct; no axes means every axis, or none with noopWithEmpty.
func ReducedAxes(axes []int64, rank int, noopWithEmpty bool) ([]bool, error) {
	out := make([]bool, rank)
	if len(axes) == 0 {
		if !noopWithEmpty {
			for i := range out {
				out[i] = true
			}
		}
		return out, nil
	}
	for _, a := range axes {
		ax, err := NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if out[ax] {
			return nil, fmt.Errorf("%w: axes %v repeat axis %d", ErrBadAttribute, axes, ax)
		}
		out[ax] = true
	}
	return out, nil
}

// LayerNormAttrs reads LayerNormalization's axis (default -1), normalised for an input of rank rank (the
// normalised axes are axis to rank-1), and epsilon (default 1e-5).
func LayerNormAttrs(n *Node, rank int) (axis int, eps float32, err error) {
	a, err := n.AttrInt("axis", -1)
	if err != nil {
		return 0, 0, err
	}
	if axis, err = NormAxis(a, rank); err != nil {
		return 0, 0, err
	}
	if eps, err = n.AttrFloat("epsilon", 1e-5); err != nil {
		return 0, 0, err
	}
	return axis, eps, nil
}

// PadAxes resolves the axes a Pad pads in a tensor of rank rank (axes, input 3 from opset 18: nil for
// all of them), normalised to [0, rank), and checks that they are distinct and that the pads input
// holds pads values, a begin and an end for each.
func PadAxes(axes []int64, rank, pads int) ([]int, error) {
	if axes == nil {
		for a := range rank {
			axes = append(axes, int64(a))
		}
	}
	if pads != 2*len(axes) {
		return nil, fmt.Errorf("%w: pads has %d values, want %d (two per axis)", ErrShapeMismatch, pads, 2*len(axes))
	}
	out := make([]int, len(axes))
	seen := make([]bool, rank)
	for i, a := range axes {
		if a < 0 {
			a += int64(rank)
		}
		if a < 0 || a >= int64(rank) || seen[a] {
			return nil, fmt.Errorf("%w: axes %v do not name distinct axes of a rank-%d tensor", ErrShapeMismatch, axes, rank)
		}
		seen[a] = true
		out[i] = int(a)
	}
	return out, nil
}

// ConstantValue returns the value of a Constant node, which must have exactly one attribute: the tensor
// of value itself, or a new float32 or int64 scalar (value_float, value_int) or vector (value_floats,
// value_ints). It returns nil for an attribute that holds no numbers (value_string, value_strings,
// sparse_value) and for a value attribute with no tensor.
func ConstantValue(n *Node) (*Tensor, error) {
	if len(n.Attrs) != 1 {
		return nil, fmt.Errorf("%w: Constant wants exactly one value attribute, got %d", ErrBadAttribute, len(n.Attrs))
	}
	switch {
	case n.HasAttr("value"):
		return n.AttrTensor("value")
	case n.HasAttr("value_float"):
		v, err := n.AttrFloat("value_float", 0)
		if err != nil {
			return nil, err
		}
		return &Tensor{DType: Float32, Dims: []int64{}, Float: []float32{v}}, nil
	case n.HasAttr("value_floats"):
		v, err := n.AttrFloats("value_floats", nil)
		if err != nil {
			return nil, err
		}
		return &Tensor{DType: Float32, Dims: []int64{int64(len(v))}, Float: slices.Clone(v)}, nil
	case n.HasAttr("value_int"):
		v, err := n.AttrInt("value_int", 0)
		if err != nil {
			return nil, err
		}
		return &Tensor{DType: Int64, Dims: []int64{}, Int: []int64{v}}, nil
	case n.HasAttr("value_ints"):
		v, err := n.AttrInts("value_ints", nil)
		if err != nil {
			return nil, err
		}
		return &Tensor{DType: Int64, Dims: []int64{int64(len(v))}, Int: slices.Clone(v)}, nil
	}
	return nil, nil
}

func clampInt(v, lo, hi int64) int64 { return max(lo, min(v, hi)) }
