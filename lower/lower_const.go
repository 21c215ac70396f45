package lower

import (
	"fmt"
	"math"

	"github.com/fairbinn/fairbinn-go/ir"
)

// Ops that exporters emit to compute constants (PyTorch's F.pad builds its pads this way). They are
// evaluated while the graph is built, on konst operands; on a tensor computed by the graph,
// ConstantOfShape has no meaning and Cast is the identity between float types (everything the graph
// computes is float32) and unsupported otherwise.

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

// bfloat16 is TensorProto's BFLOAT16, which ir.DType does not name.
const bfloat16 = ir.DType(16)

// lowerCast converts a value known while building to the element type to. A tensor the graph computes
// (or a float initializer, which stays trainable) is float32: a Cast to float32 or float64 passes it
// through, and any other type is unsupported.
func lowerCast(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	to, err := n.AttrInt("to", 0)
	if err != nil {
		return nil, err
	}
	dt := ir.DType(to)
	if in[0].node != nil {
		switch {
		case dt == ir.Float32 || dt == ir.Float64:
			return []operand{in[0]}, nil // float data is float32 already
		case dt == ir.Float16 || dt == bfloat16:
			name := dt.String()
			if dt == bfloat16 {
				name = "bfloat16"
			}
			return nil, fmt.Errorf("%w: Cast of a tensor computed at run time to %s: the Go forward pass computes in float32 and does not round to half precision", ir.ErrUnsupportedOp, name)
		case in[0].konst == nil:
			return nil, fmt.Errorf("%w: Cast of a tensor computed at run time to %s: the Go forward pass computes float32 tensors only", ir.ErrUnsupportedOp, dt)
		}
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
