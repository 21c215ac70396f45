package lower

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// Shape ops. Integer tensors (shapes, axes, indices) are constants computed in Go while the graph is
// built, so PyTorch's x.view(x.size(0), -1) chain (Shape → Gather → Unsqueeze → Concat → Reshape) folds
// to a fixed Reshape for the batch size being lowered. Float data stays gorgonia nodes, built from
// differentiable ops.

// constInts returns the values of an integer input that must be known while building (a shape, axes).
func constInts(o operand, what string) ([]int64, error) {
	if o.konst == nil || (o.konst.Int == nil && o.konst.Len() > 0) {
		return nil, fmt.Errorf("%w: %s computed at run time", ir.ErrUnsupportedOp, what)
	}
	return o.konst.Int, nil
}

// withShape gives o a new shape with the same elements in the same order: a reshaped node, or for a
// value known while building, the same data with new dims. A float initializer is reshaped as a node so
// that it stays trainable.
func withShape(o operand, shape []int) (operand, error) {
	if o.node == nil {
		t := *o.konst
		t.Dims = int64Dims(shape)
		t.Source, t.Changed = nil, false
		return operand{konst: &t}, nil
	}
	x, err := reshapeNode(o.node, shape)
	if err != nil {
		return operand{}, err
	}
	return operand{node: x}, nil
}

// lowerFlatten reshapes to [prod(dims[:axis]), prod(dims[axis:])]; axis defaults to 1 and may be
// negative (Flatten-11 and later).
func lowerFlatten(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	shape := in[0].shape()
	axis, err := ir.FlattenAxis(n, len(shape))
	if err != nil {
		return nil, err
	}
	out, err := withShape(in[0], []int{shapeSize(shape[:axis]), shapeSize(shape[axis:])})
	if err != nil {
		return nil, err
	}
	return []operand{out}, nil
}

// lowerReshape reshapes to the shape input, which must be known while building: 0 copies the input's dim
// (or, with allowzero=1 from opset 14, means a zero dim) and one -1 is inferred.
func lowerReshape(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	allowZero, err := n.AttrInt("allowzero", 0)
	if err != nil {
		return nil, err
	}
	spec, err := constInts(in[1], "Reshape's shape")
	if err != nil {
		return nil, err
	}
	shape, err := reshapeTarget(in[0].shape(), spec, allowZero != 0)
	if err != nil {
		return nil, err
	}
	out, err := withShape(in[0], shape)
	if err != nil {
		return nil, err
	}
	return []operand{out}, nil
}

// reshapeTarget resolves a Reshape shape spec against the input shape.
func reshapeTarget(from []int, spec []int64, allowZero bool) ([]int, error) {
	out := make([]int, len(spec))
	infer := -1
	known := 1
	for i, d := range spec {
		switch {
		case d == -1:
			if infer >= 0 {
				return nil, fmt.Errorf("%w: Reshape shape %v has more than one -1", ir.ErrShapeMismatch, spec)
			}
			infer = i
			continue
		case d == 0 && !allowZero:
			if i >= len(from) {
				return nil, fmt.Errorf("%w: Reshape shape %v copies dim %d of a rank-%d input", ir.ErrShapeMismatch, spec, i, len(from))
			}
			out[i] = from[i]
		case d < 0:
			return nil, fmt.Errorf("%w: Reshape shape %v has a negative dim", ir.ErrShapeMismatch, spec)
		default:
			out[i] = int(d)
		}
		known *= out[i]
	}
	total := shapeSize(from)
	if infer >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("%w: cannot reshape %v to %v", ir.ErrShapeMismatch, from, spec)
		}
		out[infer] = total / known
		known *= out[infer]
	}
	if known != total {
		return nil, fmt.Errorf("%w: cannot reshape %v (%d elements) to %v", ir.ErrShapeMismatch, from, total, out)
	}
	return out, nil
}

