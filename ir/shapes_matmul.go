package ir

import (
	"fmt"
	"slices"
)

// gemmShape follows Gemm (opsets 7 and later): Y = A'·B' + C with A' [M, K] (A transposed when transA),
// B' [K, N] (when transB) and C broadcasting to [M, N]; C is optional from opset 11.
func gemmShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	inputs := 2
	if c.opset < 11 {
		inputs = 3
	}
	if err := need(n, in, inputs); err != nil {
		return nil, err
	}
	attrs, err := GemmAttrs(n)
	if err != nil {
		return nil, err
	}
	sa, sb := in[0].shape, in[1].shape
	for i, s := range []Shape{sa, sb} {
		if s != nil && len(s) != 2 {
			return nil, fmt.Errorf("%w: Gemm wants 2-D A and B, input %d has shape %v", ErrShapeMismatch, i, s)
		}
	}
	if sa == nil && sb == nil {
		return nil, nil
	}
	m, k, kb, nn := Dim{}, Dim{}, Dim{}, Dim{}
	if sa != nil {
		m, k = sa[0], sa[1]
		if attrs.TransA {
			m, k = k, m
		}
	}
	if sb != nil {
		kb, nn = sb[0], sb[1]
		if attrs.TransB {
			kb, nn = nn, kb
		}
	}
	if dimsDiffer(k, kb) {
		return nil, fmt.Errorf("%w: Gemm inner dims differ: A' is [%v, %v], B' is [%v, %v]", ErrShapeMismatch, m, k, kb, nn)
	}
	out := Shape{m, nn}
	if co := optional(in, 2); co.present && co.shape != nil {
		sc := co.shape
		if len(sc) > 2 {
			return nil, fmt.Errorf("%w: Gemm's C of shape %v does not broadcast to %v", ErrShapeMismatch, sc, out)
		}
		// C broadcasts one way only: each of its dims is 1 or the output's.
		for i, d := range sc {
			o := out[2-len(sc)+i]
			if d.IsStatic() && d.Value != 1 && dimsDiffer(d, o) {
				return nil, fmt.Errorf("%w: Gemm's C of shape %v does not broadcast to %v", ErrShapeMismatch, sc, out)
			}
			if !o.IsStatic() && d.IsStatic() && d.Value != 1 {
				out[2-len(sc)+i] = d
			}
		}
	}
	return one(out), nil
}

// matMulShape follows numpy's matmul: a 1-D A gets a dim prepended and a 1-D B one appended, which the
// result drops; the dims before the last two are batch dims that broadcast.
func matMulShape(c *shapeCtx, n *Node, in []operand) ([]result, error) {
	if err := need(n, in, 2); err != nil {
		return nil, err
	}
	sa, sb := in[0].shape, in[1].shape
	if sa == nil || sb == nil {
		return nil, nil
	}
	if len(sa) == 0 || len(sb) == 0 {
		return nil, fmt.Errorf("%w: MatMul of a scalar (%v and %v)", ErrShapeMismatch, sa, sb)
	}
	pa, pb := sa, sb
	if len(sa) == 1 {
		pa = Shape{Fixed(1), sa[0]}
	}
	if len(sb) == 1 {
		pb = Shape{sb[0], Fixed(1)}
	}
	m, k := pa[len(pa)-2], pa[len(pa)-1]
	kb, nn := pb[len(pb)-2], pb[len(pb)-1]
	if dimsDiffer(k, kb) {
		return nil, fmt.Errorf("%w: MatMul inner dims differ: %v and %v", ErrShapeMismatch, sa, sb)
	}
	batch, err := broadcastShape(pa[:len(pa)-2], pb[:len(pb)-2])
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
	return one(out), nil
}
