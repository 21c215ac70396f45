package lower

import (
	"encoding/hex"
	"fmt"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	fblas "github.com/fairbinn/fairbinn-go/internal/blas"
	"github.com/fairbinn/fairbinn-go/ir"
)

// Elementwise kernelOps for the ops gorgonia has no node for (Erf, and the kinks of Clip and Where,
// which an expression of differentiable primitives would only approximate: lo + relu(x − lo) loses x
// next to a large bound). Each computes in float64 and writes fresh memory.

// unaryKernel applies f to each element of x. Its gradient is dy ⊙ df(x). name identifies the function
// and every parameter it captures (gorgonia merges ops by name and shapes).
func unaryKernel(x *G.Node, name string, f, df func(float64) float64) (*G.Node, error) {
	shape := slices.Clone([]int(x.Shape()))
	if shapeSize(shape) == 0 {
		return nil, fmt.Errorf("%w: %s of the empty shape %v", ir.ErrUnsupportedOp, name, shape)
	}
	op := &kernelOp{name: name, in: [][]int{shape}, out: shape, diff: []bool{true},
		do: func(in [][]float32, y []float32) {
			for i, v := range in[0] {
				y[i] = float32(f(float64(v)))
			}
		},
		grad: func(i int) *kernelOp {
			return gradOp(name, [][]int{shape}, shape, i, func(in [][]float32, dx []float32) {
				x, dy := in[0], in[1]
				for j := range dx {
					dx[j] = float32(float64(dy[j]) * df(float64(x[j])))
				}
			})
		}}
	return G.ApplyOp(op, x)
}

// reluNode computes Relu as gorgonia's Rectify does, x ⊙ (x ≥ 0), but as one kernel: one pass without
// the mask tensor, and a gradient (x ≥ 0) ⊙ dy in one pass too. The numbers are Rectify's, bit for bit
// (x where x ≥ 0, −0 for a negative x, NaN for −∞ and NaN). Other than float32 tensors (a scalar, an
// empty tensor) go to Rectify.
func reluNode(x *G.Node) (*G.Node, error) {
	shape := slices.Clone([]int(x.Shape()))
	if x.Dtype() != tensor.Float32 || len(shape) == 0 || shapeSize(shape) == 0 {
		return G.Rectify(x)
	}
	op := &kernelOp{name: "Relu", in: [][]int{shape}, out: shape, diff: []bool{true}, fills: true,
		do: func(in [][]float32, y []float32) { fblas.Relu(y, in[0]) },
		grad: func(i int) *kernelOp {
			return filling(gradOp("Relu", [][]int{shape}, shape, i, func(in [][]float32, dx []float32) {
				fblas.ReluGrad(dx, in[0], in[1])
			}))
		}}
	return G.ApplyOp(op, x)
}

// erfNode computes the error function; its derivative is 2/√π · exp(−x²).
func erfNode(x *G.Node) (*G.Node, error) {
	return unaryKernel(x, "Erf", math.Erf, func(v float64) float64 {
		return 2 / math.Sqrt(math.Pi) * math.Exp(-v*v)
	})
}

// clipNode limits x to [lo, hi] as min(max(x, lo), hi), so hi wins when lo > hi and NaN passes. A
// bound given as a node (a trainable initializer) replaces lo or hi and gets a gradient too. The gradient
// passes to x where lo ≤ x ≤ hi (as PyTorch's clamp does), to lo where x < lo ≤ hi, and to hi where
// max(x, lo) > hi.
func clipNode(x *G.Node, lo, hi float32, bounds [2]*G.Node) (*G.Node, error) {
	shape := slices.Clone([]int(x.Shape()))
	if shapeSize(shape) == 0 {
		return nil, fmt.Errorf("%w: Clip of the empty shape %v", ir.ErrUnsupportedOp, shape)
	}
	in := [][]int{shape}
	children := []*G.Node{x}
	at := [2]int{-1, -1} // the input holding each bound
	for i, b := range bounds {
		if b == nil {
			continue
		}
		if s := []int(b.Shape()); shapeSize(s) != 1 {
			return nil, fmt.Errorf("%w: Clip bound of shape %v, want a single value", ir.ErrShapeMismatch, s)
		}
		at[i] = len(in)
		in = append(in, slices.Clone([]int(b.Shape())))
		children = append(children, b)
	}
	name := fmt.Sprintf("Clip[%g,%g;%v]", lo, hi, at)
	limits := func(v [][]float32) (float64, float64) {
		l, h := float64(lo), float64(hi)
		if at[0] > 0 {
			l = float64(v[at[0]][0])
		}
		if at[1] > 0 {
			h = float64(v[at[1]][0])
		}
		return l, h
	}
	diff := make([]bool, len(in))
	for i := range diff {
		diff[i] = true
	}
	op := &kernelOp{name: name, in: in, out: shape, diff: diff,
		do: func(v [][]float32, y []float32) {
			l, h := limits(v)
			for i, e := range v[0] {
				y[i] = float32(clampFloat(float64(e), l, h))
			}
		},
		grad: func(i int) *kernelOp {
			return gradOp(name, in, shape, i, func(v [][]float32, d []float32) {
				l, h := limits(v)
				dy := v[len(in)]
				var sum float64
				for j, e := range v[0] {
					x := float64(e)
					switch {
					case i == 0 && x >= l && max(x, l) <= h:
						d[j] = dy[j]
					case i == 0:
						d[j] = 0
					case i == at[0] && x < l && l <= h, i == at[1] && max(x, l) > h:
						sum += float64(dy[j])
					}
				}
				if i > 0 {
					d[0] = float32(sum)
				}
			})
		}}
	return G.ApplyOp(op, children...)
}

func clampFloat(v, lo, hi float64) float64 {
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	return v
}

// whereNode selects x where cond is true and y elsewhere; x and y have the output shape, and cond, of
// shape condShape, broadcasts to it. The gradient goes to x where cond holds and to y elsewhere.
func whereNode(cond []bool, condShape []int, x, y *G.Node) (*G.Node, error) {
	out := slices.Clone([]int(x.Shape()))
	if !slices.Equal(out, []int(y.Shape())) || shapeSize(out) == 0 {
		return nil, fmt.Errorf("%w: Where of shapes %v and %v", ir.ErrShapeMismatch, out, []int(y.Shape()))
	}
	idx := broadcastIndex(condShape, out)
	pick := make([]bool, len(idx))
	for i, j := range idx {
		pick[i] = cond[j]
	}
	bits := make([]byte, (len(cond)+7)/8)
	for i, c := range cond {
		if c {
			bits[i/8] |= 1 << (i % 8)
		}
	}
	name := fmt.Sprintf("Where%v[%s]", condShape, hex.EncodeToString(bits))
	in := [][]int{out, out}
	op := &kernelOp{name: name, in: in, out: out, diff: []bool{true, true},
		do: func(v [][]float32, r []float32) {
			for i, c := range pick {
				if c {
					r[i] = v[0][i]
				} else {
					r[i] = v[1][i]
				}
			}
		},
		grad: func(i int) *kernelOp {
			return gradOp(name, in, out, i, func(v [][]float32, d []float32) {
				dy := v[2]
				for j, c := range pick {
					if c == (i == 0) {
						d[j] = dy[j]
					} else {
						d[j] = 0
					}
				}
			})
		}}
	return G.ApplyOp(op, x, y)
}
