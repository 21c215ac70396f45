package ir

import "fmt"

// padShape follows Pad: from opset 11 the pads are input 1 and, from opset 18, the padded axes input 3;
// before opset 11 they are the attribute pads (paddings in Pad-1). Each padded axis grows by its begin
// and end pads, which are negative to crop.
func padShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	xs := in[0].shape
	if xs == nil {
		return nil, nil
	}
	rank := len(xs)
	var pads []Dim
	if c.opset >= 11 {
		po := optional(in, 1)
		if !po.present {
			return nil, fmt.Errorf("%w: Pad needs input pads", ErrShapeMismatch)
		}
		v, ok := c.ints(po)
		if !ok {
			return one(unknownShape(rank)), nil
		}
		pads = v
	} else {
		v, _, err := PadAttrs(n)
		if err != nil {
			return nil, err
		}
		pads = fixedShape(v)
	}
	var axes []int64
	if ao := optional(in, 3); c.opset >= 18 && ao.present {
		v, ok := c.numbers(ao)
		if !ok {
			return one(unknownShape(rank)), nil
		}
		axes = v
	}
	padded, err := PadAxes(axes, rank, len(pads))
	if err != nil {
		return nil, err
	}
	out := append(Shape{}, xs...)
	for i, a := range padded {
		d := arithDim(arithAdd, arithDim(arithAdd, xs[a], pads[i], Int64), pads[len(padded)+i], Int64)
		if d.IsStatic() && d.Value < 0 {
			return nil, fmt.Errorf("%w: axis %d of size %v padded by %v and %v is negative", ErrShapeMismatch, a, xs[a], pads[i], pads[len(padded)+i])
		}
		out[a] = d
	}
	return one(out), nil
}
