package lower

import "github.com/fairbinn/fairbinn-go/ir"
import "fmt"

// InferShapes returns the shape of every float tensor the Go forward pass computes, by lowering the graph
// for two different batch sizes: a dim that follows the batch size is the symbolic batch dim, a dim that
// stays put is static. Lowering already checks every op's shapes, so this reuses that work instead of a
// second set of per-op rules that could disagree with it.
func InferShapes(g *ir.Graph) (map[string]ir.Shape, error) {
	batchName := ""
	for _, v := range g.RealInputs() {
		for _, d := range v.Shape {
			if d.Param != "" && batchName == "" {
				batchName = d.Param
			}
		}
	}
	const b1, b2 = 2, 3
	l1, err := Lower(g, Options{Batch: b1})
	if err != nil {
		return nil, err
	}
	l2 := l1
	if batchName != "" {
		if l2, err = Lower(g, Options{Batch: b2}); err != nil {
			return nil, err
		}
	}
	out := map[string]ir.Shape{}
	for name, n1 := range l1.Values {
		n2, ok := l2.Values[name]
		if !ok {
			continue
		}
		s1, s2 := n1.Shape(), n2.Shape()
		if len(s1) != len(s2) {
			return nil, fmt.Errorf("tensor %q changes rank with the batch size", name)
		}
		shape := make(ir.Shape, len(s1))
		for i := range s1 {
			switch {
			case s1[i] == s2[i]:
				shape[i] = ir.Fixed(int64(s1[i]))
			case s1[i] == b1 && s2[i] == b2:
				shape[i] = ir.Symbolic(batchName)
			default:
				shape[i] = ir.Dim{} // depends on the batch size in another way
			}
		}
		out[name] = shape
	}
	return out, nil
}
