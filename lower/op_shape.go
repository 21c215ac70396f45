package lower

import (
	"fmt"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/ir"
)

// Data-movement ops (reshape, broadcast, gather, concat) and softmax, as kernelOps that always write
// fresh memory. gorgonia's own versions hand out memory shared with their input (G.Reshape returns a
// shallow clone, G.Slice a view, Concat's gradient views of the output gradient, Broadcast reshapes its
// operand), while the tape machine treats the two values as independent registers: it computes later ops
// in place in one of them, or reuses one's memory for another value, while the other is still needed.
// That silently corrupts forward values, gradients, and even parameters (a softmax, then a division
// and a subtraction by a broadcast tensor, gave wrong gradients).

// reshapeNode reshapes n, or returns it unchanged when it already has the shape.
func reshapeNode(n *G.Node, shape []int) (*G.Node, error) {
	from := []int(n.Shape())
	if slices.Equal(from, shape) && n.IsScalar() == (len(shape) == 0) {
		return n, nil
	}
	if n.IsScalar() || len(shape) == 0 {
		// ONNX rank-0 tensors only meet reshapes in shape arithmetic, which is folded as constants.
		return nil, fmt.Errorf("%w: reshaping between rank 0 and %v", ir.ErrUnsupportedOp, shape)
	}
	if shapeSize(from) != shapeSize(shape) {
		return nil, fmt.Errorf("%w: cannot reshape %v to %v", ir.ErrShapeMismatch, from, shape)
	}
	if shapeSize(shape) == 0 {
		// No elements, so no memory to share; the kernels cannot read an empty gorgonia value.
		return G.Reshape(n, tensor.Shape(slices.Clone(shape)))
	}
	to := slices.Clone(shape)
	name := fmt.Sprintf("Reshape%v", to)
	copyIn := func(in [][]float32, out []float32) { copy(out, in[0]) }
	op := &kernelOp{name: name, in: [][]int{slices.Clone(from)}, out: to, do: copyIn, diff: []bool{true},
		grad: func(i int) *kernelOp {
			return gradOp(name, [][]int{slices.Clone(from)}, to, i, func(in [][]float32, out []float32) { copy(out, in[1]) })
		}}
	return G.ApplyOp(op, n)
}

// expandNode repeats x along its dims of size 1 (after prepending ones to the output's rank) to shape to.
// Its gradient sums over the repeated dims.
func expandNode(x *G.Node, to []int) (*G.Node, error) {
	from := []int(x.Shape())
	if slices.Equal(from, to) {
		return x, nil
	}
	if len(from) > len(to) {
		return nil, fmt.Errorf("%w: cannot expand %v to %v", ir.ErrShapeMismatch, from, to)
	}
	if shapeSize(to) == 0 {
		return nil, fmt.Errorf("%w: broadcasting to the empty shape %v", ir.ErrUnsupportedOp, to)
	}
	padded := padOnes(from, len(to))
	strides := make([]int, len(to))
	s := 1
	for i := len(to) - 1; i >= 0; i-- {
		switch {
		case padded[i] == to[i]:
			strides[i] = s
		case padded[i] == 1:
			strides[i] = 0
		default:
			return nil, fmt.Errorf("%w: cannot expand %v to %v", ir.ErrShapeMismatch, from, to)
		}
		s *= padded[i]
	}
	out := slices.Clone(to)
	name := fmt.Sprintf("Expand%v->%v", from, out)
	op := &kernelOp{name: name, in: [][]int{slices.Clone(from)}, out: out, diff: []bool{true},
		do: func(in [][]float32, o []float32) {
			walkBroadcast(out, strides, func(oi, ii, n int, repeat bool) {
				if repeat {
					for k := range n {
						o[oi+k] = in[0][ii]
					}
					return
				}
				copy(o[oi:oi+n], in[0][ii:ii+n])
			})
		},
		grad: func(i int) *kernelOp {
			return gradOp(name, [][]int{slices.Clone(from)}, out, i, func(in [][]float32, d []float32) {
				clear(d)
				dy := in[1]
				walkBroadcast(out, strides, func(oi, ii, n int, repeat bool) {
					if repeat {
						for k := range n {
							d[ii] += dy[oi+k]
						}
						return
					}
					for k := range n {
						d[ii+k] += dy[oi+k]
					}
				})
			})
		}}
	return G.ApplyOp(op, x)
}

