package lower

import (
	"fmt"
	"math"
	"slices"

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
// unary is the lowering of an op that is one differentiable gorgonia function of its one input.
func unary(f func(*G.Node) (*G.Node, error)) lowerFunc {
	return func(lc *lowerCtx, _ *ir.Node, in []operand) ([]operand, error) { return lc.lowerUnary(in, f) }
}

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

// lowerPow raises input 0 to input 1, broadcast numpy-style. Two values known while building are folded
// in Go: the result has the base's element type (Pow-12 and later allow an exponent of another type).
func lowerPow(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if in[0].node == nil && in[1].node == nil {
		t, err := foldPow(in[0].konst, in[1].konst)
		if err != nil {
			return nil, err
		}
		return []operand{{konst: t}}, nil
	}
	return lc.lowerBinary(binPow, in)
}

// foldPow computes a^b on two constants with broadcasting: in float64, converted to a's element type
// (an integer result truncated toward zero); two integer tensors are raised exactly.
func foldPow(a, b *ir.Tensor) (*ir.Tensor, error) {
	for _, t := range []*ir.Tensor{a, b} {
		if t.Float == nil && t.Int == nil && t.Len() > 0 {
			return nil, fmt.Errorf("%w: Pow of a %s constant", ir.ErrUnsupportedOp, t.DType)
		}
	}
	outDims, err := broadcastShapes(intDims(a.Dims), intDims(b.Dims))
	if err != nil {
		return nil, err
	}
	ia, ib := broadcastIndex(intDims(a.Dims), outDims), broadcastIndex(intDims(b.Dims), outDims)
	value := func(t *ir.Tensor, i int) float64 {
		if t.Float != nil {
			return float64(t.Float[i])
		}
		return float64(t.Int[i])
	}
	out := &ir.Tensor{Name: a.Name, DType: a.DType, Dims: int64Dims(outDims)}
	if a.Float != nil || (a.Int == nil && isFloatType(a.DType)) {
		out.Float = make([]float32, len(ia))
		for i := range out.Float {
			out.Float[i] = float32(math.Pow(value(a, ia[i]), value(b, ib[i])))
		}
		return out, nil
	}
	out.Int = make([]int64, len(ia))
	for i := range out.Int {
		var v int64
		if b.Int != nil {
			if v, err = binOps[binPow].i64(a.Int[ia[i]], b.Int[ib[i]]); err != nil {
				return nil, err
			}
		} else {
			v = int64(math.Trunc(math.Pow(value(a, ia[i]), value(b, ib[i]))))
		}
		out.Int[i] = wrapInt(v, a.DType)
	}
	return out, nil
}

// lowerNeg negates; an integer value known while building (shape arithmetic) is negated in Go.
func lowerNeg(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if t := in[0].konst; in[0].node == nil && t.Int != nil {
		out := &ir.Tensor{Name: t.Name, DType: t.DType, Dims: t.Dims, Int: make([]int64, len(t.Int))}
		for i, v := range t.Int {
			out.Int[i] = wrapInt(-v, t.DType)
		}
		return []operand{{konst: out}}, nil
	}
	return lc.lowerUnary(in, G.Neg)
}

// lowerErf computes the error function (Erf-9 and Erf-13 differ in types only), which GELU exports to.
func lowerErf(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	return lc.lowerUnary(in, erfNode)
}

// lowerElu computes x for x ≥ 0 and alpha·(exp(x) − 1) below, from differentiable primitives:
// relu(x) + alpha·(exp(−relu(−x)) − 1), where −relu(−x) = min(x, 0).
func lowerElu(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	alpha, err := n.AttrFloat("alpha", 1)
	if err != nil {
		return nil, err
	}
	one, a := lc.scalarNode(1, n.Name+".one"), lc.scalarNode(alpha, n.Name+".alpha")
	return lc.lowerUnary(in, func(x *G.Node) (*G.Node, error) {
		pos, r, err := reluParts(x)
		if err != nil {
			return nil, err
		}
		m, err := G.Neg(r)
		if err != nil {
			return nil, err
		}
		e, err := G.Exp(m)
		if err != nil {
			return nil, err
		}
		em1, err := G.Sub(e, one)
		if err != nil {
			return nil, err
		}
		neg, err := G.HadamardProd(em1, a)
		if err != nil {
			return nil, err
		}
		return G.Add(pos, neg)
	})
}

// reluParts returns relu(x) and relu(−x), the positive and negative parts of x (x = pos − neg), from which
// the piecewise-linear activations are built so that their gradients are gorgonia's own.
func reluParts(x *G.Node) (pos, neg *G.Node, err error) {
	if pos, err = G.Rectify(x); err != nil {
		return nil, nil, err
	}
	negX, err := G.Neg(x)
	if err != nil {
		return nil, nil, err
	}
	neg, err = G.Rectify(negX)
	return pos, neg, err
}

// lowerPRelu computes x for x ≥ 0 and slope·x below, slope broadcast one way to X (PRelu-7 and later),
// from differentiable primitives: relu(x) − slope·relu(−x). A slope initializer stays trainable.
func lowerPRelu(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	xs, ss := in[0].shape(), in[1].shape()
	if out, err := broadcastShapes(xs, ss); err != nil || !slices.Equal(out, xs) {
		return nil, fmt.Errorf("%w: PRelu's slope of shape %v does not broadcast to X of shape %v", ir.ErrShapeMismatch, ss, xs)
	}
	x, err := lc.asNode(in[0])
	if err != nil {
		return nil, err
	}
	slope, err := lc.asNode(in[1])
	if err != nil {
		return nil, err
	}
	pos, r, err := reluParts(x)
	if err != nil {
		return nil, err
	}
	scaled, err := broadcastNodes(binMul, slope, r)
	if err != nil {
		return nil, err
	}
	y, err := G.Sub(pos, scaled)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// lowerClip limits the input to [min, max]: attributes before opset 11, optional scalar inputs from 11.
// An absent bound is the float32 limit, as in onnxruntime. A bound input must be known while building; a
// float initializer stays a trainable node. A value known while building (integer data, say) is clipped
// in Go.
func lowerClip(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	lo, hi := float32(-math.MaxFloat32), float32(math.MaxFloat32)
	loI, hiI := int64(math.MinInt64), int64(math.MaxInt64)
	var bounds [2]*G.Node
	if lc.opset < 11 {
		if err := checkInputs(in, 1, 1); err != nil {
			return nil, err
		}
		var err error
		if lo, err = n.AttrFloat("min", lo); err != nil {
			return nil, err
		}
		if hi, err = n.AttrFloat("max", hi); err != nil {
			return nil, err
		}
	} else {
		if err := checkInputs(in, 1, 3); err != nil {
			return nil, err
		}
		for i, what := range []string{"min", "max"} {
			o, ok := presentInput(in, i+1)
			if !ok {
				continue
			}
			t := o.konst
			switch {
			case t == nil:
				return nil, fmt.Errorf("%w: Clip's %s computed at run time", ir.ErrUnsupportedOp, what)
			case len(t.Float) == 1 && i == 0:
				lo, bounds[0] = t.Float[0], o.node
			case len(t.Float) == 1:
				hi, bounds[1] = t.Float[0], o.node
			case len(t.Int) == 1 && i == 0:
				loI, lo = t.Int[0], float32(t.Int[0])
			case len(t.Int) == 1:
				hiI, hi = t.Int[0], float32(t.Int[0])
			default:
				return nil, fmt.Errorf("%w: Clip's %s has %d elements, want one", ir.ErrShapeMismatch, what, t.Len())
			}
		}
	}
	if t := in[0].konst; in[0].node == nil {
		if t.Float == nil && t.Int == nil && t.Len() > 0 {
			return nil, fmt.Errorf("%w: Clip of a %s constant", ir.ErrUnsupportedOp, t.DType)
		}
		out := &ir.Tensor{Name: t.Name, DType: t.DType, Dims: t.Dims}
		if t.Int != nil {
			out.Int = make([]int64, len(t.Int))
			for i, v := range t.Int {
				out.Int[i] = min(max(v, loI), hiI)
			}
		} else {
			out.Float = make([]float32, len(t.Float))
			for i, v := range t.Float {
				out.Float[i] = float32(clampFloat(float64(v), float64(lo), float64(hi)))
			}
		}
		return []operand{{konst: out}}, nil
	}
	return lc.lowerUnary(in[:1], func(x *G.Node) (*G.Node, error) { return clipNode(x, lo, hi, bounds) })
}

// lowerHardSigmoid computes max(0, min(1, alpha·x + beta)): the affine part from gorgonia primitives,
// the clipping by clipNode.
func lowerHardSigmoid(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	alpha, err := n.AttrFloat("alpha", 0.2)
	if err != nil {
		return nil, err
	}
	beta, err := n.AttrFloat("beta", 0.5)
	if err != nil {
		return nil, err
	}
	a, b := lc.scalarNode(alpha, n.Name+".alpha"), lc.scalarNode(beta, n.Name+".beta")
	return lc.lowerUnary(in, func(x *G.Node) (*G.Node, error) {
		ax, err := G.HadamardProd(x, a)
		if err != nil {
			return nil, err
		}
		v, err := G.Add(ax, b)
		if err != nil {
			return nil, err
		}
		return clipNode(v, 0, 1, [2]*G.Node{})
	})
}

// lowerWhere picks X where the condition holds and Y elsewhere, all three broadcast numpy-style. The
// condition must be known while building (a mask); X and Y known too are selected in Go.
func lowerWhere(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 3, 3); err != nil {
		return nil, err
	}
	c := in[0].konst
	if in[0].node != nil || c == nil || (c.Int == nil && c.Len() > 0) {
		return nil, fmt.Errorf("%w: Where with a condition computed at run time", ir.ErrUnsupportedOp)
	}
	cs := in[0].shape()
	out, err := broadcastShapes(in[1].shape(), in[2].shape())
	if err != nil {
		return nil, err
	}
	if out, err = broadcastShapes(cs, out); err != nil {
		return nil, err
	}
	cond := make([]bool, len(c.Int))
	for i, v := range c.Int {
		cond[i] = v != 0
	}
	if in[1].node == nil && in[2].node == nil {
		return foldWhere(cond, cs, in[1].konst, in[2].konst, out)
	}
	nodes := make([]*G.Node, 2)
	for i, o := range in[1:] {
		x, err := lc.asNode(o)
		if err != nil {
			return nil, err
		}
		if nodes[i], err = expandNode(x, out); err != nil {
			return nil, err
		}
	}
	y, err := whereNode(cond, cs, nodes[0], nodes[1])
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// foldWhere selects between two constants of one kind (float or integer) in Go.
func foldWhere(cond []bool, cs []int, x, y *ir.Tensor, out []int) ([]operand, error) {
	if (x.Float == nil) != (y.Float == nil) || (x.Float == nil && x.Int == nil && x.Len() > 0) || (y.Float == nil && y.Int == nil && y.Len() > 0) {
		return nil, fmt.Errorf("%w: Where of %s and %s constants", ir.ErrUnsupportedOp, x.DType, y.DType)
	}
	ic, ix, iy := broadcastIndex(cs, out), broadcastIndex(intDims(x.Dims), out), broadcastIndex(intDims(y.Dims), out)
	res := &ir.Tensor{Name: x.Name, DType: x.DType, Dims: int64Dims(out)}
	if x.Float != nil {
		res.Float = make([]float32, len(ic))
	} else {
		res.Int = make([]int64, len(ic))
	}
	for i, j := range ic {
		switch {
		case x.Float != nil && cond[j]:
			res.Float[i] = x.Float[ix[i]]
		case x.Float != nil:
			res.Float[i] = y.Float[iy[i]]
		case cond[j]:
			res.Int[i] = x.Int[ix[i]]
		default:
			res.Int[i] = y.Int[iy[i]]
		}
	}
	return []operand{{konst: res}}, nil
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
