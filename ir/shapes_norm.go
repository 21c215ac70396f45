package ir

import "fmt"

// batchNormShape follows BatchNormalization: Y has the shape of X [N, C, ...]; scale, B, mean and var
// are [C], and so are the optional training outputs (running mean and var from opset 14; mean, var,
// saved mean and saved var before). With spatial=0 (opsets 7 and 8) they are [C, ...] instead, and
// only Y is inferred.
func batchNormShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 5); err != nil {
		return nil, err
	}
	xs := in[0].shape
	if c.opset < 9 {
		spatial, err := n.AttrInt("spatial", 1)
		if err != nil {
			return nil, err
		}
		if spatial == 0 {
			return one(xs), nil
		}
	}
	ch := Dim{}
	if xs != nil {
		if len(xs) < 2 {
			return nil, fmt.Errorf("%w: X has shape %v, want [N, C, ...]", ErrShapeMismatch, xs)
		}
		ch = xs[1]
	}
	for i, o := range in[1:5] {
		s := o.shape
		if s == nil {
			continue
		}
		if len(s) != 1 || dimsDiffer(s[0], ch) {
			return nil, fmt.Errorf("%w: input %d has shape %v, want [%v]", ErrShapeMismatch, i+1, s, ch)
		}
		ch, _ = mergeDim(ch, s[0])
	}
	res := []result{{shape: xs}}
	for range n.Outputs[min(1, len(n.Outputs)):] {
		res = append(res, result{shape: Shape{ch}})
	}
	return res, nil
}

// layerNormShape follows LayerNormalization (opset 17): Y has the shape of X; the optional outputs Mean
// and InvStdDev keep the dims of X before axis and have size 1 from axis on. Scale and B broadcast to X
// (unidirectionally: they have at most X's rank).
func layerNormShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 2); err != nil {
		return nil, err
	}
	xs := in[0].shape
	if xs == nil {
		return nil, nil
	}
	axis, _, err := LayerNormAttrs(n, len(xs))
	if err != nil {
		return nil, err
	}
	for i, o := range in[1:min(len(in), 3)] {
		if !o.present || o.shape == nil {
			continue
		}
		if _, err := broadcastShape(xs, o.shape); err != nil || len(o.shape) > len(xs) {
			return nil, fmt.Errorf("%w: input %d of shape %v does not broadcast to X of shape %v", ErrShapeMismatch, i+1, o.shape, xs)
		}
	}
	stat := append(Shape{}, xs[:axis]...)
	for range xs[axis:] {
		stat = append(stat, Fixed(1))
	}
	return []result{{shape: xs}, {shape: stat}, {shape: stat}}, nil
}