// lowerConstant turns the Constant's attribute into a value known while building.
func lowerConstant(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	v, err := ir.ConstantValue(n)
	if err != nil {
		return nil, err
	}
	if v == nil {
		var attr string
		for k := range n.Attrs {
			attr = k // the only one
		}
		return nil, fmt.Errorf("%w: Constant with attribute %q", ir.ErrUnsupportedOp, attr)
	}
	if v.Float == nil && v.Int == nil && v.Len() > 0 {
		return nil, fmt.Errorf("%w: Constant of element type %s", ir.ErrUnsupportedOp, v.DType)
	}
	t := *v
	t.Name, t.Source, t.Changed = "", nil, false
	if len(n.Outputs) > 0 {
		t.Name = n.Outputs[0]
	}
	return []operand{{konst: &t}}, nil
}

// lowerConcat concatenates along axis (required; negative from opset 11).
func lowerConcat(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("op Concat wants at least one input")
	}
	if !n.HasAttr("axis") {
		return nil, fmt.Errorf("%w: Concat needs an axis", ir.ErrBadAttribute)
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	for i, o := range in {
		if !o.present() {
			return nil, fmt.Errorf("input %d is missing", i)
		}
	}
	first := in[0].shape()
	ax, err := ir.NormAxis(axis, len(first))
	if err != nil {
		return nil, err
	}
	allKonst := true
	for _, o := range in {
		s := o.shape()
		if len(s) != len(first) || !slices.Equal(s[:ax], first[:ax]) || !slices.Equal(s[ax+1:], first[ax+1:]) {
			return nil, fmt.Errorf("%w: Concat along axis %d of shapes %v and %v", ir.ErrShapeMismatch, ax, first, s)
		}
		allKonst = allKonst && o.node == nil
	}
	if allKonst {
		ts := make([]*ir.Tensor, len(in))
		for i, o := range in {
			ts[i] = o.konst
		}
		t, err := concatConst(ts, ax)
		if err != nil {
			return nil, err
		}
		return []operand{{konst: t}}, nil
	}
	var nodes []*G.Node
	for _, o := range in {
		if o.shape()[ax] == 0 {
			continue // an empty piece adds nothing; gorgonia cannot hold zero-size values
		}
		x, err := lc.asNode(o)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, x)
	}
	switch len(nodes) {
	case 0:
		return nil, fmt.Errorf("%w: Concat of empty tensors", ir.ErrUnsupportedOp)
	case 1:
		return []operand{{node: nodes[0]}}, nil
	}
	y, err := concatNodes(nodes, ax)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// concatConst concatenates constants of one element type along axis.
func concatConst(ts []*ir.Tensor, axis int) (*ir.Tensor, error) {
	out := &ir.Tensor{Name: ts[0].Name, DType: ts[0].DType, Dims: slices.Clone(ts[0].Dims)}
	out.Dims[axis] = 0
	for _, t := range ts {
		if t.DType != out.DType && !(isFloatType(t.DType) && isFloatType(out.DType)) {
			return nil, fmt.Errorf("%w: Concat of %s and %s", ir.ErrShapeMismatch, out.DType, t.DType)
		}
		if t.Float == nil && t.Int == nil && t.Len() > 0 {
			return nil, fmt.Errorf("%w: Concat of element type %s", ir.ErrUnsupportedOp, t.DType)
		}
		out.Dims[axis] += t.Dims[axis]
	}
	outer := int(ir.NumElements(out.Dims[:axis]))
	for i := range outer {
		for _, t := range ts {
			chunk := int(ir.NumElements(t.Dims[axis:]))
			if t.Float != nil {
				out.Float = append(out.Float, t.Float[i*chunk:(i+1)*chunk]...)
			} else {
				out.Int = append(out.Int, t.Int[i*chunk:(i+1)*chunk]...)
			}
		}
	}
	return out, nil
}

