package lower

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// presentInput returns input i of a node when it is given (optional inputs may be omitted or named "").
func presentInput(in []operand, i int) (operand, bool) {
	if i >= len(in) || (in[i].node == nil && in[i].konst == nil) {
		return operand{}, false
	}
	return in[i], true
}

// lowerConv lowers Conv (opsets 7 to 21: Conv-1 and Conv-11 share one signature) to a kernelOp, because
// gorgonia's Conv2d pads symmetrically and has no groups, dilation-aware auto_pad or 1-D and 3-D forms.
func lowerConv(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	xo, okX := presentInput(in, 0)
	wo, okW := presentInput(in, 1)
	if !okX || !okW {
		return nil, fmt.Errorf("%w: Conv needs inputs X and W", ir.ErrShapeMismatch)
	}
	xs, ws := xo.shape(), wo.shape()
	if len(xs) < 3 || len(ws) != len(xs) {
		return nil, fmt.Errorf("%w: X has shape %v and W %v; want [N, C, spatial...] and [M, C/group, kernel...]", ir.ErrShapeMismatch, xs, ws)
	}
	group, err := n.AttrInt("group", 1)
	if err != nil {
		return nil, err
	}
	kernel := make([]int64, len(ws)-2)
	for i, d := range ws[2:] {
		kernel[i] = int64(d)
	}
	spec, err := ir.ParseWindow(n, len(xs)-2, kernel, false)
	if err != nil {
		return nil, err
	}
	win, err := geometry(spec, xs)
	if err != nil {
		return nil, err
	}
	g := &convGeom{window: *win, m: ws[0], group: int(group)}
	if group < 1 || g.c%g.group != 0 || g.m%g.group != 0 || ws[1]*g.group != g.c {
		return nil, fmt.Errorf("%w: group %d does not fit X channels %d and W shape %v", ir.ErrShapeMismatch, group, g.c, ws)
	}
	bo, hasBias := presentInput(in, 2)
	if hasBias {
		if bs := bo.shape(); len(bs) != 1 || bs[0] != g.m {
			return nil, fmt.Errorf("%w: bias has shape %v, want [%d]", ir.ErrShapeMismatch, bs, g.m)
		}
	}

	x, err := lc.asNode(xo)
	if err != nil {
		return nil, err
	}
	w, err := lc.asNode(wo)
	if err != nil {
		return nil, err
	}
	children := []*G.Node{x, w}
	if hasBias {
		b, err := lc.asNode(bo)
		if err != nil {
			return nil, err
		}
		children = append(children, b)
	}
	y, err := G.ApplyOp(convOp(g, xs, ws, hasBias), children...)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// convOp builds the kernelOp of a convolution with inputs X, W and, when hasBias, B.
func convOp(g *convGeom, xs, ws []int, hasBias bool) *kernelOp {
	name := fmt.Sprintf("Conv{%v m=%d group=%d bias=%t}", &g.window, g.m, g.group, hasBias)
	in := [][]int{xs, ws}
	if hasBias {
		in = append(in, []int{g.m})
	}
	out := g.outShape(g.m)
	return &kernelOp{
		name: name,
		in:   in,
		out:  out,
		do: func(v [][]float32, y []float32) {
			var b []float32
			if hasBias {
				b = v[2]
			}
			convForward(g, v[0], v[1], b, y)
		},
		diff: []bool{true, true, hasBias},
		grad: func(i int) *kernelOp {
			dy := len(in) // the output gradient follows the inputs
			switch i {
			case 0:
				return gradOp(name, in, out, i, func(v [][]float32, dx []float32) { convGradInput(g, v[1], v[dy], dx) })
			case 1:
				return gradOp(name, in, out, i, func(v [][]float32, dw []float32) { convGradWeight(g, v[0], v[dy], dw) })
			}
			return gradOp(name, in, out, i, func(v [][]float32, db []float32) { channelSums(g.n, g.m, g.outPlane(), v[dy], db) })
		},
	}
}
