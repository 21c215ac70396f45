package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// specials are the values whose results differ most between careless implementations: signed zeros,
// infinities, NaN, subnormals and the extremes.
var specials = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-40, -1e-40, math.MaxFloat32, -math.MaxFloat32, 1, -1}

// vecData returns n values, normal ones with specials mixed in.
func vecData(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(8) == 0 {
			s[i] = specials[rng.IntN(len(specials))]
		} else {
			s[i] = float32(rng.NormFloat64())
		}
	}
	return s
}

// sameBits fails unless got and want hold the same bits, or both NaN: which NaN an operation on two NaNs
// returns depends on the order of its operands in the machine code, which Go leaves to the compiler
// (the same function inlined in two places can return either).
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
			t.Fatalf("%s: element %d = %v (%#08x), the Go loop gives %v (%#08x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

var vecLengths = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 101, 1000, 10100}

// The C kernels give the Go loops' bits, specials included, at every length (vector bodies and tails).
func TestVecMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range vecLengths {
		x, dy := vecData(rng, n), vecData(rng, n)
		y1, y2 := make([]float32, n), make([]float32, n)
		reluC(y1, x)
		reluGo(y2, x)
		sameBits(t, "Relu", y1, y2)
		reluGradC(y1, x, dy)
		reluGradGo(y2, x, dy)
		sameBits(t, "ReluGrad", y1, y2)
		for _, cols := range []int{1, 3, 101} {
			if n%cols != 0 {
				continue
			}
			c := vecData(rng, cols)
			a1, a2 := append([]float32(nil), x...), append([]float32(nil), x...)
			addRowsC(a1, c, cols)
			addRowsGo(a2, c, cols)
			sameBits(t, "AddRows", a1, a2)
			d1, d2 := vecData(rng, cols), vecData(rng, cols) // overwritten
			sumRowsC(d1, x, n/cols, cols)
			sumRowsGo(d2, x, n/cols, cols)
			sameBits(t, "SumRows", d1, d2)
		}
	}
}

// wideData returns n values of random sign and magnitudes from 2^-155 (zero) through the subnormals to
// 2^lim, a fraction of them zero.
func wideData(rng *rand.Rand, n int, lim float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(6) == 0 {
			continue
		}
		e := -155 + rng.Float64()*(lim+155)
		s[i] = float32(math.Copysign(math.Exp2(e)*(1+rng.Float64()), rng.NormFloat64()))
	}
	return s
}

// Adam in C gives the Go loop's bits: on training-like numbers (its four-lane float32 path), on numbers
// of every magnitude from subnormal to large (the path through doubles, and the bounds between the two),
// and with settings outside the float32 path's ranges, over several steps.
func TestAdamMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	settings := []struct{ b1, b2, lr, eps float64 }{{0.9, 0.999, 1e-3, 1e-8}, {0.5, 0.9, 1, 1e-8}, {0.99, 0.9999, 1e-7, 1e-8}, {0, 0, 1e-3, 1e-8}, {0.9, 0.999, 1e-3, 0}}
	for _, n := range vecLengths {
		for si, st := range settings {
			for kind := range 3 {
				var p, g, m, v []float32
				switch kind {
				case 0: // training-like
					p, g, m, v = randSlice(rng, n), vecData(rng, n), randSlice(rng, n), randSlice(rng, n)
					for i := range m {
						m[i] *= 1e-3
						v[i] = 1e-6 * v[i] * v[i]
						g[i] *= 1e-3
					}
				case 1: // every magnitude
					p, g, m, v = wideData(rng, n, 70), wideData(rng, n, 30), wideData(rng, n, 50), wideData(rng, n, 50)
				default: // decaying moments: mostly zero gradients, small moments
					p, g, m, v = wideData(rng, n, 2), wideData(rng, n, -20), wideData(rng, n, -30), wideData(rng, n, -30)
					for i := range g {
						if rng.IntN(4) > 0 {
							g[i] = 0
						}
					}
				}
				for i := range v {
					v[i] = float32(math.Abs(float64(v[i])))
				}
				p1, m1, v1 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
				for step := 1; step <= 3; step++ {
					stepSize := float32(st.lr / (1 - math.Pow(st.b1, float64(step))))
					sqrtBC2 := float32(math.Sqrt(1 - math.Pow(st.b2, float64(step))))
					adamC(p, g, m, v, float32(st.b1), float32(st.b2), stepSize, sqrtBC2, float32(st.eps))
					adamGo(p1, g, m1, v1, float32(st.b1), float32(st.b2), stepSize, sqrtBC2, float32(st.eps))
				}
				what := fmt.Sprintf("n=%d settings %d data %d: Adam", n, si, kind)
				sameBits(t, what+" p", p, p1)
				sameBits(t, what+" m", m, m1)
				sameBits(t, what+" v", v, v1)
			}
		}
	}
}