// lowerTranspose permutes the axes by perm (default: reversed).
func lowerTranspose(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	shape := in[0].shape()
	perm := make([]int, len(shape))
	for i := range perm {
		perm[i] = len(shape) - 1 - i
	}
	if n.HasAttr("perm") {
		p, err := n.AttrInts("perm", nil)
		if err != nil {
			return nil, err
		}
		if len(p) != len(shape) {
			return nil, fmt.Errorf("%w: perm %v for rank %d", ir.ErrBadAttribute, p, len(shape))
		}
		seen := make([]bool, len(shape))
		for i, v := range p {
			if v < 0 || v >= int64(len(shape)) || seen[v] {
				return nil, fmt.Errorf("%w: perm %v is not a permutation", ir.ErrBadAttribute, p)
			}
			seen[v] = true
			perm[i] = int(v)
		}
	}
	if len(shape) < 2 {
		return []operand{in[0]}, nil
	}
	if in[0].node == nil {
		return []operand{{konst: transposeConst(in[0].konst, perm)}}, nil
	}
	y, err := G.Transpose(in[0].node, perm...)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// transposeConst permutes the axes of a constant.
func transposeConst(t *ir.Tensor, perm []int) *ir.Tensor {
	in := intDims(t.Dims)
	outShape := make([]int, len(perm))
	for i, p := range perm {
		outShape[i] = in[p]
	}
	inStrides := make([]int, len(in))
	s := 1
	for i := len(in) - 1; i >= 0; i-- {
		inStrides[i] = s
		s *= in[i]
	}
	out := &ir.Tensor{Name: t.Name, DType: t.DType, Dims: int64Dims(outShape)}
	src := make([]int, shapeSize(outShape))
	coord := make([]int, len(outShape))
	for i := range src {
		off := 0
		for d, c := range coord {
			off += c * inStrides[perm[d]]
		}
		src[i] = off
		for d := len(coord) - 1; d >= 0; d-- {
			if coord[d]++; coord[d] < outShape[d] {
				break
			}
			coord[d] = 0
		}
	}
	out.Float, out.Int = gatherFlat(t, src)
	return out
}

// gatherFlat picks the elements of t at the flat indices idx.
func gatherFlat(t *ir.Tensor, idx []int) ([]float32, []int64) {
	if t.Float != nil {
		f := make([]float32, len(idx))
		for i, j := range idx {
			f[i] = t.Float[j]
		}
		return f, nil
	}
	v := make([]int64, len(idx))
	for i, j := range idx {
		v[i] = t.Int[j]
	}
	return nil, v
}

// squeezeAxes reads a Squeeze or Unsqueeze's axes: an attribute before opset 13, the second input from 13.
func squeezeAxes(lc *lowerCtx, n *ir.Node, in []operand) ([]int64, bool, error) {
	if lc.opset < 13 {
		if !n.HasAttr("axes") {
			return nil, false, nil
		}
		a, err := n.AttrInts("axes", nil)
		return a, true, err
	}
	if len(in) < 2 || !in[1].present() {
		return nil, false, nil
	}
	a, err := constInts(in[1], "axes")
	return a, true, err
}

// lowerSqueeze removes the given dims of size 1, or all of them when no axes are given.
func lowerSqueeze(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 2); err != nil {
		return nil, err
	}
	axes, given, err := squeezeAxes(lc, n, in)
	if err != nil {
		return nil, err
	}
	// onnxruntime reads an empty axes list as no axes: squeeze every dim of size 1.
	given = given && len(axes) > 0
	shape := in[0].shape()
	drop := make([]bool, len(shape))
	for _, a := range axes {
		ax, err := ir.NormAxis(a, len(shape))
		if err != nil {
			return nil, err
		}
		if shape[ax] != 1 {
			return nil, fmt.Errorf("%w: Squeeze of axis %d of size %d", ir.ErrShapeMismatch, a, shape[ax])
		}
		drop[ax] = true
	}
	var out []int
	for i, d := range shape {
		if (given && drop[i]) || (!given && d == 1) {
			continue
		}
		out = append(out, d)
	}
	if out == nil {
		out = []int{}
	}
	res, err := withShape(in[0], out)
	if err != nil {
		return nil, err
	}
	return []operand{res}, nil
}

