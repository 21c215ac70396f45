package fairness

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/testkit"
)

const tol = 1e-12

func TestMetricsTwoGroups(t *testing.T) {
	// group 0: labels 1 1 0 0, predictions 1 0 1 0 → selection 1/2, TPR 1/2, FPR 1/2, accuracy 1/2
	// group 1: labels 1 1 0 0, predictions 1 1 0 0 → selection 1/2, TPR 1,   FPR 0,   accuracy 1
	prob := []float32{0.9, 0.4, 0.6, 0.1, 0.8, 0.7, 0.2, 0.3}
	label := []float32{1, 1, 0, 0, 1, 1, 0, 0}
	group := []int{0, 0, 0, 0, 1, 1, 1, 1}
	m := Compute(prob, label, group, []string{"Male", "Female"})
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"accuracy", m.Accuracy, 0.75}, {"dp", m.DP, 0}, {"eo", m.EO, 0.5}, {"eopp", m.EOpp, 0.5},
	} {
		testkit.CloseTo(t, c.name, []float64{c.got}, []float64{c.want}, tol, 0)
	}
	want := []GroupRow{
		{Group: "Male", Size: 4, Positives: 2, SelectionRate: 0.5, TPR: f(0.5), FPR: f(0.5), Accuracy: 0.5},
		{Group: "Female", Size: 4, Positives: 2, SelectionRate: 0.5, TPR: f(1), FPR: f(0), Accuracy: 1},
	}
	if !rowsEqual(m.Groups, want) {
		t.Errorf("groups %+v, want %+v", m.Groups, want)
	}
	pred, y := Predict(prob), Binary(label)
	if got := DemographicParityDifference(pred, group); got != 0 {
		t.Errorf("DemographicParityDifference = %v", got)
	}
	if got := EqualizedOddsDifference(pred, y, group); got != 0.5 {
		t.Errorf("EqualizedOddsDifference = %v", got)
	}
	if got := EqualOpportunityDifference(pred, y, group); got != 0.5 {
		t.Errorf("EqualOpportunityDifference = %v", got)
	}
	if got := Accuracy(pred, y); got != 0.75 {
		t.Errorf("Accuracy = %v", got)
	}
}

func TestMetricsThreeGroups(t *testing.T) {
	// Group ids 0, 1 and 3 (2 is absent and ignored).
	//   group 0: labels 1 0 0,   predictions 1 1 0   → selection 2/3, TPR 1,   FPR 1/2, accuracy 2/3
	//   group 1: labels 1 1,     predictions 0 1     → selection 1/2, TPR 1/2, FPR n/a (no negatives), accuracy 1/2
	//   group 3: labels 0 0 1 0, predictions 1 0 1 1 → selection 3/4, TPR 1,   FPR 2/3, accuracy 1/2
	// DP = 3/4 − 1/2; TPR gap = 1 − 1/2; FPR gap = 2/3 − 1/2 (group 1 left out); EO = 1/2; accuracy 5/9.
	pred := []int{1, 1, 0, 0, 1, 1, 0, 1, 1}
	label := []int{1, 0, 0, 1, 1, 0, 0, 1, 0}
	group := []int{0, 0, 0, 1, 1, 3, 3, 3, 3}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"DP", DemographicParityDifference(pred, group), 0.25},
		{"EOpp", EqualOpportunityDifference(pred, label, group), 0.5},
		{"EO", EqualizedOddsDifference(pred, label, group), 0.5},
		{"accuracy", Accuracy(pred, label), 5.0 / 9},
	} {
		testkit.CloseTo(t, c.name, []float64{c.got}, []float64{c.want}, tol, 0)
	}
	prob := make([]float32, len(pred))
	y := make([]float32, len(pred))
	for i := range pred {
		prob[i] = 0.2 + 0.6*float32(pred[i]) // 0.2 or 0.8
		y[i] = float32(label[i])
	}
	rows := GroupTable(prob, y, group, []string{"a", "b", "c", "d"})
	want := []GroupRow{
		{Group: "a", Size: 3, Positives: 1, SelectionRate: 2.0 / 3, TPR: f(1), FPR: f(0.5), Accuracy: 2.0 / 3},
		// b has no negatives: its FPR is undefined (n/a), not 0.
		{Group: "b", Size: 2, Positives: 2, SelectionRate: 0.5, TPR: f(0.5), FPR: nil, Accuracy: 0.5},
		{Group: "d", Size: 4, Positives: 1, SelectionRate: 0.75, TPR: f(1), FPR: f(2.0 / 3), Accuracy: 0.5},
	}
	if !rowsEqual(rows, want) {
		t.Errorf("table %+v, want %+v", rows, want)
	}
	if rows := GroupTable(prob, y, group, []string{"a"}); rows[2].Group != "group 3" {
		t.Errorf("unnamed group %q", rows[2].Group)
	}
}

