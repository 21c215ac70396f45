package fairness

import "fmt"

// DPLossValue computes the DP loss Σ_g (mean_g p − mean p)² in plain Go, over the groups present: the value
// DPLoss gives for the same batch.
func DPLossValue(prob []float32, group []int) float64 {
	return gapLoss(prob, group, func(int) bool { return true })
}

// EOLossValue computes the EO loss (the DP loss within label 1 plus within label 0) in plain Go.
func EOLossValue(prob, label []float32, group []int) float64 {
	checkLen(len(prob), len(label))
	return gapLoss(prob, group, func(i int) bool { return label[i] >= 0.5 }) +
		gapLoss(prob, group, func(i int) bool { return label[i] < 0.5 })
}

// EOppLossValue computes the EOpp loss (the DP loss within label 1) in plain Go.
func EOppLossValue(prob, label []float32, group []int) float64 {
	checkLen(len(prob), len(label))
	return gapLoss(prob, group, func(i int) bool { return label[i] >= 0.5 })
}

// FPRLossValue computes the FPR loss (the DP loss within label 0) in plain Go.
func FPRLossValue(prob, label []float32, group []int) float64 {
	checkLen(len(prob), len(label))
	return gapLoss(prob, group, func(i int) bool { return label[i] < 0.5 })
}

func checkLen(a, b int) {
	if a != b {
		panic(fmt.Sprintf("fairness: %d probabilities, %d labels", a, b))
	}
}

// gapLoss is Σ_g (mean_g p − mean p)² over the rows selected by in, groups without such rows skipped.
func gapLoss(prob []float32, group []int, in func(i int) bool) float64 {
	checkLen(len(prob), len(group))
	var sum []float64
	var n []int
	total, count := 0.0, 0
	for i, g := range group {
		if !in(i) || g < 0 { // a negative id: in no group
			continue
		}
		for g >= len(sum) {
			sum = append(sum, 0)
			n = append(n, 0)
		}
		sum[g] += float64(prob[i])
		n[g]++
		total += float64(prob[i])
		count++
	}
	if count == 0 {
		return 0
	}
	mean := total / float64(count)
	loss := 0.0
	for g, s := range sum {
		if n[g] == 0 {
			continue
		}
		d := s/float64(n[g]) - mean
		loss += d * d
	}
	return loss
}