// The kernels compute what gorgonia's graph computes: Relu is x ⊙ (x ≥ 0), its gradient (x ≥ 0) ⊙ dy.
func TestReluIsMaskProduct(t *testing.T) {
	x := append([]float32(nil), specials...)
	dy := make([]float32, len(x))
	for i := range dy {
		dy[i] = specials[(i+3)%len(specials)]
	}
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	Relu(y, x)
	ReluGrad(dx, x, dy)
	for i, v := range x {
		mask := float32(0)
		if v >= 0 {
			mask = 1
		}
		sameBits(t, "Relu", y[i:i+1], []float32{v * mask})
		sameBits(t, "ReluGrad", dx[i:i+1], []float32{mask * dy[i]})
	}
}

// BenchmarkVec times each elementwise kernel at the Adult step's size (100 rows × 101 units; Adam on
// a 101 × 101 weight, also with a tenth of its first moments subnormal) in C and as the Go loop, in the
// same run.
func BenchmarkVec(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	const rows, n = 100, 101
	x, dy, y := randSlice(rng, rows*n), randSlice(rng, rows*n), make([]float32, rows*n) // no subnormals: they take microcode assists
	c, d := randSlice(rng, n), make([]float32, n)
	p, g, m, v := randSlice(rng, n*n), randSlice(rng, n*n), make([]float32, n*n), make([]float32, n*n)
	// A weight whose input is almost always zero late in a run: no gradient, a first moment decaying
	// through the subnormal numbers, a second moment still normal; one element in ten such.
	ps, gs, ms, vs := randSlice(rng, n*n), randSlice(rng, n*n), randSlice(rng, n*n), randSlice(rng, n*n)
	for i := range ms {
		ms[i], vs[i] = ms[i]*1e-3, 1e-6*vs[i]*vs[i]
		if i%10 == 0 {
			gs[i], ms[i] = 0, ms[i]*1e-36
		}
	}
	adamState := func() { // the state before every call, so that the decaying moments stay subnormal
		for i := range ms {
			if i%10 == 0 {
				ms[i] = 1e-40
			}
		}
	}
	for _, k := range []struct {
		name    string
		c, pure func()
	}{
		{"relu", func() { reluC(y, x) }, func() { reluGo(y, x) }},
		{"relu_grad", func() { reluGradC(y, x, dy) }, func() { reluGradGo(y, x, dy) }},
		{"add_rows", func() { addRowsC(y, c, n) }, func() { addRowsGo(y, c, n) }},
		{"sum_rows", func() { sumRowsC(d, x, rows, n) }, func() { sumRowsGo(d, x, rows, n) }},
		{"adam", func() { adamC(p, g, m, v, 0.9, 0.999, 1e-3, 0.5, 1e-8) }, func() { adamGo(p, g, m, v, 0.9, 0.999, 1e-3, 0.5, 1e-8) }},
		{"adam_subnormal", func() { adamState(); adamC(ps, gs, ms, vs, 0.9, 0.999, 1e-3, 0.5, 1e-8) },
			func() { adamState(); adamGo(ps, gs, ms, vs, 0.9, 0.999, 1e-3, 0.5, 1e-8) }},
	} {
		b.Run(k.name+"/c", func(b *testing.B) {
			for b.Loop() {
				k.c()
			}
		})
		b.Run(k.name+"/go", func(b *testing.B) {
			for b.Loop() {
				k.pure()
			}
		})
	}
}