// TestGroupWithoutPositives: a group with no positive rows has no TPR, and the TPR gap is taken over the
// other groups (Fairlearn would count it as 0 and read a gap of 1 here).
func TestGroupWithoutPositives(t *testing.T) {
	pred := []int{1, 0, 0, 0}
	label := []int{1, 0, 0, 0}
	group := []int{0, 0, 1, 1}
	if got := EqualOpportunityDifference(pred, label, group); got != 0 {
		t.Errorf("EOpp = %v, want 0 (group 1 has no TPR)", got)
	}
	if got := EqualizedOddsDifference(pred, label, group); got != 0 {
		t.Errorf("EO = %v, want 0 (FPRs 0 and 0)", got)
	}
}

func TestMetricsEdgeCases(t *testing.T) {
	if m := Compute(nil, nil, nil, nil); m.Accuracy != 0 || m.DP != 0 || m.EO != 0 || len(m.Groups) != 0 {
		t.Errorf("empty: %+v", m)
	}
	// One group: no gap.
	m := Compute([]float32{0.9, 0.1, 0.7}, []float32{1, 1, 0}, []int{2, 2, 2}, nil)
	if m.DP != 0 || m.EO != 0 || m.EOpp != 0 || len(m.Groups) != 1 || m.Groups[0].Group != "group 2" {
		t.Errorf("one group: %+v", m)
	}
	// The threshold: 0.5 is positive.
	if got := Predict([]float32{0.5, 0.49999997, 1, 0}); !slices.Equal(got, []int{1, 0, 1, 0}) {
		t.Errorf("Predict = %v", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "3 predictions") {
			t.Errorf("length mismatch: recovered %v", r)
		}
	}()
	DemographicParityDifference([]int{1, 0, 1}, []int{0, 1})
}

func TestMetricsJSON(t *testing.T) {
	m := Compute([]float32{0.9, 0.1}, []float32{1, 0}, []int{0, 1}, []string{"M", "F"})
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	// M has no negatives and F no positives: M's FPR and F's TPR are undefined (null), and each gap is
	// taken over the one group where its rate is defined.
	want := `{"accuracy":1,"dp":1,"eo":0,"eopp":0,"groups":[{"group":"M","size":1,"positives":1,"selection_rate":1,"tpr":1,"fpr":null,"accuracy":1},{"group":"F","size":1,"positives":0,"selection_rate":0,"tpr":null,"fpr":0,"accuracy":1}]}`
	if string(js) != want {
		t.Errorf("json\n%s\nwant\n%s", js, want)
	}
}

func TestCriterion(t *testing.T) {
	m := Metrics{DP: 1, EO: 2, EOpp: 3}
	for _, c := range []struct {
		s   string
		gap float64
	}{{"dp", 1}, {"eo", 2}, {"eopp", 3}} {
		k, err := ParseCriterion(c.s)
		if err != nil || k.String() != c.s || k.Gap(m) != c.gap || k.Loss() == nil {
			t.Errorf("%s: %v %v", c.s, k, err)
		}
	}
	if _, err := ParseCriterion("DP"); err == nil {
		t.Error("ParseCriterion(DP) succeeded")
	}
}

