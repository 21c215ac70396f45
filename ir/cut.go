package ir

import (
	"fmt"
	"maps"
	"slices"
)

// Cut splits g at tensor into a prefix, which computes tensor from the graph inputs, and a suffix,
// which computes the graph outputs from tensor. Both share g's initializer tensors (a change to a
// suffix parameter is a change to g's), neither keeps g's source protobuf (their inputs and outputs
// are not g's), and the suffix's input is named tensor, with its inferred shape.
//
// A suffix that reads another tensor of the prefix besides tensor (a skip connection across the cut) or
// a graph input cannot be cut there: the error says which (CutAcross hands such tensors on).
func Cut(g *Graph, tensor string) (prefix, suffix *Graph, err error) { return cut(g, tensor, false) }

// CutAcross is Cut for a suffix that also reads other activations of the prefix (a skip connection
// across the cut): each such tensor that is, like tensor, a float [batch, width] matrix becomes a further
// output of the prefix and input of the suffix, after tensor, in graph order. Anything else read across
// (a shape, a graph input) still cannot be cut.
func CutAcross(g *Graph, tensor string) (prefix, suffix *Graph, err error) {
	return cut(g, tensor, true)
}

func cut(g *Graph, tensor string, across bool) (prefix, suffix *Graph, err error) {
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
	cutValue := &Value{Name: tensor, DType: FloatType(g), Shape: shapes[tensor]}
	handed := []*Value{cutValue} // what the prefix hands the suffix
	for _, n := range suffix.Nodes {
		for _, in := range n.Inputs {
			if in == "" || in == tensor || g.Initializers[in] != nil || slices.ContainsFunc(handed, func(v *Value) bool { return v.Name == in }) {
				continue
			}
			if p := producers[in]; p == nil || inPrefix[p] && len(p.Inputs) > 0 {
				if across && p != nil && sameRows(shapes[in], shapes[tensor]) {
					handed = append(handed, &Value{Name: in, DType: FloatType(g), Shape: shapes[in]})
					continue
				}
				return nil, nil, fmt.Errorf("cannot cut at %q: node %q after it also reads %q from before it", tensor, n.Name, in)
			}
		}
	}
	prefix.Outputs = handed
	suffix.Inputs = slices.Clone(handed)
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

// sameRows reports whether s is a [batch, width] matrix with the batch dimension of cut, a [batch,
// width] matrix too, and a static width: an activation that can travel beside the cut tensor.
func sameRows(s, cut Shape) bool {
	return len(s) == 2 && len(cut) == 2 && s[1].IsStatic() && s[0] == cut[0]
}

// Widen makes a suffix with several inputs (see CutAcross) take one: their rows side by side, [batch,
// Σ width], which Slice nodes at its start take apart into the tensors its nodes read. A suffix with one
// input is returned as it is. It needs opset 10 or later (Slice with its bounds as inputs).
func Widen(suffix *Graph) (*Graph, error) {
	if len(suffix.Inputs) <= 1 {
		return suffix, nil
	}
	if suffix.Opset < 10 {
		return nil, fmt.Errorf("the activations handed across the cut are taken apart with Slice-10, and the model's opset is %d", suffix.Opset)
	}
	w := *suffix
	w.Initializers = maps.Clone(suffix.Initializers)
	w.InitOrder = slices.Clone(suffix.InitOrder)
	total := int64(0)
	for _, v := range suffix.Inputs {
		total += v.Shape[1].Value
	}
	wide := &Value{Name: WideInput, DType: suffix.Inputs[0].DType, Shape: Shape{suffix.Inputs[0].Shape[0], Fixed(total)}}
	w.Inputs = []*Value{wide}
	var slicers []*Node
	axis := WideInput + ".axis"
	w.Initializers[axis] = &Tensor{Name: axis, DType: Int64, Dims: []int64{1}, Int: []int64{1}}
	w.InitOrder = append(w.InitOrder, axis)
	at := int64(0)
	for k, v := range suffix.Inputs {
		lo, hi := fmt.Sprintf("%s.start%d", WideInput, k), fmt.Sprintf("%s.end%d", WideInput, k)
		w.Initializers[lo] = &Tensor{Name: lo, DType: Int64, Dims: []int64{1}, Int: []int64{at}}
		at += v.Shape[1].Value
		w.Initializers[hi] = &Tensor{Name: hi, DType: Int64, Dims: []int64{1}, Int: []int64{at}}
		w.InitOrder = append(w.InitOrder, lo, hi)
		slicers = append(slicers, &Node{Name: fmt.Sprintf("%s.slice%d", WideInput, k), OpType: "Slice",
			Inputs: []string{WideInput, lo, hi, axis}, Outputs: []string{v.Name}})
	}
	w.Nodes = append(slicers, suffix.Nodes...)
	return &w, nil
}

// WideInput is the name of a widened suffix's input (see Widen).
const WideInput = "fairbinn.cut"

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