// lowerUnsqueeze inserts dims of size 1 at the given axes of the output.
func lowerUnsqueeze(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 2); err != nil {
		return nil, err
	}
	axes, given, err := squeezeAxes(lc, n, in)
	if err != nil {
		return nil, err
	}
	if !given {
		return nil, fmt.Errorf("%w: Unsqueeze needs axes", ir.ErrBadAttribute)
	}
	shape := in[0].shape()
	rank := len(shape) + len(axes)
	ones := make([]bool, rank)
	for _, a := range axes {
		ax, err := ir.NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if ones[ax] {
			return nil, fmt.Errorf("%w: Unsqueeze axes %v repeat an axis", ir.ErrBadAttribute, axes)
		}
		ones[ax] = true
	}
	out := make([]int, rank)
	j := 0
	for i := range out {
		if ones[i] {
			out[i] = 1
			continue
		}
		out[i] = shape[j]
		j++
	}
	res, err := withShape(in[0], out)
	if err != nil {
		return nil, err
	}
	return []operand{res}, nil
}

// lowerShape returns the input's shape as an int64 constant, sliced by start and end (Shape-15; absent
// before, where they take their defaults).
func lowerShape(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	shape := in[0].shape()
	start, end, err := ir.ShapeRange(n, len(shape))
	if err != nil {
		return nil, err
	}
	t := &ir.Tensor{DType: ir.Int64, Dims: []int64{end - start}, Int: make([]int64, 0, end-start)}
	if len(n.Outputs) > 0 {
		t.Name = n.Outputs[0]
	}
	for _, d := range shape[start:end] {
		t.Int = append(t.Int, int64(d))
	}
	return []operand{{konst: t}}, nil
}

