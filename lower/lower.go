package lower

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
)

// opKey identifies an op by domain ("" for the default ONNX domain) and type.
type opKey struct{ Domain, OpType string }

// lowerFunc builds the gorgonia nodes of one ONNX node. It reads and checks attributes first and only then
// builds nodes, so that a failure leaves nothing half-built that matters.
type lowerFunc func(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error)

// lowering is one entry of the lowering table: the opset versions of the default domain for which the op's
// semantics are implemented, and the function that builds it.
type lowering struct {
	minOpset, maxOpset int64
	fn                 lowerFunc
}

// operand is one input or output of a node while lowering: a float32 tensor computed by the gorgonia graph
// (node), or a value known while building the graph (konst: initializers, Constant outputs, shape
// arithmetic). Float initializers have both: the node is the trainable parameter and konst its data.
type operand struct {
	node  *G.Node
	konst *ir.Tensor
}

// shape returns the operand's concrete shape.
func (o operand) shape() []int {
	if o.node != nil {
		return append([]int(nil), o.node.Shape()...)
	}
	s := make([]int, len(o.konst.Dims))
	for i, d := range o.konst.Dims {
		s[i] = int(d)
	}
	return s
}

// Options sets what lowering needs beyond the graph.
type Options struct {
	// Batch is the size given to every symbolic dim of the graph inputs (default 1).
	Batch int
	// DimSizes gives sizes by symbolic dim name, overriding Batch for those names.
	DimSizes map[string]int
	// ConstInputs gives graph inputs whose values are known when the graph is built (integer inputs such
	// as a Reshape's shape). They are lowered as constants instead of input nodes.
	ConstInputs map[string]*ir.Tensor
}

// Lowered is a model lowered to a gorgonia expression graph with concrete shapes.
type Lowered struct {
	Graph *G.ExprGraph
	// Inputs are the input nodes, in the order of Graph.RealInputs minus ConstInputs; InputNames names them.
	Inputs     []*G.Node
	InputNames []string
	// Outputs are the nodes of the graph outputs, in order.
	Outputs []*G.Node
	// Params are the float initializers as trainable nodes, by initializer name.
	Params map[string]*G.Node
	// Values holds every float tensor of the model that became a gorgonia node, by ONNX name.
	Values map[string]*G.Node

	// plan is how Run computes the outputs, made on its first call.
	plan *forwardPlan
}

type lowerCtx struct {
	g      *G.ExprGraph
	model  *ir.Graph
	opset  int64
	values map[string]operand
	params map[string]*G.Node
	unique int
}

// uniqueName returns a fresh gorgonia node name; gorgonia merges nodes and constants that share a name
// or hash, so every constant gets its own.
func (lc *lowerCtx) uniqueName(base string) string {
	lc.unique++
	return fmt.Sprintf("%s#%d", base, lc.unique)
}

// asNode returns the operand as a gorgonia node, turning a float constant into a constant node.
func (lc *lowerCtx) asNode(o operand) (*G.Node, error) {
	if o.node != nil {
		return o.node, nil
	}
	if o.konst == nil {
		return nil, errors.New("missing operand")
	}
	t := o.konst
	if t.Float == nil && t.Int == nil && t.Len() > 0 {
		return nil, fmt.Errorf("%w: tensor %q has element type %s", ir.ErrUnsupportedOp, t.Name, t.DType)
	}
	if t.DType == ir.Int8 || t.DType == ir.Uint8 {
		// Quantized weights mean their values times a scale (DequantizeLinear): taken as floats they would
		// be silently wrong.
		return nil, fmt.Errorf("%w: tensor %q holds %s values where float data is computed; a quantized model needs its DequantizeLinear, which the Go forward pass does not run", ir.ErrUnsupportedOp, t.Name, t.DType)
	}
	data := t.Float
	if data == nil {
		// Integer constants used as float data (rare in the supported ops) are converted.
		data = make([]float32, len(t.Int))
		for i, v := range t.Int {
			data[i] = float32(v)
		}
	}
	return lc.constNode(data, intDims(t.Dims), t.Name), nil
}

