package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
)

// constrainedConfig is quickConfig for the constrained method with the given constraints, selecting by
// them.
func constrainedConfig(constraints string) Config {
	c := quickConfig(MethodConstrained, 0)
	c.SetConstraints(mustConstraints(constraints))
	return c
}

// ermTrained returns the test MLP after a few epochs of erm: a model with a large DP gap on synthData, the
// "backbone" the constrained runs start from.
func ermTrained(t *testing.T, data *dataset.Data) *ir.Graph {
	t.Helper()
	g := mlp(t, 6, 16, 5)
	cfg := quickConfig(MethodERM, 0)
	cfg.Epochs = 4
	train(t, g, data, cfg)
	return g
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The dual step on a stub gap sequence: the multiplier grows by lr·(gap − limit) while the constraint is
// violated, shrinks while it is slack, and stops at 0.
func TestDualStep(t *testing.T) {
	cs := mustConstraints("dp<=0.1,eo<=0.3")
	lambda := []float64{0, 0}
	gaps := [][]float64{{0.3, 0.2}, {0.3, 0.5}, {0.2, 0.3}, {0.1, 0}, {0, 0.1}, {0, 0}, {0.6, 0}}
	want := [][]float64{{1, 0}, {2, 1}, {2.5, 1}, {2.5, 0}, {2, 0}, {1.5, 0}, {4, 0}}
	for i, g := range gaps {
		dualStep(lambda, cs, g, 5, 0)
		if !near(lambda[0], want[i][0]) || !near(lambda[1], want[i][1]) {
			t.Errorf("step %d (gaps %v): multipliers %v, want %v", i+1, g, lambda, want[i])
		}
	}
	// With a margin of a half the multipliers answer to half the limits: a gap at the limit still
	// raises them, by lr·limit/2.
	lambda = []float64{0, 1}
	dualStep(lambda, cs, []float64{0.1, 0.1}, 5, 0.5)
	if !near(lambda[0], 0.25) || !near(lambda[1], 0.75) {
		t.Errorf("margin 0.5, gaps at the limit and at a third of it: multipliers %v, want [0.25 0.75]", lambda)
	}
}

// In training, the multipliers are updated every MultiplierEvery steps from the measured gaps: with a stub
// that reports a violated constraint for 6 measurements and a slack one afterwards, the multiplier rises
// for 6 updates, then falls back to 0 and stays there; each epoch records its value.
func TestMultipliersFollowStubGaps(t *testing.T) {
	data := synthData(1000, 6, 6)
	cfg := constrainedConfig("dp<=0.5")
	cfg.MultiplierLR, cfg.MultiplierEvery, cfg.Epochs, cfg.MultiplierHoldout = 1, 5, 3, 0.1
	g := mlp(t, 6, 16, 3)
	tr, err := NewTrainer(g, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var seen []float64 // the multiplier before each update
	tr.measure = func(tr *Trainer) ([]float64, error) {
		seen = append(seen, tr.lambda[0])
		if len(seen) <= 6 {
			return []float64{0.6}, nil // violated by 0.1
		}
		return []float64{0}, nil // slack by 0.5
	}
	res, err := tr.Train(context.Background(), Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := tr.train.Rows / cfg.Batch // 900 training rows after the 10 % holdout: 18 steps an epoch
	if want := steps * cfg.Epochs / cfg.MultiplierEvery; len(seen) != want {
		t.Fatalf("%d multiplier updates, want %d (%d steps an epoch, every %d)", len(seen), want, steps, cfg.MultiplierEvery)
	}
	want := []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.1, 0, 0}
	for i, w := range want {
		if !near(seen[i], w) {
			t.Fatalf("multipliers before each update %v, want %v", seen, want)
		}
	}
	// An update at steps 5, 10, …, 50: 3 in epoch 1 (λ 0.3), 4 in epoch 2 (0.6, then 0.1 after the first
	// slack measurement), 3 in epoch 3 (0).
	wantEpoch := []float64{0.3, 0.1, 0}
	for i, e := range res.History {
		if len(e.Multipliers) != 1 || !near(e.Multipliers[0], wantEpoch[i]) {
			t.Errorf("epoch %d records multipliers %v, want [%v]", e.Epoch, e.Multipliers, wantEpoch[i])
		}
		if len(e.ConstraintValues) != 1 || e.ConstraintValues[0] != e.ValDP {
			t.Errorf("epoch %d records constraint values %v, val DP %v", e.Epoch, e.ConstraintValues, e.ValDP)
		}
	}
}

// A constraint that is never violated keeps its multiplier at 0, and the run is erm's, bit for bit (the
// multipliers measured on the validation split, so that both train on the same rows).
func TestSlackConstraintIsERM(t *testing.T) {
	data := synthData(1000, 6, 1)
	cfg := constrainedConfig("dp<=1")
	cfg.MultiplierHoldout, cfg.Select = 0, Selection{Rule: SelectLast}
	g := mlp(t, 6, 16, 3)
	tr, res := train(t, g, data, cfg)
	for _, e := range res.History {
		if !slices.Equal(e.Multipliers, []float64{0}) {
			t.Fatalf("epoch %d: multipliers %v with a slack constraint", e.Epoch, e.Multipliers)
		}
	}
	gErm := mlp(t, 6, 16, 3)
	train(t, gErm, data, quickConfig(MethodERM, 0))
	if !equalParams(paramsOf(g, tr.trainable()), paramsOf(gErm, tr.trainable())) {
		t.Error("constrained with a slack constraint differs from erm")
	}
	if !res.Met || len(res.Constraints) != 1 || !res.Constraints[0].Met || res.HeldOutRows != 0 {
		t.Errorf("result %+v", res)
	}
}

// A limit the model cannot reach: with the learning rate 0 the model stays where it starts, with a DP gap
// above 0, so dp<=0 is violated all along. The multiplier grows by lr·gap at every update, no candidate
// meets the constraint, and Result says so, with the smallest value reached.
func TestImpossibleLimitNotMet(t *testing.T) {
	data := synthData(1000, 6, 2)
	g := ermTrained(t, data)
	cfg := constrainedConfig("dp<=0")
	cfg.AccLR, cfg.MultiplierEvery, cfg.MultiplierLR = 0, 6, 2
	tr, res := train(t, g, data, cfg)
	gap, err := tr.measure(tr)
	if err != nil {
		t.Fatal(err)
	}
	if gap[0] <= 0.05 {
		t.Fatalf("the erm-trained model has a held-out DP gap of %v; the test needs a clear gap", gap[0])
	}
	updates := tr.steps / int64(cfg.MultiplierEvery)
	last := res.History[len(res.History)-1].Multipliers[0]
	if want := float64(updates) * cfg.MultiplierLR * gap[0]; math.Abs(last-want) > 1e-9*want {
		t.Errorf("multiplier %v after %d updates of a constant gap %v, want %v", last, updates, gap[0], want)
	}
	for i := 1; i < len(res.History); i++ {
		if res.History[i].Multipliers[0] <= res.History[i-1].Multipliers[0] {
			t.Errorf("the multiplier did not rise in epoch %d: %v", i+1, res.History[i].Multipliers)
		}
	}
	if res.Met || len(res.Constraints) != 1 {
		t.Fatalf("Met %v with dp<=0 and a model that cannot move; constraints %+v", res.Met, res.Constraints)
	}
	c := res.Constraints[0]
	if c.Met || c.Best <= 0 || c.Selected != c.Best || c.Constraint.String() != "dp<=0" {
		t.Errorf("constraint result %+v", c)
	}
	if res.SelectedEpoch != c.BestEpoch {
		t.Errorf("selected epoch %d, smallest violation at epoch %d", res.SelectedEpoch, c.BestEpoch)
	}
}

// synthProxy builds a data set whose label does not depend on the group but whose first feature is
// shifted in group 1: a model fitted for accuracy alone reads the shift, and its DP and EO gaps are large;
// a model that weighs that feature less is fairer at some cost in accuracy. The group itself is not a
// feature.
func synthProxy(rows, cols int, seed uint64) *dataset.Data {
	rng := rand.New(rand.NewPCG(seed, 13))
	split := func(name string, n int) *dataset.Split {
		s := &dataset.Split{Name: name, Rows: n, Cols: cols, X: make([]float32, n*cols), Y: make([]float32, n), Group: make([]int, n), Row: make([]int, n)}
		for i := range n {
			g := rng.IntN(2)
			s.Group[i], s.Row[i] = g, i
			score := 0.0
			for j := range cols {
				v := rng.Float64()
				s.X[i*cols+j] = float32(v)
				score += v - 0.5
			}
			s.X[i*cols] += 0.6 * float32(g)
			if rng.Float64() < 0.4+0.6*score {
				s.Y[i] = 1
			}
		}
		return s
	}
	return &dataset.Data{Train: split("train", rows), Val: split("val", rows/4), Test: split("test", rows/4), GroupNames: []string{"a", "b"}, SHA256: "synthetic"}
}

// Two constraints on one attribute, DP and EO, are met together, starting from a model that breaks both;
// both multipliers take part.
func TestConstrainedMeetsDPAndEO(t *testing.T) {
	data := synthProxy(4000, 6, 2)
	g := ermTrained(t, data)
	before, err := (&Trainer{model: g, data: data}).Evaluate(data.Val)
	if err != nil {
		t.Fatal(err)
	}
	cfg := constrainedConfig("dp<=0.08,eo<=0.12")
	// Measured on the validation split (1,000 rows): a 10 % holdout of this small set is too few rows.
	cfg.Epochs, cfg.MultiplierEvery, cfg.MultiplierLR, cfg.MultiplierHoldout = 8, 5, 20, 0
	if before.DP <= 0.1 || before.EO <= 0.15 {
		t.Fatalf("the starting model should break both constraints clearly: DP %.4f, EO %.4f", before.DP, before.EO)
	}
	tr, err := NewTrainer(g, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	peak := make([]float64, 2)
	tr.measure = func(tr *Trainer) ([]float64, error) {
		for k, l := range tr.lambda {
			peak[k] = max(peak[k], l)
		}
		return measureGaps(tr)
	}
	res, err := tr.Train(context.Background(), Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := tr.Evaluate(data.Val)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("val DP %.4f → %.4f, EO %.4f → %.4f, accuracy %.4f → %.4f (epoch %d); largest multipliers %.3g", before.DP, after.DP,
		before.EO, after.EO, before.Accuracy, after.Accuracy, res.SelectedEpoch, peak)
	if !res.Met || res.SelectedEpoch == 0 {
		t.Fatalf("Met %v at epoch %d; constraints %+v", res.Met, res.SelectedEpoch, res.Constraints)
	}
	if after.DP > 0.08 || after.EO > 0.12 {
		t.Errorf("selected model: val DP %.4f, EO %.4f", after.DP, after.EO)
	}
	if peak[0] == 0 || peak[1] == 0 {
		t.Errorf("a multiplier stayed 0 all along: largest values %v", peak)
	}
	for k, c := range res.Constraints {
		e := res.History[res.SelectedEpoch-1]
		if !c.Met || c.Selected != e.ConstraintValues[k] || c.Best > c.Selected {
			t.Errorf("constraint %s: %+v, selected epoch's values %v", c.Constraint, c, e.ConstraintValues)
		}
	}
	// The most accurate of the epochs meeting both.
	for _, e := range res.History {
		if e.ValDP <= 0.08 && e.ValEO <= 0.12 && e.ValAcc > after.Accuracy {
			t.Errorf("epoch %d meets both at accuracy %.4f, above the selected %.4f", e.Epoch, e.ValAcc, after.Accuracy)
		}
	}
}

// SelectConstraints keeps the most accurate candidate meeting every constraint, else the smallest total
// violation.
func TestSelectConstraints(t *testing.T) {
	data := synthData(400, 6, 3)
	cfg := constrainedConfig("dp<=0.1,eo<=0.2")
	tr, err := NewTrainer(mlp(t, 6, 16, 3), data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	pick := func(cands ...[3]float64) int { // accuracy, DP, EO
		tr.best = nil
		for i, c := range cands {
			tr.consider(Epoch{Epoch: i, ValAcc: c[0]}, fairness.Metrics{Accuracy: c[0], DP: c[1], EO: c[2]})
		}
		return tr.best.Epoch
	}
	for _, c := range []struct {
		name  string
		cands [][3]float64
		want  int
	}{
		{"most accurate meeting both", [][3]float64{{0.8, 0.3, 0.3}, {0.7, 0.1, 0.2}, {0.75, 0.05, 0.1}, {0.9, 0.05, 0.25}}, 2},
		{"the starting model when it alone meets them", [][3]float64{{0.6, 0, 0}, {0.9, 0.2, 0.1}}, 0},
		{"none: the smallest total violation", [][3]float64{{0.8, 0.3, 0.3}, {0.7, 0.15, 0.25}, {0.9, 0.11, 0.4}}, 1},
		{"none, equal violations: the first", [][3]float64{{0.8, 0.3, 0.2}, {0.9, 0.3, 0.2}}, 0},
	} {
		var cands [][3]float64
		cands = append(cands, c.cands...)
		if got := pick(cands...); got != c.want {
			t.Errorf("%s: picked %d, want %d", c.name, got, c.want)
		}
	}
}

// The constrained method and SelectConstraints need constraints; the multiplier settings are checked.
func TestConstrainedConfigRefused(t *testing.T) {
	data := synthData(400, 6, 4)
	bad := map[string]func(c *Config){
		"constraints":        func(c *Config) { c.Constraints = fairness.Constraints{} },
		"multiplier lr":      func(c *Config) { c.MultiplierLR = -1 },
		"multiplier lr nan":  func(c *Config) { c.MultiplierLR = math.NaN() },
		"multiplier every":   func(c *Config) { c.MultiplierEvery = 0 },
		"multiplier holdout": func(c *Config) { c.MultiplierHoldout = 0.6 },
	}
	for name, change := range bad {
		cfg := constrainedConfig("dp<=0.02")
		change(&cfg)
		err := cfg.Validate()
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), strings.Fields(name)[0]) || fault.Of(err) != fault.BadInput {
			t.Errorf("%s: error %q (%v)", name, err, fault.Of(err))
		}
		if _, err := NewTrainer(mlp(t, 6, 16, 3), data, cfg); err == nil {
			t.Errorf("%s: NewTrainer accepted the configuration", name)
		}
	}
	// The default configuration of the method has no constraints: the caller must give them.
	cfg := DefaultConfig(MethodConstrained)
	var se *SettingError
	if err := cfg.Validate(); !errors.As(err, &se) || se.Setting != "constraints" {
		t.Errorf("the constrained method without constraints: %v", err)
	}
	// Selection by constraints needs them, whatever the method.
	cfg = DefaultConfig(MethodLagrangian)
	cfg.Select = Selection{Rule: SelectConstraints}
	if err := cfg.Validate(); !errors.As(err, &se) || se.Setting != "constraints" {
		t.Errorf("selection by constraints without constraints: %v", err)
	}
	// Constraints with another method are allowed (selection and reporting).
	cfg.SetConstraints(mustConstraints("dp<=0.02"))
	if err := cfg.Validate(); err != nil {
		t.Errorf("lagrangian with constraints: %v", err)
	}
}

func TestConstraintSettings(t *testing.T) {
	cfg := DefaultConfig(MethodConstrained)
	if cfg.Select.Rule != SelectConstraints || cfg.Method.UsesEta() || cfg.Method.HasFollower() || !cfg.Method.IsConstrained() {
		t.Errorf("default constrained configuration %+v", cfg)
	}
	if cfg.MultiplierLR != DefaultMultiplierLR || cfg.MultiplierEvery != DefaultMultiplierEvery || cfg.MultiplierHoldout != DefaultMultiplierHoldout {
		t.Errorf("multiplier defaults %v %v %v", cfg.MultiplierLR, cfg.MultiplierEvery, cfg.MultiplierHoldout)
	}
	lag := DefaultConfig(MethodLagrangian)
	if lag.Select.Rule != SelectAccAtGap {
		t.Errorf("lagrangian selects by %s", lag.Select)
	}
	lag.SetConstraints(mustConstraints("eo<=0.05"))
	if lag.Select.Rule != SelectConstraints {
		t.Errorf("constraints given: selection %s", lag.Select)
	}
	lag.SetConstraints(fairness.Constraints{})
	if lag.Select.Rule != SelectConstraints || lag.Constraints.Len() != 0 {
		t.Error("clearing the constraints changed the selection")
	}
	sel, err := ParseSelection("val-acc-at-constraints")
	if err != nil || sel != (Selection{Rule: SelectConstraints}) || sel.String() != "val-acc-at-constraints" {
		t.Errorf("ParseSelection: %v %v", sel, err)
	}
	if !slices.Contains(MethodNames(), "constrained") {
		t.Errorf("methods %v", MethodNames())
	}
	if m, err := ParseMethod("constrained"); err != nil || m != MethodConstrained {
		t.Errorf("ParseMethod: %v %v", m, err)
	}

	// Config stays comparable and its JSON holds the constraints as text.
	a, b := constrainedConfig("dp<=0.02,eo<=0.05"), constrainedConfig("dp<=0.02,eo<=0.05")
	if a != b {
		t.Error("equal configurations compare unequal")
	}
	b.Constraints = mustConstraints("dp<=0.02,eo<=0.06")
	if a == b {
		t.Error("configurations with other limits compare equal")
	}
	js, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(js, &back); err != nil || back != a {
		t.Errorf("JSON round trip: %v\n%s", err, js)
	}
	for _, key := range []string{`"constraints":["dp\u003c=0.02","eo\u003c=0.05"]`, `"multiplier_lr":`, `"multiplier_every":5`,
		`"multiplier_holdout":` + strconv.FormatFloat(DefaultMultiplierHoldout, 'g', -1, 64), `"select":"val-acc-at-constraints"`} {
		if !bytes.Contains(js, []byte(key)) {
			t.Errorf("config JSON lacks %s:\n%s", key, js)
		}
	}
}

// The multiplier rows are held out per (group, label) cell: disjoint from the rows kept, together all of
// them, about the asked fraction of each cell, the same for the same seed.
func TestHoldOut(t *testing.T) {
	s := synthData(2000, 6, 7).Train
	kept, held := holdOut(s, 0.1, 1)
	if kept.Rows+held.Rows != s.Rows || kept.Rows != len(kept.Y) || held.Rows != len(held.Group) || len(held.X) != held.Rows*s.Cols {
		t.Fatalf("rows %d + %d of %d", kept.Rows, held.Rows, s.Rows)
	}
	rows := map[int]bool{}
	for _, sp := range []*dataset.Split{kept, held} {
		for i := range sp.Rows {
			r := sp.Row[i]
			if rows[r] {
				t.Fatalf("row %d in both parts", r)
			}
			rows[r] = true
			if sp.Group[i] != s.Group[r] || sp.Y[i] != s.Y[r] || !slices.Equal(sp.At(i), s.At(r)) {
				t.Fatalf("row %d copied wrong", r)
			}
		}
	}
	count := func(sp *dataset.Split) map[[2]int]int {
		n := map[[2]int]int{}
		for i := range sp.Rows {
			n[[2]int{sp.Group[i], int(sp.Y[i])}]++
		}
		return n
	}
	all, h := count(s), count(held)
	for cell, n := range all {
		if want := int(math.Round(0.1 * float64(n))); h[cell] != want {
			t.Errorf("cell %v: %d of %d held out, want %d", cell, h[cell], n, want)
		}
	}
	_, again := holdOut(s, 0.1, 1)
	_, other := holdOut(s, 0.1, 2)
	if !slices.Equal(again.Row, held.Row) {
		t.Error("the same seed holds out other rows")
	}
	if slices.Equal(other.Row, held.Row) {
		t.Error("seeds 1 and 2 hold out the same rows")
	}
}

// The same seed gives the same constrained run bit for bit (parameters, history with the multipliers,
// result); another seed does not.
func TestConstrainedDeterministic(t *testing.T) {
	data := synthProxy(2000, 6, 8)
	run := func(seed uint64) ([][]float32, *Result) {
		g := ermTrained(t, data)
		cfg := constrainedConfig("dp<=0.05,eopp<=0.1")
		// The last epoch: selection could keep the starting model, the same for every seed.
		cfg.Seed, cfg.MultiplierLR, cfg.Select = seed, 50, Selection{Rule: SelectLast}
		tr, res := train(t, g, data, cfg)
		for i := range res.History {
			res.History[i].Seconds, res.History[i].RowsPerS = 0, 0
		}
		res.TrainSeconds = 0
		return paramsOf(g, tr.trainable()), res
	}
	p1, r1 := run(1)
	p2, r2 := run(1)
	p3, _ := run(2)
	if !equalParams(p1, p2) {
		t.Error("two runs with seed 1 differ")
	}
	if !reflect.DeepEqual(r1, r2) {
		t.Errorf("two runs with seed 1 have different results:\n%+v\n%+v", r1, r2)
	}
	if equalParams(p1, p3) {
		t.Error("seeds 1 and 2 give the same parameters")
	}
	if last := r1.History[len(r1.History)-1].Multipliers; last[0] == 0 && last[1] == 0 {
		t.Error("both multipliers ended at 0; the test wants them to take part")
	}
}

// Epoch and Result write the multipliers, the constraint values and the outcome in their JSON.
func TestConstrainedJSON(t *testing.T) {
	e := Epoch{Epoch: 1, Multipliers: []float64{2.5, 0}, ConstraintValues: []float64{0.01, 0.04}}
	js, _ := json.Marshal(e)
	for _, key := range []string{`"multipliers":[2.5,0]`, `"constraint_values":[0.01,0.04]`} {
		if !bytes.Contains(js, []byte(key)) {
			t.Errorf("epoch JSON lacks %s: %s", key, js)
		}
	}
	if js, _ := json.Marshal(Epoch{}); bytes.Contains(js, []byte("multipliers")) || bytes.Contains(js, []byte("constraint_values")) {
		t.Errorf("an epoch without constraints writes them: %s", js)
	}
	res := Result{Met: false, Constraints: []ConstraintResult{{Constraint: fairness.Constraint{Criterion: fairness.DP, Limit: 0.01},
		Selected: 0.02, Best: 0.015, BestEpoch: 3}}}
	js, _ = json.Marshal(res)
	for _, key := range []string{`"constraints_met":false`, `"constraint":"dp\u003c=0.01"`, `"selected_value":0.02`, `"best_value":0.015`,
		`"best_epoch":3`, `"met":false`} {
		if !bytes.Contains(js, []byte(key)) {
			t.Errorf("result JSON lacks %s: %s", key, js)
		}
	}
}

// A checkpoint keeps the constraints (in its gob-encoded configuration): resuming with the same ones
// goes on, with other limits it is refused.
func TestResumeKeepsConstraints(t *testing.T) {
	data := synthData(400, 6, 5)
	dir := t.TempDir()
	cfg := constrainedConfig("dp<=0.05,eo<=0.2")
	cfg.Epochs = 1
	tr, err := NewTrainer(mlp(t, 6, 16, 3), data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Train(context.Background(), Hooks{}, func(tr *Trainer) error { return tr.SaveCheckpoint(dir) }); err != nil {
		t.Fatal(err)
	}
	same := cfg
	same.Epochs = 2
	tr2, err := NewTrainer(mlp(t, 6, 16, 3), data, same)
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	if err := tr2.Resume(dir); err != nil {
		t.Fatalf("resume with the same constraints: %v", err)
	}
	if !slices.Equal(tr2.lambda, tr.lambda) || tr2.steps != tr.steps || tr2.start == nil {
		t.Errorf("resumed multipliers %v, steps %d; saved %v, %d", tr2.lambda, tr2.steps, tr.lambda, tr.steps)
	}
	other := cfg
	other.Constraints = mustConstraints("dp<=0.06,eo<=0.2")
	tr3, err := NewTrainer(mlp(t, 6, 16, 3), data, other)
	if err != nil {
		t.Fatal(err)
	}
	defer tr3.Close()
	if err := tr3.Resume(dir); err == nil {
		t.Error("resume with another limit was accepted")
	}
}

// Stating constraints sets what follows from them, except what the caller set: the method, the
// criterion and its η, the margin.
func TestStateConstraints(t *testing.T) {
	none := func(string) bool { return false }
	c := DefaultConfig(DefaultMethod)
	c.StateConstraints(mustConstraints("eo<=0.05,dp<=0.01"), none)
	if c.Method != MethodConstrained || c.Fairness != fairness.EO || c.Eta != DefaultEta(fairness.EO) || c.MultiplierMargin != 0.5 || c.Select.Rule != SelectConstraints {
		t.Errorf("eo and dp stated: method %s, fairness %s, eta %g, margin %g, select %s", c.Method, c.Fairness, c.Eta, c.MultiplierMargin, c.Select)
	}
	kept := DefaultConfig(MethodLagrangian)
	kept.Eta, kept.MultiplierMargin = 7, 0.1
	kept.StateConstraints(mustConstraints("eo<=0.05"), func(s string) bool { return s == "method" || s == "eta" || s == "multiplier_margin" })
	if kept.Method != MethodLagrangian || kept.Fairness != fairness.EO || kept.Eta != 7 || kept.MultiplierMargin != 0.1 {
		t.Errorf("method, eta and margin given: method %s, fairness %s, eta %g, margin %g", kept.Method, kept.Fairness, kept.Eta, kept.MultiplierMargin)
	}
}
