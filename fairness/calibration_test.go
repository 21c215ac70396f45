package fairness

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/testkit"
)

func TestCalibrationPerfect(t *testing.T) {
	// Two bins. p = 0.25 four times with one positive, p = 0.75 four times with three: each bin's mean
	// prediction equals its observed rate, so the ECE is 0.
	prob := []float32{0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75}
	label := []float32{1, 0, 0, 0, 1, 1, 1, 0}
	group := []int{0, 1, 0, 1, 0, 1, 0, 1}
	rep := Calibration(prob, label, group, []string{"a", "b"}, 2)
	want := &CalibrationRow{Rows: 8, ECE: 0, Curve: []ReliabilityBin{
		{Lo: 0, Hi: 0.5, MeanPredicted: 0.25, ObservedRate: 0.25, Count: 4},
		{Lo: 0.5, Hi: 1, MeanPredicted: 0.75, ObservedRate: 0.75, Count: 4},
	}}
	if !reflect.DeepEqual(rep.Overall, want) {
		t.Errorf("overall %+v, want %+v", rep.Overall, want)
	}
	if rep.Bins != 2 || len(rep.Groups) != 2 {
		t.Fatalf("bins %d, %d groups; want 2 and 2", rep.Bins, len(rep.Groups))
	}
	// Group a: 0.25 (1), 0.25 (0), 0.75 (1), 0.75 (1) → bins (0.25, 0.5) and (0.75, 1):
	// ECE = 2/4·0.25 + 2/4·0.25 = 0.25.
	a := rep.Groups[0]
	if a.Group != "a" || a.Rows != 4 {
		t.Errorf("group %q with %d rows, want a with 4", a.Group, a.Rows)
	}
	testkit.CloseTo(t, "ECE a", []float64{a.ECE}, []float64{0.25}, tol, 0)
}

func TestCalibrationByHand(t *testing.T) {
	// Four bins of width 0.25.
	//   group 0 "a": 0.125 (0), 0.125 (1), 0.625 (1), 0.875 (1), 1 (1)
	//     bin 0: mean 0.125, observed 1/2, 2 rows → |0.375|
	//     bin 1: empty, skipped
	//     bin 2: mean 0.625, observed 1, 1 row → 0.375
	//     bin 3 (holds p = 1): mean 0.9375, observed 1, 2 rows → 0.0625
	//     ECE = (2·0.375 + 0.375 + 2·0.0625) / 5 = 0.25
	//   group 1 "b", one row: 0.375 (0) → bin 1, ECE 0.375
	//   group 2: no rows, absent
	//   group 3 (beyond names): 0.5 (1) → bin 2, ECE 0.5
	//   overall: bin 0 (2 rows, 0.375), bin 1 (1 row, 0.375), bin 2 (0.625, 0.5 → mean 0.5625, observed 1,
	//   2 rows, 0.4375), bin 3 (2 rows, 0.0625): ECE = (0.75 + 0.375 + 0.875 + 0.125) / 7 = 2.125/7
	prob := []float32{0.125, 0.125, 0.625, 0.875, 1, 0.375, 0.5}
	label := []float32{0, 1, 1, 1, 1, 0, 1}
	group := []int{0, 0, 0, 0, 0, 1, 3}
	rep := Calibration(prob, label, group, []string{"a", "b", "c"}, 4)

	want := CalibrationReport{
		Bins: 4,
		Overall: &CalibrationRow{Rows: 7, ECE: 2.125 / 7, Curve: []ReliabilityBin{
			{Lo: 0, Hi: 0.25, MeanPredicted: 0.125, ObservedRate: 0.5, Count: 2},
			{Lo: 0.25, Hi: 0.5, MeanPredicted: 0.375, ObservedRate: 0, Count: 1},
			{Lo: 0.5, Hi: 0.75, MeanPredicted: 0.5625, ObservedRate: 1, Count: 2},
			{Lo: 0.75, Hi: 1, MeanPredicted: 0.9375, ObservedRate: 1, Count: 2},
		}},
		Groups: []CalibrationRow{
			{Group: "a", Rows: 5, ECE: 0.25, Curve: []ReliabilityBin{
				{Lo: 0, Hi: 0.25, MeanPredicted: 0.125, ObservedRate: 0.5, Count: 2},
				{Lo: 0.5, Hi: 0.75, MeanPredicted: 0.625, ObservedRate: 1, Count: 1},
				{Lo: 0.75, Hi: 1, MeanPredicted: 0.9375, ObservedRate: 1, Count: 2},
			}},
			{Group: "b", Rows: 1, ECE: 0.375, Curve: []ReliabilityBin{
				{Lo: 0.25, Hi: 0.5, MeanPredicted: 0.375, ObservedRate: 0, Count: 1},
			}},
			{Group: "group 3", Rows: 1, ECE: 0.5, Curve: []ReliabilityBin{
				{Lo: 0.5, Hi: 0.75, MeanPredicted: 0.5, ObservedRate: 1, Count: 1},
			}},
		},
	}
	checkCalibration(t, rep, want)
}

