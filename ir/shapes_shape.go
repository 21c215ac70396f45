package ir

import (
	"fmt"
	"slices"
)

// Shape rules of the ops that move elements without computing: Flatten, Reshape, Concat, Transpose,
// Squeeze, Unsqueeze, Shape and Gather. Each also carries known values through, which is how shape
// arithmetic in the graph (Shape → Gather → Unsqueeze → Concat → Reshape) resolves.

// flattenShape reshapes to [prod(dims[:axis]), prod(dims[axis:])]; axis defaults to 1 and may be
// negative from opset 11.
func flattenShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	s := in[0].shape
	if s == nil {
		if _, err := n.AttrInt("axis", 1); err != nil {
			return nil, err
		}
		return one(unknownShape(2)), nil
	}
	axis, err := FlattenAxis(n, len(s))
	if err != nil {
		return nil, err
	}
	out := Shape{productOf(s[:axis]).dim(), productOf(s[axis:]).dim()}
	return reshaped(c, in[0], out), nil
}

// reshaped returns the result of an op that only changes the dims: the shape, and the input's values
// with the new dims when they are known.
func reshaped(c *shapeCtx, x operand, out Shape) []result {
	if k := c.value(x); k != nil {
		if v := k.withDims(out); v != nil {
			return []result{{val: v}}
		}
	}
	return one(out)
}

// reshapeShape resolves the target shape (input 1 from opset 5, attribute "shape" before): 0 copies the
// input's dim (or, with allowzero=1 from opset 14, is a zero dim), one -1 is inferred. Target elements
// that are the batch size read by a Shape op give the batch dim.
func reshapeShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	allowZero, err := n.AttrInt("allowzero", 0)
	if err != nil {
		return nil, err
	}
	var spec []Dim
	if so := optional(in, 1); so.present {
		v, ok := c.ints(so)
		if !ok {
			if r, ok := vectorLen(so); ok {
				return one(unknownShape(r)), nil
			}
			return nil, nil
		}
		spec = v
	} else {
		if !n.HasAttr("shape") {
			return nil, fmt.Errorf("%w: Reshape needs a shape", ErrShapeMismatch)
		}
		v, err := n.AttrInts("shape", nil)
		if err != nil {
			return nil, err
		}
		spec = fixedShape(v)
	}
	out, err := reshapeTarget(in[0].shape, spec, allowZero != 0)
	if err != nil {
		return nil, err
	}
	return reshaped(c, in[0], out), nil
}

// reshapeTarget resolves a Reshape target against the input shape (nil when unknown).
func reshapeTarget(from Shape, spec []Dim, allowZero bool) (Shape, error) {
	out := make(Shape, len(spec))
	infer := -1
	known := dimProduct{fixed: 1}
	for i, d := range spec {
		switch {
		case !d.Known:
			known.unknown = true
			continue
		case d.Param != "":
			out[i] = d
		case d.Value == -1:
			if infer >= 0 {
				return nil, fmt.Errorf("%w: Reshape target %v has more than one -1", ErrShapeMismatch, Shape(spec))
			}
			infer = i
			continue
		case d.Value == 0 && !allowZero:
			switch {
			case from == nil:
				known.unknown = true
				continue
			case i >= len(from):
				return nil, fmt.Errorf("%w: Reshape target %v copies dim %d of a rank-%d input", ErrShapeMismatch, Shape(spec), i, len(from))
			}
			out[i] = from[i]
		case d.Value < 0:
			return nil, fmt.Errorf("%w: Reshape target %v has a negative dim", ErrShapeMismatch, Shape(spec))
		default:
			out[i] = d
		}
		known.mul(out[i])
	}
	if from == nil {
		return out, nil
	}
	total := productOf(from)
	if infer >= 0 {
		d, err := total.quotient(known)
		if err != nil {
			return nil, fmt.Errorf("cannot reshape %v to %v: %w", from, Shape(spec), err)
		}
		out[infer] = d
		return out, nil
	}
	if !total.unknown && !known.unknown && total.sameSyms(known) && total.fixed != known.fixed && !(total.isZero() && known.isZero()) {
		return nil, fmt.Errorf("%w: cannot reshape %v to %v", ErrShapeMismatch, from, out)
	}
	return out, nil
}