// constNode makes a non-trainable float32 node holding data with the given shape (a scalar when shape is
// empty).
func (lc *lowerCtx) constNode(data []float32, shape []int, name string) *G.Node {
	name = lc.uniqueName("const:" + name)
	if len(shape) == 0 {
		return G.NewScalar(lc.g, tensor.Float32, G.WithName(name), G.WithValue(data[0]))
	}
	backing := append([]float32(nil), data...)
	v := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
	return G.NewTensor(lc.g, tensor.Float32, len(shape), G.WithName(name), G.WithShape(shape...), G.WithValue(v))
}

func intDims(d []int64) []int {
	out := make([]int, len(d))
	for i, v := range d {
		out[i] = int(v)
	}
	return out
}

// lowerOne looks up and runs the lowering of one node, turning any panic inside gorgonia into an error.
func (lc *lowerCtx) lowerOne(n *ir.Node, in []operand) (out []operand, err error) {
	l, err := lookupLowering(n, lc.opset)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fault.Errorf(fault.Internal, "gorgonia: %v", r)
		}
	}()
	return l.fn(lc, n, in)
}

func lookupLowering(n *ir.Node, opset int64) (lowering, error) {
	l, ok := lowerings[opKey{n.Domain, n.OpType}]
	if !ok {
		if n.Domain != "" {
			return l, fmt.Errorf("%w: %s in domain %q", ir.ErrUnsupportedOp, n.OpType, n.Domain)
		}
		return l, fmt.Errorf("%w: %s", ir.ErrUnsupportedOp, n.OpType)
	}
	if opset < l.minOpset || opset > l.maxOpset {
		return l, fmt.Errorf("%w: %s at opset %d (supported: %d to %d)", ir.ErrUnsupportedOp, n.OpType, opset, l.minOpset, l.maxOpset)
	}
	return l, nil
}

// CheckSupported reports, in one error, every op of g that the Go forward pass does not implement, with
// its node count and first node: "the Go forward pass does not implement FastRelu (2 nodes, first
// "/act1"), LayerNormalization at opset 16 (supported: 17 to 21) (1 node, "/ln")". The error wraps
// ir.ErrUnsupportedOp; the model itself is valid, so it is not a bad-model error.
func CheckSupported(g *ir.Graph) error {
	type missing struct {
		what  string
		count int
		first string
	}
	var order []string
	byOp := map[string]*missing{}
	for _, n := range g.Nodes {
		if _, err := lookupLowering(n, g.Opset); err != nil {
			what := strings.TrimPrefix(err.Error(), ir.ErrUnsupportedOp.Error()+": ")
			m := byOp[what]
			if m == nil {
				m = &missing{what: what, first: n.Name}
				byOp[what] = m
				order = append(order, what)
			}
			m.count++
		}
	}
	if len(order) == 0 {
		return nil
	}
	parts := make([]string, len(order))
	for i, what := range order {
		m := byOp[what]
		if m.count == 1 {
			parts[i] = fmt.Sprintf("%s (1 node, %q)", m.what, m.first)
		} else {
			parts[i] = fmt.Sprintf("%s (%d nodes, first %q)", m.what, m.count, m.first)
		}
	}
	return &unsupportedError{"fairbinn's Go forward pass does not implement " + strings.Join(parts, ", ")}
}

// unsupportedError is ir.ErrUnsupportedOp to errors.Is, with a message that says it once.
type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string         { return e.msg }
func (e *unsupportedError) Is(target error) bool  { return target == ir.ErrUnsupportedOp }
func (e *unsupportedError) FaultKind() fault.Kind { return fault.BadInput }

// SupportedOps lists the op types of the default domain that the Go forward pass runs.
func SupportedOps() []string {
	var out []string
	for k := range lowerings {
		out = append(out, k.OpType)
	}
	sort.Strings(out)
	return out
}

