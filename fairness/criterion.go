package fairness

import (
	"fmt"
	"math"
)

// Criterion is a group-fairness criterion.
type Criterion int

// The criteria.
const (
	DP   Criterion = iota // demographic parity
	EO                    // equalized odds
	EOpp                  // equal opportunity
	// FPR is false-positive-rate parity: the largest gap in P(ŷ=1 | y=0) between groups, where wrongly
	// selecting a row hurts most (a wrongful flag, an arrest).
	FPR
	// FNR is false-negative-rate parity: the largest gap in P(ŷ=0 | y=1) between groups. FNR = 1 − TPR,
	// so its gap is EOpp's; it is named for users who state the limit on missed positives.
	FNR
)

// ParseCriterion parses "dp", "eo" or "eopp" (the --fairness flag).
func ParseCriterion(s string) (Criterion, error) {
	switch s {
	case "dp":
		return DP, nil
	case "eo":
		return EO, nil
	case "eopp":
		return EOpp, nil
	case "fpr":
		return FPR, nil
	case "fnr":
		return FNR, nil
	}
	return 0, fmt.Errorf("fairness criterion %q: want dp, eo, eopp, fpr or fnr", s)
}

func (c Criterion) String() string {
	switch c {
	case DP:
		return "dp"
	case EO:
		return "eo"
	case EOpp:
		return "eopp"
	case FPR:
		return "fpr"
	case FNR:
		return "fnr"
	}
	return fmt.Sprintf("criterion(%d)", int(c))
}

// Label is the criterion's name in tables and progress lines: DP, EO or EOpp.
func (c Criterion) Label() string {
	switch c {
	case EO:
		return "EO"
	case EOpp:
		return "EOpp"
	case FPR:
		return "FPR"
	case FNR:
		return "FNR"
	}
	return "DP"
}

// Loss returns the criterion's differentiable loss.
func (c Criterion) Loss() Loss {
	switch c {
	case EO:
		return EOLoss
	case EOpp, FNR:
		return EOppLoss
	case FPR:
		return FPRLoss
	}
	return DPLoss
}

// Gap returns the criterion's metric (the DP, EO, EOpp, FPR or FNR difference) from computed metrics;
// the FPR gap comes from the per-group table, over the groups whose FPR is defined.
func (c Criterion) Gap(m Metrics) float64 {
	return ByCriterion(c, m.DP, m.EO, m.EOpp, FPRGap(m.Groups))
}

// ByCriterion picks, of values kept per gap (as in Metrics, an epoch's record or a table of statistics),
// the one c limits: FNR's gap is EOpp's.
func ByCriterion[T any](c Criterion, dp, eo, eopp, fpr T) T {
	switch c {
	case EO:
		return eo
	case EOpp, FNR:
		return eopp
	case FPR:
		return fpr
	}
	return dp
}

// FPRGap is the largest difference in false positive rate between two groups of a per-group table, over
// the groups where it is defined (0 with fewer than two); for a K-class table, the largest over the
// classes of that of "ŷ = k".
func FPRGap(rows []GroupRow) float64 {
	lo, hi := map[int]float64{}, map[int]float64{}
	for _, r := range rows {
		if r.FPR == nil {
			continue
		}
		c := 0
		if r.Class != nil {
			c = *r.Class
		}
		if _, ok := lo[c]; !ok {
			lo[c], hi[c] = math.Inf(1), math.Inf(-1)
		}
		lo[c], hi[c] = min(lo[c], *r.FPR), max(hi[c], *r.FPR)
	}
	g := 0.0
	for c := range lo {
		g = max(g, hi[c]-lo[c])
	}
	return g
}

// LossValue computes the criterion's loss in plain Go (see DPLossValue).
func (c Criterion) LossValue(prob, label []float32, group []int) float64 {
	switch c {
	case EO:
		return EOLossValue(prob, label, group)
	case EOpp, FNR:
		return EOppLossValue(prob, label, group)
	case FPR:
		return FPRLossValue(prob, label, group)
	}
	return DPLossValue(prob, group)
}

// MarshalText writes the criterion as ParseCriterion reads it ("dp", "eo", "eopp").
func (c Criterion) MarshalText() ([]byte, error) {
	if c < DP || c > FNR {
		return nil, fmt.Errorf("fairness criterion %d is not one of dp, eo, eopp, fpr, fnr", int(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText reads a criterion written by MarshalText.
func (c *Criterion) UnmarshalText(b []byte) error {
	v, err := ParseCriterion(string(b))
	if err == nil {
		*c = v
	}
	return err
}