// concatShape concatenates along axis (required; negative from opset 11).
func concatShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, max(1, len(in))); err != nil {
		return nil, err
	}
	if !n.HasAttr("axis") {
		return nil, fmt.Errorf("%w: Concat needs an axis", ErrBadAttribute)
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	for _, o := range in {
		if o.shape == nil {
			return nil, nil
		}
	}
	first := in[0].shape
	ax, err := NormAxis(axis, len(first))
	if err != nil {
		return nil, err
	}
	out := slices.Clone(first)
	sizes := make([]Dim, len(in))
	for i, o := range in {
		s := o.shape
		if len(s) != len(first) {
			return nil, fmt.Errorf("%w: Concat of shapes %v and %v of different ranks", ErrShapeMismatch, first, s)
		}
		for d := range s {
			if d == ax {
				continue
			}
			if out[d], err = mergeDim(out[d], s[d]); err != nil {
				return nil, fmt.Errorf("%w: Concat along axis %d of shapes %v and %v", ErrShapeMismatch, ax, first, s)
			}
		}
		sizes[i] = s[ax]
	}
	out[ax] = addDims(sizes)
	if smallEnough(out) {
		if v := concatValues(c, in, ax, staticDims(out)); v != nil {
			return []result{{val: v}}, nil
		}
	}
	return one(out), nil
}

// concatValues concatenates known values along axis, or returns nil when some are not known.
func concatValues(c *shapeCtx, in []operand, axis int, dims []int64) *konst {
	ks := make([]*konst, len(in))
	for i, o := range in {
		if ks[i] = c.value(o); ks[i] == nil || (ks[i].ints == nil) != (ks[0].ints == nil) {
			return nil
		}
	}
	out := &konst{dtype: ks[0].dtype, dims: dims}
	outer := int(NumElements(dims[:axis]))
	for i := range outer {
		for _, k := range ks {
			chunk := int(NumElements(k.dims[axis:]))
			if k.ints != nil {
				out.ints = append(out.ints, k.ints[i*chunk:(i+1)*chunk]...)
			} else {
				out.floats = append(out.floats, k.floats[i*chunk:(i+1)*chunk]...)
			}
		}
	}
	if ks[0].ints != nil && out.ints == nil {
		out.ints = []Dim{}
	}
	if ks[0].floats != nil && out.floats == nil {
		out.floats = []float32{}
	}
	return out
}

// transposeShape permutes the axes by perm (default: reversed).
func transposeShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	s := in[0].shape
	perm, err := n.AttrInts("perm", nil)
	if err != nil {
		return nil, err
	}
	if s == nil {
		if perm != nil {
			return one(unknownShape(len(perm))), nil
		}
		return nil, nil
	}
	if perm == nil {
		for i := range s {
			perm = append(perm, int64(len(s)-1-i))
		}
	}
	if len(perm) != len(s) {
		return nil, fmt.Errorf("%w: perm %v for rank %d", ErrBadAttribute, perm, len(s))
	}
	seen := make([]bool, len(s))
	out := make(Shape, len(s))
	for i, p := range perm {
		if p < 0 || p >= int64(len(s)) || seen[p] {
			return nil, fmt.Errorf("%w: perm %v is not a permutation", ErrBadAttribute, perm)
		}
		seen[p] = true
		out[i] = s[p]
	}
	if smallEnough(out) {
		if k := c.value(in[0]); k != nil {
			st := strides(k.dims)
			idx := make([]int, 0, k.len())
			forEachIndex(staticDims(out), func(coord []int64) {
				off := 0
				for d, v := range coord {
					off += int(v) * st[perm[d]]
				}
				idx = append(idx, off)
			})
			return []result{{val: k.pick(idx, staticDims(out))}}, nil
		}
	}
	return one(out), nil
}

// squeezeAxes reads a Squeeze or Unsqueeze's axes: the attribute before opset 13, input 1 from 13.
// given is false when there are none; known is false when they are given but not known.
func squeezeAxes(c *shapeCtx, n *Node, in []operand) (axes []int64, given, known bool, count int, err error) {
	if c.opset < 13 {
		if !n.HasAttr("axes") {
			return nil, false, true, 0, nil
		}
		a, err := n.AttrInts("axes", nil)
		return a, true, true, len(a), err
	}
	ao := optional(in, 1)
	if !ao.present {
		return nil, false, true, 0, nil
	}
	if a, ok := c.numbers(ao); ok {
		return a, true, true, len(a), nil
	}
	count, ok := vectorLen(ao)
	if !ok {
		count = -1
	}
	return nil, true, false, count, nil
}

// squeezeShape removes the given dims of size 1, or every dim of size 1 when no axes are given (an
// empty axes list counts as none, as in onnxruntime).
func squeezeShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	axes, given, known, count, err := squeezeAxes(c, n, in)
	if err != nil {
		return nil, err
	}
	s := in[0].shape
	switch {
	case s == nil:
		return nil, nil
	case !known:
		if count > 0 && count <= len(s) {
			return one(unknownShape(len(s) - count)), nil
		}
		return nil, nil
	}
	given = given && len(axes) > 0
	drop := make([]bool, len(s))
	for _, a := range axes {
		ax, err := NormAxis(a, len(s))
		if err != nil {
			return nil, err
		}
		if s[ax].IsStatic() && s[ax].Value != 1 {
			return nil, fmt.Errorf("%w: Squeeze of axis %d of size %d", ErrShapeMismatch, a, s[ax].Value)
		}
		drop[ax] = true
	}
	out := Shape{}
	for i, d := range s {
		if !given && !d.IsStatic() {
			return nil, nil // whether it is 1 is only known at run time
		}
		if (given && drop[i]) || (!given && d.Value == 1) {
			continue
		}
		out = append(out, d)
	}
	return reshaped(c, in[0], out), nil
}