// walkBroadcast visits a tensor of shape out in row-major order, one run along the last dim at a time:
// f gets the run's offset in the output, the offset in the input whose strides are given (0 along
// repeated dims), the run's length, and whether the input repeats one element along the run.
func walkBroadcast(out, strides []int, f func(oi, ii, n int, repeat bool)) {
	if len(out) == 0 {
		f(0, 0, 1, true)
		return
	}
	last := len(out) - 1
	oi := 0
	var rec func(d, ii int)
	rec = func(d, ii int) {
		if d == last {
			f(oi, ii, out[last], strides[last] == 0)
			oi += out[last]
			return
		}
		for k := range out[d] {
			rec(d+1, ii+k*strides[d])
		}
	}
	rec(0, 0)
}

// softmaxNode computes exp(x − max) / Σ exp(x − max) over the middle dim of x viewed as [pre, n, post],
// in float64 inside, returning x's shape. Its gradient is y ⊙ (dy − Σ dy ⊙ y) over the same dim.
//
// G.SoftMax is not used: for float32 along the last axis it starts each row's max from the first element
// of the whole tensor instead of the row (gorgonia.org/tensor v0.9.23 softMaxLastDimF32), so a row whose
// own first element is a large max overflows to NaN.
func softmaxNode(x *G.Node, pre, n, post int) (*G.Node, error) {
	shape := slices.Clone([]int(x.Shape()))
	name := fmt.Sprintf("Softmax[%d,%d,%d]", pre, n, post)
	forward := func(in [][]float32, y []float32) { softmaxRows(in[0], y, pre, n, post) }
	op := &kernelOp{name: name, in: [][]int{shape}, out: shape, do: forward, diff: []bool{true},
		grad: func(i int) *kernelOp {
			return gradOp(name, [][]int{shape}, shape, i, func(in [][]float32, dx []float32) {
				y := make([]float32, len(dx))
				softmaxRows(in[0], y, pre, n, post)
				dy := in[1]
				for p := range pre {
					for q := range post {
						base := p*n*post + q
						var dot float64
						for j := range n {
							k := base + j*post
							dot += float64(dy[k]) * float64(y[k])
						}
						for j := range n {
							k := base + j*post
							dx[k] = float32(float64(y[k]) * (float64(dy[k]) - dot))
						}
					}
				}
			})
		}}
	return G.ApplyOp(op, x)
}

func softmaxRows(x, y []float32, pre, n, post int) {
	for p := range pre {
		for q := range post {
			base := p*n*post + q
			m := math.Inf(-1)
			for j := range n {
				m = math.Max(m, float64(x[base+j*post]))
			}
			var sum float64
			for j := range n {
				e := math.Exp(float64(x[base+j*post]) - m)
				y[base+j*post] = float32(e)
				sum += e
			}
			for j := range n {
				y[base+j*post] = float32(float64(y[base+j*post]) / sum)
			}
		}
	}
}

