package lower

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// lowerBatchNormalization lowers inference-mode BatchNormalization (opset 7's signature up to 13, opset
// 14/15's after) to a kernelOp over [N, C] or [N, C, spatial...]. Training mode updates running statistics,
// which a pure expression graph cannot, so it is unsupported; so is spatial=0 of opsets 7 and 8 (scale,
// bias and statistics per activation rather than per channel).
func lowerBatchNormalization(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if lc.opset < 9 {
		spatial, err := n.AttrInt("spatial", 1)
		if err != nil {
			return nil, err
		}
		if spatial == 0 {
			return nil, fmt.Errorf("%w: BatchNormalization with spatial=0", ir.ErrUnsupportedOp)
		}
	}
	training, err := n.AttrInt("training_mode", 0)
	if err != nil {
		return nil, err
	}
	if training != 0 {
		return nil, fmt.Errorf("%w: BatchNormalization with training_mode=1", ir.ErrUnsupportedOp)
	}
	for _, o := range n.Outputs[min(1, len(n.Outputs)):] {
		if o != "" {
			return nil, fmt.Errorf("%w: BatchNormalization's training outputs (mean, var)", ir.ErrUnsupportedOp)
		}
	}
	eps, err := n.AttrFloat("epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	var ops [5]operand
	for i, name := range []string{"X", "scale", "B", "input_mean", "input_var"} {
		o, ok := presentInput(in, i)
		if !ok {
			return nil, fmt.Errorf("%w: BatchNormalization needs input %s", ir.ErrShapeMismatch, name)
		}
		ops[i] = o
	}
	xs := ops[0].shape()
	if len(xs) < 2 {
		return nil, fmt.Errorf("%w: X has shape %v, want [N, C, ...]", ir.ErrShapeMismatch, xs)
	}
	for i, o := range ops[1:] {
		if s := o.shape(); len(s) != 1 || s[0] != xs[1] {
			return nil, fmt.Errorf("%w: input %d has shape %v, want [%d]", ir.ErrShapeMismatch, i+1, s, xs[1])
		}
	}

	nodes := make([]*G.Node, len(ops))
	for i, o := range ops {
		if nodes[i], err = lc.asNode(o); err != nil {
			return nil, err
		}
	}
	g := bnGeom{n: xs[0], c: xs[1], plane: nchwElems(xs[2:]), eps: float64(eps)}
	y, err := G.ApplyOp(bnOp(g, xs), nodes...)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// bnOp builds the kernelOp of inputs X, scale, B, mean and var; it is differentiable in all five.
func bnOp(g bnGeom, xs []int) *kernelOp {
	name := fmt.Sprintf("BatchNormalization{eps=%g}", g.eps)
	c := []int{g.c}
	in := [][]int{xs, c, c, c, c}
	return &kernelOp{
		name: name, in: in, out: xs,
		do: func(v [][]float32, y []float32) {
			bnForward(g, v[0], v[1], v[2], v[3], v[4], y)
		},
		diff: []bool{true, true, true, true, true},
		grad: func(i int) *kernelOp {
			return gradOp(name, in, xs, i, func(v [][]float32, out []float32) {
				bnGrad(g, i, v[0], v[1], v[3], v[4], v[5], out)
			})
		},
	}
}
