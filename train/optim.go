package train

import (
	"fmt"
	"math"

	"github.com/fairbinn/fairbinn-go/internal/blas"
)

// OptimizerKind names an optimiser; its values match torch.optim's Adam, SGD and SGD with momentum.
type OptimizerKind string

// The optimisers.
const (
	OptAdam     OptimizerKind = "adam"
	OptSGD      OptimizerKind = "sgd"
	OptMomentum OptimizerKind = "momentum"
)

// ParseOptimizer parses an optimiser name.
func ParseOptimizer(s string) (OptimizerKind, error) {
	switch k := OptimizerKind(s); k {
	case OptAdam, OptSGD, OptMomentum:
		return k, nil
	}
	return "", fmt.Errorf("optimizer %q: want adam, sgd or momentum", s)
}

// Optimizer updates a set of parameters in place from their gradients. Its state is plain data so a
// checkpoint can save and restore it exactly.
type Optimizer struct {
	Kind     OptimizerKind `json:"kind"`
	LR       float64       `json:"lr"`
	Beta1    float64       `json:"beta1"`
	Beta2    float64       `json:"beta2"`
	Eps      float64       `json:"eps"`
	Momentum float64       `json:"momentum"`
	Steps    int64         `json:"steps"`
	M        [][]float32   `json:"m"` // Adam first moment or SGD velocity, one slice per parameter
	V        [][]float32   `json:"v"` // Adam second moment
}

// NewOptimizer returns an optimizer of the given kind for parameters of the given sizes. The defaults
// are PyTorch's (Adam betas 0.9/0.999, eps 1e-8; momentum 0.9).
func NewOptimizer(kind OptimizerKind, lr float64, sizes []int) (*Optimizer, error) {
	o := &Optimizer{Kind: kind, LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	switch kind {
	case OptAdam:
		o.M, o.V = zeros(sizes), zeros(sizes)
	case OptMomentum:
		o.Momentum = 0.9
		o.M = zeros(sizes)
	case OptSGD:
	default:
		return nil, fmt.Errorf("optimizer %q: want adam, sgd or momentum", kind)
	}
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return nil, fmt.Errorf("learning rate %v: want a finite value >= 0", lr)
	}
	return o, nil
}

func zeros(sizes []int) [][]float32 {
	out := make([][]float32, len(sizes))
	for i, n := range sizes {
		out[i] = make([]float32, n)
	}
	return out
}

// Step applies one update to params (in place) from grads; both hold one slice per parameter, in the
// order the optimizer was made with. It follows torch.optim.Adam and torch.optim.SGD.
func (o *Optimizer) Step(params, grads [][]float32) {
	o.Steps++
	lr := float32(o.LR)
	switch o.Kind {
	case OptAdam:
		b1, b2 := float32(o.Beta1), float32(o.Beta2)
		bc1 := 1 - math.Pow(o.Beta1, float64(o.Steps))
		bc2 := 1 - math.Pow(o.Beta2, float64(o.Steps))
		stepSize := float32(o.LR / bc1)
		sqrtBC2 := float32(math.Sqrt(bc2))
		eps := float32(o.Eps)
		for i, p := range params {
			// m ← b1·m + (1−b1)·g, v ← b2·v + (1−b2)·g², p ← p − stepSize·m / (√v/√bc2 + eps), in
			// float32 element by element (vectorized in a cgo build, with the same numbers).
			blas.Adam(p, grads[i], o.M[i], o.V[i], b1, b2, stepSize, sqrtBC2, eps)
		}
	case OptMomentum:
		mom := float32(o.Momentum)
		for i, p := range params {
			g, buf := grads[i], o.M[i]
			for j := range p {
				if o.Steps == 1 {
					buf[j] = g[j]
				} else {
					buf[j] = mom*buf[j] + g[j]
				}
				p[j] -= lr * buf[j]
			}
		}
	default:
		for i, p := range params {
			g := grads[i]
			for j := range p {
				p[j] -= lr * g[j]
			}
		}
	}
}