// gatherNode takes the slices pos of the middle dim of x viewed as [pre, dim, post], giving
// [pre, len(pos), post] data in the given shape. Its gradient adds dy's slices back at their positions.
func gatherNode(x *G.Node, pre, dim, post int, pos []int, shape []int) (*G.Node, error) {
	in := slices.Clone([]int(x.Shape()))
	out := slices.Clone(shape)
	if shapeSize(in) != pre*dim*post || shapeSize(out) != pre*len(pos)*post || shapeSize(out) == 0 {
		return nil, fmt.Errorf("%w: gather of %d slices of %v into %v", ir.ErrShapeMismatch, len(pos), in, out)
	}
	pos = slices.Clone(pos)
	name := fmt.Sprintf("Gather[%d,%d,%d]%v->%v", pre, dim, post, pos, out)
	op := &kernelOp{name: name, in: [][]int{in}, out: out, diff: []bool{true},
		do: func(src [][]float32, dst []float32) {
			for p := range pre {
				for j, k := range pos {
					copy(dst[(p*len(pos)+j)*post:][:post], src[0][(p*dim+k)*post:][:post])
				}
			}
		},
		grad: func(i int) *kernelOp {
			return gradOp(name, [][]int{in}, out, i, func(src [][]float32, dx []float32) {
				clear(dx)
				dy := src[1]
				for p := range pre {
					for j, k := range pos {
						row, g := dx[(p*dim+k)*post:][:post], dy[(p*len(pos)+j)*post:][:post]
						for q := range row {
							row[q] += g[q]
						}
					}
				}
			})
		}}
	return G.ApplyOp(op, x)
}

// concatNodes concatenates along axis. Its gradient for each input is that input's part of dy.
func concatNodes(xs []*G.Node, axis int) (*G.Node, error) {
	ins := make([][]int, len(xs))
	sizes := make([]int, len(xs)) // each input's elements per outer index
	for i, x := range xs {
		ins[i] = slices.Clone([]int(x.Shape()))
		sizes[i] = shapeSize(ins[i][axis:])
	}
	out := slices.Clone(ins[0])
	out[axis] = 0
	for _, s := range ins {
		out[axis] += s[axis]
	}
	outer, total := shapeSize(out[:axis]), shapeSize(out[axis:])
	name := fmt.Sprintf("Concat(%d)%v", axis, ins)
	diff := make([]bool, len(xs))
	for i := range diff {
		diff[i] = true
	}
	op := &kernelOp{name: name, in: ins, out: out, diff: diff,
		do: func(src [][]float32, dst []float32) {
			for p := range outer {
				off := p * total
				for i, s := range src {
					off += copy(dst[off:off+sizes[i]], s[p*sizes[i]:(p+1)*sizes[i]])
				}
			}
		},
		grad: func(i int) *kernelOp {
			start := 0
			for _, s := range sizes[:i] {
				start += s
			}
			return gradOp(name, ins, out, i, func(src [][]float32, dx []float32) {
				dy := src[len(src)-1]
				for p := range outer {
					copy(dx[p*sizes[i]:(p+1)*sizes[i]], dy[p*total+start:])
				}
			})
		}}
	return G.ApplyOp(op, xs...)
}

// pickNode takes the elements of x at the flat indices src, giving a tensor of the given shape (a Slice).
// name identifies the selection. Its gradient adds dy back at the picked positions.
func pickNode(x *G.Node, name string, src []int, shape []int) (*G.Node, error) {
	in := slices.Clone([]int(x.Shape()))
	out := slices.Clone(shape)
	if len(src) != shapeSize(out) || len(src) == 0 {
		return nil, fmt.Errorf("%w: pick of %d elements of %v into %v", ir.ErrShapeMismatch, len(src), in, out)
	}
	src = slices.Clone(src)
	name = fmt.Sprintf("%s->%v", name, out)
	op := &kernelOp{name: name, in: [][]int{in}, out: out, diff: []bool{true},
		do: func(v [][]float32, dst []float32) {
			for i, j := range src {
				dst[i] = v[0][j]
			}
		},
		grad: func(i int) *kernelOp {
			return gradOp(name, [][]int{in}, out, i, func(v [][]float32, dx []float32) {
				clear(dx)
				dy := v[1]
				for k, j := range src {
					dx[j] += dy[k]
				}
			})
		}}
	return G.ApplyOp(op, x)
}
