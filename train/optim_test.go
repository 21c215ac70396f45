package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// adamReference is torch.optim.Adam's step as the optimiser computed it element by element in Go.
func adamReference(o *Optimizer, params, grads [][]float32) {
	o.Steps++
	b1, b2 := float32(o.Beta1), float32(o.Beta2)
	stepSize := float32(o.LR / (1 - math.Pow(o.Beta1, float64(o.Steps))))
	sqrtBC2 := float32(math.Sqrt(1 - math.Pow(o.Beta2, float64(o.Steps))))
	eps := float32(o.Eps)
	for i, p := range params {
		g, m, v := grads[i], o.M[i], o.V[i]
		for j := range p {
			m[j] = b1*m[j] + (1-b1)*g[j]
			v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
			p[j] -= stepSize * m[j] / (float32(math.Sqrt(float64(v[j])))/sqrtBC2 + eps)
		}
	}
}

// Adam's step gives the element-by-element Go loop's parameters and moments bit for bit, over many
// steps, with gradients that vanish for some parameters (whose first moments decay through the
// subnormal numbers) and tiny ones for others.
func TestAdamStepMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{10201, 101, 7, 1}
	o, err := NewOptimizer(OptAdam, 1e-3, sizes)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := NewOptimizer(OptAdam, 1e-3, sizes)
	params, refParams, grads := make([][]float32, len(sizes)), make([][]float32, len(sizes)), make([][]float32, len(sizes))
	for i, n := range sizes {
		params[i], grads[i] = make([]float32, n), make([]float32, n)
		for j := range params[i] {
			params[i][j] = float32(rng.NormFloat64()) * 0.1
		}
		refParams[i] = slices.Clone(params[i])
	}
	for step := range 1200 {
		for i := range grads {
			for j := range grads[i] {
				switch {
				case j%5 == 0 && step > 10: // a feature that stopped appearing
					grads[i][j] = 0
				case j%7 == 0:
					grads[i][j] = float32(rng.NormFloat64()) * 1e-20
				default:
					grads[i][j] = float32(rng.NormFloat64()) * 1e-2
				}
			}
		}
		o.Step(params, grads)
		adamReference(ref, refParams, grads)
	}
	for i := range sizes {
		for _, c := range []struct {
			what      string
			got, want []float32
		}{{"parameter", params[i], refParams[i]}, {"first moment", o.M[i], ref.M[i]}, {"second moment", o.V[i], ref.V[i]}} {
			for j := range c.want {
				if math.Float32bits(c.got[j]) != math.Float32bits(c.want[j]) {
					t.Fatalf("%s %d[%d] = %v, reference %v", c.what, i, j, c.got[j], c.want[j])
				}
			}
		}
	}
	subnormal := 0
	for _, m := range o.M {
		for _, v := range m {
			if v != 0 && math.Abs(float64(v)) < 0x1p-126 {
				subnormal++
			}
		}
	}
	if subnormal == 0 {
		t.Error("no first moment is subnormal: the test misses the decaying case")
	}
}
