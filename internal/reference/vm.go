package reference

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// inlineVM executes a gorgonia expression graph in the calling goroutine. gorgonia's own machines run the
// graph on a goroutine they start themselves, so a panic inside an operator (gorgonnx's Gemm indexes out of
// range on a 1-D input, for one) cannot be recovered by the caller and kills the whole process. Evaluating
// node by node here keeps such panics on the caller's stack, where runLocked recovers them.
//
// It is forward-only and stores each result on its node with UnsafeLet, which also checks that the value
// has the shape and type gorgonia inferred while building the graph.
type inlineVM struct {
	g *G.ExprGraph
}

// RunAll evaluates every operator node after its inputs.
func (vm inlineVM) RunAll() error {
	sorted, err := G.Sort(vm.g)
	if err != nil {
		return fmt.Errorf("sort graph: %w", err)
	}
	// Sort puts the roots first; evaluate from the leaves up.
	for i := len(sorted) - 1; i >= 0; i-- {
		n := sorted[i]
		children := vm.g.From(n.ID())
		if n.Op() == nil || children.Len() == 0 {
			continue // an input or a constant: its value is already bound
		}
		args := make([]G.Value, 0, children.Len())
		for children.Next() {
			c := children.Node().(*G.Node)
			v := c.Value()
			if v == nil {
				return fmt.Errorf("node %s: input %s has no value", n.Name(), c.Name())
			}
			args = append(args, v)
		}
		v, err := n.Op().Do(args...)
		if err != nil {
			return fmt.Errorf("node %s: %w", n.Name(), err)
		}
		if err := G.UnsafeLet(n, v); err != nil {
			return fmt.Errorf("node %s: %w", n.Name(), err)
		}
	}
	return nil
}

// Reset does nothing: every node is recomputed on each RunAll.
func (vm inlineVM) Reset() {}

// Close does nothing: the machine holds no resources.
func (vm inlineVM) Close() error { return nil }
