package lower

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// present reports whether an optional input was given.
func (o operand) present() bool { return o.node != nil || o.konst != nil }

// checkInputs checks the number of inputs: at least min, all of those given, and at most max.
func checkInputs(in []operand, min, max int) error {
	if len(in) < min || len(in) > max {
		return fmt.Errorf("want %d to %d inputs, got %d", min, max, len(in))
	}
	for i := range min {
		if !in[i].present() {
			return fmt.Errorf("input %d is required", i)
		}
	}
	return nil
}

func lowerAdd(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerBinary(binAdd, in)
}

func lowerSub(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerBinary(binSub, in)
}

func lowerMul(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerBinary(binMul, in)
}

func lowerDiv(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerBinary(binDiv, in)
}

// lowerBinary builds an arithmetic op with numpy broadcasting. Two values known while building (shape
// arithmetic, Constant outputs) are folded in Go; a float initializer keeps its node so it stays trainable.
func (lc *lowerCtx) lowerBinary(k binKind, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if a.node == nil && b.node == nil {
		t, err := foldBinary(k, a.konst, b.konst)
		if err != nil {
			return nil, err
		}
		return []operand{{konst: t}}, nil
	}
	x, err := lc.asNode(a)
	if err != nil {
		return nil, err
	}
	y, err := lc.asNode(b)
	if err != nil {
		return nil, err
	}
	r, err := broadcastNodes(k, x, y)
	if err != nil {
		return nil, err
	}
	return []operand{{node: r}}, nil
}

// lowerUnary builds a one-input float op.
func (lc *lowerCtx) lowerUnary(in []operand, f func(*G.Node) (*G.Node, error)) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x, err := lc.asNode(in[0])
	if err != nil {
		return nil, err
	}
	r, err := f(x)
	if err != nil {
		return nil, err
	}
	return []operand{{node: r}}, nil
}

func lowerRelu(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerUnary(in, G.Rectify)
}

func lowerLeakyRelu(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	alpha, err := n.AttrFloat("alpha", 0.01)
	if err != nil {
		return nil, err
	}
	return lc.lowerUnary(in, func(x *G.Node) (*G.Node, error) {
		// float64(alpha) converts back to exactly the file's float32 inside G.LeakyRelu.
		return G.LeakyRelu(x, float64(alpha))
	})
}

func lowerSigmoid(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerUnary(in, G.Sigmoid)
}

func lowerTanh(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerUnary(in, G.Tanh)
}

// lowerSoftmax follows Softmax-11 (the input coerced to 2-D at axis, default 1, normalised over the
// second dim) before opset 13 and Softmax-13 (normalised along one axis, default -1) from 13.
func lowerSoftmax(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	axis, err := ir.SoftmaxAxis(n, lc.opset)
	if err != nil {
		return nil, err
	}
	shape := in[0].shape()
	ax, err := ir.NormAxis(axis, len(shape))
	if err != nil {
		return nil, err
	}
	// Both versions normalise the middle dim of a [pre, n, post] view of the input.
	pre, mid, post := shapeSize(shape[:ax]), shapeSize(shape[ax:]), 1
	if lc.opset >= 13 {
		mid, post = shape[ax], shapeSize(shape[ax+1:])
	}
	x, err := lc.asNode(in[0])
	if err != nil {
		return nil, err
	}
	y, err := softmaxNode(x, pre, mid, post)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

func lowerIdentity(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	return []operand{in[0]}, nil
}

// lowerDropout lowers Dropout for inference, where it is the identity and its mask all true (a bool
// tensor from Dropout-10, a float one of ones before). Dropout-12 and later take a training_mode input;
// training mode is only the identity with a zero ratio.
func lowerDropout(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 3); err != nil {
		return nil, err
	}
	if lc.opset >= 12 && len(in) > 2 && in[2].present() {
		t := in[2].konst
		if t == nil || len(t.Int) != 1 {
			return nil, fmt.Errorf("%w: Dropout with a training_mode computed at run time", ir.ErrUnsupportedOp)
		}
		if t.Int[0] != 0 {
			ratio := float32(0.5)
			if len(in) > 1 && in[1].present() {
				r := in[1].konst
				if r == nil || len(r.Float) != 1 {
					return nil, fmt.Errorf("%w: training-mode Dropout with a ratio computed at run time", ir.ErrUnsupportedOp)
				}
				ratio = r.Float[0]
			}
			if ratio != 0 {
				return nil, fmt.Errorf("%w: training-mode Dropout (ratio %g) is random", ir.ErrUnsupportedOp, ratio)
			}
		}
	}
	out := []operand{in[0]}
	if len(n.Outputs) > 1 && n.Outputs[1] != "" {
		shape := in[0].shape()
		mask := &ir.Tensor{Name: n.Outputs[1], DType: ir.Bool, Dims: int64Dims(shape)}
		if lc.opset < 10 {
			mask.DType, mask.Float = ir.Float32, make([]float32, shapeSize(shape))
			for i := range mask.Float {
				mask.Float[i] = 1
			}
		} else {
			mask.Int = make([]int64, shapeSize(shape))
			for i := range mask.Int {
				mask.Int[i] = 1
			}
		}
		out = append(out, operand{konst: mask})
	}
	return out, nil
}
