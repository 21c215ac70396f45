package ir

import (
	"fmt"
	"math"
)

// Shape rules of Constant, ConstantOfShape, Cast and Slice: the ops exporters emit to compute constants
// (PyTorch's F.pad builds its pads with them). They keep the values when their inputs are known.

// constantShape reads the one value attribute of a Constant: value (a tensor), value_float(s),
// value_int(s) or value_string(s) (opset 12 on); sparse_value gives no shape here.
func constantShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	t, err := ConstantValue(n)
	switch {
	case err != nil:
		return nil, err
	case t != nil:
		if !validDims(t.Dims) {
			return nil, nil
		}
		if k := konstOf(t); k != nil {
			return []result{{val: k}}, nil
		}
		return one(fixedShape(t.Dims)), nil
	case n.HasAttr("value_string"):
		return one(Shape{}), nil
	case n.HasAttr("value_strings"):
		return one(Shape{Fixed(int64(len(n.Attrs["value_strings"].Strings)))}), nil
	}
	return nil, nil
}

// constantOfShapeShape gives the output the shape that input 0 holds: its elements may be the
// symbolic batch size. The value attribute (a one-element tensor, default float32 0) fills it.
func constantOfShapeShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	fill, err := n.AttrTensor("value")
	if err != nil {
		return nil, err
	}
	dims, ok := c.ints(in[0])
	if !ok {
		if r, ok := vectorLen(in[0]); ok {
			return one(unknownShape(r)), nil
		}
		return nil, nil
	}
	out := make(Shape, len(dims))
	for i, d := range dims {
		if d.IsStatic() && d.Value < 0 {
			return nil, fmt.Errorf("%w: ConstantOfShape of a negative dim (%v)", ErrShapeMismatch, Shape(dims))
		}
		out[i] = d
	}
	if !smallEnough(out) {
		return one(out), nil
	}
	k := &konst{dtype: Float32, dims: staticDims(out)}
	count := k.len()
	switch {
	case fill == nil:
		k.floats = make([]float32, count)
	case isFloatType(fill.DType) && len(fill.Float) == 1:
		k.dtype, k.floats = fill.DType, make([]float32, count)
		for i := range k.floats {
			k.floats[i] = fill.Float[0]
		}
	case isIntType(fill.DType) && len(fill.Int) == 1:
		k.dtype, k.ints = fill.DType, make([]Dim, count)
		for i := range k.ints {
			k.ints[i] = Fixed(fill.Int[0])
		}
	default:
		return one(out), nil
	}
	return []result{{val: k}}, nil
}

// castShape keeps the shape; a known value is converted to the new element type (integers wrap at its
// width, floats truncate toward zero).
func castShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	to, err := n.AttrInt("to", 0)
	if err != nil {
		return nil, err
	}
	dt := DType(to)
	k := c.value(in[0])
	if k == nil {
		return one(in[0].shape), nil
	}
	out := &konst{dtype: dt, dims: k.dims}
	switch {
	case isIntType(dt) && k.ints != nil:
		out.ints = make([]Dim, len(k.ints))
		for i, d := range k.ints {
			switch {
			case d.IsStatic():
				d = Fixed(wrapInt(d.Value, dt))
			case dt == Bool || dt == Int8 || dt == Uint8 || dt == dtInt16 || dt == dtUint16:
				d = Dim{} // a size may not survive a narrow type
			}
			out.ints[i] = d
		}
	case isIntType(dt) && k.floats != nil:
		out.ints = make([]Dim, len(k.floats))
		for i, f := range k.floats {
			switch t := math.Trunc(float64(f)); {
			case dt == Bool:
				out.ints[i] = Fixed(0)
				if f != 0 {
					out.ints[i] = Fixed(1)
				}
			case math.IsNaN(t) || t < math.MinInt64 || t >= math.MaxInt64:
				out.ints[i] = Dim{}
			default:
				out.ints[i] = Fixed(wrapInt(int64(t), dt))
			}
		}
	case isFloatType(dt) && k.floats != nil:
		out.floats = k.floats
	case isFloatType(dt) && k.ints != nil:
		out.floats = make([]float32, len(k.ints))
		for i, d := range k.ints {
			if !d.IsStatic() {
				return one(in[0].shape), nil // a symbolic size has no float value to hold
			}
			out.floats[i] = float32(d.Value)
		}
	default:
		return one(in[0].shape), nil
	}
	return []result{{val: out}}, nil
}

