package ir

import (
	"fmt"
	"math"
	"math/bits"
)

// Arithmetic on dims: the rules shape inference uses to combine a fixed size, a symbolic size (the batch)
// and an unknown size. A result that depends on a symbolic size in a way that is not that size itself
// (batch*4, batch+1) is unknown.

// broadcastDim returns the dim numpy broadcasting gives two dims, or an error when two fixed sizes
// differ and neither is 1.
func broadcastDim(a, b Dim) (Dim, error) {
	switch {
	case a.IsStatic() && b.IsStatic():
		switch {
		case a.Value == b.Value, b.Value == 1:
			return a, nil
		case a.Value == 1:
			return b, nil
		}
		return Dim{}, fmt.Errorf("%w: dims %d and %d do not broadcast", ErrShapeMismatch, a.Value, b.Value)
	case a.IsStatic() && a.Value == 1:
		return b, nil
	case b.IsStatic() && b.Value == 1:
		return a, nil
	case a.IsStatic():
		return a, nil // b must be a.Value or 1 at run time
	case b.IsStatic():
		return b, nil
	case a.Known && b.Known && a.Param == b.Param:
		return a, nil
	}
	return Dim{}, nil
}

// broadcastShape returns the shape numpy (multidirectional) broadcasting gives two shapes.
func broadcastShape(a, b Shape) (Shape, error) {
	n := max(len(a), len(b))
	out := make(Shape, n)
	for i := range out {
		da, db := Fixed(1), Fixed(1)
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		d, err := broadcastDim(da, db)
		if err != nil {
			return nil, fmt.Errorf("%w: shapes %v and %v do not broadcast", ErrShapeMismatch, a, b)
		}
		out[i] = d
	}
	return out, nil
}

// mergeDim returns the dim two dims that must be equal share: the fixed one when there is one, or an
// error when both are fixed and differ.
func mergeDim(a, b Dim) (Dim, error) {
	switch {
	case a.IsStatic() && b.IsStatic():
		if a.Value != b.Value {
			return Dim{}, fmt.Errorf("%w: dims %d and %d differ", ErrShapeMismatch, a.Value, b.Value)
		}
		return a, nil
	case a.IsStatic():
		return a, nil
	case b.IsStatic():
		return b, nil
	case a.Known:
		return a, nil
	}
	return b, nil
}

// dimsDiffer reports whether two dims are both fixed and differ.
func dimsDiffer(a, b Dim) bool { return a.IsStatic() && b.IsStatic() && a.Value != b.Value }

// dimProduct is a product of dims kept as a fixed factor times symbolic factors, so that products can
// be divided: [batch, 8, 3, 3] / [batch] is 72.
type dimProduct struct {
	fixed   int64
	syms    map[string]int // symbolic name -> power
	unknown bool           // some factor is unknown (or the fixed factor overflowed)
}

func productOf(s Shape) dimProduct {
	p := dimProduct{fixed: 1}
	for _, d := range s {
		p.mul(d)
	}
	return p
}

func (p *dimProduct) mul(d Dim) {
	switch {
	case d.IsStatic():
		hi, lo := bits.Mul64(uint64(p.fixed), uint64(d.Value))
		if hi != 0 || lo > math.MaxInt64 {
			p.unknown = true
			return
		}
		p.fixed = int64(lo)
	case d.Known:
		if p.syms == nil {
			p.syms = map[string]int{}
		}
		p.syms[d.Param]++
	default:
		p.unknown = true
	}
}

// isZero reports whether the product is 0 whatever its other factors.
func (p dimProduct) isZero() bool { return p.fixed == 0 }

// dim returns the product as one dim: fixed, one symbolic size alone, or unknown.
func (p dimProduct) dim() Dim {
	switch {
	case p.isZero():
		return Fixed(0)
	case p.unknown:
		return Dim{}
	case len(p.syms) == 0:
		return Fixed(p.fixed)
	case len(p.syms) == 1 && p.fixed == 1:
		for name, pow := range p.syms {
			if pow == 1 {
				return Symbolic(name)
			}
		}
	}
	return Dim{}
}

// sameSyms reports whether both products have the same symbolic factors.
func (p dimProduct) sameSyms(q dimProduct) bool {
	if len(p.syms) != len(q.syms) {
		return false
	}
	for k, v := range p.syms {
		if q.syms[k] != v {
			return false
		}
	}
	return true
}

