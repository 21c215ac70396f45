package lower

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// lowerReduceMean averages over the given axes (the attribute before opset 18, input 1 from 18, known
// while building); none means every axis, or with noop_with_empty_axes (opset 18) none at all.
func lowerReduceMean(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 1, 2); err != nil {
		return nil, err
	}
	spec, err := ir.ReduceAttrs(n, lc.opset)
	if err != nil {
		return nil, err
	}
	axes := spec.Axes
	if spec.AxesInput {
		if axes, err = konstInts(in, 1, "axes"); err != nil {
			return nil, err
		}
	}
	shape := in[0].shape()
	reduced, err := ir.ReducedAxes(axes, len(shape), spec.NoopWithEmptyAxes)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(reduced, true) {
		return []operand{in[0]}, nil
	}
	if t := in[0].konst; in[0].node == nil && t.Float == nil {
		return nil, fmt.Errorf("%w: ReduceMean of a %s constant", ir.ErrUnsupportedOp, t.DType)
	}
	out := []int{}
	for i, d := range shape {
		switch {
		case !reduced[i]:
			out = append(out, d)
		case spec.KeepDims:
			out = append(out, 1)
		}
	}
	x, err := lc.asNode(in[0])
	if err != nil {
		return nil, err
	}
	y, err := reduceMeanNode(x, reduced, out)
	if err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// reduceMeanNode averages x over the axes marked in reduced (summing in float64), giving the shape out:
// x's shape with the reduced axes dropped or of size 1. Its gradient spreads dy/count back over each
// reduced group.
func reduceMeanNode(x *G.Node, reduced []bool, out []int) (*G.Node, error) {
	in := slices.Clone([]int(x.Shape()))
	kept := slices.Clone(in) // in with the reduced axes of size 1
	for i, r := range reduced {
		if r {
			kept[i] = 1
		}
	}
	if shapeSize(in) == 0 || shapeSize(kept) != shapeSize(out) {
		return nil, fmt.Errorf("%w: ReduceMean of %v over %v into %v", ir.ErrUnsupportedOp, in, reduced, out)
	}
	out = slices.Clone(out)
	dst := broadcastIndex(kept, in) // the output element each input element adds to
	scale := float64(shapeSize(kept)) / float64(shapeSize(in))
	name := fmt.Sprintf("ReduceMean%v%v->%v", in, reduced, out)
	op := &kernelOp{name: name, in: [][]int{in}, out: out, diff: []bool{true},
		do: func(v [][]float32, y []float32) {
			acc := make([]float64, len(y))
			for i, d := range dst {
				acc[d] += float64(v[0][i])
			}
			for j, s := range acc {
				y[j] = float32(s * scale)
			}
		},
		grad: func(i int) *kernelOp {
			return gradOp(name, [][]int{in}, out, i, func(v [][]float32, dx []float32) {
				dy := v[1]
				for j, d := range dst {
					dx[j] = float32(float64(dy[d]) * scale)
				}
			})
		}}
	return G.ApplyOp(op, x)
}