// unsqueezeShape inserts dims of size 1 at the given axes of the output.
func unsqueezeShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	axes, given, known, count, err := squeezeAxes(c, n, in)
	if err != nil {
		return nil, err
	}
	if !given {
		return nil, fmt.Errorf("%w: Unsqueeze needs axes", ErrBadAttribute)
	}
	s := in[0].shape
	switch {
	case s == nil:
		return nil, nil
	case !known:
		if count >= 0 {
			return one(unknownShape(len(s) + count)), nil
		}
		return nil, nil
	}
	rank := len(s) + len(axes)
	ones := make([]bool, rank)
	for _, a := range axes {
		ax, err := NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if ones[ax] {
			return nil, fmt.Errorf("%w: Unsqueeze axes %v repeat an axis", ErrBadAttribute, axes)
		}
		ones[ax] = true
	}
	out := make(Shape, rank)
	j := 0
	for i := range out {
		if ones[i] {
			out[i] = Fixed(1)
			continue
		}
		out[i] = s[j]
		j++
	}
	return reshaped(c, in[0], out), nil
}

// shapeOfShape returns the input's shape as an int64 vector, sliced by start and end (Shape-15; before,
// they take their defaults). Its elements are the input's dims, so a symbolic batch dim stays symbolic.
func shapeOfShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 1); err != nil {
		return nil, err
	}
	s := in[0].shape
	if s == nil {
		return one(unknownShape(1)), nil
	}
	start, end, err := ShapeRange(n, len(s))
	if err != nil {
		return nil, err
	}
	v := &konst{dtype: Int64, dims: []int64{end - start}, ints: slices.Clone(s[start:end])}
	return []result{{val: v}}, nil
}

// gatherShape takes the slices at the given indices along axis: the output shape is the data's with the
// axis replaced by the indices' shape.
func gatherShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 2); err != nil {
		return nil, err
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	s, is := in[0].shape, in[1].shape
	if s == nil || is == nil {
		return nil, nil
	}
	ax, err := NormAxis(axis, len(s))
	if err != nil {
		return nil, err
	}
	out := slices.Concat(s[:ax], is, s[ax+1:])
	idx, idxKnown := c.numbers(in[1])
	if idxKnown && s[ax].IsStatic() {
		dim := s[ax].Value
		for _, v := range idx {
			if v < -dim || v >= dim {
				return nil, fmt.Errorf("%w: Gather index %d out of range for dim %d", ErrShapeMismatch, v, dim)
			}
		}
	}
	if !idxKnown || !smallEnough(out) {
		return one(out), nil
	}
	k := c.value(in[0])
	if k == nil {
		return one(out), nil
	}
	dim := int(k.dims[ax])
	pre, post := int(NumElements(k.dims[:ax])), int(NumElements(k.dims[ax+1:]))
	src := make([]int, 0, int(NumElements(staticDims(out))))
	for p := range pre {
		for _, v := range idx {
			if v < 0 {
				v += int64(dim)
			}
			for q := range post {
				src = append(src, (p*dim+int(v))*post+q)
			}
		}
	}
	return []result{{val: k.pick(src, staticDims(out))}}, nil
}

// expandShape follows Expand (opset 8 on): the input broadcast numpy-style with the shape that input 1
// holds, so a 1 in that shape keeps the input's dim and the output may have the input's rank. Known
// values are expanded too.
func expandShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 2); err != nil {
		return nil, err
	}
	s := in[0].shape
	dims, ok := c.ints(in[1])
	if !ok {
		if r, ok := vectorLen(in[1]); ok && s != nil {
			return one(unknownShape(max(r, len(s)))), nil
		}
		return nil, nil
	}
	for _, d := range dims {
		if d.IsStatic() && d.Value < 0 {
			return nil, fmt.Errorf("%w: Expand to a negative dim (%v)", ErrShapeMismatch, Shape(dims))
		}
	}
	if s == nil {
		return nil, nil
	}
	out, err := broadcastShape(s, Shape(dims))
	if err != nil {
		return nil, err
	}
	if smallEnough(out) {
		if k := c.value(in[0]); k != nil {
			od := staticDims(out)
			return []result{{val: k.pick(broadcastIndex(k.dims, od), od)}}, nil
		}
	}
	return one(out), nil
}
