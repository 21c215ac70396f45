package models

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
)

// lowerGemm builds Y = alpha·A'·B' + beta·C (Gemm-11 and later: C optional, unidirectionally broadcast to
// [M, N]). A transposed B is read through the product's transpose flag from the parameter node itself,
// so a weight kept in ONNX's [out, in] layout stays the trainable node that training updates and export
// writes back.
func lowerGemm(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 3); err != nil {
		return nil, err
	}
	alpha, err := attrFloat(n, "alpha", 1)
	if err != nil {
		return nil, err
	}
	beta, err := attrFloat(n, "beta", 1)
	if err != nil {
		return nil, err
	}
	transA, err := attrInt(n, "transA", 0)
	if err != nil {
		return nil, err
	}
	transB, err := attrInt(n, "transB", 0)
	if err != nil {
		return nil, err
	}
	sa, sb := in[0].shape(), in[1].shape()
	if len(sa) != 2 || len(sb) != 2 {
		return nil, fmt.Errorf("%w: Gemm wants 2-D A and B, got %v and %v", ErrShapeMismatch, sa, sb)
	}
	m, k := sa[0], sa[1]
	if transA != 0 {
		m, k = k, m
	}
	kb, nn := sb[0], sb[1]
	if transB != 0 {
		kb, nn = nn, kb
	}
	if k != kb {
		return nil, fmt.Errorf("%w: Gemm inner dims differ: A' is [%d, %d], B' is [%d, %d]", ErrShapeMismatch, m, k, kb, nn)
	}
	hasC := len(in) > 2 && in[2].present()
	if hasC {
		sc := in[2].shape()
		if bs, err := broadcastShapes(sc, []int{m, nn}); err != nil || !slices.Equal(bs, []int{m, nn}) {
			return nil, fmt.Errorf("%w: Gemm's C of shape %v does not broadcast to [%d, %d]", ErrShapeMismatch, sc, m, nn)
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
	y, err := matMulTrans(a, b, transA != 0, transB != 0, m, nn)
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
// gorgonia's matrix product takes transpose flags only through BatchedMatMul, so a transposed operand is
// given a batch dim of 1: the product then reads the weight in place, where G.Transpose would copy it in
// every forward pass and its gradient in every backward pass (a sixth of an Adult MLP training step).
func matMulTrans(a, b *G.Node, transA, transB bool, m, n int) (*G.Node, error) {
	if true {
		var err error
		if transA {
			a, err = G.Transpose(a, 1, 0)
		}
		if transB {
			b, err = G.Transpose(b, 1, 0)
		}
		_ = err
		return G.Mul(a, b)
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
func lowerMatMul(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	sa, sb := in[0].shape(), in[1].shape()
	if len(sa) == 0 || len(sb) == 0 {
		return nil, fmt.Errorf("%w: MatMul of a scalar (%v and %v)", ErrShapeMismatch, sa, sb)
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
		return nil, fmt.Errorf("%w: MatMul inner dims differ: %v and %v", ErrShapeMismatch, sa, sb)
	}
	batchA, batchB := pa[:len(pa)-2], pb[:len(pb)-2]
	batch, err := broadcastShapes(batchA, batchB)
	if err != nil {
		return nil, fmt.Errorf("%w: MatMul batch dims of %v and %v do not broadcast", ErrShapeMismatch, sa, sb)
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

// expandBatch repeats x (of shape s: batch dims, then two matrix dims) to the given batch dims. The
// repetition is a concatenation of copies, which gorgonia differentiates.
func expandBatch(x *G.Node, s, batch []int) (*G.Node, error) {
	inner := s[len(s)-2:]
	cur := padOnes(s[:len(s)-2], len(batch))
	if slices.Equal(cur, batch) {
		return x, nil
	}
	full := append(slices.Clone(cur), inner...)
	x, err := reshapeNode(x, full)
	if err != nil {
		return nil, err
	}
	for ax, want := range batch {
		if cur[ax] == want {
			continue
		}
		copies := make([]*G.Node, want)
		for i := range copies {
			copies[i] = x
		}
		if x, err = G.Concat(ax, copies...); err != nil {
			return nil, err
		}
		cur[ax] = want
	}
	return x, nil
}

// reshapeOrScalar reshapes y to shape; a 1-D·1-D product is already gorgonia's scalar.
func reshapeOrScalar(y *G.Node, shape []int) (*G.Node, error) {
	if len(shape) == 0 && y.IsScalar() {
		return y, nil
	}
	return reshapeNode(y, shape)
}