// sliceParams are Slice's starts, ends, axes and steps.
type sliceParams struct {
	starts, ends, axes, steps []int64
}

// readSliceParams reads Slice's parameters: inputs 1 to 4 from opset 10, attributes starts, ends and
// axes before. known is false when some are not known; axes is then set when the sliced axes still are.
func readSliceParams(c *shapeCtx, n *Node, in []operand) (p sliceParams, known bool, err error) {
	if c.opset < 10 {
		if p.starts, p.ends, p.axes, err = SliceAttrs(n); err != nil {
			return p, false, err
		}
	} else {
		if err := need(n, in, 3); err != nil {
			return p, false, err
		}
		var startsKnown, endsKnown bool
		axesKnown, stepsKnown := true, true
		p.starts, startsKnown = c.numbers(in[1])
		p.ends, endsKnown = c.numbers(in[2])
		if o := optional(in, 3); o.present {
			p.axes, axesKnown = c.numbers(o)
		}
		if o := optional(in, 4); o.present {
			p.steps, stepsKnown = c.numbers(o)
		}
		if !startsKnown || !endsKnown || !axesKnown || !stepsKnown {
			if axesKnown && p.axes == nil {
				// The default axes are the first ones, as many as there are starts.
				if l, ok := vectorLen(in[1]); ok {
					for i := range l {
						p.axes = append(p.axes, int64(i))
					}
				}
			}
			if !axesKnown {
				p.axes = nil
			}
			return p, false, nil
		}
	}
	if p.axes, p.steps, err = SliceDefaults(p.starts, p.ends, p.axes, p.steps); err != nil {
		return p, false, err
	}
	return p, true, nil
}

// sliceShape follows Slice (from opset 10; attributes before): each sliced axis keeps the elements from
// start to end by step, clamped as the ONNX spec says. A known input is sliced in full.
func sliceShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	p, known, err := readSliceParams(c, n, in)
	if err != nil {
		return nil, err
	}
	s := in[0].shape
	if s == nil {
		return nil, nil
	}
	rank := int64(len(s))
	if !known {
		out := unknownShape(len(s))
		if p.axes != nil {
			// Only the named axes change.
			copy(out, s)
			for _, a := range p.axes {
				ax, err := NormAxis(a, len(s))
				if err != nil {
					return nil, err
				}
				out[ax] = Dim{}
			}
		}
		return one(out), nil
	}
	out := append(Shape{}, s...)
	first := make([]int64, rank)
	step := make([]int64, rank)
	for i := range step {
		step[i] = 1
	}
	for i, a := range p.axes {
		ax, err := NormAxis(a, len(s))
		if err != nil {
			return nil, err
		}
		st, en, sp := p.starts[i], p.ends[i], p.steps[i]
		if sp == 0 {
			return nil, fmt.Errorf("%w: Slice step 0", ErrBadAttribute)
		}
		d := s[ax]
		if !d.IsStatic() {
			// A slice from the start to the end (PyTorch writes INT64_MAX for the end) keeps any size.
			const far = math.MaxInt32
			if (sp == 1 && st == 0 && en >= far) || (sp == -1 && (st == -1 || st >= far) && en <= -far) {
				continue
			}
			out[ax] = Dim{}
			continue
		}
		f, cnt := SliceRange(st, en, sp, d.Value)
		first[ax], step[ax], out[ax] = f, sp, Fixed(cnt)
	}
	if !smallEnough(out) {
		return one(out), nil
	}
	k := c.value(in[0])
	if k == nil {
		return one(out), nil
	}
	st := strides(k.dims)
	dims := staticDims(out)
	idx := make([]int, 0, NumElements(dims))
	forEachIndex(dims, func(coord []int64) {
		off := 0
		for a, v := range coord {
			off += int(first[a]+v*step[a]) * st[a]
		}
		idx = append(idx, off)
	})
	return []result{{val: k.pick(idx, dims)}}, nil
}
