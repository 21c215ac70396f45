package ir

import "fmt"

// Shape inference on the IR, in one pass over the nodes in graph order. Besides shapes it keeps the values
// of small tensors known before the model runs (initializers, Constant outputs, the Shape of a tensor and
// arithmetic on those), because exporters compute shapes in the graph: PyTorch's x.view(x.size(0), -1)
// becomes Shape → Gather → Unsqueeze → Concat → Reshape, and F.pad computes its pads with ConstantOfShape,
// Concat, Reshape, Slice, Transpose and Cast. An integer element is held as a Dim, so that the batch size
// read by Shape flows through that arithmetic as the symbolic dim it is: the Reshape to [batch, -1]
// infers [batch, K].

// maxKnownElems bounds the tensors whose values are kept: shape arithmetic works on a few numbers per
// axis, and larger tensors (weights, lookup tables) are never read for a shape.
const maxKnownElems = 1 << 12

// InferShapes returns the shape of every tensor of g whose shape it can infer: the graph inputs, the
// initializers and the node outputs. Symbolic dims of the inputs (the batch) are kept where a dim is that
// size; a dim that depends on it otherwise (batch*4 after a Reshape) is unknown (Dim{}). The outputs of
// ops it does not know (and of other domains) are left out, without an error: the shapes before them are
// still reported, and the ops that read them infer what they can (a Gemm's output width, for instance).
// Inputs that do not fit an op return an error wrapping ErrShapeMismatch (or ErrBadAttribute for an
// attribute of the wrong type or value), attributed to the node.
//
// It runs in time linear in the number of nodes and edges of the graph.
func InferShapes(g *Graph) (map[string]Shape, error) {
	c := &shapeCtx{
		g:      g,
		opset:  g.Opset,
		shapes: make(map[string]Shape, len(g.Inputs)+len(g.Initializers)+len(g.Nodes)),
		values: map[string]*konst{},
	}
	for _, v := range g.Inputs {
		if _, isInit := g.Initializers[v.Name]; isInit || v.Shape == nil {
			continue
		}
		s := make(Shape, len(v.Shape))
		for i, d := range v.Shape {
			if d.Known && d.Param == "" && d.Value < 0 {
				d = Dim{} // not a size; treat it as unknown
			}
			s[i] = d
		}
		c.shapes[v.Name] = s
	}
	for name, t := range g.Initializers {
		if t != nil && validDims(t.Dims) {
			c.shapes[name] = fixedShape(t.Dims)
		}
	}
	for _, n := range g.Nodes {
		if err := c.inferNode(n); err != nil {
			return nil, AtNode(n, err)
		}
		for _, out := range n.Outputs {
			if s, ok := g.Measured[out]; ok && c.shapes[out] == nil {
				c.shapes[out] = append(Shape{}, s...)
			}
		}
	}
	return c.shapes, nil
}

// shapeFunc infers the outputs of one node from what is known about its inputs. A result left zero (or
// missing) means that output could not be inferred.
type shapeFunc func(c *shapeCtx, n *Node, in []operand) ([]result, error)