// checkCalibration compares two reports, the ECEs within tol and everything else exactly.
func checkCalibration(t *testing.T, got, want CalibrationReport) {
	t.Helper()
	rows := func(r CalibrationReport) []*CalibrationRow {
		out := []*CalibrationRow{r.Overall}
		for i := range r.Groups {
			out = append(out, &r.Groups[i])
		}
		return out
	}
	g, w := rows(got), rows(want)
	if got.Bins != want.Bins || got.NaNRows != want.NaNRows || len(g) != len(w) || (got.Overall == nil) != (want.Overall == nil) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range w {
		if w[i] == nil {
			continue
		}
		testkit.CloseTo(t, "ECE of "+w[i].Group, []float64{g[i].ECE}, []float64{w[i].ECE}, tol, 0)
		gi, wi := *g[i], *w[i]
		gi.ECE, wi.ECE = 0, 0
		if !reflect.DeepEqual(gi, wi) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, gi, wi)
		}
	}
}

func TestCalibrationEdges(t *testing.T) {
	// A NaN is left out and counted; −0.5 counts in the first bin and 1.5 in the last, each with its own
	// value in the bin's mean.
	prob := []float32{float32(math.NaN()), -0.5, 1.5}
	label := []float32{1, 0, 1}
	group := []int{0, 0, 1}
	rep := Calibration(prob, label, group, nil, 2)
	want := CalibrationReport{
		Bins: 2, NaNRows: 1,
		Overall: &CalibrationRow{Rows: 2, ECE: 0.5, Curve: []ReliabilityBin{
			{Lo: 0, Hi: 0.5, MeanPredicted: -0.5, ObservedRate: 0, Count: 1},
			{Lo: 0.5, Hi: 1, MeanPredicted: 1.5, ObservedRate: 1, Count: 1},
		}},
		Groups: []CalibrationRow{
			{Group: "group 0", Rows: 1, ECE: 0.5, Curve: []ReliabilityBin{{Lo: 0, Hi: 0.5, MeanPredicted: -0.5, ObservedRate: 0, Count: 1}}},
			{Group: "group 1", Rows: 1, ECE: 0.5, Curve: []ReliabilityBin{{Lo: 0.5, Hi: 1, MeanPredicted: 1.5, ObservedRate: 1, Count: 1}}},
		},
	}
	checkCalibration(t, rep, want)

	if got := Calibration(nil, nil, nil, nil, 0); got.Bins != DefaultCalibrationBins || got.Overall != nil || len(got.Groups) != 0 {
		t.Errorf("no rows: %+v; want %d bins, no overall row, no groups", got, DefaultCalibrationBins)
	}
	// A group whose only row is NaN has no rows left: it is absent.
	if got := Calibration([]float32{0.2, float32(math.NaN())}, []float32{0, 1}, []int{0, 1}, []string{"a", "b"}, 0); len(got.Groups) != 1 || got.Groups[0].Group != "a" {
		t.Errorf("a group of NaN rows: %+v, want only group a", got.Groups)
	}
}

