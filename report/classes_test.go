package report

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// A K-class model's audit has no overall selection rate (no positive class), its summary does not speak
// of rows selected, and its metrics section says the gaps are one class against the rest.
func TestClassesAudit(t *testing.T) {
	const n, k = 300, 3
	rng := rand.New(rand.NewPCG(5, 6))
	before, after, label := make([]float32, n*k), make([]float32, n*k), make([]float32, n)
	group := make([]int, n)
	for i := range n {
		for c := range k {
			before[i*k+c], after[i*k+c] = rng.Float32(), rng.Float32()
		}
		label[i], group[i] = float32(rng.IntN(k)), rng.IntN(2)
	}
	a := &Audit{Results: []SplitResults{{Split: "test", Before: evaluation(before, label, group), After: evaluation(after, label, group)}}}
	if got := a.Results[0].After.Metrics.Classes; got != k {
		t.Fatalf("%d classes in the metrics", got)
	}
	html := string(render(t, a))
	if strings.Contains(html, "<td>Selection rate</td>") || strings.Contains(html, "share of rows selected") {
		t.Error("a K-class audit reports an overall selection rate")
	}
	if !strings.Contains(html, "This model decides between 3 classes") {
		t.Error("the metrics section does not say the model has 3 classes")
	}
	if !strings.Contains(html, "Male, class 2") {
		t.Error("the group table has no row per group and class")
	}
}
