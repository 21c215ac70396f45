package ir

// Shape rules of reductions.

// reduceShape follows ReduceMean: the reduced axes are dropped, or kept with size 1 when keepdims is set
// (the default). The axes are an attribute before opset 18 and input 1 from 18; none means every axis
// (or, with noop_with_empty_axes, none).
func reduceShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	spec, err := ReduceAttrs(n, c.opset)
	if err != nil {
		return nil, err
	}
	s := in[0].shape
	axes := spec.Axes
	if ao := optional(in, 1); spec.AxesInput && ao.present {
		v, ok := c.numbers(ao)
		if !ok {
			if s != nil && spec.KeepDims {
				return one(unknownShape(len(s))), nil
			}
			return nil, nil
		}
		axes = v
	}
	if s == nil {
		return nil, nil
	}
	reduced, err := ReducedAxes(axes, len(s), spec.NoopWithEmptyAxes)
	if err != nil {
		return nil, err
	}
	out := Shape{}
	for i, d := range s {
		switch {
		case !reduced[i]:
			out = append(out, d)
		case spec.KeepDims:
			out = append(out, Fixed(1))
		}
	}
	return one(out), nil
}
