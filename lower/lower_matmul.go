package lower

import (
	"fmt"
	"github.com/fairbinn/fairbinn-go/ir"
	"slices"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"

	// Every product gorgonia computes, here and in the ops it builds, runs on the project's BLAS
	// (OpenBLAS's Sgemm in cgo builds): the package points gorgonia at it when loaded.
	fblas "github.com/fairbinn/fairbinn-go/internal/blas"
)

// lowerGemm builds Y = alpha·A'·B' + beta·C, C unidirectionally broadcast to [M, N] (optional from
// Gemm-11, required by Gemm-7 and Gemm-9). A transposed B is read through the product's transpose flag
// from the parameter node itself, so a weight kept in ONNX's [out, in] layout stays the trainable node
// that training updates and export writes back.
func lowerGemm(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 3); err != nil {
		return nil, err
	}
	attrs, err := ir.GemmAttrs(n)
	if err != nil {
		return nil, err
	}
	alpha, beta, transA, transB := attrs.Alpha, attrs.Beta, attrs.TransA, attrs.TransB
	sa, sb := in[0].shape(), in[1].shape()
	if len(sa) != 2 || len(sb) != 2 {
		return nil, fmt.Errorf("%w: Gemm wants 2-D A and B, got %v and %v", ir.ErrShapeMismatch, sa, sb)
	}
	m, k := sa[0], sa[1]
	if transA {
		m, k = k, m
	}
	kb, nn := sb[0], sb[1]
	if transB {
		kb, nn = nn, kb
	}
	if k != kb {
		return nil, fmt.Errorf("%w: Gemm inner dims differ: A' is [%d, %d], B' is [%d, %d]", ir.ErrShapeMismatch, m, k, kb, nn)
	}
	hasC := len(in) > 2 && in[2].present()
	if !hasC && lc.opset < 11 {
		return nil, fmt.Errorf("%w: Gemm needs input C before opset 11, the model has %d", ir.ErrShapeMismatch, lc.opset)
	}
	if hasC {
		sc := in[2].shape()
		if bs, err := broadcastShapes(sc, []int{m, nn}); err != nil || !slices.Equal(bs, []int{m, nn}) {
			return nil, fmt.Errorf("%w: Gemm's C of shape %v does not broadcast to [%d, %d]", ir.ErrShapeMismatch, sc, m, nn)
		}
	}

	a, err := lc.asNode(in[0])
	if err != nil {
		return nil, err
	}
	b, err := lc.asNode(in[1])
	if err != nil {
		return nil, err
	}
	if alpha == 1 && (!hasC || beta == 1) {
		// The usual Linear layer: one op (see gemmNode).
		var c *G.Node
		if hasC {
			if c, err = lc.asNode(in[2]); err != nil {
				return nil, err
			}
		}
		if y, ok, err := gemmNode(a, b, c, transA, transB, m, k, nn); ok || err != nil {
			return []operand{{node: y}}, err
		}
	}
	y, err := matMulTrans(a, b, transA, transB, m, nn)
	if err != nil {
		return nil, err
	}
	if alpha != 1 {
		if y, err = G.HadamardProd(y, lc.scalarNode(alpha, n.Name+".alpha")); err != nil {
			return nil, err
		}
	}
	if hasC {
		c, err := lc.scaledNode(in[2], beta, n.Name+".beta")
		if err != nil {
			return nil, err
		}
		if y, err = broadcastNodes(binAdd, y, c); err != nil {
			return nil, err
		}
	}
	return []operand{{node: y}}, nil
}

// matMulTrans computes op(a)·op(b) for matrices, op transposing when asked, into an [m, n] result.
// gorgonia's matrix product takes transpose flags only through BatchedMatMul, so both operands get a batch
// dim of 1 and the BLAS reads the weight transposed. G.Transpose instead permutes the weight element by
// element through gorgonia.org/tensor's generic iterator in every forward pass, and its gradient in every
// backward pass: about 15% of an Adult MLP training step.
func matMulTrans(a, b *G.Node, transA, transB bool, m, n int) (*G.Node, error) {
	if !transA && !transB {
		return G.Mul(a, b) // both matrices by type, so a matrix product
	}
	a3, err := reshapeNode(a, append([]int{1}, a.Shape()...))
	if err != nil {
		return nil, err
	}
	b3, err := reshapeNode(b, append([]int{1}, b.Shape()...))
	if err != nil {
		return nil, err
	}
	y, err := G.BatchedMatMul(a3, b3, transA, transB)
	if err != nil {
		return nil, err
	}
	return reshapeNode(y, []int{m, n})
}

// scaledNode returns f·o as a node. A constant is scaled in Go; a node (a trainable bias) is multiplied
// in the graph so that it stays the parameter.
func (lc *lowerCtx) scaledNode(o operand, f float32, name string) (*G.Node, error) {
	if f == 1 {
		return lc.asNode(o)
	}
	if o.node == nil && o.konst != nil && o.konst.Float != nil {
		t := *o.konst
		t.Float = make([]float32, len(o.konst.Float))
		for i, v := range o.konst.Float {
			t.Float[i] = v * f
		}
		return lc.asNode(operand{konst: &t})
	}
	x, err := lc.asNode(o)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, lc.scalarNode(f, name))
}