// shapeFuncs is the table of ops shape inference knows, all of the default ONNX domain; each function
// covers the opset versions the IR can hold. The functions live in one file per op family.
var shapeFuncs = map[string]shapeFunc{
	// shapes_elementwise.go: the ops of the Go forward pass
	"Add":         binaryShape(arithAdd),
	"Sub":         binaryShape(arithSub),
	"Mul":         binaryShape(arithMul),
	"Div":         binaryShape(arithDiv),
	"Relu":        unaryShape,
	"LeakyRelu":   unaryShape,
	"Sigmoid":     unaryShape,
	"Tanh":        unaryShape,
	"Softmax":     softmaxShape,
	"Identity":    identityShape,
	"Dropout":     dropoutShape,
	"Erf":         unaryShape,
	"Elu":         unaryShape,
	"PRelu":       unaryShape, // the slope broadcasts to X
	"Clip":        unaryShape,
	"HardSigmoid": unaryShape,
	"Sqrt":        unaryShape,
	"Neg":         unaryShape,
	"Exp":         unaryShape,
	"Log":         unaryShape,
	"Pow":         broadcastShapeOp,
	"Where":       broadcastShapeOp,
	// shapes_elementwise.go: other ops whose output has the shape of their (broadcast) inputs
	"Abs": unaryShape, "Reciprocal": unaryShape, "Floor": unaryShape, "Ceil": unaryShape,
	"Round": unaryShape, "Sign": unaryShape, "Sin": unaryShape, "Cos": unaryShape, "Not": unaryShape,
	"Selu": unaryShape, "Celu": unaryShape, "Softplus": unaryShape, "Softsign": unaryShape,
	"HardSwish": unaryShape, "Gelu": unaryShape, "Mish": unaryShape, "ThresholdedRelu": unaryShape,
	"LogSoftmax": softmaxShape, "Mod": broadcastShapeOp, "Equal": broadcastShapeOp,
	"Less": broadcastShapeOp, "LessOrEqual": broadcastShapeOp, "Greater": broadcastShapeOp,
	"GreaterOrEqual": broadcastShapeOp, "And": broadcastShapeOp, "Or": broadcastShapeOp,
	"Xor": broadcastShapeOp, "Sum": broadcastShapeOp, "Max": broadcastShapeOp,
	"Min": broadcastShapeOp, "Mean": broadcastShapeOp,
	// shapes_matmul.go
	"Gemm":   gemmShape,
	"MatMul": matMulShape,
	// shapes_shape.go
	"Flatten":   flattenShape,
	"Reshape":   reshapeShape,
	"Concat":    concatShape,
	"Transpose": transposeShape,
	"Squeeze":   squeezeShape,
	"Unsqueeze": unsqueezeShape,
	"Shape":     shapeOfShape,
	"Gather":    gatherShape,
	"Expand":    expandShape,
	// shapes_const.go
	"Constant":        constantShape,
	"ConstantOfShape": constantOfShapeShape,
	"Cast":            castShape,
	"Slice":           sliceShape,
	// shapes_conv.go
	"Conv":              convShape,
	"MaxPool":           poolShape,
	"AveragePool":       poolShape,
	"GlobalAveragePool": globalPoolShape,
	"GlobalMaxPool":     globalPoolShape,
	// shapes_norm.go
	"BatchNormalization": batchNormShape,
	"LayerNormalization": layerNormShape,
	// shapes_reduce.go
	"ReduceMean": reduceShape,
	// shapes_pad.go
	"Pad": padShape,
}

// knowsShapeOf reports whether InferShapes has rules for the op of node n.
func knowsShapeOf(n *Node) bool {
	_, ok := shapeFuncs[n.OpType]
	return ok && (n.Domain == "" || n.Domain == "ai.onnx")
}

// shapeCtx is the state of one inference pass.
type shapeCtx struct {
	g      *Graph
	opset  int64
	shapes map[string]Shape
	values map[string]*konst // values computed so far (initializers are read when asked for)
}

// operand is what is known about one input of a node.
type operand struct {
	name    string
	present bool   // the input is given: optional inputs may be left out or named ""
	shape   Shape  // nil when the rank is not known
	val     *konst // nil when the values are not known (or not read yet, for an initializer)
	init    *Tensor
}

// result is what inference found out about one output: a shape (nil when not even the rank is known)
// and, for a small tensor known before the model runs, its values.
type result struct {
	shape Shape
	val   *konst
}

func (c *shapeCtx) inferNode(n *Node) error {
	if !knowsShapeOf(n) {
		return nil
	}
	in := make([]operand, len(n.Inputs))
	for i, name := range n.Inputs {
		if name == "" {
			continue
		}
		in[i] = operand{name: name, present: true, shape: c.shapes[name], val: c.values[name], init: c.g.Initializers[name]}
	}
	res, err := shapeFuncs[n.OpType](c, n, in)
	if err != nil {
		return err
	}
	for i, r := range res {
		if i >= len(n.Outputs) || n.Outputs[i] == "" {
			continue
		}
		name := n.Outputs[i]
		if r.val != nil {
			r.shape = fixedShape(r.val.dims)
			c.values[name] = r.val
		}
		if r.shape != nil {
			c.shapes[name] = append(Shape{}, r.shape...) // no two tensors share a shape's memory
		}
	}
	return nil
}

// value returns the values of an operand when they are known.
func (c *shapeCtx) value(o operand) *konst {
	if o.val != nil || o.init == nil {
		return o.val
	}
	k := konstOf(o.init)
	if k != nil {
		c.values[o.name] = k
	}
	return k
}

// ints returns the elements of an integer operand known while inferring (a shape, axes, pads, indices);
// ok is false when they are not known. Elements may still be symbolic or unknown.
func (c *shapeCtx) ints(o operand) (v []Dim, ok bool) {
	k := c.value(o)
	if k == nil || k.ints == nil {
		return nil, false
	}
	return k.ints, true
}

// numbers returns the elements of an integer operand when all are known numbers.
func (c *shapeCtx) numbers(o operand) ([]int64, bool) {
	v, ok := c.ints(o)
	if !ok {
		return nil, false
	}
	return numbersOf(v)
}

