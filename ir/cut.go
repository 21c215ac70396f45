package ir

import (
	"fmt"
	"slices"
)

// Cut splits g at tensor into a prefix, which computes tensor from the graph inputs, and a suffix,
// which computes the graph outputs from tensor. Both share g's initializer tensors (a change to a
// suffix parameter is a change to g's), neither keeps g's source protobuf (their inputs and outputs
// are not g's), and the suffix's input is named tensor, with its inferred shape.
//
// A suffix that reads another tensor of the prefix besides tensor (a skip connection across the cut) or
// a graph input cannot be cut there: the error says which.
func Cut(g *Graph, tensor string) (prefix, suffix *Graph, err error) {
	producers := g.Producers()
	if producers[tensor] == nil {
		return nil, nil, fmt.Errorf("cannot cut at %q: no node produces it", tensor)
	}
	// The prefix is every node tensor depends on.
	inPrefix := map[*Node]bool{}
	stack := []string{tensor}
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p := producers[name]
		if p == nil || inPrefix[p] {
			continue
		}
		inPrefix[p] = true
		stack = append(stack, p.Inputs...)
	}
	shapes, err := InferShapes(g)
	if err != nil {
		return nil, nil, err
	}
	prefix = g.sub("prefix")
	suffix = g.sub("suffix")
	// A node without inputs (a Constant) that both sides read goes to both.
	suffixReads := map[string]bool{}
	for _, n := range g.Nodes {
		if !inPrefix[n] {
			for _, in := range n.Inputs {
				suffixReads[in] = true
			}
		}
	}
	for _, n := range g.Nodes {
		if inPrefix[n] {
			prefix.Nodes = append(prefix.Nodes, n)
		}
		if !inPrefix[n] || len(n.Inputs) == 0 && slices.ContainsFunc(n.Outputs, func(o string) bool { return suffixReads[o] }) {
			suffix.Nodes = append(suffix.Nodes, n)
		}
	}
	// What each side reads that it does not compute itself.
	inputs := map[string]*Value{}
	for _, v := range g.RealInputs() {
		inputs[v.Name] = v
	}
	for _, n := range suffix.Nodes {
		for _, in := range n.Inputs {
			if in == "" || in == tensor || g.Initializers[in] != nil {
				continue
			}
			if p := producers[in]; p == nil || inPrefix[p] && len(p.Inputs) > 0 {
				return nil, nil, fmt.Errorf("cannot cut at %q: node %q after it also reads %q from before it", tensor, n.Name, in)
			}
		}
	}
	cutValue := &Value{Name: tensor, DType: FloatType(g), Shape: shapes[tensor]}
	prefix.Outputs = []*Value{cutValue}
	suffix.Inputs = []*Value{cutValue}
	suffix.Outputs = slices.Clone(g.Outputs)
	for _, v := range g.RealInputs() {
		if reads(prefix.Nodes, v.Name) {
			prefix.Inputs = append(prefix.Inputs, v)
		}
	}
	prefix.shareInitializers(g)
	suffix.shareInitializers(g)
	return prefix, suffix, nil
}

// sub is an empty graph with g's model-level fields (opsets, producer, metadata).
func (g *Graph) sub(name string) *Graph {
	return &Graph{
		Name: g.Name + "." + name, Opset: g.Opset, OtherOpsets: g.OtherOpsets, Producer: g.Producer,
		ProducerVer: g.ProducerVer, IRVersion: g.IRVersion, Metadata: g.Metadata, MetaOrder: g.MetaOrder,
		Initializers: map[string]*Tensor{},
	}
}

// shareInitializers gives s, in g's order, the initializers of g its nodes read (the same tensors).
func (s *Graph) shareInitializers(g *Graph) {
	used := map[string]bool{}
	for _, n := range s.Nodes {
		for _, in := range n.Inputs {
			used[in] = true
		}
	}
	for _, name := range g.InitOrder {
		if t := g.Initializers[name]; t != nil && used[name] {
			s.Initializers[name] = t
			s.InitOrder = append(s.InitOrder, name)
		}
	}
}

func reads(nodes []*Node, tensor string) bool {
	for _, n := range nodes {
		if slices.Contains(n.Inputs, tensor) {
			return true
		}
	}
	return false
}

// Probe is a graph that computes the given tensors of g from g's inputs: the nodes they depend on, the
// inputs those read, and the tensors as its outputs (float, of unknown shape). Running it measures what
// shape inference cannot tell (see Graph.Measured).
func Probe(g *Graph, tensors []string) (*Graph, error) {
	producers := g.Producers()
	need := map[*Node]bool{}
	stack := slices.Clone(tensors)
	for _, t := range tensors {
		if producers[t] == nil {
			return nil, fmt.Errorf("cannot probe %q: no node produces it", t)
		}
	}
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p := producers[name]
		if p == nil || need[p] {
			continue
		}
		need[p] = true
		stack = append(stack, p.Inputs...)
	}
	probe := g.sub("probe")
	for _, n := range g.Nodes {
		if need[n] {
			probe.Nodes = append(probe.Nodes, n)
		}
	}
	for _, v := range g.RealInputs() {
		if reads(probe.Nodes, v.Name) {
			probe.Inputs = append(probe.Inputs, v)
		}
	}
	for _, t := range tensors {
		probe.Outputs = append(probe.Outputs, &Value{Name: t, DType: FloatType(g)})
	}
	probe.shareInitializers(g)
	return probe, nil
}