func TestLossValues(t *testing.T) {
	for _, c := range []struct {
		name  string
		got   float64
		want  float64
		about string
	}{
		{"dp two groups", DPLossValue([]float32{0.9, 0.5, 0.2, 0.4}, []int{0, 0, 1, 1}), 0.08, "means 0.7, 0.3, overall 0.5"},
		{"dp three groups", DPLossValue([]float32{0.9, 0.3, 0.6, 0.6, 0.1, 0.5}, []int{0, 0, 1, 1, 2, 2}), 0.06,
			"means 0.6, 0.6, 0.3, overall 0.5"},
		{"dp unequal sizes", DPLossValue([]float32{1, 0, 0, 0, 1}, []int{0, 0, 0, 1, 1}), 1.0/225 + 0.01,
			"means 1/3, 1/2, overall 2/5"},
		{"eo", EOLossValue([]float32{0.9, 0.7, 0.2, 0.4, 0.6, 0.5, 0.3, 0.1}, []float32{1, 1, 0, 0, 1, 1, 0, 0},
			[]int{0, 0, 0, 0, 1, 1, 1, 1}), 0.03125 + 0.005, "y=1: 0.8, 0.55 vs 0.675; y=0: 0.3, 0.2 vs 0.25"},
		{"eopp", EOppLossValue([]float32{0.9, 0.7, 0.2, 0.4, 0.6, 0.5, 0.3, 0.1}, []float32{1, 1, 0, 0, 1, 1, 0, 0},
			[]int{0, 0, 0, 0, 1, 1, 1, 1}), 0.03125, "y=1 only"},
		{"eopp, group 1 has no positives", EOppLossValue([]float32{0.8, 0.2, 0.4, 0.6}, []float32{1, 0, 0, 0},
			[]int{0, 0, 1, 1}), 0, "only group 0 among y=1"},
		{"eo, group 1 has no positives", EOLossValue([]float32{0.8, 0.2, 0.4, 0.6}, []float32{1, 0, 0, 0},
			[]int{0, 0, 1, 1}), 0.05, "y=0: 0.2, 0.5 vs 0.4"},
		{"one group", DPLossValue([]float32{0.1, 0.9}, []int{1, 1}), 0, ""},
		{"empty", DPLossValue(nil, nil), 0, ""},
	} {
		testkit.CloseTo(t, c.name+" ("+c.about+")", []float64{c.got}, []float64{c.want}, 1e-7, 0)
	}
}

func f(v float64) *float64 { return &v }

// rowsEqual compares group rows by value, an undefined rate (nil) equal only to an undefined one.
func rowsEqual(a, b []GroupRow) bool {
	if len(a) != len(b) {
		return false
	}
	same := func(x, y *float64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	for i := range a {
		x, y := a[i], b[i]
		if x.Group != y.Group || x.Size != y.Size || x.Positives != y.Positives || x.SelectionRate != y.SelectionRate ||
			x.Accuracy != y.Accuracy || !same(x.TPR, y.TPR) || !same(x.FPR, y.FPR) {
			return false
		}
	}
	return true
}

// A group without negatives has no FPR: it is n/a, and the FPR gap is taken over the other groups only
// (with its FPR taken as 0 the gap here would be 0.5).
func TestUndefinedRatesLeftOut(t *testing.T) {
	// Group 0: one positive predicted 1, one negative predicted 1 (FPR 1); group 1: two positives (no
	// negatives); group 2: one negative predicted 1 (FPR 1).
	pred := []int{1, 1, 1, 0, 1}
	label := []int{1, 0, 1, 1, 0}
	group := []int{0, 0, 1, 1, 2}
	prob := make([]float32, len(pred))
	y := make([]float32, len(pred))
	for i := range pred {
		prob[i], y[i] = float32(pred[i]), float32(label[i])
	}
	m := Compute(prob, y, group, []string{"a", "b", "c"})
	if m.Groups[1].FPR != nil || Rate(m.Groups[1].FPR) != "n/a" {
		t.Errorf("FPR of a group without negatives: %v", Rate(m.Groups[1].FPR))
	}
	// TPRs: a 1, b 0.5, c n/a → gap 0.5; FPRs: a 1, c 1 (b n/a) → gap 0; EO = 0.5.
	if m.EO != 0.5 || m.EOpp != 0.5 {
		t.Errorf("EO %v EOpp %v, want 0.5 and 0.5 (undefined rates left out)", m.EO, m.EOpp)
	}
}
