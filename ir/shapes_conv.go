package ir

import "fmt"

// Shape rules of the sliding-window ops (Conv, MaxPool, AveragePool) and of global pooling, over inputs
// [N, C, spatial...], following onnxruntime's output sizes and auto_pad rules.

// windowAttrs is what a Conv or pooling node says about its window.
type windowAttrs struct {
	kernel    []int64 // nil when not known (a Conv whose weights have unknown spatial dims)
	strides   []int64
	dilations []int64
	pads      []int64 // begins, then ends
	autoPad   string
	ceil      bool
}

// readWindow reads kernel_shape, strides, dilations, pads, auto_pad (and ceil_mode for a pool) with their
// ONNX defaults, for rank spatial axes. kernel is the kernel the weights imply (Conv), or nil.
func readWindow(n *Node, rank int, kernel []int64, pool bool) (windowAttrs, error) {
	var w windowAttrs
	var err error
	if w.kernel, err = n.AttrInts("kernel_shape", kernel); err != nil {
		return w, err
	}
	switch {
	case w.kernel == nil && pool:
		return w, fmt.Errorf("%w: attribute \"kernel_shape\" is required", ErrBadAttribute)
	case kernel != nil && !equalInts(w.kernel, kernel):
		return w, fmt.Errorf("%w: attribute \"kernel_shape\" is %v but the weights have kernel %v", ErrShapeMismatch, w.kernel, kernel)
	}
	ones := make([]int64, rank)
	for i := range ones {
		ones[i] = 1
	}
	if w.strides, err = n.AttrInts("strides", ones); err != nil {
		return w, err
	}
	if w.dilations, err = n.AttrInts("dilations", ones); err != nil {
		return w, err
	}
	if w.pads, err = n.AttrInts("pads", make([]int64, 2*rank)); err != nil {
		return w, err
	}
	if w.autoPad, err = n.AttrString("auto_pad", "NOTSET"); err != nil {
		return w, err
	}
	if pool {
		c, err := n.AttrInt("ceil_mode", 0)
		if err != nil {
			return w, err
		}
		w.ceil = c != 0
	}
	checks := []struct {
		name string
		v    []int64
		n    int
		min  int64
	}{{"strides", w.strides, rank, 1}, {"dilations", w.dilations, rank, 1}, {"pads", w.pads, 2 * rank, 0}}
	if w.kernel != nil {
		checks = append(checks, struct {
			name string
			v    []int64
			n    int
			min  int64
		}{"kernel_shape", w.kernel, rank, 1})
	}
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
	switch w.autoPad {
	case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER":
	default:
		return w, fmt.Errorf("%w: attribute \"auto_pad\": unknown value %q", ErrBadAttribute, w.autoPad)
	}
	return w, nil
}

// outDim returns the output size along spatial axis i for an input size in.
func (w windowAttrs) outDim(i int, in Dim) (Dim, error) {
	rank := len(w.strides)
	s, d := w.strides[i], w.dilations[i]
	same := w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER"
	var padB, padE int64
	if w.autoPad == "NOTSET" {
		padB, padE = w.pads[i], w.pads[rank+i]
	}
	if w.kernel == nil {
		if same && s == 1 {
			return in, nil
		}
		return Dim{}, nil
	}
	dk := (w.kernel[i]-1)*d + 1
	if !in.IsStatic() {
		// The size carries through only when the window maps each position to one output.
		if (same && s == 1) || (!same && s == 1 && padB+padE == dk-1) {
			return in, nil
		}
		return Dim{}, nil
	}
	x := in.Value
	var out int64
	if same {
		out = (x + s - 1) / s
	} else {
		span := x + padB + padE - dk
		if span < 0 {
			return Dim{}, fmt.Errorf("%w: axis %d: window of %d (dilated) does not fit the padded input of %d", ErrShapeMismatch, 2+i, dk, x+padB+padE)
		}
		out = span/s + 1
		if w.ceil {
			out = (span+s-1)/s + 1
			// As onnxruntime and PyTorch do, the last window must start inside the input or the begin
			// padding.
			if (out-1)*s >= x+padB {
				out--
			}
		}
	}
	if out < 1 {
		return Dim{}, fmt.Errorf("%w: axis %d: output would be empty", ErrShapeMismatch, 2+i)
	}
	return Fixed(out), nil
}

// spatialOut returns [N, channels, out...] for an input shape x.
func (w windowAttrs) spatialOut(x Shape, channels Dim) (Shape, error) {
	out := Shape{x[0], channels}
	for i, d := range x[2:] {
		o, err := w.outDim(i, d)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// convShape follows Conv (opsets 11 to 21 share one signature): X [N, C, spatial...], W [M, C/group,
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
	w, err := readWindow(n, len(xs)-2, kernel, false)
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
	out, err := w.spatialOut(xs, m)
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
	w, err := readWindow(n, len(xs)-2, nil, true)
	if err != nil {
		return nil, err
	}
	out, err := w.spatialOut(xs, xs[1])
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

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
