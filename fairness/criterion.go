package fairness

import "fmt"

// Criterion is a group-fairness criterion.
type Criterion int

// The criteria.
const (
	DP   Criterion = iota // demographic parity
	EO                    // equalized odds
	EOpp                  // equal opportunity
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
	}
	return 0, fmt.Errorf("fairness criterion %q: want dp, eo or eopp", s)
}

func (c Criterion) String() string {
	switch c {
	case DP:
		return "dp"
	case EO:
		return "eo"
	case EOpp:
		return "eopp"
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
	}
	return "DP"
}

// Loss returns the criterion's differentiable loss.
func (c Criterion) Loss() Loss {
	switch c {
	case EO:
		return EOLoss
	case EOpp:
		return EOppLoss
	}
	return DPLoss
}

// Gap returns the criterion's metric (DP, EO or EOpp difference) from computed metrics.
func (c Criterion) Gap(m Metrics) float64 {
	switch c {
	case EO:
		return m.EO
	case EOpp:
		return m.EOpp
	}
	return m.DP
}

// LossValue computes the criterion's loss in plain Go (see DPLossValue).
func (c Criterion) LossValue(prob, label []float32, group []int) float64 {
	switch c {
	case EO:
		return EOLossValue(prob, label, group)
	case EOpp:
		return EOppLossValue(prob, label, group)
	}
	return DPLossValue(prob, group)
}

// MarshalText writes the criterion as ParseCriterion reads it ("dp", "eo", "eopp").
func (c Criterion) MarshalText() ([]byte, error) {
	if c < DP || c > EOpp {
		return nil, fmt.Errorf("fairness criterion %d is not one of dp, eo, eopp", int(c))
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
