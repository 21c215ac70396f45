package fairness

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Interval is a confidence interval.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Intervals are bootstrap confidence intervals of the accuracy and the three gaps.
type Intervals struct {
	Level     float64  `json:"level"`
	Resamples int      `json:"resamples"`
	Seed      uint64   `json:"seed"`
	Accuracy  Interval `json:"accuracy"`
	DP        Interval `json:"dp"`
	EO        Interval `json:"eo"`
	EOpp      Interval `json:"eopp"`
	// Groups holds each group's selection-rate interval, in group-id order of the groups present.
	Groups []GroupInterval `json:"groups,omitempty"`
}

// GroupInterval is one group's selection-rate interval.
type GroupInterval struct {
	Group         string   `json:"group"`
	SelectionRate Interval `json:"selection_rate"`
}

// Bootstrap computes percentile bootstrap intervals at the given level (e.g. 0.95) from resamples
// resamples of the rows, stratified by group (each group keeps its size, so a small group is never
// resampled away), seeded for reproducibility.
func Bootstrap(prob, label []float32, group []int, names []string, level float64, resamples int, seed uint64) (Intervals, error) {
	if !(level > 0 && level < 1) || resamples < 10 {
		return Intervals{}, fmt.Errorf("bootstrap: level %v in (0, 1) and at least 10 resamples (got %d)", level, resamples)
	}
	byGroup := map[int][]int{}
	var gids []int
	for i, g := range group {
		if _, ok := byGroup[g]; !ok {
			gids = append(gids, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	sort.Ints(gids)
	rng := rand.New(rand.NewPCG(seed, 0x626f6f74)) // "boot"
	n := len(label)
	k := Classes(prob, n) // probabilities per row
	p, y, gr := make([]float32, len(prob)), make([]float32, n), make([]int, n)
	acc, dp, eo, eopp := make([]float64, resamples), make([]float64, resamples), make([]float64, resamples), make([]float64, resamples)
	rows := Compute(prob, label, group, names).Groups // a row per group (and class), kept by every resample
	sel := make([][]float64, len(rows))
	for r := range resamples {
		j := 0
		for _, g := range gids {
			rows := byGroup[g]
			for range rows {
				i := rows[rng.IntN(len(rows))]
				copy(p[j*k:(j+1)*k], prob[i*k:(i+1)*k])
				y[j], gr[j] = label[i], group[i]
				j++
			}
		}
		m := Compute(p, y, gr, names)
		acc[r], dp[r], eo[r], eopp[r] = m.Accuracy, m.DP, m.EO, m.EOpp
		for i, row := range m.Groups {
			sel[i] = append(sel[i], row.SelectionRate)
		}
	}
	iv := func(xs []float64) Interval {
		sort.Float64s(xs)
		lo := int(float64(len(xs)-1) * (1 - level) / 2)
		hi := int(float64(len(xs)-1) * (1 - (1-level)/2))
		return Interval{xs[lo], xs[hi]}
	}
	out := Intervals{Level: level, Resamples: resamples, Seed: seed,
		Accuracy: iv(acc), DP: iv(dp), EO: iv(eo), EOpp: iv(eopp)}
	for i, row := range rows {
		out.Groups = append(out.Groups, GroupInterval{Group: row.Group, SelectionRate: iv(sel[i])})
	}
	return out, nil
}
