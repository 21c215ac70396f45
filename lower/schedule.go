package lower

import G "gorgonia.org/gorgonia"

// Schedule is an order in which to compute the nodes some roots of a gorgonia graph depend on, each once
// and after its operands: what the forward pass and the training plans run instead of gorgonia's tape
// machine. It is built by a depth-first walk from the roots, linear in the nodes and edges, and holds only
// those nodes: not the statements gorgonia adds to a graph (G.Read), nor nodes no root needs.
type Schedule struct {
	Nodes []*G.Node
	// Args holds, for each node, the indices in Nodes of its operands, in order.
	Args [][]int
	// At is each node's index in Nodes.
	At map[*G.Node]int
}

// NewSchedule orders the nodes roots depend on, children first.
func NewSchedule(g *G.ExprGraph, roots []*G.Node) *Schedule {
	s := &Schedule{At: map[*G.Node]int{}}
	type frame struct {
		node     *G.Node
		children []*G.Node
		next     int // the child to visit next
	}
	visit := func(n *G.Node) frame { return frame{node: n, children: children(g, n)} }
	for _, r := range roots {
		if _, ok := s.At[r]; ok {
			continue
		}
		stack := []frame{visit(r)}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next < len(top.children) {
				c := top.children[top.next]
				top.next++
				if _, ok := s.At[c]; !ok {
					s.At[c] = -1 // on the stack
					stack = append(stack, visit(c))
				}
				continue
			}
			args := make([]int, len(top.children))
			for i, c := range top.children {
				args[i] = s.At[c]
			}
			s.At[top.node] = len(s.Nodes)
			s.Nodes = append(s.Nodes, top.node)
			s.Args = append(s.Args, args)
			stack = stack[:len(stack)-1]
		}
	}
	return s
}

// children returns a node's operands in order.
func children(g *G.ExprGraph, n *G.Node) []*G.Node {
	if n.Op() == nil {
		// An input or a parameter. (Not asking the graph also saves a lookup by ID, which gorgonia
		// answers by scanning its nodes the first time it is asked about one.)
		return nil
	}
	it := g.From(n.ID())
	out := make([]*G.Node, 0, it.Len())
	for it.Next() {
		out = append(out, it.Node().(*G.Node))
	}
	return out
}
