package lower

import (
	"fmt"
	"slices"

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

// lowerLayerNormalization lowers LayerNormalization (opset 17) to differentiable parts: the mean and the
// variance over the axes from axis on (reduceMeanNode), then gorgonia's elementwise ops, so that a layer
// inserted before it trains through it. Y = (X − mean) · InvStdDev · Scale + B, with InvStdDev =
// 1/√(var + epsilon); Scale and B broadcast one way to X and stay trainable. The optional outputs Mean
// and InvStdDev have X's dims before axis and size 1 after. Computed in float32, which is what
// stash_type 1 (the default) asks for.
func lowerLayerNormalization(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 3); err != nil {
		return nil, err
	}
	xs := in[0].shape()
	axis, eps, err := ir.LayerNormAttrs(n, len(xs))
	if err != nil {
		return nil, err
	}
	for i, o := range in[1:] {
		if !o.present() {
			continue
		}
		if s := o.shape(); len(s) > len(xs) || !broadcastsTo(s, xs) {
			return nil, fmt.Errorf("%w: input %d of shape %v does not broadcast to X of shape %v", ir.ErrShapeMismatch, i+1, s, xs)
		}
	}
	if shapeSize(xs) == 0 {
		return nil, fmt.Errorf("%w: LayerNormalization of the empty shape %v", ir.ErrUnsupportedOp, xs)
	}
	reduced := make([]bool, len(xs))
	stat := slices.Clone(xs)
	for i := axis; i < len(xs); i++ {
		reduced[i], stat[i] = true, 1
	}

	x, err := lc.asNode(in[0])
	if err != nil {
		return nil, err
	}
	mean, err := reduceMeanNode(x, reduced, stat)
	if err != nil {
		return nil, err
	}
	d, err := broadcastNodes(binSub, x, mean)
	if err != nil {
		return nil, err
	}
	dd, err := G.HadamardProd(d, d)
	if err != nil {
		return nil, err
	}
	variance, err := reduceMeanNode(dd, reduced, stat)
	if err != nil {
		return nil, err
	}
	ve, err := G.Add(variance, lc.scalarNode(eps, n.Name+".epsilon"))
	if err != nil {
		return nil, err
	}
	std, err := G.Sqrt(ve)
	if err != nil {
		return nil, err
	}
	inv, err := G.Inverse(std)
	if err != nil {
		return nil, err
	}
	y, err := broadcastNodes(binMul, d, inv)
	if err != nil {
		return nil, err
	}
	for i, k := range []binKind{binMul, binAdd} {
		o, ok := presentInput(in, i+1)
		if !ok {
			continue
		}
		p, err := lc.asNode(o)
		if err != nil {
			return nil, err
		}
		if y, err = broadcastNodes(k, y, p); err != nil {
			return nil, err
		}
	}
	return []operand{{node: y}, {node: mean}, {node: inv}}, nil
}

// broadcastsTo reports whether shape s broadcasts one way to shape to.
func broadcastsTo(s, to []int) bool {
	out, err := broadcastShapes(s, to)
	return err == nil && slices.Equal(out, to)
}
