package fairbinn

import (
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
)

// A group too small to measure a constraint on is named, with the rows its rate is counted on: every row
// for dp, the positives for eopp, the negatives for fpr; a group large enough is not.
func TestResolutionWarnings(t *testing.T) {
	// Group "big": 1000 rows, 500 positives. Group "small": 150 rows, 10 positives.
	var group []int
	var y []float32
	add := func(g, n, positives int) {
		for i := range n {
			group = append(group, g)
			y = append(y, map[bool]float32{true: 1, false: 0}[i < positives])
		}
	}
	add(0, 1000, 500)
	add(1, 150, 10)
	data := &dataset.Data{GroupNames: []string{"big", "small"}, Val: &dataset.Split{Name: "val", Rows: len(y), Group: group, Y: y}}
	for _, c := range []struct {
		constraint string
		want       string // "" for no warning
	}{
		{"dp<=0.05", ""}, // 1/150 = 0.0067 < 0.025
		{"dp<=0.01", `"small" (150 validation rows: 0.0067 a row)`}, // > 0.005
		{"eopp<=0.05", `"small" (10 validation positives: 0.1000 a row)`},
		{"fpr<=0.05", ""}, // 140 negatives: 0.0071 a row
		{"eo<=0.01", `"small" (140 validation negatives: 0.0071 a row), "small" (10 validation positives: 0.1000 a row)`},
	} {
		cs, err := fairness.ParseConstraints(c.constraint)
		if err != nil {
			t.Fatal(err)
		}
		got := ResolutionWarnings(data, cs)
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("%s: warned %q", c.constraint, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want) || strings.Contains(got[0], `"big"`)):
			t.Errorf("%s: warned %q, want one line naming %s", c.constraint, got, c.want)
		}
	}
}
