package parity

import (
	"fmt"
	"math"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// Tolerance is the largest absolute difference between onnxruntime and the Go forward pass that counts as
// the same prediction.
const Tolerance = 1e-5

// Pair is the comparison of two executors' outputs on the same rows.
type Pair struct {
	A              string  `json:"a"`
	B              string  `json:"b"`
	MaxAbsDiff     float64 `json:"max_abs_diff"`
	LabelAgreement float64 `json:"label_agreement"`
	WithinTol      bool    `json:"within_tolerance"`
}

// Compare compares a (from executor nameA) with b (from nameB) under tolerance tol; labels turns an
// output into decisions (nil: Labels).
func Compare(nameA string, a tensor.Tensor, nameB string, b tensor.Tensor, tol float64, labels func(tensor.Tensor) []int) (Pair, error) {
	if len(a.Data) != len(b.Data) {
		return Pair{}, fmt.Errorf("%s vs %s: outputs have %d and %d values", nameA, nameB, len(a.Data), len(b.Data))
	}
	if labels == nil {
		labels = Labels
	}
	p := Pair{A: nameA, B: nameB, MaxAbsDiff: MaxAbsDiff(a.Data, b.Data), LabelAgreement: Agreement(labels(a), labels(b))}
	p.WithinTol = p.MaxAbsDiff <= tol
	return p, nil
}

// MaxAbsDiff is the largest |a[i] − b[i]|; NaN when any difference is NaN.
func MaxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if d > m || math.IsNaN(d) {
			m = d
		}
	}
	return m
}

// Agreement is the fraction of positions where a and b hold the same label (1 for none).
func Agreement(a, b []int) float64 {
	if len(a) == 0 {
		return 1
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

// Labels turns model outputs into class labels when nothing is known of the model's head: a threshold
// of 0.5 for one column (a probability), argmax for several.
func Labels(a tensor.Tensor) []int {
	if len(a.Shape) == 0 || a.Shape[0] == 0 {
		return nil
	}
	rows := int(a.Shape[0])
	cols := len(a.Data) / rows
	out := make([]int, rows)
	for r := range rows {
		row := a.Data[r*cols : (r+1)*cols]
		if cols == 1 {
			if row[0] > 0.5 {
				out[r] = 1
			}
			continue
		}
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[r] = best
	}
	return out
}
