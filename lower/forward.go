package lower

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// Run computes the lowered graph once on the given inputs (one per Lowered.Inputs, shapes must match)
// and returns copies of the outputs.
func (l *Lowered) Run(inputs []tensor.Tensor) ([]tensor.Tensor, error) {
	if len(inputs) != len(l.Inputs) {
		return nil, fmt.Errorf("want %d inputs, got %d", len(l.Inputs), len(inputs))
	}
	for i, in := range inputs {
		want := l.Inputs[i].Shape()
		if !sameShape(want, in.Shape) {
			return nil, fmt.Errorf("%w: input %q: want shape %v, got %v", ir.ErrShapeMismatch, l.InputNames[i], []int(want), in.Shape)
		}
		var v G.Value
		if len(want) == 0 {
			v = G.NewF32(in.Data[0])
		} else {
			// A copy, so that no value of the graph (an op may return a view of its operand) shares
			// memory with the caller's data.
			v = gt.New(gt.WithShape(want...), gt.WithBacking(slices.Clone(in.Data)))
		}
		if err := G.Let(l.Inputs[i], v); err != nil {
			return nil, fmt.Errorf("input %q: %w", l.InputNames[i], err)
		}
	}
	if l.plan == nil {
		l.plan = newForwardPlan(l.Graph, l.Outputs)
	}
	vals, err := l.plan.run()
	if err != nil {
		return nil, err
	}
	outs := make([]tensor.Tensor, len(l.Outputs))
	for i, at := range l.plan.outputs {
		a, err := valueToArray(vals[at])
		if err != nil {
			return nil, fmt.Errorf("output %d: %w", i, err)
		}
		outs[i] = a
	}
	return outs, nil
}

// forwardPlan evaluates the nodes the outputs depend on, each once, children first, by calling its op's
// Do on its children's values. gorgonia's tape machine computes the same values with the same Do calls
// (or their in-place and preallocated variants, which compute the same numbers), but compiling its
// program costs time quadratic in the number of nodes (its code generator searches every register
// for each node it frees), far more than running a long graph. A forward pass needs none of what the
// tape machine adds (gradients, memory reuse), so it does without it.
type forwardPlan struct {
	steps []forwardStep
	// outputs are the steps computing each output, in order.
	outputs []int
}

// forwardStep computes one node.
type forwardStep struct {
	node *G.Node
	// args are the steps computing the node's operands, in order.
	args []int
	// release are the steps whose values no later step reads and that are no output: run drops them
	// after this step, so that a long graph holds only the values it still needs.
	release []int
}

// newForwardPlan computes the nodes outputs depend on in the order of their Schedule, each value dropped
// after the last step that reads it.
func newForwardPlan(g *G.ExprGraph, outputs []*G.Node) *forwardPlan {
	sched := NewSchedule(g, outputs)
	p := &forwardPlan{steps: make([]forwardStep, len(sched.Nodes))}
	for i, n := range sched.Nodes {
		p.steps[i] = forwardStep{node: n, args: sched.Args[i]}
	}
	last := make([]int, len(p.steps)) // the last step reading each value
	for i, s := range p.steps {
		for _, a := range s.args {
			last[a] = i
		}
	}
	for _, out := range outputs {
		p.outputs = append(p.outputs, sched.At[out])
		last[sched.At[out]] = len(p.steps) // read after the run
	}
	for i, l := range last {
		if l < len(p.steps) {
			p.steps[l].release = append(p.steps[l].release, i)
		}
	}
	return p
}

// run computes every step and returns the values by step (those released on the way are nil), turning
// a gorgonia panic into an error.
func (p *forwardPlan) run() (vals []G.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fault.Errorf(fault.Internal, "gorgonia: %v", r)
		}
	}()
	vals = make([]G.Value, len(p.steps))
	for i, s := range p.steps {
		n := s.node
		if n.Op() == nil {
			// An input (bound by Run) or a parameter: its value is the one bound to it now.
			if vals[i] = n.Value(); vals[i] == nil {
				return nil, fault.Errorf(fault.Internal, "no value bound to node %v", n)
			}
			continue
		}
		args := make([]G.Value, len(s.args))
		for j, a := range s.args {
			args[j] = vals[a]
		}
		// Do, not UnsafeDo: nothing may write into an operand, which can be a parameter's data or a
		// value another step still reads.
		v, err := n.Op().Do(args...)
		if err != nil {
			return nil, fmt.Errorf("computing %v: %w", n, err)
		}
		vals[i] = v
		for _, r := range s.release {
			vals[r] = nil
		}
	}
	return vals, nil
}

