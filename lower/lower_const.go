package lower

import (
	"fmt"
	"math"

	"github.com/fairbinn/fairbinn-go/ir"
)

// Ops that exporters emit to compute constants (PyTorch's F.pad builds its pads this way). They are
// evaluated while the graph is built, on konst operands only; on a tensor computed by the graph they are
// unsupported.

func needKonst(in []operand, i int, what string) (*ir.Tensor, error) {
	if i >= len(in) || in[i].konst == nil {
		return nil, fmt.Errorf("%w: %s must be known when the graph is built", ir.ErrUnsupportedOp, what)
	}
	return in[i].konst, nil
}

func lowerConstantOfShape(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	shape, err := needKonst(in, 0, "input 0 (shape)")
	if err != nil {
		return nil, err
	}
	if shape.Int == nil && shape.Len() > 0 {
		return nil, fmt.Errorf("%w: shape input has element type %s, want int64", ir.ErrBadAttribute, shape.DType)
	}
	value, err := n.AttrTensor("value")
	if err != nil {
		return nil, err
	}
	out := &ir.Tensor{Name: n.Outputs[0], DType: ir.Float32, Dims: append([]int64(nil), shape.Int...)}
	count := out.Len()
	if count < 0 || count > 1<<28 {
		return nil, fmt.Errorf("%w: ConstantOfShape of %v elements", ir.ErrShapeMismatch, shape.Int)
	}
	switch {
	case value == nil:
		out.Float = make([]float32, count)
	case value.Float != nil:
		out.DType = value.DType
		out.Float = make([]float32, count)
		for i := range out.Float {
			out.Float[i] = value.Float[0]
		}
	case value.Int != nil:
		out.DType = value.DType
		out.Int = make([]int64, count)
		for i := range out.Int {
			out.Int[i] = value.Int[0]
		}
	default:
		return nil, fmt.Errorf("%w: attribute \"value\" has element type %s", ir.ErrUnsupportedOp, value.DType)
	}
	return []operand{{konst: out}}, nil
}

func lowerCast(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	to, err := n.AttrInt("to", 0)
	if err != nil {
		return nil, err
	}
	dt := ir.DType(to)
	if in[0].konst == nil {
		if dt == ir.Float32 {
			return []operand{in[0]}, nil // float data is float32 already
		}
		return nil, fmt.Errorf("%w: Cast of a computed tensor to %s", ir.ErrUnsupportedOp, dt)
	}
	src := in[0].konst
	out := &ir.Tensor{Name: n.Outputs[0], DType: dt, Dims: src.Dims}
	switch dt {
	case ir.Float32, ir.Float64:
		out.Float = make([]float32, src.Len())
		for i := range out.Float {
			if src.Float != nil {
				out.Float[i] = src.Float[i]
			} else {
				out.Float[i] = float32(src.Int[i])
			}
		}
	case ir.Int64, ir.Int32, ir.Int8, ir.Uint8, ir.Bool:
		out.Int = make([]int64, src.Len())
		for i := range out.Int {
			switch {
			case src.Int != nil:
				out.Int[i] = src.Int[i]
			case dt == ir.Bool:
				if src.Float[i] != 0 {
					out.Int[i] = 1
				}
			default:
				out.Int[i] = int64(math.Trunc(float64(src.Float[i])))
			}
		}
	default:
		return nil, fmt.Errorf("%w: Cast to %s", ir.ErrUnsupportedOp, dt)
	}
	return []operand{{konst: out}}, nil
}

func lowerSlice(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	data, err := needKonst(in, 0, "input 0 (data)")
	if err != nil {
		return nil, err
	}
	ints := func(i int) ([]int64, error) {
		if i >= len(in) || (in[i].konst == nil && in[i].node == nil) {
			return nil, nil
		}
		t, err := needKonst(in, i, fmt.Sprintf("input %d", i))
		if err != nil {
			return nil, err
		}
		return t.Int, nil
	}
	starts, err := ints(1)
	if err != nil {
		return nil, err
	}
	ends, err := ints(2)
	if err != nil {
		return nil, err
	}
	axes, err := ints(3)
	if err != nil {
		return nil, err
	}
	steps, err := ints(4)
	if err != nil {
		return nil, err
	}
	rank := int64(len(data.Dims))
	if axes, steps, err = ir.SliceDefaults(starts, ends, axes, steps); err != nil {
		return nil, err
	}
	// Per axis: first index, step and count, clamped as the ONNX spec says.
	first := make([]int64, rank)
	step := make([]int64, rank)
	count := append([]int64(nil), data.Dims...)
	for i := range step {
		step[i] = 1
	}
	for i, a := range axes {
		ax, err := ir.NormAxis(a, int(rank))
		if err != nil {
			return nil, err
		}
		s := steps[i]
		if s == 0 {
			return nil, fmt.Errorf("%w: step 0", ir.ErrBadAttribute)
		}
		first[ax], count[ax] = ir.SliceRange(starts[i], ends[i], s, data.Dims[ax])
		step[ax] = s
	}
	out := &ir.Tensor{Name: n.Outputs[0], DType: data.DType, Dims: count}
	strides := make([]int64, rank)
	acc := int64(1)
	for i := rank - 1; i >= 0; i-- {
		strides[i] = acc
		acc *= data.Dims[i]
	}
	total := out.Len()
	idx := make([]int64, rank)
	for k := int64(0); k < total; k++ {
		off := int64(0)
		for ax := range rank {
			off += (first[ax] + idx[ax]*step[ax]) * strides[ax]
		}
		if data.Float != nil {
			out.Float = append(out.Float, data.Float[off])
		} else {
			out.Int = append(out.Int, data.Int[off])
		}
		for ax := rank - 1; ax >= 0; ax-- {
			if idx[ax]++; idx[ax] < count[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	return []operand{{konst: out}}, nil
}
