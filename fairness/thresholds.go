package fairness

import (
	"fmt"
	"math"
	"sort"
)

// Thresholds are per-group decision thresholds: row i is positive when its probability is at least
// T[group[i]]. Chosen on validation rows of the unmodified backbone, they are the honest baseline every
// fine-tuning result is compared with: what a user gets without training anything.
type Thresholds struct {
	T []float64 `json:"thresholds"`
}

// Apply returns the decisions as 0/1 values, one per row (probabilities of a classifier that is certain,
// so Compute scores the thresholded decisions).
func (t Thresholds) Apply(prob []float32, group []int) []float32 {
	out := make([]float32, len(prob))
	for i, p := range prob {
		th := Threshold // a row in no group (negative id) keeps the usual threshold
		if g := group[i]; g >= 0 {
			th = t.T[g]
		}
		if float64(p) >= th {
			out[i] = 1
		}
	}
	return out
}

// candidate is one threshold of a group with the rates and the correct count it gives.
type candidate struct {
	t              float64
	rate, tpr, fpr float64
	correct        int
}

// candidates lists, for the rows of one group, every distinct way to threshold them: above every score,
// and between each pair of neighbouring distinct scores, from the highest down.
func candidates(prob []float32, label []float32) []candidate {
	idx := make([]int, len(prob))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return prob[idx[a]] > prob[idx[b]] })
	pos := 0
	for _, y := range label {
		if y >= 0.5 {
			pos++
		}
	}
	neg := len(label) - pos
	n := len(prob)
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	// Above every score (and JSON-encodable, unlike +Inf): nobody is selected.
	top := 1.0
	if n > 0 {
		top = max(top, float64(prob[idx[0]]))
	}
	out := []candidate{{t: math.Nextafter(top, math.Inf(1)), correct: neg}}
	tp, fp := 0, 0
	for k, i := range idx {
		if label[i] >= 0.5 {
			tp++
		} else {
			fp++
		}
		if k+1 < n && prob[idx[k+1]] == prob[i] {
			continue // a threshold cannot split equal scores
		}
		t := float64(prob[i])
		if k+1 < n {
			t = (float64(prob[i]) + float64(prob[idx[k+1]])) / 2
		}
		out = append(out, candidate{t: t, rate: ratio(k+1, n), tpr: ratio(tp, pos), fpr: ratio(fp, neg), correct: tp + neg - fp})
	}
	return out
}

// FitThresholds chooses per-group thresholds with the highest accuracy on the given rows whose
// fairness gap under crit is at most limit: DP (the selection rates within limit of each other), EO
// (the TPRs and the FPRs) or EOpp (the TPRs). The search is exhaustive over each group's thresholds
// for a grid of 1,001 lower bounds of the rates (101 × 101 for EO's two rates).
func FitThresholds(prob, label []float32, group []int, groups int, crit Criterion, limit float64) (Thresholds, error) {
	if limit < 0 || math.IsNaN(limit) {
		return Thresholds{}, fmt.Errorf("fairness limit %v: want a value >= 0", limit)
	}
	byGroup := make([][]candidate, groups)
	for g := range groups {
		var p, y []float32
		for i, gi := range group {
			if gi == g {
				p, y = append(p, prob[i]), append(y, label[i])
			}
		}
		if len(p) == 0 {
			continue // no rows (a group left out of the gaps): the usual threshold, unconstrained
		}
		byGroup[g] = candidates(p, y)
	}
	// For a box of allowed rates [lo, lo+limit] (one per constrained rate), each group takes its most
	// accurate threshold inside the box; the best box wins.
	rates := func(c candidate) (float64, float64) {
		switch crit {
		case EO:
			return c.tpr, c.fpr
		case EOpp, FNR:
			return c.tpr, 0
		case FPR:
			return c.fpr, 0
		}
		return c.rate, 0
	}
	steps1, steps2 := 1000, 0
	if crit == EO {
		steps1, steps2 = 100, 100
	}
	best, bestCorrect := Thresholds{}, -1
	choice := make([]float64, groups)
	for a := 0; a <= steps1; a++ {
		lo1 := float64(a) / float64(steps1)
		for b := 0; b <= steps2; b++ {
			lo2 := 0.0
			if steps2 > 0 {
				lo2 = float64(b) / float64(steps2)
			}
			total, ok := 0, true
			for g, cands := range byGroup {
				if cands == nil {
					choice[g] = Threshold
					continue
				}
				top := -1
				for _, c := range cands {
					r1, r2 := rates(c)
					if r1 < lo1-1e-12 || r1 > lo1+limit+1e-12 || steps2 > 0 && (r2 < lo2-1e-12 || r2 > lo2+limit+1e-12) {
						continue
					}
					if c.correct > top {
						top, choice[g] = c.correct, c.t
					}
				}
				if top < 0 {
					ok = false
					break
				}
				total += top
			}
			if ok && total > bestCorrect {
				bestCorrect = total
				best = Thresholds{T: append([]float64(nil), choice...)}
			}
		}
	}
	if bestCorrect < 0 {
		return Thresholds{}, fmt.Errorf("no per-group thresholds bring %s within %g", crit, limit)
	}
	return best, nil
}