// lowerMatMul follows numpy's matmul: 1-D operands get a dim prepended (A) or appended (B) that the
// result drops, and the dims before the last two are batch dims that broadcast.
func lowerMatMul(lc *lowerCtx, n *ir.Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	sa, sb := in[0].shape(), in[1].shape()
	if len(sa) == 0 || len(sb) == 0 {
		return nil, fmt.Errorf("%w: MatMul of a scalar (%v and %v)", ir.ErrShapeMismatch, sa, sb)
	}
	// The shapes with 1-D operands promoted, the batch dims and the result shape.
	pa, pb := sa, sb
	if len(sa) == 1 {
		pa = []int{1, sa[0]}
	}
	if len(sb) == 1 {
		pb = []int{sb[0], 1}
	}
	m, k, kb, nn := pa[len(pa)-2], pa[len(pa)-1], pb[len(pb)-2], pb[len(pb)-1]
	if k != kb {
		return nil, fmt.Errorf("%w: MatMul inner dims differ: %v and %v", ir.ErrShapeMismatch, sa, sb)
	}
	batchA, batchB := pa[:len(pa)-2], pb[:len(pb)-2]
	batch, err := broadcastShapes(batchA, batchB)
	if err != nil {
		return nil, fmt.Errorf("%w: MatMul batch dims of %v and %v do not broadcast", ir.ErrShapeMismatch, sa, sb)
	}
	out := slices.Clone(batch)
	if len(sa) > 1 {
		out = append(out, m)
	}
	if len(sb) > 1 {
		out = append(out, nn)
	}

	a, err := lc.asNode(in[0])
	if err != nil {
		return nil, err
	}
	b, err := lc.asNode(in[1])
	if err != nil {
		return nil, err
	}
	var y *G.Node
	switch nb := shapeSize(batch); {
	case len(sa) <= 2 && len(sb) <= 2:
		// G.Mul covers matrix·matrix, matrix·vector, vector·matrix and vector·vector.
		y, err = G.Mul(a, b)
	case shapeSize(batchB) == 1 && len(sb) <= 2:
		// The common Linear-on-N-D case: fold A's batch dims into its rows.
		y, err = matMulFoldA(a, b, nb*m, k, nn)
	default:
		y, err = matMulBatched(a, b, pa, pb, batch, m, k, nn)
	}
	if err != nil {
		return nil, err
	}
	if y, err = reshapeOrScalar(y, out); err != nil {
		return nil, err
	}
	return []operand{{node: y}}, nil
}

// matMulFoldA computes A·B for A with batch dims and a matrix (or vector) B as one [rows, k]·[k, n]
// product.
func matMulFoldA(a, b *G.Node, rows, k, n int) (*G.Node, error) {
	a, err := reshapeNode(a, []int{rows, k})
	if err != nil {
		return nil, err
	}
	if b, err = reshapeNode(b, []int{k, n}); err != nil {
		return nil, err
	}
	return G.Mul(a, b)
}

// matMulBatched computes a batched product: each operand is expanded to the broadcast batch dims, folded
// to [batch, rows, cols] and multiplied with G.BatchedMatMul.
func matMulBatched(a, b *G.Node, pa, pb, batch []int, m, k, n int) (*G.Node, error) {
	nb := shapeSize(batch)
	var err error
	if a, err = expandBatch(a, pa, batch); err != nil {
		return nil, err
	}
	if b, err = expandBatch(b, pb, batch); err != nil {
		return nil, err
	}
	if a, err = reshapeNode(a, []int{nb, m, k}); err != nil {
		return nil, err
	}
	if b, err = reshapeNode(b, []int{nb, k, n}); err != nil {
		return nil, err
	}
	return G.BatchedMatMul(a, b)
}

// expandBatch repeats x (of shape s: batch dims, then two matrix dims) to the given batch dims.
func expandBatch(x *G.Node, s, batch []int) (*G.Node, error) {
	cur := padOnes(s[:len(s)-2], len(batch))
	if slices.Equal(cur, batch) {
		return x, nil
	}
	x, err := reshapeNode(x, append(cur, s[len(s)-2:]...))
	if err != nil {
		return nil, err
	}
	return expandNode(x, append(slices.Clone(batch), s[len(s)-2:]...))
}

// reshapeOrScalar reshapes y to shape; a 1-D·1-D product is already gorgonia's scalar.
func reshapeOrScalar(y *G.Node, shape []int) (*G.Node, error) {
	if len(shape) == 0 && y.IsScalar() {
		return y, nil
	}
	return reshapeNode(y, shape)
}

