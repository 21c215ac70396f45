package fairbinn

import (
	"math"
	"slices"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

// Stat is a mean and a sample standard deviation (n−1; 0 for a single value).
type Stat struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// MetricStats are the statistics of each metric over seeds.
type MetricStats struct {
	Accuracy Stat `json:"accuracy"`
	DP       Stat `json:"dp"`
	EO       Stat `json:"eo"`
	EOpp     Stat `json:"eopp"`
	FPR      Stat `json:"fpr"`
}

// Gap is the statistic of criterion c's gap.
func (m MetricStats) Gap(c fairness.Criterion) Stat {
	return fairness.ByCriterion(c, m.DP, m.EO, m.EOpp, m.FPR)
}

// SweepSummary aggregates the finished runs of one (method, η) over seeds.
type SweepSummary struct {
	Method     train.Method `json:"method"`
	Eta        float64      `json:"eta"`
	EtaIgnored bool         `json:"eta_ignored,omitempty"` // a method η does not change
	Runs       int          `json:"runs"`                  // finished with a result
	Failed     int          `json:"failed"`
	Seeds      []uint64     `json:"seeds"` // of the finished runs
	Val        MetricStats  `json:"val"`
	Test       MetricStats  `json:"test"`
}

// BackboneStats is the reference point: the backbone before insertion, per seed's splits.
type BackboneStats struct {
	Seeds []uint64    `json:"seeds"`
	Val   MetricStats `json:"val"`
	Test  MetricStats `json:"test"`
}

// summarize computes mean ± sd over seeds per (method, η), in grid order, and the backbone's reference
// metrics (one value per seed: the splits depend on the seed).
func summarize(res *SweepResult) ([]SweepSummary, *BackboneStats, *BackboneStats) {
	var out []SweepSummary
	for _, m := range res.Grid.Methods {
		for _, eta := range etasOf(m, res.Grid.Etas) {
			s := SweepSummary{Method: m, Eta: eta, EtaIgnored: !m.UsesEta(), Seeds: []uint64{}}
			var val, test []fairness.Metrics
			for _, r := range res.Runs {
				if r.Method != m || r.Eta != eta {
					continue
				}
				if !r.OK() {
					s.Failed++
					continue
				}
				s.Runs++
				s.Seeds = append(s.Seeds, r.Seed)
				val, test = append(val, *r.Val), append(test, *r.Test)
			}
			s.Val, s.Test = statsOf(val), statsOf(test)
			out = append(out, s)
		}
	}
	ref := perSeed(res, func(r *SweepRun) *SplitMetrics { return r.Backbone })
	baseline := perSeed(res, func(r *SweepRun) *SplitMetrics {
		if b := r.Baseline; b != nil && b.Val != nil && b.Test != nil {
			return &SplitMetrics{Val: *b.Val, Test: *b.Test}
		}
		return nil
	})
	return out, ref, baseline
}

// perSeed is the statistics over seeds of metrics that depend on the seed only (its splits), one value
// per seed from the first finished run that has them; nil when no run has them.
func perSeed(res *SweepResult, of func(*SweepRun) *SplitMetrics) *BackboneStats {
	var st *BackboneStats
	var val, test []fairness.Metrics
	for _, r := range res.Runs {
		m := of(r)
		if !r.OK() || m == nil {
			continue
		}
		if st == nil {
			st = &BackboneStats{}
		}
		if slices.Contains(st.Seeds, r.Seed) {
			continue
		}
		st.Seeds = append(st.Seeds, r.Seed)
		val, test = append(val, m.Val), append(test, m.Test)
	}
	if st != nil {
		st.Val, st.Test = statsOf(val), statsOf(test)
	}
	return st
}

func statsOf(ms []fairness.Metrics) MetricStats {
	pick := func(get func(fairness.Metrics) float64) Stat {
		xs := make([]float64, len(ms))
		for i, m := range ms {
			xs[i] = get(m)
		}
		return MeanSD(xs)
	}
	return MetricStats{
		Accuracy: pick(func(m fairness.Metrics) float64 { return m.Accuracy }),
		DP:       pick(func(m fairness.Metrics) float64 { return m.DP }),
		EO:       pick(func(m fairness.Metrics) float64 { return m.EO }),
		EOpp:     pick(func(m fairness.Metrics) float64 { return m.EOpp }),
		FPR:      pick(func(m fairness.Metrics) float64 { return fairness.FPRGap(m.Groups) }),
	}
}

// MeanSD is the mean and the sample standard deviation (n−1); zero for no values, so callers look at the
// count first.
func MeanSD(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{}
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(len(xs))
	if len(xs) == 1 {
		return Stat{Mean: mean}
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return Stat{Mean: mean, SD: math.Sqrt(ss / float64(len(xs)-1))}
}