// quotient returns p/q as a dim (the -1 of a Reshape): unknown when either has an unknown factor or the
// symbolic factors do not divide, and an error when the sizes provably cannot match.
func (p dimProduct) quotient(q dimProduct) (Dim, error) {
	switch {
	case q.isZero():
		return Dim{}, fmt.Errorf("%w: cannot infer a -1 dim next to a zero dim", ErrShapeMismatch)
	case q.unknown:
		return Dim{}, nil
	case p.isZero():
		return Fixed(0), nil
	case p.unknown:
		return Dim{}, nil
	}
	rest := dimProduct{fixed: 1}
	for k, v := range p.syms {
		switch w := q.syms[k]; {
		case v > w:
			if rest.syms == nil {
				rest.syms = map[string]int{}
			}
			rest.syms[k] = v - w
		case v < w:
			return Dim{}, nil
		}
	}
	for k := range q.syms {
		if _, ok := p.syms[k]; !ok {
			return Dim{}, nil
		}
	}
	if p.fixed%q.fixed != 0 {
		if len(rest.syms) == 0 {
			return Dim{}, fmt.Errorf("%w: %d elements do not split into groups of %d", ErrShapeMismatch, p.fixed, q.fixed)
		}
		return Dim{}, nil
	}
	rest.fixed = p.fixed / q.fixed
	return rest.dim(), nil
}

// addDims returns the sum of dims (a Concat's axis): fixed when all are fixed, the one symbolic size
// when all others are 0, else unknown.
func addDims(ds []Dim) Dim {
	var sum int64
	var other *Dim
	for i, d := range ds {
		switch {
		case d.IsStatic():
			if d.Value > math.MaxInt64-sum {
				return Dim{}
			}
			sum += d.Value
		case d.Known && other == nil:
			other = &ds[i]
		default:
			return Dim{}
		}
	}
	if other == nil {
		return Fixed(sum)
	}
	if sum == 0 {
		return *other
	}
	return Dim{}
}

// arithKind is one of the four arithmetic ops.
type arithKind int

const (
	arithAdd arithKind = iota
	arithSub
	arithMul
	arithDiv
)

// arithDim applies an arithmetic op to two integer values held as dims (a known number, the symbolic
// batch size or unknown), wrapping at the width of dt as onnxruntime does.
func arithDim(k arithKind, a, b Dim, dt DType) Dim {
	if a.IsStatic() && b.IsStatic() {
		var v int64
		switch k {
		case arithAdd:
			v = a.Value + b.Value
		case arithSub:
			v = a.Value - b.Value
		case arithMul:
			v = a.Value * b.Value
		case arithDiv:
			if b.Value == 0 || (a.Value == math.MinInt64 && b.Value == -1) {
				return Dim{}
			}
			v = a.Value / b.Value // truncates toward zero, as ONNX's integer Div
		}
		return Fixed(wrapInt(v, dt))
	}
	zero := func(d Dim) bool { return d.IsStatic() && d.Value == 0 }
	one := func(d Dim) bool { return d.IsStatic() && d.Value == 1 }
	same := a.Known && b.Known && !a.IsStatic() && a.Param == b.Param
	switch k {
	case arithAdd:
		switch {
		case zero(a):
			return b
		case zero(b):
			return a
		}
	case arithSub:
		switch {
		case zero(b):
			return a
		case same:
			return Fixed(0)
		}
	case arithMul:
		switch {
		case zero(a) || zero(b):
			return Fixed(0)
		case one(a):
			return b
		case one(b):
			return a
		}
	case arithDiv:
		switch {
		case one(b):
			return a
		case same:
			return Fixed(1)
		}
	}
	return Dim{}
}

// wrapInt truncates v to the width of an integer element type.
func wrapInt(v int64, d DType) int64 {
	switch d {
	case Int32:
		return int64(int32(v))
	case Int8:
		return int64(int8(v))
	case Uint8:
		return int64(uint8(v))
	case dtInt16:
		return int64(int16(v))
	case dtUint16:
		return int64(uint16(v))
	case dtUint32:
		return int64(uint32(v))
	case Bool:
		if v != 0 {
			return 1
		}
	}
	return v
}

// ONNX element types the IR does not name but that shape arithmetic meets.
const (
	dtUint16   DType = 4
	dtInt16    DType = 5
	dtUint32   DType = 12
	dtUint64   DType = 13
	dtBFloat16 DType = 16
)

// isIntType reports whether values of the element type are integers (bool included).
func isIntType(d DType) bool {
	switch d {
	case Int64, Int32, Int8, Uint8, Bool, dtInt16, dtUint16, dtUint32, dtUint64:
		return true
	}
	return false
}

// isFloatType reports whether values of the element type are floating point.
func isFloatType(d DType) bool {
	return d == Float32 || d == Float64 || d == Float16 || d == dtBFloat16
}

// isStatic reports whether every dim of s is fixed.
func (s Shape) isStatic() bool {
	for _, d := range s {
		if !d.IsStatic() {
			return false
		}
	}
	return true
}

// fixedShape returns dims as a shape of fixed dims.
func fixedShape(dims []int64) Shape {
	s := make(Shape, len(dims))
	for i, d := range dims {
		s[i] = Fixed(d)
	}
	return s
}

// unknownShape returns a shape of the given rank whose dims are all unknown.
func unknownShape(rank int) Shape { return make(Shape, rank) }
