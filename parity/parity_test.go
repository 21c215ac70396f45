package parity

import (
	"math"
	"testing"

	"github.com/fairbinn/fairbinn-go/tensor"
)

func TestCompare(t *testing.T) {
	a := tensor.Tensor{Shape: []int64{3, 1}, Data: []float32{0.2, 0.6, 0.9}}
	b := tensor.Tensor{Shape: []int64{3, 1}, Data: []float32{0.2, 0.4, 0.9}}
	p, err := Compare("ort", a, "go", b, 1e-5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.MaxAbsDiff-0.2) > 1e-6 || p.WithinTol || math.Abs(p.LabelAgreement-2.0/3) > 1e-12 {
		t.Errorf("Compare = %+v; want diff 0.2, not within tolerance, agreement 2/3", p)
	}
	if _, err := Compare("ort", a, "go", tensor.Tensor{Shape: []int64{2, 1}, Data: []float32{0, 1}}, 1e-5, nil); err == nil {
		t.Error("Compare of outputs of different sizes succeeded")
	}
}

func TestLabels(t *testing.T) {
	two := tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{0.1, 0.7, 0.2, 0.5, 0.3, 0.2}}
	if got := Labels(two); got[0] != 1 || got[1] != 0 {
		t.Errorf("Labels(argmax) = %v, want [1 0]", got)
	}
	if got := MaxAbsDiff([]float32{1, float32(math.NaN())}, []float32{1, 0}); !math.IsNaN(got) {
		t.Errorf("MaxAbsDiff with a NaN = %v, want NaN", got)
	}
}
