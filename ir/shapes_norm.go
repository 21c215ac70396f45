package ir

import "fmt"

// batchNormShape follows BatchNormalization: Y has the shape of X [N, C, ...]; scale, B, mean and var
// are [C], and so are the optional training outputs (running mean and var from opset 14; mean, var,
// saved mean and saved var before).
func batchNormShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 5); err != nil {
		return nil, err
	}
	xs := in[0].shape
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