// Lower builds a gorgonia expression graph computing the model for concrete input sizes.
func Lower(m *ir.Graph, opts Options) (*Lowered, error) {
	if opts.Batch <= 0 {
		opts.Batch = 1
	}
	lc := &lowerCtx{
		g:      G.NewGraph(),
		model:  m,
		opset:  m.Opset,
		values: map[string]operand{},
		params: map[string]*G.Node{},
	}
	out := &Lowered{Graph: lc.g, Params: lc.params, Values: map[string]*G.Node{}}
	for _, name := range m.InitOrder {
		t := m.Initializers[name]
		if t == nil {
			continue
		}
		o := operand{konst: t}
		if t.DType == ir.Float32 || t.DType == ir.Float64 {
			backing := t.Float
			if len(t.Dims) == 0 {
				o.node = G.NewScalar(lc.g, tensor.Float32, G.WithName(lc.uniqueName(name)), G.WithValue(t.Float[0]))
			} else {
				v := tensor.New(tensor.WithShape(intDims(t.Dims)...), tensor.WithBacking(backing))
				o.node = G.NewTensor(lc.g, tensor.Float32, len(t.Dims), G.WithName(lc.uniqueName(name)), G.WithShape(intDims(t.Dims)...), G.WithValue(v))
			}
			lc.params[name] = o.node
		}
		lc.values[name] = o
	}
	for _, v := range m.RealInputs() {
		if t, ok := opts.ConstInputs[v.Name]; ok {
			lc.values[v.Name] = operand{konst: t}
			continue
		}
		// A float64 input is computed in float32, as float64 initializers are.
		if v.DType != ir.Float32 && v.DType != ir.Float64 {
			return nil, fmt.Errorf("%w: graph input %q has element type %s (only float inputs are supported)", ir.ErrUnsupportedOp, v.Name, v.DType)
		}
		if v.Shape == nil {
			return nil, fmt.Errorf("%w: graph input %q has no shape", ir.ErrShapeMismatch, v.Name)
		}
		shape := make([]int, len(v.Shape))
		for i, d := range v.Shape {
			switch {
			case d.IsStatic():
				shape[i] = int(d.Value)
			case d.Param != "" && opts.DimSizes[d.Param] > 0:
				shape[i] = opts.DimSizes[d.Param]
			default:
				shape[i] = opts.Batch
			}
		}
		var node *G.Node
		if len(shape) == 0 {
			node = G.NewScalar(lc.g, tensor.Float32, G.WithName(lc.uniqueName(v.Name)))
		} else {
			node = G.NewTensor(lc.g, tensor.Float32, len(shape), G.WithName(lc.uniqueName(v.Name)), G.WithShape(shape...))
		}
		lc.values[v.Name] = operand{node: node}
		out.Inputs = append(out.Inputs, node)
		out.InputNames = append(out.InputNames, v.Name)
	}
	for _, n := range m.Nodes {
		in := make([]operand, len(n.Inputs))
		for i, name := range n.Inputs {
			if name == "" {
				continue // an omitted optional input
			}
			o, ok := lc.values[name]
			if !ok {
				return nil, ir.AtNode(n, fmt.Errorf("input %q is not available", name))
			}
			in[i] = o
		}
		res, err := lc.lowerOne(n, in)
		if err != nil {
			return nil, ir.AtNode(n, err)
		}
		for i, name := range n.Outputs {
			if name == "" || i >= len(res) {
				continue
			}
			lc.values[name] = res[i]
			if res[i].node != nil {
				out.Values[name] = res[i].node
			}
		}
	}
	for _, v := range m.Outputs {
		o, ok := lc.values[v.Name]
		if !ok {
			return nil, fmt.Errorf("graph output %q was not computed", v.Name)
		}
		node, err := lc.asNode(o)
		if err != nil {
			return nil, fmt.Errorf("graph output %q: %w", v.Name, err)
		}
		out.Outputs = append(out.Outputs, node)
	}
	return out, nil
}
