package blas

import (
	"math"
	"math/rand/v2"
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
		// Adam on gradients of every size, from moments of earlier steps; the parameters and moments
		// stay finite, as in training, except where the gradient is not.
		g := vecData(rng, n)
		p, m, v := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
		for i := range v {
			v[i] *= v[i]
		}
		p1, m1, v1 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		for step := 1; step <= 3; step++ {
			stepSize, sqrtBC2 := float32(1e-3/(1-math.Pow(0.9, float64(step)))), float32(math.Sqrt(1-math.Pow(0.999, float64(step))))
			adamC(p, g, m, v, 0.9, 0.999, stepSize, sqrtBC2, 1e-8)
			adamGo(p1, g, m1, v1, 0.9, 0.999, stepSize, sqrtBC2, 1e-8)
		}
		sameBits(t, "Adam p", p, p1)
		sameBits(t, "Adam m", m, m1)
		sameBits(t, "Adam v", v, v1)
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
// a 101 × 101 weight) in C and as the Go loop, in the same run.
func BenchmarkVec(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	const rows, n = 100, 101
	x, dy, y := randSlice(rng, rows*n), randSlice(rng, rows*n), make([]float32, rows*n) // no subnormals: they take microcode assists
	c, d := randSlice(rng, n), make([]float32, n)
	p, g, m, v := randSlice(rng, n*n), randSlice(rng, n*n), make([]float32, n*n), make([]float32, n*n)
	for _, k := range []struct {
		name    string
		c, pure func()
	}{
		{"relu", func() { reluC(y, x) }, func() { reluGo(y, x) }},
		{"relu_grad", func() { reluGradC(y, x, dy) }, func() { reluGradGo(y, x, dy) }},
		{"add_rows", func() { addRowsC(y, c, n) }, func() { addRowsGo(y, c, n) }},
		{"sum_rows", func() { sumRowsC(d, x, rows, n) }, func() { sumRowsGo(d, x, rows, n) }},
		{"adam", func() { adamC(p, g, m, v, 0.9, 0.999, 1e-3, 0.5, 1e-8) }, func() { adamGo(p, g, m, v, 0.9, 0.999, 1e-3, 0.5, 1e-8) }},
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