func TestCalibrationJSON(t *testing.T) {
	b, err := json.Marshal(Calibration([]float32{0.25}, []float32{1}, []int{0}, []string{"a"}, 2))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"bins":2,"overall":{"rows":1,"ece":0.75,"curve":[{"lo":0,"hi":0.5,"mean_predicted":0.25,"observed_rate":1,"count":1}]},` +
		`"groups":[{"group":"a","rows":1,"ece":0.75,"curve":[{"lo":0,"hi":0.5,"mean_predicted":0.25,"observed_rate":1,"count":1}]}]}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	b, err = json.Marshal(Calibration(nil, nil, nil, nil, 2))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"bins":2,"overall":null,"groups":[]}`; string(b) != want {
		t.Errorf("JSON of no rows %s, want %s", b, want)
	}
}

func TestCalibrationPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"lengths": func() { Calibration([]float32{0.5}, []float32{1, 0}, []int{0}, nil, 2) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "fairness: ") {
					t.Errorf("recovered %v, want a fairness panic", r)
				}
			}()
			f()
		})
	}
}

// TestCalibrationProperties checks, on random data, what holds for any input in [0, 1]: the bins'
// counts add up to the rows, the groups' rows to the overall rows, each bin's mean lies within its edges,
// the ECE is the count-weighted distance recomputed from the curve and lies in [0, 1], the overall ECE is
// at most the row-weighted mean of the groups' ECEs (the triangle inequality, bin by bin), and the order
// of the rows does not matter.
func TestCalibrationProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n, groups, bins := 1+rng.IntN(300), 1+rng.IntN(4), 1+rng.IntN(15)
		prob, label, group := make([]float32, n), make([]float32, n), make([]int, n)
		for i := range n {
			prob[i] = rng.Float32()
			if rng.IntN(20) == 0 {
				prob[i] = float32(rng.IntN(2)) // the edges 0 and 1
			}
			if rng.Float32() < prob[i] {
				label[i] = 1
			}
			group[i] = rng.IntN(groups)
		}
		rep := Calibration(prob, label, group, nil, bins)
		check := func(what string, r CalibrationRow) {
			count, ece := 0, 0.0
			for k, b := range r.Curve {
				count += b.Count
				ece += float64(b.Count) / float64(r.Rows) * math.Abs(b.MeanPredicted-b.ObservedRate)
				if b.Count == 0 || b.MeanPredicted < b.Lo || b.MeanPredicted > b.Hi || (k > 0 && b.Lo <= r.Curve[k-1].Lo) {
					t.Fatalf("trial %d, %s: bin %d %+v", trial, what, k, b)
				}
			}
			if count != r.Rows || r.ECE < 0 || r.ECE > 1 || math.Abs(ece-r.ECE) > 1e-12 {
				t.Fatalf("trial %d, %s: %d rows, counts add to %d, ECE %v (from the curve %v)", trial, what, r.Rows, count, r.ECE, ece)
			}
		}
		check("overall", *rep.Overall)
		rows, bound := 0, 0.0
		for _, g := range rep.Groups {
			check(g.Group, g)
			rows += g.Rows
			bound += float64(g.Rows) / float64(n) * g.ECE
		}
		if rows != n || rep.Overall.Rows != n {
			t.Fatalf("trial %d: groups hold %d rows, overall %d, want %d", trial, rows, rep.Overall.Rows, n)
		}
		if rep.Overall.ECE > bound+1e-12 {
			t.Fatalf("trial %d: overall ECE %v above the groups' weighted mean %v", trial, rep.Overall.ECE, bound)
		}
		perm := rng.Perm(n)
		p2, l2, g2 := make([]float32, n), make([]float32, n), make([]int, n)
		for i, j := range perm {
			p2[i], l2[i], g2[i] = prob[j], label[j], group[j]
		}
		shuffled := Calibration(p2, l2, g2, nil, bins)
		if math.Abs(shuffled.Overall.ECE-rep.Overall.ECE) > 1e-12 || len(shuffled.Groups) != len(rep.Groups) {
			t.Fatalf("trial %d: shuffled rows give %+v, want %+v", trial, shuffled, rep)
		}
	}
}
