package lower

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// The pooling ops lower to kernelOps: gorgonia's MaxPool2D pads symmetrically and has no ceil_mode,
// dilations, 1-D or 3-D forms, and it has no average pooling.

func lowerMaxPool(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if len(n.Outputs) > 1 && n.Outputs[1] != "" {
		return nil, fmt.Errorf("%w: MaxPool's Indices output", ir.ErrUnsupportedOp)
	}
	return lowerPool(lc, n, in, false)
}

func lowerAveragePool(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if lc.opset < 19 && n.HasAttr("dilations") {
		return nil, fmt.Errorf("%w: attribute \"dilations\" of AveragePool needs opset 19, the model has %d", ir.ErrBadAttribute, lc.opset)
	}
	return lowerPool(lc, n, in, true)
}

func lowerPool(lc *lowerCtx, n *ir.Node, in []operand, avg bool) ([]operand, error) {
	xo, ok := presentInput(in, 0)
	if !ok {
		return nil, fmt.Errorf("%w: %s needs input X", ir.ErrShapeMismatch, n.OpType)
	}
	xs := xo.shape()
	if len(xs) < 3 {
		return nil, fmt.Errorf("%w: X has shape %v, want [N, C, spatial...]", ir.ErrShapeMismatch, xs)
	}
	spec, err := ir.ParseWindow(n, len(xs)-2, nil, true)
	if err != nil {
		return nil, err
	}
	var incl int64
	if avg {
		if incl, err = n.AttrInt("count_include_pad", 0); err != nil {
			return nil, err
		}
	}
	win, err := geometry(spec, xs)
	if err != nil {
		return nil, err
	}
	win.countIncluded = incl != 0
	return applyPool(lc, xo, win, avg)
}

// lowerGlobalAveragePool is an AveragePool whose window is the whole spatial extent.
func lowerGlobalAveragePool(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	xo, ok := presentInput(in, 0)
	if !ok {
		return nil, fmt.Errorf("%w: GlobalAveragePool needs input X", ir.ErrShapeMismatch)
	}
	xs := xo.shape()
	if len(xs) < 3 {
		return nil, fmt.Errorf("%w: X has shape %v, want [N, C, spatial...]", ir.ErrShapeMismatch, xs)
	}
	rank := len(xs) - 2
	spec := ir.Window{AutoPad: "NOTSET", Pads: make([]int64, 2*rank)}
	for _, d := range xs[2:] {
		spec.Kernel = append(spec.Kernel, int64(d))
		spec.Strides = append(spec.Strides, 1)
		spec.Dilations = append(spec.Dilations, 1)
	}
	win, err := geometry(spec, xs)
	if err != nil {
		return nil, err
	}
	return applyPool(lc, xo, win, true)
}

func applyPool(lc *lowerCtx, xo operand, win *window, avg bool) ([]operand, error) {
	x, err := lc.asNode(xo)
	if err != nil {
		return nil, err
	}
	y, err := G.ApplyOp(poolOp(win, avg), x)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

func poolOp(w *window, avg bool) *kernelOp {
	xs := append([]int{w.n, w.c}, w.in[maxSpatial-w.rank:]...)
	in, out := [][]int{xs}, w.outShape(w.c)
	if avg {
		name := fmt.Sprintf("AveragePool{%v}", w)
		return &kernelOp{
			name: name, in: in, out: out,
			do:   func(v [][]float32, y []float32) { avgPoolForward(w, v[0], y) },
			diff: []bool{true},
			grad: func(i int) *kernelOp {
				return gradOp(name, in, out, i, func(v [][]float32, dx []float32) { avgPoolGrad(w, v[1], dx) })
			},
		}
	}
	name := fmt.Sprintf("MaxPool{%v}", w)
	return &kernelOp{
		name: name, in: in, out: out,
		do:   func(v [][]float32, y []float32) { maxPoolForward(w, v[0], y) },
		diff: []bool{true},
		grad: func(i int) *kernelOp {
			return gradOp(name, in, out, i, func(v [][]float32, dx []float32) { maxPoolGrad(w, v[0], v[1], dx) })
		},
	}
}
