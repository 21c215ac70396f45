package fairbinn

import (
	"fmt"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

// BaselineReport is the honest baseline of a fine-tuning run: per-group decision thresholds on the
// unmodified model's scores, chosen on the validation split for the highest accuracy within the same
// fairness limit, then applied to the test split. What fine-tuning buys is the difference.
type BaselineReport struct {
	Criterion  fairness.Criterion `json:"criterion"`
	Limit      float64            `json:"limit"`
	Thresholds map[string]float64 `json:"thresholds,omitempty"` // by group
	Val        *fairness.Metrics  `json:"val,omitempty"`
	Test       *fairness.Metrics  `json:"test,omitempty"`
	Error      string             `json:"error,omitempty"` // why there is none
}

// baselineLimit is the fairness limit of the comparison: the selection rule's, else 0.01.
func baselineLimit(cfg train.Config) float64 {
	if cfg.Select.Rule == train.SelectAccAtGap {
		return cfg.Select.Limit
	}
	return 0.01
}

// thresholdBaseline computes the baseline from the starting model's validation and test scores (the
// backbone, with identity fairness layers when they were just inserted).
func thresholdBaseline(val, test []float32, data *dataset.Data, cfg train.Config) *BaselineReport {
	rep := &BaselineReport{Criterion: cfg.Fairness, Limit: baselineLimit(cfg)}
	if cfg.Constraints.Len() > 0 {
		// The first stated constraint (thresholds are fitted to one criterion).
		c := cfg.Constraints.At(0)
		rep.Criterion, rep.Limit = c.Criterion, c.Limit
	}
	if k := fairness.Classes(val, len(data.Val.Y)); k > 1 {
		rep.Error = fmt.Sprintf("per-group thresholds decide between two classes; the model has %d", k)
		return rep
	}
	th, err := fairness.FitThresholds(val, data.Val.Y, data.Val.Group, len(data.GroupNames), rep.Criterion, rep.Limit)
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	rep.Thresholds = map[string]float64{}
	for g, name := range data.GroupNames {
		rep.Thresholds[name] = th.T[g]
	}
	v := fairness.Compute(th.Apply(val, data.Val.Group), data.Val.Y, data.Val.Group, data.GroupNames)
	t := fairness.Compute(th.Apply(test, data.Test.Group), data.Test.Y, data.Test.Group, data.GroupNames)
	rep.Val, rep.Test = &v, &t
	return rep
}
