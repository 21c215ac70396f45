package lower

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// lowerPad lowers Pad to a kernelOp: from opset 11 pads, constant_value and (from opset 18) axes are
// inputs, before they are the attributes pads and value (Pad-2). pads and axes must be known when the
// graph is built, since they set the output shape. All modes are supported: constant, edge, reflect and
// (opset 19) wrap. Negative pads crop.
func lowerPad(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	mode, err := n.AttrString("mode", "constant")
	if err != nil {
		return nil, err
	}
	switch {
	case mode == "constant" || mode == "edge" || mode == "reflect":
	case mode == "wrap" && lc.opset >= 19:
	default:
		return nil, fmt.Errorf("%w: attribute \"mode\": %q at opset %d", ir.ErrBadAttribute, mode, lc.opset)
	}
	xo, ok := presentInput(in, 0)
	if !ok {
		return nil, fmt.Errorf("%w: Pad needs input data", ir.ErrShapeMismatch)
	}
	xs := xo.shape()
	rank := len(xs)
	var pads, axes []int64
	var attrValue float32
	if lc.opset < 11 {
		if pads, attrValue, err = ir.PadAttrs(n); err != nil {
			return nil, err
		}
	} else {
		if pads, err = konstInts(in, 1, "pads"); err != nil {
			return nil, err
		}
		if pads == nil {
			return nil, fmt.Errorf("%w: Pad needs input pads", ir.ErrShapeMismatch)
		}
		if axes, err = konstInts(in, 3, "axes"); err != nil {
			return nil, err
		}
	}
	padded, err := ir.PadAxes(axes, rank, len(pads))
	if err != nil {
		return nil, err
	}
	g := &padGeom{mode: mode, in: xs, out: make([]int, rank), padB: make([]int, rank), padE: make([]int, rank)}
	for i, a := range padded {
		g.padB[a], g.padE[a] = int(pads[i]), int(pads[len(padded)+i])
	}
	for a := range rank {
		g.out[a] = xs[a] + g.padB[a] + g.padE[a]
		if g.out[a] < 1 {
			return nil, fmt.Errorf("%w: axis %d of size %d padded by %d and %d is empty", ir.ErrUnsupportedOp, a, xs[a], g.padB[a], g.padE[a])
		}
		if g.padB[a] <= 0 && g.padE[a] <= 0 {
			continue
		}
		if (mode == "reflect" && max(g.padB[a], g.padE[a]) >= xs[a]) || (mode != "constant" && xs[a] == 0) {
			return nil, fmt.Errorf("%w: %s padding of %d and %d on axis %d of size %d", ir.ErrShapeMismatch, mode, g.padB[a], g.padE[a], a, xs[a])
		}
	}
	value := attrValue
	vo, hasValue := presentInput(in, 2)
	hasValue = hasValue && lc.opset >= 11
	if hasValue {
		if s := vo.shape(); nchwElems(s) != 1 {
			return nil, fmt.Errorf("%w: constant_value has shape %v, want a single value", ir.ErrShapeMismatch, s)
		}
		if vo.node == nil {
			switch t := vo.konst; {
			case len(t.Float) == 1:
				value = t.Float[0]
			case len(t.Int) == 1:
				value = float32(t.Int[0])
			default:
				return nil, fmt.Errorf("%w: constant_value of type %s", ir.ErrUnsupportedOp, t.DType)
			}
			hasValue = false // a known value is built into the op
		}
	}

	x, err := lc.asNode(xo)
	if err != nil {
		return nil, err
	}
	children := []*G.Node{x}
	if hasValue {
		children = append(children, vo.node)
	}
	y, err := G.ApplyOp(padOp(g, value, children), children...)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// konstInts returns the integer data of optional input i, nil when it is omitted; it must be known while
// the graph is built.
func konstInts(in []operand, i int, name string) ([]int64, error) {
	o, ok := presentInput(in, i)
	if !ok {
		return nil, nil
	}
	if o.konst == nil || (o.konst.Int == nil && o.konst.Len() > 0) {
		return nil, fmt.Errorf("%w: input %s must be an integer tensor known when the graph is built", ir.ErrUnsupportedOp, name)
	}
	if o.konst.Int == nil {
		return []int64{}, nil
	}
	return o.konst.Int, nil
}

// padOp builds the kernelOp of Pad; the constant comes from a second input when children has two nodes,
// else it is value.
func padOp(g *padGeom, value float32, children []*G.Node) *kernelOp {
	in := [][]int{g.in}
	if len(children) == 2 {
		in = append(in, append([]int{}, children[1].Shape()...))
	}
	name := fmt.Sprintf("Pad{%s pads=%v/%v value=%#x inputs=%d}", g.mode, g.padB, g.padE, math.Float32bits(value), len(in))
	return &kernelOp{
		name: name, in: in, out: g.out,
		do: func(v [][]float32, y []float32) {
			c := value
			if len(v) == 2 {
				c = v[1][0]
			}
			padForward(g, v[0], c, y)
		},
		diff: []bool{true, len(in) == 2},
		grad: func(i int) *kernelOp {
			dy := len(in)
			if i == 0 {
				return gradOp(name, in, g.out, i, func(v [][]float32, dx []float32) { padGradInput(g, v[dy], dx) })
			}
			return gradOp(name, in, g.out, i, func(v [][]float32, dc []float32) { dc[0] = padGradValue(g, v[dy]) })
		},
	}
}
