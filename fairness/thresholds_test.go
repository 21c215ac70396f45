package fairness

import (
	"math/rand/v2"
	"testing"
)

// synthetic scores where group 1 scores lower for the same label: thresholds at 0.5 are unfair.
func synthetic(n int, seed uint64) (prob, label []float32, group []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for range n {
		g := rng.IntN(2)
		y := float32(0)
		if rng.Float64() < 0.4 {
			y = 1
		}
		p := 0.25 + 0.4*float64(y) - 0.15*float64(g) + 0.2*rng.NormFloat64()
		prob, label, group = append(prob, float32(min(max(p, 0), 1))), append(label, y), append(group, g)
	}
	return prob, label, group
}

// bruteDP is the best accuracy over every pair of thresholds with DP ≤ limit (two groups).
func bruteDP(prob, label []float32, group []int, limit float64) float64 {
	var c [2][]candidate
	for g := range 2 {
		var p, y []float32
		for i := range prob {
			if group[i] == g {
				p, y = append(p, prob[i]), append(y, label[i])
			}
		}
		c[g] = candidates(p, y)
	}
	best := -1
	for _, a := range c[0] {
		for _, b := range c[1] {
			if d := a.rate - b.rate; d <= limit && -d <= limit && a.correct+b.correct > best {
				best = a.correct + b.correct
			}
		}
	}
	return float64(best) / float64(len(prob))
}

func TestFitThresholds(t *testing.T) {
	prob, label, group := synthetic(3000, 1)
	names := []string{"a", "b"}
	before := Compute(prob, label, group, names)
	for _, crit := range []Criterion{DP, EO, EOpp} {
		th, err := FitThresholds(prob, label, group, 2, crit, 0.01)
		if err != nil {
			t.Fatalf("%s: %v", crit, err)
		}
		m := Compute(th.Apply(prob, group), label, group, names)
		if gap := crit.Gap(m); gap > 0.01+1e-9 {
			t.Errorf("%s: gap %.4f after thresholds, want <= 0.01 (thresholds %v)", crit, gap, th.T)
		}
		if crit.Gap(before) <= 0.05 {
			t.Fatalf("%s: the synthetic scores are fair already (%.4f); the test needs unfair ones", crit, crit.Gap(before))
		}
		if crit == DP {
			// The grid of rate bounds may miss the exact optimum by a hair, not more.
			if want := bruteDP(prob, label, group, 0.01); m.Accuracy < want-0.002 {
				t.Errorf("DP thresholds reach accuracy %.4f, the exhaustive pair search %.4f", m.Accuracy, want)
			}
		}
	}
	// A group without rows (left out of the gaps) keeps the usual threshold and constrains nothing.
	if th, err := FitThresholds(prob, label, make([]int, len(prob)), 2, DP, 0.01); err != nil || th.T[1] != Threshold {
		t.Errorf("a group without rows: %v, %v", th, err)
	}
}