// lowerGather takes the slices at the given indices along axis. The indices must be known while
// building; constant data is gathered in Go, a node by a differentiable gather op.
func lowerGather(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	shape := in[0].shape()
	ax, err := ir.NormAxis(axis, len(shape))
	if err != nil {
		return nil, err
	}
	idx, err := constInts(in[1], "Gather's indices")
	if err != nil {
		return nil, err
	}
	dim := shape[ax]
	pos := make([]int, len(idx))
	for i, v := range idx {
		if v < -int64(dim) || v >= int64(dim) {
			return nil, fmt.Errorf("%w: Gather index %d out of range for dim %d", ir.ErrShapeMismatch, v, dim)
		}
		if v < 0 {
			v += int64(dim)
		}
		pos[i] = int(v)
	}
	idxShape := intDims(in[1].konst.Dims)
	out := slices.Concat(shape[:ax], idxShape, shape[ax+1:])
	pre, post := shapeSize(shape[:ax]), shapeSize(shape[ax+1:])

	if in[0].node == nil {
		t := in[0].konst
		if t.Float == nil && t.Int == nil && t.Len() > 0 {
			return nil, fmt.Errorf("%w: Gather of element type %s", ir.ErrUnsupportedOp, t.DType)
		}
		src := make([]int, 0, shapeSize(out))
		for p := range pre {
			for _, k := range pos {
				for q := range post {
					src = append(src, (p*dim+k)*post+q)
				}
			}
		}
		res := &ir.Tensor{Name: t.Name, DType: t.DType, Dims: int64Dims(out)}
		res.Float, res.Int = gatherFlat(t, src)
		return []operand{{konst: res}}, nil
	}

	if len(pos) == 0 {
		return nil, fmt.Errorf("%w: Gather with no indices", ir.ErrUnsupportedOp)
	}
	y, err := gatherNode(in[0].node, pre, dim, post, pos, out)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// lowerSlice takes elements from start to end by step along each sliced axis (Slice-10 and later: starts,
// ends, axes and steps are inputs, which must be known while building; Slice-1 before opset 10: the
// attributes starts, ends and axes). Starts and ends are clamped as the ONNX spec says. Constant data is
// sliced in Go, a node (or a float initializer, which stays trainable) by a differentiable pick op.
func lowerSlice(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	var starts, ends, axes, steps []int64
	var err error
	if lc.opset < 10 {
		if err := checkInputs(in, 1, 1); err != nil {
			return nil, err
		}
		if starts, ends, axes, err = ir.SliceAttrs(n); err != nil {
			return nil, err
		}
	} else {
		if err := checkInputs(in, 3, 5); err != nil {
			return nil, err
		}
		for i, p := range []*[]int64{&starts, &ends, &axes, &steps} {
			if *p, err = konstInts(in, i+1, []string{"starts", "ends", "axes", "steps"}[i]); err != nil {
				return nil, err
			}
		}
	}
	if axes, steps, err = ir.SliceDefaults(starts, ends, axes, steps); err != nil {
		return nil, err
	}
	shape := in[0].shape()
	rank := len(shape)
	// Per axis: first index, step and count, clamped as the ONNX spec says.
	first := make([]int, rank)
	step := make([]int, rank)
	count := slices.Clone(shape)
	for i := range step {
		step[i] = 1
	}
	sliced := make([]bool, rank)
	for i, a := range axes {
		ax, err := ir.NormAxis(a, rank)
		if err != nil {
			return nil, err
		}
		if sliced[ax] {
			return nil, fmt.Errorf("%w: Slice axes %v repeat axis %d", ir.ErrBadAttribute, axes, ax)
		}
		sliced[ax] = true
		if steps[i] == 0 {
			return nil, fmt.Errorf("%w: Slice step 0", ir.ErrBadAttribute)
		}
		f, c := ir.SliceRange(starts[i], ends[i], steps[i], int64(shape[ax]))
		first[ax], count[ax], step[ax] = int(f), int(c), int(steps[i])
	}
	if slices.Equal(count, shape) && !slices.ContainsFunc(step, func(s int) bool { return s != 1 }) {
		return []operand{in[0]}, nil // the whole tensor, in order
	}
	strides := make([]int, rank)
	acc := 1
	for i := rank - 1; i >= 0; i-- {
		strides[i] = acc
		acc *= shape[i]
	}
	src := make([]int, 0, shapeSize(count))
	idx := make([]int, rank)
	for range shapeSize(count) {
		off := 0
		for ax := range rank {
			off += (first[ax] + idx[ax]*step[ax]) * strides[ax]
		}
		src = append(src, off)
		for ax := rank - 1; ax >= 0; ax-- {
			if idx[ax]++; idx[ax] < count[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	if in[0].node == nil {
		t := in[0].konst
		if t.Float == nil && t.Int == nil && t.Len() > 0 {
			return nil, fmt.Errorf("%w: Slice of element type %s", ir.ErrUnsupportedOp, t.DType)
		}
		out := &ir.Tensor{Name: t.Name, DType: t.DType, Dims: int64Dims(count)}
		if len(n.Outputs) > 0 {
			out.Name = n.Outputs[0]
		}
		out.Float, out.Int = gatherFlat(t, src)
		if t.Float == nil && t.Int == nil {
			out.Float, out.Int = nil, nil
		}
		return []operand{{konst: out}}, nil
	}
	if len(src) == 0 {
		return nil, fmt.Errorf("%w: Slice of a tensor computed at run time to the empty shape %v", ir.ErrUnsupportedOp, count)
	}
	name := fmt.Sprintf("Slice%v[first=%v step=%v]", shape, first, step)
	y, err := pickNode(in[0].node, name, src, count)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// lowerExpand broadcasts the input numpy-style with the shape input (Expand-8 and later), which must be
// known while building: the output has the broadcast shape, so a 1 keeps the input's dim. Constant data
// is expanded in Go.
func lowerExpand(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	spec, err := constInts(in[1], "Expand's shape")
	if err != nil {
		return nil, err
	}
	for _, d := range spec {
		if d < 0 {
			return nil, fmt.Errorf("%w: Expand to the negative dim %d (shape %v)", ir.ErrShapeMismatch, d, spec)
		}
	}
	shape := in[0].shape()
	out, err := broadcastShapes(shape, intDims(spec))
	if err != nil {
		return nil, err
	}
	if in[0].node == nil {
		t := in[0].konst
		if t.Float == nil && t.Int == nil && t.Len() > 0 {
			return nil, fmt.Errorf("%w: Expand of element type %s", ir.ErrUnsupportedOp, t.DType)
		}
		res := &ir.Tensor{Name: t.Name, DType: t.DType, Dims: int64Dims(out)}
		if len(n.Outputs) > 0 {
			res.Name = n.Outputs[0]
		}
		res.Float, res.Int = gatherFlat(t, broadcastIndex(shape, out))
		return []operand{{konst: res}}, nil
	}
	y, err := expandNode(in[0].node, out)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}
