package ir

import "fmt"

// Shape rules of the sliding-window ops (Conv, MaxPool, AveragePool) and of global pooling, over inputs
// [N, C, spatial...], following onnxruntime's output sizes and auto_pad rules.

// outDim returns the output size along spatial axis i for an input size in, which may be symbolic or
// unknown.
func outDim(w Window, i int, in Dim) (Dim, error) {
	if in.IsStatic() && w.Kernel != nil {
		out, _, _, err := w.Axis(i, in.Value)
		if err != nil {
			return Dim{}, err
		}
		return Fixed(out), nil
	}
	// Otherwise the size carries through only when the window maps each position to one output.
	if w.Strides[i] != 1 {
		return Dim{}, nil
	}
	if w.same() {
		return in, nil
	}
	if w.Kernel != nil {
		var pads int64
		if w.AutoPad == "NOTSET" {
			pads = w.Pads[i] + w.Pads[len(w.Strides)+i]
		}
		if pads == (w.Kernel[i]-1)*w.Dilations[i] {
			return in, nil
		}
	}
	return Dim{}, nil
}

// spatialOut returns [N, channels, out...] for an input shape x.
func spatialOut(w Window, x Shape, channels Dim) (Shape, error) {
	out := Shape{x[0], channels}
	for i, d := range x[2:] {
		o, err := outDim(w, i, d)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// convShape follows Conv (Conv-1 and Conv-11 share one signature): X [N, C, spatial...], W [M, C/group,
// kernel...] and an optional bias [M] give [N, M, out...].
func convShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 2); err != nil {
		return nil, err
	}
	xs, ws := in[0].shape, in[1].shape
	if xs == nil {
		return nil, nil
	}
	if len(xs) < 3 || (ws != nil && len(ws) != len(xs)) {
		return nil, fmt.Errorf("%w: X has shape %v and W %v; want [N, C, spatial...] and [M, C/group, kernel...]", ErrShapeMismatch, xs, ws)
	}
	group, err := n.AttrInt("group", 1)
	if err != nil {
		return nil, err
	}
	if group < 1 {
		return nil, fmt.Errorf("%w: attribute \"group\": %d is below 1", ErrBadAttribute, group)
	}
	var kernel []int64
	m := Dim{}
	if ws != nil {
		m = ws[0]
		if ws[2:].isStatic() {
			kernel = staticDims(ws[2:])
		}
		cin := xs[1]
		if cin.IsStatic() && ws[1].IsStatic() && ws[1].Value*group != cin.Value ||
			m.IsStatic() && m.Value%group != 0 {
			return nil, fmt.Errorf("%w: group %d does not fit X channels %v and W shape %v", ErrShapeMismatch, group, cin, ws)
		}
	}
	w, err := ParseWindow(n, len(xs)-2, kernel, false)
	if err != nil {
		return nil, err
	}
	if bo := optional(in, 2); bo.present && bo.shape != nil {
		bs := bo.shape
		if len(bs) != 1 || dimsDiffer(bs[0], m) {
			return nil, fmt.Errorf("%w: bias has shape %v, want [%v]", ErrShapeMismatch, bs, m)
		}
		m, _ = mergeDim(m, bs[0])
	}
	out, err := spatialOut(w, xs, m)
	if err != nil {
		return nil, err
	}
	return one(out), nil
}

// poolShape follows MaxPool and AveragePool: [N, C, spatial...] to [N, C, out...]; MaxPool's optional
// Indices output has the same shape. AveragePool takes dilations from opset 19.
func poolShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	if n.OpType == "AveragePool" && c.opset < 19 && n.HasAttr("dilations") {
		return nil, fmt.Errorf("%w: attribute \"dilations\" of AveragePool needs opset 19, the model has %d", ErrBadAttribute, c.opset)
	}
	xs := in[0].shape
	if xs == nil {
		return nil, nil
	}
	if len(xs) < 3 {
		return nil, fmt.Errorf("%w: X has shape %v, want [N, C, spatial...]", ErrShapeMismatch, xs)
	}
	w, err := ParseWindow(n, len(xs)-2, nil, true)
	if err != nil {
		return nil, err
	}
	out, err := spatialOut(w, xs, xs[1])
	if err != nil {
		return nil, err
	}
	return []result{{shape: out}, {shape: out}}, nil
}

// globalPoolShape gives [N, C, 1, ...] for an input [N, C, spatial...].
func globalPoolShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	xs := in[0].shape
	if xs == nil {
		return nil, nil
	}
	if len(xs) < 3 {
		return nil, fmt.Errorf("%w: X has shape %v, want [N, C, spatial...]", ErrShapeMismatch, xs)
	}
	out := Shape{xs[0], xs[1]}
	for range xs[2:] {
		out = append(out, Fixed(1))
	}
	return one(out), nil
}
