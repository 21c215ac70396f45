package fairness

import (
	"math"
	"testing"
)

// A row of group id -1 is in no group: the gaps, the per-group table and the loss values are those of
// the other rows alone, while the accuracy counts every row.
func TestRowsInNoGroup(t *testing.T) {
	prob := []float32{0.9, 0.2, 0.7, 0.4, 0.99, 0.01}
	label := []float32{1, 0, 1, 1, 0, 1}
	group := []int{0, 0, 1, 1, -1, -1}
	m := Compute(prob, label, group, []string{"a", "b"})
	sub := Compute(prob[:4], label[:4], group[:4], []string{"a", "b"})
	if m.DP != sub.DP || m.EO != sub.EO || m.EOpp != sub.EOpp || len(m.Groups) != 2 {
		t.Errorf("gaps with rows in no group %+v, without them %+v", m, sub)
	}
	if want := 3.0 / 6; m.Accuracy != want { // rows 0, 1, 2 right; 3, 4, 5 wrong
		t.Errorf("accuracy %v, want %v over every row", m.Accuracy, want)
	}
	for _, c := range []Criterion{DP, EO, EOpp} {
		if a, b := c.LossValue(prob, label, group), c.LossValue(prob[:4], label[:4], group[:4]); math.Abs(a-b) > 1e-12 {
			t.Errorf("%s loss %v with rows in no group, %v without", c, a, b)
		}
	}
	if c := Calibration(prob, label, group, []string{"a", "b"}, 2); c.Overall.Rows != 6 || len(c.Groups) != 2 || c.Groups[0].Rows+c.Groups[1].Rows != 4 {
		t.Errorf("calibration with rows in no group: %+v", c)
	}
	th := Thresholds{T: []float64{0.95, 0.1}}
	if got := th.Apply(prob, group); got[4] != 1 || got[5] != 0 || got[0] != 0 || got[3] != 1 {
		t.Errorf("thresholds %v: rows in no group keep 0.5", got)
	}
}

// FPR parity is the gap of the groups' false positive rates; FNR parity is EOpp's gap (FNR = 1 − TPR).
func TestFPRAndFNRGaps(t *testing.T) {
	// Group a: negatives 0.9 (FP), 0.2; positive 0.8 (TP). Group b: negatives 0.1, 0.2; positives 0.7, 0.3.
	prob := []float32{0.9, 0.2, 0.8, 0.1, 0.2, 0.7, 0.3}
	label := []float32{0, 0, 1, 0, 0, 1, 1}
	group := []int{0, 0, 0, 1, 1, 1, 1}
	m := Compute(prob, label, group, []string{"a", "b"})
	if got := FPR.Gap(m); got != 0.5 { // 1/2 − 0/2
		t.Errorf("FPR gap %v, want 0.5", got)
	}
	if got := FNR.Gap(m); got != 0.5 || got != m.EOpp { // FNR a 0, b 1/2
		t.Errorf("FNR gap %v, want 0.5 = EOpp %v", got, m.EOpp)
	}
	for _, s := range []string{"fpr", "fnr"} {
		c, err := ParseCriterion(s)
		if err != nil || c.String() != s {
			t.Errorf("%s: %v %v", s, c, err)
		}
		if cs, err := ParseConstraints(s + "<=0.05"); err != nil || cs.String() != s+"<=0.05" {
			t.Errorf("constraint %s: %v", s, err)
		}
	}
	if th, err := FitThresholds(prob, label, group, 2, FPR, 0.0); err != nil || FPR.Gap(Compute(th.Apply(prob, group), label, group, nil)) != 0 {
		t.Errorf("thresholds for FPR parity: %v %v", th, err)
	}
}
