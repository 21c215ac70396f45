package train

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/lower"
)

// plan computes a stage's losses and gradients, batch after batch: the nodes they depend on, each once,
// children first, each by its op. It computes what gorgonia's tape machine computes, with the same op
// calls on the same values, without what the tape machine adds to every run: a goroutine and channels,
// fresh memory for every value (the machine clears its registers between runs), and the in-place
// variants of ops, which compute the same numbers. The kernels of package lower (the fused Gemm and its
// gradients, Relu) compute into the value they computed in the previous run, so a training step
// allocates only the small values of gorgonia's own ops.
//
// Everything runs on the calling goroutine. Computing each layer's weight gradient on a second core
// beside the gradient of its input (the two products of a layer's backward pass, the calling goroutine
// taking back what the other had not started) gave the same numbers but was slower in every measurement
// on the benchmark's 2-core machine: 0.150 s per Adult epoch against 0.12 s on one goroutine, both with
// GOMAXPROCS=2, at products of about 18 µs each.
type plan struct {
	steps []planStep
	vals  []G.Value
	at    map[*G.Node]int // the step computing each node
}

// planStep computes one node.
type planStep struct {
	node *G.Node
	op   G.Op // nil for an input or a parameter: its bound value
	args []int
	argv []G.Value // the operands' values, reused from run to run
	// kernel is the op when it is one of lower's kernels: computed into this step's previous value.
	kernel lower.Kernel
}

// newPlan computes the nodes the roots depend on in the order of their lower.Schedule.
func newPlan(g *G.ExprGraph, roots []*G.Node) *plan {
	sched := lower.NewSchedule(g, roots)
	p := &plan{at: sched.At, steps: make([]planStep, len(sched.Nodes)), vals: make([]G.Value, len(sched.Nodes))}
	for i, n := range sched.Nodes {
		s := planStep{node: n, op: n.Op(), args: sched.Args[i], argv: make([]G.Value, len(sched.Args[i]))}
		if s.op != nil {
			s.kernel, _ = s.op.(lower.Kernel)
		}
		p.steps[i] = s
	}
	return p
}

// value returns the value the last run computed for node n, a root or a node a root depends on (nil
// for another node).
func (p *plan) value(n *G.Node) G.Value {
	if k, ok := p.at[n]; ok {
		return p.vals[k]
	}
	return nil
}

// run computes every step once.
func (p *plan) run() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fault.Errorf(fault.Internal, "gorgonia: %v", r)
		}
	}()
	for k := range p.steps {
		if err := p.compute(k); err != nil {
			return err
		}
	}
	return nil
}

// compute computes step k into p.vals[k].
func (p *plan) compute(k int) error {
	s := &p.steps[k]
	if s.op == nil {
		// An input (bound by the stage) or a parameter: its value is the one bound to it now.
		if p.vals[k] = s.node.Value(); p.vals[k] == nil {
			return fault.Errorf(fault.Internal, "no value bound to node %v", s.node)
		}
		return nil
	}
	for j, a := range s.args {
		s.argv[j] = p.vals[a]
	}
	var v G.Value
	var err error
	if s.kernel != nil && p.vals[k] != nil {
		v, err = s.kernel.UsePreallocDo(p.vals[k], s.argv...)
	} else {
		// Do, not UnsafeDo: nothing may write into an operand, which can be a parameter's data or a
		// value another step still reads.
		v, err = s.op.Do(s.argv...)
	}
	if err != nil {
		return fmt.Errorf("computing %v: %w", s.node, err)
	}
	p.vals[k] = v
	return nil
}
