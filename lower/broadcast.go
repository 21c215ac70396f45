package lower

import (
	"fmt"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/ir"
)

// Numpy-style multidirectional broadcasting (ONNX's Add, Sub, Mul, Div, Pow, Gemm's C), both for gorgonia
// nodes and for constants folded while the graph is built.

// broadcastShapes returns the shape that numpy broadcasting gives two shapes.
func broadcastShapes(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	pa, pb := padOnes(a, n), padOnes(b, n)
	out := make([]int, n)
	for i := range out {
		switch {
		case pa[i] == pb[i]:
			out[i] = pa[i]
		case pa[i] == 1:
			out[i] = pb[i]
		case pb[i] == 1:
			out[i] = pa[i]
		default:
			return nil, fmt.Errorf("%w: shapes %v and %v do not broadcast", ir.ErrShapeMismatch, a, b)
		}
	}
	return out, nil
}

// padOnes prepends ones to s up to rank n.
func padOnes(s []int, n int) []int {
	out := make([]int, n)
	k := n - len(s)
	for i := range k {
		out[i] = 1
	}
	copy(out[k:], s)
	return out
}

func shapeSize(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// binKind is one of the arithmetic ops.
type binKind int

const (
	binAdd binKind = iota
	binSub
	binMul
	binDiv
	binPow
)

// binFuncs holds how one arithmetic op is built on operands of equal shapes (or a scalar and a tensor),
// and how it is folded in Go.
type binFuncs struct {
	name string
	same func(a, b *G.Node) (*G.Node, error)
	f32  func(a, b float32) float32
	i64  func(a, b int64) (int64, error)
}

var binOps = [...]binFuncs{
	binAdd: {"Add", G.Add,
		func(a, b float32) float32 { return a + b },
		func(a, b int64) (int64, error) { return a + b, nil }},
	binSub: {"Sub", G.Sub,
		func(a, b float32) float32 { return a - b },
		func(a, b int64) (int64, error) { return a - b, nil }},
	// G.Mul is a matrix product on matrices; the elementwise product is HadamardProd.
	binMul: {"Mul", G.HadamardProd,
		func(a, b float32) float32 { return a * b },
		func(a, b int64) (int64, error) { return a * b, nil }},
	binDiv: {"Div", G.HadamardDiv,
		func(a, b float32) float32 { return a / b },
		func(a, b int64) (int64, error) {
			if b == 0 {
				return 0, fmt.Errorf("integer division by zero")
			}
			return a / b, nil // Go truncates toward zero, as onnxruntime's C++ does
		}},
	// G.Pow's gradient: y·x^(y−1) for the base, x^y·ln x for the exponent.
	binPow: {"Pow", G.Pow,
		func(a, b float32) float32 { return float32(math.Pow(float64(a), float64(b))) },
		func(a, b int64) (int64, error) {
			if b < 0 {
				return 0, fmt.Errorf("integer power with the negative exponent %d", b)
			}
			r := int64(1)
			for ; b > 0; b >>= 1 { // by squaring, wrapping around as int64 does
				if b&1 == 1 {
					r *= a
				}
				a *= a
			}
			return r, nil
		}},
}

// broadcastNodes applies an arithmetic op to two nodes with numpy broadcasting: each operand is
// expanded to the result's shape (expandNode, whose gradient sums over the repeated dims), then the
// elementwise op applies.
func broadcastNodes(k binKind, a, b *G.Node) (*G.Node, error) {
	f := binOps[k]
	// gorgonia applies an op between a scalar and a tensor elementwise, which is what broadcasting a
	// rank-0 tensor means.
	if a.IsScalar() || b.IsScalar() {
		return f.same(a, b)
	}
	sa, sb := []int(a.Shape()), []int(b.Shape())
	if slices.Equal(sa, sb) {
		return f.same(a, b)
	}
	out, err := broadcastShapes(sa, sb)
	if err != nil {
		return nil, err
	}
	if a, err = expandNode(a, out); err != nil {
		return nil, err
	}
	if b, err = expandNode(b, out); err != nil {
		return nil, err
	}
	return f.same(a, b)
}

// foldBinary computes an arithmetic op on two constants in Go, with broadcasting. Integers wrap around
// at the width of their element type, as they do in onnxruntime.
func foldBinary(k binKind, a, b *ir.Tensor) (*ir.Tensor, error) {
	f := binOps[k]
	outDims, err := broadcastShapes(intDims(a.Dims), intDims(b.Dims))
	if err != nil {
		return nil, err
	}
	ia, ib := broadcastIndex(intDims(a.Dims), outDims), broadcastIndex(intDims(b.Dims), outDims)
	out := &ir.Tensor{Name: a.Name, DType: a.DType, Dims: int64Dims(outDims)}
	switch {
	case isFloatType(a.DType) && isFloatType(b.DType) && a.Float != nil && b.Float != nil:
		out.DType = ir.Float32
		out.Float = make([]float32, len(ia))
		for i := range out.Float {
			out.Float[i] = f.f32(a.Float[ia[i]], b.Float[ib[i]])
		}
	case a.DType == b.DType && isIntType(a.DType) && a.Int != nil && b.Int != nil:
		out.Int = make([]int64, len(ia))
		for i := range out.Int {
			v, err := f.i64(a.Int[ia[i]], b.Int[ib[i]])
			if err != nil {
				return nil, err
			}
			out.Int[i] = wrapInt(v, a.DType)
		}
	default:
		return nil, fmt.Errorf("%w: %s of %s and %s constants", ir.ErrUnsupportedOp, f.name, a.DType, b.DType)
	}
	return out, nil
}

// broadcastIndex returns, for each element of a tensor of shape out in row-major order, the index of the
// element of a tensor of shape in that broadcasting maps to it.
func broadcastIndex(in, out []int) []int {
	in = padOnes(in, len(out))
	strides := make([]int, len(in))
	s := 1
	for i := len(in) - 1; i >= 0; i-- {
		if in[i] != 1 {
			strides[i] = s
		}
		s *= in[i]
	}
	idx := make([]int, shapeSize(out))
	coord := make([]int, len(out))
	for i := range idx {
		off := 0
		for d, c := range coord {
			off += c * strides[d]
		}
		idx[i] = off
		for d := len(coord) - 1; d >= 0; d-- {
			if coord[d]++; coord[d] < out[d] {
				break
			}
			coord[d] = 0
		}
	}
	return idx
}

func isFloatType(d ir.DType) bool { return d == ir.Float32 || d == ir.Float64 }

func isIntType(d ir.DType) bool {
	return d == ir.Int64 || d == ir.Int32 || d == ir.Int8 || d == ir.Uint8
}

// wrapInt truncates v to the width of an integer element type.
func wrapInt(v int64, d ir.DType) int64 {
	switch d {
	case ir.Int32:
		return int64(int32(v))
	case ir.Int8:
		return int64(int8(v))
	case ir.Uint8:
		return int64(uint8(v))
	}
	return v
}

func int64Dims(d []int) []int64 {
	out := make([]int64, len(d))
	for i, v := range d {
		out[i] = int64(v)
	}
	return out
}

// scalarNode makes a float32 scalar constant node (a factor such as Gemm's alpha).
func (lc *lowerCtx) scalarNode(v float32, name string) *G.Node {
	return lc.constNode([]float32{v}, nil, name)
}
