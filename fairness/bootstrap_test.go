package fairness

import (
	"math/rand/v2"
	"testing"
)

// The intervals are reproducible by seed, and a 95 % interval of the DP difference covers the
// population's value in about 95 % of repeated samples (200 samples: the count must lie in the binomial
// range 182 to 197, which holds with probability above 0.99 when the coverage is right).
func TestBootstrapCoverage(t *testing.T) {
	// Population: group 0 selected with probability 0.30, group 1 with 0.20; DP = 0.10 (labels all 1,
	// so accuracy is the selection rate).
	draw := func(rng *rand.Rand, n int) ([]float32, []float32, []int) {
		p, y, g := make([]float32, n), make([]float32, n), make([]int, n)
		for i := range n {
			g[i] = i % 2
			rate := 0.30
			if g[i] == 1 {
				rate = 0.20
			}
			if rng.Float64() < rate {
				p[i] = 1
			}
			y[i] = 1
		}
		return p, y, g
	}
	rng := rand.New(rand.NewPCG(1, 2))
	p, y, g := draw(rng, 400)
	a, err := Bootstrap(p, y, g, nil, 0.95, 300, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Bootstrap(p, y, g, nil, 0.95, 300, 7)
	if a.DP != b.DP || a.Accuracy != b.Accuracy || len(a.Groups) != 2 || a.Groups[0] != b.Groups[0] {
		t.Errorf("same seed, different intervals: %+v %+v", a, b)
	}
	covered := 0
	const samples = 200
	for range samples {
		p, y, g := draw(rng, 400)
		iv, err := Bootstrap(p, y, g, nil, 0.95, 300, rng.Uint64())
		if err != nil {
			t.Fatal(err)
		}
		if iv.DP.Lo <= 0.10 && 0.10 <= iv.DP.Hi {
			covered++
		}
	}
	t.Logf("covered in %d of %d samples", covered, samples)
	if covered < 182 || covered > 197 {
		t.Errorf("the 95%% interval covered the true DP in %d of %d samples; want about 190", covered, samples)
	}
	if _, err := Bootstrap(p, y, g, nil, 1.5, 300, 1); err == nil {
		t.Error("level 1.5 accepted")
	}
}