// gemmNode builds Y = op(A)·op(B) + C as one op whose forward pass is one Sgemm and a bias add, and
// whose gradients are one Sgemm each (a column sum for a row-broadcast C). C is nil, [n], [1, n] or
// [m, n]; any other C gives ok = false and the caller builds the general graph. It computes exactly
// what that graph computes (the same Sgemm calls on the same operands, then the bias added to the
// product, and the bias gradient summed row by row), without its reshapes, broadcast copy and
// separate addition in every forward and backward pass. The products run on gorgonia's BLAS
// (G.WhichBLAS), like G.Mul's.
func gemmNode(a, b, c *G.Node, transA, transB bool, m, k, n int) (y *G.Node, ok bool, err error) {
	shapes := [][]int{slices.Clone([]int(a.Shape())), slices.Clone([]int(b.Shape()))}
	inputs := G.Nodes{a, b}
	if c != nil {
		sc := []int(c.Shape())
		if !slices.Equal(sc, []int{n}) && !slices.Equal(sc, []int{1, n}) && !slices.Equal(sc, []int{m, n}) {
			return nil, false, nil
		}
		shapes = append(shapes, slices.Clone(sc))
		inputs = append(inputs, c)
	}
	if m == 0 || n == 0 || k == 0 {
		return nil, false, nil // the kernels cannot read empty gorgonia values
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	lda, ldb := k, n // leading dims of A and B as stored
	if transA {
		tA, lda = blas.Trans, m
	}
	if transB {
		tB, ldb = blas.Trans, k
	}
	rowBias := c != nil && shapeSize(shapes[2]) == n
	name := fmt.Sprintf("Gemm[%d,%d,%d;%t,%t]", m, k, n, transA, transB)
	dyAt := len(inputs) // gradient ops get the inputs, then dY
	// Every kernel writes its whole output (a product with beta 0, a copy or a cleared sum).
	op := &kernelOp{name: name, in: shapes, out: []int{m, n}, diff: make([]bool, len(inputs)), fills: true,
		do: func(in [][]float32, y []float32) {
			G.WhichBLAS().Sgemm(tA, tB, m, n, k, 1, in[0], lda, in[1], ldb, 0, y, n)
			if len(in) > 2 {
				addBias(y, in[2], rowBias, n)
			}
		},
		grad: func(i int) *kernelOp {
			var do func(in [][]float32, d []float32)
			switch i {
			case 0: // d op(A) = dY·op(B)ᵀ, [m, k]; A itself is its transpose when transA
				do = func(in [][]float32, d []float32) {
					dy, bb := in[dyAt], in[1]
					switch {
					case !transA && !transB:
						G.WhichBLAS().Sgemm(blas.NoTrans, blas.Trans, m, k, n, 1, dy, n, bb, n, 0, d, k)
					case !transA && transB:
						G.WhichBLAS().Sgemm(blas.NoTrans, blas.NoTrans, m, k, n, 1, dy, n, bb, k, 0, d, k)
					case transA && !transB:
						G.WhichBLAS().Sgemm(blas.NoTrans, blas.Trans, k, m, n, 1, bb, n, dy, n, 0, d, m)
					default:
						G.WhichBLAS().Sgemm(blas.Trans, blas.Trans, k, m, n, 1, bb, k, dy, n, 0, d, m)
					}
				}
			case 1: // d op(B) = op(A)ᵀ·dY, [k, n]; B itself is its transpose when transB
				do = func(in [][]float32, d []float32) {
					aa, dy := in[0], in[dyAt]
					switch {
					case !transB && !transA:
						G.WhichBLAS().Sgemm(blas.Trans, blas.NoTrans, k, n, m, 1, aa, k, dy, n, 0, d, n)
					case !transB && transA:
						G.WhichBLAS().Sgemm(blas.NoTrans, blas.NoTrans, k, n, m, 1, aa, m, dy, n, 0, d, n)
					case transB && !transA:
						G.WhichBLAS().Sgemm(blas.Trans, blas.NoTrans, n, k, m, 1, dy, n, aa, k, 0, d, k)
					default:
						G.WhichBLAS().Sgemm(blas.Trans, blas.Trans, n, k, m, 1, dy, n, aa, m, 0, d, k)
					}
				}
			default: // dC: dY, summed over the rows for a row-broadcast C
				do = func(in [][]float32, d []float32) {
					dy := in[dyAt]
					if !rowBias {
						copy(d, dy)
						return
					}
					fblas.SumRows(d, dy, m, n)
				}
			}
			return filling(gradOp(name, shapes, []int{m, n}, i, do))
		}}
	for i := range op.diff {
		op.diff[i] = true
	}
	y, err = G.ApplyOp(op, inputs...)
	return y, err == nil, err
}

// addBias adds c to the [m, n] matrix y: c repeated for every row when rowBias, else elementwise.
func addBias(y, c []float32, rowBias bool, n int) {
	if !rowBias {
		for i, v := range c[:len(y)] {
			y[i] += v
		}
		return
	}
	fblas.AddRows(y, c, n)
}