func numbersOf(v []Dim) ([]int64, bool) {
	out := make([]int64, len(v))
	for i, d := range v {
		if !d.IsStatic() {
			return nil, false
		}
		out[i] = d.Value
	}
	return out, true
}

// vectorLen returns the length of a 1-D operand when it is fixed (how many axes a shape or axes input
// names, even when its values are not known). A length no rank could have is not reported.
func vectorLen(o operand) (int, bool) {
	if len(o.shape) != 1 || !o.shape[0].IsStatic() || o.shape[0].Value > maxKnownElems {
		return 0, false
	}
	return int(o.shape[0].Value), true
}

// need returns an error when one of the first k inputs is missing.
func need(n *Node, in []operand, k int) error {
	for i := range k {
		if i >= len(in) || !in[i].present {
			return fmt.Errorf("%w: %s needs input %d", ErrShapeMismatch, n.OpType, i)
		}
	}
	return nil
}

// optional returns input i, or a missing operand when the node has fewer inputs.
func optional(in []operand, i int) operand {
	if i >= len(in) {
		return operand{}
	}
	return in[i]
}

// one returns a single result.
func one(s Shape) []result { return []result{{shape: s}} }

func validDims(dims []int64) bool {
	for _, d := range dims {
		if d < 0 {
			return false
		}
	}
	return true
}

// konst is the value of a small tensor known before the model runs. Integer (and bool) elements are Dims,
// so that one can be the symbolic batch size; float elements are float32, as Tensor holds them.
type konst struct {
	dtype  DType
	dims   []int64
	ints   []Dim     // set for integer element types
	floats []float32 // set for float element types
}

// konstOf returns the value of a constant tensor, or nil when it is too large or holds no data the IR
// reads (strings, for instance).
func konstOf(t *Tensor) *konst {
	if !validDims(t.Dims) {
		return nil
	}
	n := t.Len()
	if n > maxKnownElems {
		return nil
	}
	k := &konst{dtype: t.DType, dims: t.Dims}
	switch {
	case isIntType(t.DType) && int64(len(t.Int)) == n:
		k.ints = make([]Dim, n)
		for i, v := range t.Int {
			k.ints[i] = Fixed(v)
		}
	case isFloatType(t.DType) && int64(len(t.Float)) == n:
		k.floats = t.Float
		if k.floats == nil {
			k.floats = []float32{}
		}
	default:
		return nil
	}
	return k
}

func (k *konst) len() int { return int(NumElements(k.dims)) }

// withDims returns the same elements with other dims (a Reshape, Squeeze, Unsqueeze or Flatten).
func (k *konst) withDims(s Shape) *konst {
	if !s.isStatic() {
		return nil
	}
	dims := make([]int64, len(s))
	for i, d := range s {
		dims[i] = d.Value
	}
	if NumElements(dims) != int64(k.len()) {
		return nil
	}
	return &konst{dtype: k.dtype, dims: dims, ints: k.ints, floats: k.floats}
}

// pick returns the elements at the flat indices idx, with the given dims.
func (k *konst) pick(idx []int, dims []int64) *konst {
	out := &konst{dtype: k.dtype, dims: dims}
	if k.ints != nil {
		out.ints = make([]Dim, len(idx))
		for i, j := range idx {
			out.ints[i] = k.ints[j]
		}
	} else {
		out.floats = make([]float32, len(idx))
		for i, j := range idx {
			out.floats[i] = k.floats[j]
		}
	}
	return out
}

// smallEnough reports whether a tensor of the given shape is small enough to keep its values.
func smallEnough(s Shape) bool {
	if !s.isStatic() {
		return false
	}
	p := productOf(s)
	return !p.unknown && p.fixed <= maxKnownElems
}

// staticDims returns the sizes of a shape of fixed dims.
func staticDims(s Shape) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = d.Value
	}
	return out
}

// strides returns the row-major strides of dims.
func strides(dims []int64) []int {
	st := make([]int, len(dims))
	acc := 1
	for i := len(dims) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= int(dims[i])
	}
	return st
}

// forEachIndex calls f with each multi-index of dims in row-major order.
func forEachIndex(dims []int64, f func(idx []int64)) {
	for _, d := range dims {
		if d == 0 {
			return
		}
	}
	idx := make([]int64, len(dims))
	for {
		f(idx)
		a := len(dims) - 1
		for ; a >= 0; a-- {
			if idx[a]++; idx[a] < dims[a] {
				break
			}
			idx[a] = 0
		}
		if a < 0 {
			return
		}
	}
}
