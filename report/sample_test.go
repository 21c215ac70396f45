package report

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

// sampleGroups are the sample's groups: a large one, a smaller one, and one too small to measure, with
// no positive label (its TPR is undefined).
var sampleGroups = []string{"Male", "Female", "Other"}

// predictions draws a split of n rows from a fixed seed: each row's group, its label, and the
// probabilities of a backbone that favours group 0 and of a fine-tuned model that mostly does not.
func predictions(n int, seed uint64) (before, after, label []float32, group []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	sigmoid := func(x float64) float32 { return float32(1 / (1 + math.Exp(-x))) }
	for range n {
		g := 0
		switch u := rng.Float64(); {
		case u > 0.97:
			g = 2
		case u > 0.66:
			g = 1
		}
		skill := rng.NormFloat64()
		y := float32(0)
		if g != 2 && skill+0.4*rng.NormFloat64() > 0.9-0.5*float64(1-g) {
			y = 1
		}
		bias := []float64{0.6, -0.5, -0.2}[g]
		before = append(before, sigmoid(2.2*skill-1.6+bias))
		after = append(after, sigmoid(2.0*skill-1.5+0.15*bias))
		label = append(label, y)
		group = append(group, g)
	}
	return before, after, label, group
}

// evaluation measures a split's probabilities with bootstrap intervals.
func evaluation(prob, label []float32, group []int) *Evaluation {
	iv, err := fairness.Bootstrap(prob, label, group, sampleGroups, 0.95, 200, 1)
	if err != nil {
		panic(err)
	}
	return &Evaluation{Metrics: fairness.Compute(prob, label, group, sampleGroups), Intervals: &iv}
}

// sampleAudit is an audit of every section, built from fixed synthetic predictions.
func sampleAudit() *Audit {
	seed := uint64(1)
	valBefore, valAfter, valLabel, valGroup := predictions(2000, 22)
	testBefore, testAfter, testLabel, testGroup := predictions(3000, 8)
	val := SplitResults{Split: "validation", Before: evaluation(valBefore, valLabel, valGroup), After: evaluation(valAfter, valLabel, valGroup)}
	test := SplitResults{Split: "test", Before: evaluation(testBefore, testLabel, testGroup), After: evaluation(testAfter, testLabel, testGroup)}

	// The threshold baseline: the backbone with a lower threshold for the groups it disfavours.
	shifted := make([]float32, len(testBefore))
	for i, p := range testBefore {
		shifted[i] = p + []float32{0, 0.12, 0.05}[testGroup[i]]
	}
	test.Baseline = evaluation(shifted, testLabel, testGroup)

	rows := func(group []int) map[string]int {
		m := map[string]int{}
		for _, g := range group {
			m[sampleGroups[g]]++
		}
		return m
	}
	_, _, _, trainGroup := predictions(9000, 10)

	dp, err := fairness.ParseConstraint("dp<=0.03")
	if err != nil {
		panic(err)
	}
	eo, err := fairness.ParseConstraint("eo<=0.2")
	if err != nil {
		panic(err)
	}
	estimate := func(r SplitResults, c fairness.Constraint) *Estimate {
		iv := r.After.Intervals.DP
		if c.Criterion == fairness.EO {
			iv = r.After.Intervals.EO
		}
		return &Estimate{Value: c.Value(r.After.Metrics), CI: &iv}
	}

	var history []train.Epoch
	for e := 1; e <= 12; e++ {
		x := float64(e)
		gap := 0.01 + 0.14*math.Exp(-x/2.5)
		eo := 0.185 + 0.06*math.Exp(-x/3)
		history = append(history, train.Epoch{
			Epoch: e, ValAcc: 0.892 - 0.018*(1-math.Exp(-x/3)) + 0.001*math.Sin(x),
			ValDP: gap, ValEO: eo, ValEOpp: gap + 0.01,
			ConstraintValues: []float64{gap, eo},
			Multipliers:      []float64{2 * (1 - math.Exp(-x/4)), 0.8 * (1 - math.Exp(-x/6))},
		})
	}

	var runs []SweepPoint
	for k, method := range []string{"bilevel", "lagrangian", "constrained"} {
		for j, eta := range []float64{1, 5, 20, 50} {
			gap := 0.16 / (1 + eta/(8+4*float64(k)))
			runs = append(runs, SweepPoint{
				Label: method, Series: method,
				Accuracy: 0.893 - 0.02*(1-gap/0.16) - 0.003*float64(k) + 0.001*float64(j%2),
				Gap:      gap,
			})
		}
	}
	agree := 1.0
	return &Audit{
		Title:   "Fairness audit: adult_fair.onnx",
		Date:    time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
		CILevel: 0.95,
		Provenance: Provenance{
			Model:       "out/adult_fair.onnx",
			ModelSHA256: fmt.Sprintf("%x", sha256.Sum256([]byte("the exported model"))),
			Backbone:    "testdata/models/adult_mlp/model.onnx",
			Version:     "0.9.0",
			Method:      "lagrangian",
			Constraints: "dp<=0.03,eo<=0.2",
			Criterion:   "dp",
			Position:    "2 (/Relu_1_output_0, width 101)",
			Data:        "adult:testdata/adult",
			DataSHA256:  fmt.Sprintf("%x", sha256.Sum256([]byte("the data"))),
			Seed:        &seed,
		},
		Data: &Data{
			Groups: sampleGroups,
			Splits: []SplitRows{
				{Name: "train", Rows: len(trainGroup), GroupRows: rows(trainGroup)},
				{Name: "validation", Rows: len(valGroup), GroupRows: rows(valGroup)},
				{Name: "test", Rows: len(testGroup), GroupRows: rows(testGroup)},
			},
			MinGroupSize: 100,
			SmallGroups:  SmallGroupsIgnored,
		},
		Constraints: []ConstraintCheck{
			{Constraint: dp, Val: estimate(val, dp), Test: estimate(test, dp)},
			{Constraint: eo, Val: estimate(val, eo), Test: estimate(test, eo)},
		},
		Results: []SplitResults{val, test},
		Calibration: &Calibration{
			Split:  "test",
			Before: ptr(fairness.Calibration(testBefore, testLabel, testGroup, sampleGroups, 10)),
			After:  ptr(fairness.Calibration(testAfter, testLabel, testGroup, sampleGroups, 10)),
		},
		Training: &Training{History: history, Criterion: fairness.DP, Constraints: []fairness.Constraint{dp, eo}, Selected: 9},
		Sweep: &Sweep{
			Criterion: fairness.DP,
			Runs:      runs,
			Chosen:    &SweepPoint{Label: "lagrangian η=20 seed 1", Accuracy: test.After.Metrics.Accuracy, Gap: test.After.Metrics.DP},
			Baseline:  &SweepPoint{Accuracy: test.Baseline.Metrics.Accuracy, Gap: test.Baseline.Metrics.DP},
			Backbone:  &SweepPoint{Accuracy: test.Before.Metrics.Accuracy, Gap: test.Before.Metrics.DP},
		},
		Parity: &Parity{Compared: "onnxruntime vs Go forward pass", Split: "test", Rows: 3000, MaxAbsDiff: 1.19e-7, Tolerance: 1e-5, LabelAgreement: &agree},
		Drift:  &Drift{Baseline: "out/adult_fair.report.json"},
	}
}

func ptr[T any](v T) *T { return &v }