func sameShape(a []int, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if int64(a[i]) != b[i] {
			return false
		}
	}
	return true
}

func valueToArray(v G.Value) (tensor.Tensor, error) {
	switch v := v.(type) {
	case *G.F32:
		return tensor.Tensor{Shape: []int64{}, Data: []float32{float32(*v)}}, nil
	case gt.Tensor:
		if slices.Contains(v.Shape(), 0) {
			// An empty tensor's Data panics in gorgonia.org/gt.
			shape := make([]int64, len(v.Shape()))
			for i, d := range v.Shape() {
				shape[i] = int64(d)
			}
			return tensor.Tensor{Shape: shape, Data: []float32{}}, nil
		}
		data, ok := v.Data().([]float32)
		if !ok {
			if f, ok := v.Data().(float32); ok {
				data = []float32{f}
			} else {
				return tensor.Tensor{}, fmt.Errorf("output holds %T, want float32", v.Data())
			}
		}
		shape := make([]int64, len(v.Shape()))
		for i, d := range v.Shape() {
			shape[i] = int64(d)
		}
		n := 1
		for _, d := range v.Shape() {
			n *= d
		}
		if len(shape) == 0 || n == 0 {
			n = len(data)
		}
		return tensor.Tensor{Shape: shape, Data: append([]float32(nil), data[:n]...)}, nil
	case nil:
		return tensor.Tensor{}, fmt.Errorf("output was not computed")
	}
	return tensor.Tensor{}, fmt.Errorf("output holds %T, want a float32 tensor", v)
}

// Forward runs a single-input model on an input whose first dim is the batch and returns its first output
// (a model's other outputs are computed too but not returned), in chunks
// of at most batch rows, lowering the graph once per distinct chunk size. A model whose input has a static
// first dim runs in chunks of exactly that size.
func Forward(m *ir.Graph, input tensor.Tensor, batch int) (tensor.Tensor, error) {
	if len(m.Outputs) == 0 {
		return tensor.Tensor{}, fmt.Errorf("the model has no output")
	}
	return ForwardOutput(m, m.Outputs[0].Name, input, batch)
}

// ForwardOutput is Forward returning the named output.
func ForwardOutput(m *ir.Graph, output string, input tensor.Tensor, batch int) (tensor.Tensor, error) {
	k := slices.IndexFunc(m.Outputs, func(v *ir.Value) bool { return v.Name == output })
	if k < 0 {
		return tensor.Tensor{}, fmt.Errorf("the model has no output %q", output)
	}
	ins := m.RealInputs()
	if len(ins) != 1 || len(m.Outputs) < 1 {
		return tensor.Tensor{}, fmt.Errorf("the Go forward pass runs models with one input and an output; this one has %d and %d", len(ins), len(m.Outputs))
	}
	if len(input.Shape) == 0 {
		return tensor.Tensor{}, fmt.Errorf("%w: input is a scalar, want a batch of rows", ir.ErrShapeMismatch)
	}
	rows := int(input.Shape[0])
	if d := ins[0].Shape; len(d) > 0 && d[0].IsStatic() {
		batch = int(d[0].Value)
		if rows%batch != 0 {
			return tensor.Tensor{}, fmt.Errorf("%w: model input %q has a static batch of %d; %d rows is not a multiple", ir.ErrShapeMismatch, ins[0].Name, batch, rows)
		}
	}
	if batch <= 0 || batch > rows {
		batch = rows
	}
	rowLen := 1
	for _, d := range input.Shape[1:] {
		rowLen *= int(d)
	}
	lowered := map[int]*Lowered{}
	var out tensor.Tensor
	for start := 0; start < rows; start += batch {
		n := min(batch, rows-start)
		l := lowered[n]
		if l == nil {
			var err error
			if l, err = Lower(m, Options{Batch: n}); err != nil {
				return tensor.Tensor{}, err
			}
			lowered[n] = l
		}
		shape := append([]int64{int64(n)}, input.Shape[1:]...)
		res, err := l.Run([]tensor.Tensor{{Shape: shape, Data: input.Data[start*rowLen : (start+n)*rowLen]}})
		if err != nil {
			return tensor.Tensor{}, err
		}
		if out.Shape == nil {
			out.Shape = append([]int64{int64(rows)}, res[k].Shape[1:]...)
			out.Data = make([]float32, 0, rows*len(res[k].Data)/max(n, 1))
		}
		out.Data = append(out.Data, res[k].Data...)
	}
	return out, nil
}
