package ir

// Shape rules of elementwise ops: one input whose shape the output keeps, or several inputs broadcast
// numpy-style.

// unaryShape gives the output the shape of input 0 (Relu, LeakyRelu, Sigmoid, Tanh, ...).
func unaryShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	return one(in[0].shape), nil
}

// identityShape passes shape and values through.
func identityShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	return []result{{shape: in[0].shape, val: c.value(in[0])}}, nil
}

// softmaxShape keeps the input shape and checks the axis: Softmax-11 (and LogSoftmax-11) coerce the
// input to 2-D at axis, default 1; from opset 13 they normalise along one axis, default -1.
func softmaxShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	axis, err := SoftmaxAxis(n, c.opset)
	if err != nil {
		return nil, err
	}
	s := in[0].shape
	if s == nil {
		return nil, nil
	}
	if _, err := NormAxis(axis, len(s)); err != nil {
		return nil, err
	}
	return one(s), nil
}

// dropoutShape gives the output and the optional mask the shape of the input.
func dropoutShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	s := in[0].shape
	return []result{{shape: s}, {shape: s}}, nil
}

// binaryShape returns the rule of an arithmetic op (Add, Sub, Mul, Div): numpy broadcasting, and the
// values folded when both inputs are known.
func binaryShape(k arithKind) shapeFunc {
	return func(c *shapeCtx, n *Node, in []operand) ([]result, error) {
		if err := need(n, in, 2); err != nil {
			return nil, err
		}
		sa, sb := in[0].shape, in[1].shape
		if sa == nil || sb == nil {
			return nil, nil
		}
		out, err := broadcastShape(sa, sb)
		if err != nil {
			return nil, err
		}
		if smallEnough(out) {
			if a := c.value(in[0]); a != nil {
				if b := c.value(in[1]); b != nil {
					if v := foldArith(k, a, b, out); v != nil {
						return []result{{val: v}}, nil
					}
				}
			}
		}
		return one(out), nil
	}
}

// broadcastShapeOp broadcasts all its inputs together (Pow, Equal, Where, Sum, Max, ...).
func broadcastShapeOp(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	k := 2
	switch n.OpType {
	case "Where":
		k = 3
	case "Sum", "Max", "Min", "Mean":
		k = 1 // variadic
	}
	if err := need(n, in, k); err != nil {
		return nil, err
	}
	var out Shape
	for i, o := range in {
		if !o.present {
			continue
		}
		if o.shape == nil {
			return nil, nil
		}
		if i == 0 {
			out = o.shape
			continue
		}
		var err error
		if out, err = broadcastShape(out, o.shape); err != nil {
			return nil, err
		}
	}
	return one(out), nil
}

// foldArith computes an arithmetic op on two known values broadcast to out, or returns nil when their
// element types do not mix.
func foldArith(k arithKind, a, b *konst, out Shape) *konst {
	dims := staticDims(out)
	ia, ib := broadcastIndex(a.dims, dims), broadcastIndex(b.dims, dims)
	v := &konst{dtype: a.dtype, dims: dims}
	switch {
	case a.ints != nil && b.ints != nil:
		v.ints = make([]Dim, len(ia))
		for i := range v.ints {
			v.ints[i] = arithDim(k, a.ints[ia[i]], b.ints[ib[i]], a.dtype)
		}
	case a.floats != nil && b.floats != nil:
		v.floats = make([]float32, len(ia))
		for i := range v.floats {
			x, y := a.floats[ia[i]], b.floats[ib[i]]
			switch k {
			case arithAdd:
				v.floats[i] = x + y
			case arithSub:
				v.floats[i] = x - y
			case arithMul:
				v.floats[i] = x * y
			case arithDiv:
				v.floats[i] = x / y
			}
		}
	default:
		return nil
	}
	return v
}

// broadcastIndex returns, for each element of a tensor of dims out in row-major order, the index of the
// element of a tensor of dims in that broadcasting maps to it.
func broadcastIndex(in, out []int64) []int {
	pad := len(out) - len(in)
	st := make([]int, len(out))
	acc := 1
	for i := len(out) - 1; i >= pad; i-- {
		if in[i-pad] != 1 {
			st[i] = acc
		}
		acc *= int(in[i-pad])
	}
	idx := make([]int, 0, NumElements(out))
	forEachIndex(out, func(c []int64) {
		off := 0
		for d, v := range c {
			off += int(v) * st[d]
		}
		idx = append(idx, off)
	})
	return idx
}
