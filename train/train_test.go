package train

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ir"
)

// synthData builds a data set whose label depends strongly on the group: group 1 rows are positive far
// more often, and feature 0 carries the group, so an accuracy-only model has a large DP gap.
func synthData(rows, cols int, seed uint64) *dataset.Data {
	rng := rand.New(rand.NewPCG(seed, 7))
	split := func(name string, n int) *dataset.Split {
		s := &dataset.Split{Name: name, Rows: n, Cols: cols, X: make([]float32, n*cols), Y: make([]float32, n), Group: make([]int, n), Row: make([]int, n)}
		for i := range n {
			g := rng.IntN(2)
			s.Group[i], s.Row[i] = g, i
			s.X[i*cols] = float32(g)
			score := 0.0
			for j := 1; j < cols; j++ {
				v := rng.Float64()
				s.X[i*cols+j] = float32(v)
				score += v - 0.5
			}
			p := 0.2 + 0.5*float64(g)
			if rng.Float64() < p+0.3*score {
				s.Y[i] = 1
			}
		}
		return s
	}
	return &dataset.Data{Train: split("train", rows), Val: split("val", rows/4), Test: split("test", rows/4), GroupNames: []string{"a", "b"}, SHA256: "synthetic"}
}

// mlp builds cols → hidden → hidden → 1 with ReLU and a sigmoid output, with seeded random weights, and
// inserts one identity fairness layer after the first hidden layer.
func mlp(t *testing.T, cols, hidden int, seed uint64) *ir.Graph {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	g := &ir.Graph{
		Opset:        17,
		Inputs:       []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(int64(cols))}}},
		Outputs:      []*ir.Value{{Name: "prob", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(1)}}},
		Initializers: map[string]*ir.Tensor{},
	}
	in, width := "x", cols
	for i, out := range []int{hidden, hidden, 1} {
		w := &ir.Tensor{Name: "w" + string(rune('0'+i)), DType: ir.Float32, Dims: []int64{int64(out), int64(width)}, Float: make([]float32, out*width)}
		b := &ir.Tensor{Name: "b" + string(rune('0'+i)), DType: ir.Float32, Dims: []int64{int64(out)}, Float: make([]float32, out)}
		bound := 1 / math.Sqrt(float64(width))
		for j := range w.Float {
			w.Float[j] = float32((2*rng.Float64() - 1) * bound)
		}
		for _, tt := range []*ir.Tensor{w, b} {
			if err := g.AddInitializer(tt); err != nil {
				t.Fatal(err)
			}
		}
		lin := "lin" + string(rune('0'+i))
		g.Nodes = append(g.Nodes, &ir.Node{Name: lin, OpType: "Gemm", Inputs: []string{in, w.Name, b.Name}, Outputs: []string{lin},
			Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}})
		act, op := "act"+string(rune('0'+i)), "Relu"
		if out == 1 {
			act, op = "prob", "Sigmoid"
		}
		g.Nodes = append(g.Nodes, &ir.Node{Name: act, OpType: op, Inputs: []string{lin}, Outputs: []string{act}, Attrs: map[string]ir.Attr{}})
		in, width = act, out
	}
	positions, err := insert.Positions(g)
	if err != nil || len(positions) == 0 {
		t.Fatalf("positions: %v %v", positions, err)
	}
	if err := insert.Insert(g, positions[0], insert.InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	return g
}

func quickConfig(method Method, eta float64) Config {
	c := DefaultConfig(method)
	c.Eta, c.Epochs, c.Batch, c.FairLR = eta, 3, 50, 1e-3
	// The training dynamics are under test here, not selection or decay.
	c.AccLR, c.DecayEvery, c.Select = 1e-3, 0, Selection{Rule: SelectLast}
	if method.IsConstrained() {
		c.Constraints = mustConstraints("dp<=0.05")
		c.MultiplierEvery = 5
	}
	return c
}

func mustConstraints(s string) fairness.Constraints {
	cs, err := fairness.ParseConstraints(s)
	if err != nil {
		panic(err)
	}
	return cs
}

func train(t *testing.T, g *ir.Graph, data *dataset.Data, cfg Config) (*Trainer, *Result) {
	t.Helper()
	tr, err := NewTrainer(g, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	res, err := tr.Train(context.Background(), Hooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr, res
}

func paramsOf(g *ir.Graph, names []string) [][]float32 {
	var out [][]float32
	for _, n := range names {
		out = append(out, slices.Clone(g.Initializers[n].Float))
	}
	return out
}

func equalParams(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// adultDir is the shared Adult copy beside the checkout, or the project's gzip'd copy.
func adultDir(t *testing.T) string {
	for _, dir := range []string{os.Getenv("FAIRBINN_ADULT_DIR"), "../../shared/data/adult", "../testdata/adult"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "adult.data")); err == nil {
			return dir
		}
		if _, err := os.Stat(filepath.Join(dir, "adult.data.gz")); err == nil {
			return dir
		}
	}
	t.Fatal("no Adult data: want ../shared/data/adult beside the checkout or testdata/adult")
	return ""
}

// With identity-initialised fairness layers, the model before the first step gives exactly the
// backbone's predictions and metrics, at every position.
func TestIdentityInsertKeepsBackbone(t *testing.T) {
	const backbone = "../testdata/models/adult_mlp/model.onnx"
	base, err := importer.ReadFile(backbone, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := dataset.Load("adult:"+adultDir(t), dataset.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Probabilities(base, data.Test)
	if err != nil {
		t.Fatal(err)
	}
	wantM := fairness.Compute(want, data.Test.Y, data.Test.Group, data.GroupNames)
	positions, err := insert.Positions(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, pos := range positions {
		g, err := importer.ReadFile(backbone, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := insert.Insert(g, pos, insert.InsertOptions{Layers: 2}); err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(g, data, DefaultConfig(MethodPaper))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Probabilities(g, data.Test)
		tr.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("position %d: predictions differ from the backbone's", pos.Index)
		}
		if m := fairness.Compute(got, data.Test.Y, data.Test.Group, data.GroupNames); m.Accuracy != wantM.Accuracy || m.DP != wantM.DP {
			t.Errorf("position %d: metrics %v/%v, backbone %v/%v", pos.Index, m.Accuracy, m.DP, wantM.Accuracy, wantM.DP)
		}
	}
}

// erm ignores η, and with η = 0 no method trains on the fairness loss.
func TestEtaZeroNeverTargetsFairness(t *testing.T) {
	data := synthData(1000, 6, 1)
	run := func(method Method, eta float64) (*ir.Graph, *Trainer) {
		g := mlp(t, 6, 16, 3)
		tr, _ := train(t, g, data, quickConfig(method, eta))
		return g, tr
	}
	gErm0, tr := run(MethodERM, 0)
	gErmBig, _ := run(MethodERM, 1e4)
	all := tr.trainable()
	if !equalParams(paramsOf(gErm0, all), paramsOf(gErmBig, all)) {
		t.Error("erm gives different parameters for eta 0 and 1e4; it must ignore eta")
	}
	gLag0, _ := run(MethodLagrangian, 0)
	if !equalParams(paramsOf(gErm0, all), paramsOf(gLag0, all)) {
		t.Error("lagrangian with eta 0 differs from erm")
	}
	for _, method := range []Method{MethodPaper, MethodReference} {
		start := mlp(t, 6, 16, 3)
		g, tr := run(method, 0)
		if !equalParams(paramsOf(start, tr.follower), paramsOf(g, tr.follower)) {
			t.Errorf("%s with eta 0 changed the fairness layers", method)
		}
		if equalParams(paramsOf(start, tr.leader), paramsOf(g, tr.leader)) {
			t.Errorf("%s with eta 0 did not train the leader", method)
		}
	}
}

// With a large η, every fairness-aware method lowers the DP gap on the training split, against the same
// run with η = 0.
func TestLargeEtaLowersDP(t *testing.T) {
	data := synthData(2000, 6, 2)
	dpOn := func(method Method, eta float64) float64 {
		g := mlp(t, 6, 16, 5)
		cfg := quickConfig(method, eta)
		cfg.Epochs = 6
		tr, _ := train(t, g, data, cfg)
		m, err := tr.Evaluate(data.Train)
		if err != nil {
			t.Fatal(err)
		}
		return m.DP
	}
	for _, method := range []Method{MethodPaper, MethodReference, MethodLagrangian} {
		base, fair := dpOn(method, 0), dpOn(method, 1000)
		t.Logf("%s: train DP %.4f at eta 0, %.4f at eta 1000", method, base, fair)
		if base < 0.3 {
			t.Fatalf("%s: the synthetic set should give a large DP gap at eta 0, got %.4f", method, base)
		}
		if fair > base*0.6 {
			t.Errorf("%s: eta 1000 left train DP at %.4f (eta 0: %.4f); want at most 60%% of it", method, fair, base)
		}
	}
}

// The same seed gives the same result bit for bit; another seed does not.
func TestDeterministic(t *testing.T) {
	data := synthData(800, 6, 3)
	run := func(seed uint64) ([][]float32, []Epoch) {
		g := mlp(t, 6, 16, 3)
		cfg := quickConfig(MethodReference, 100)
		cfg.Seed = seed
		tr, res := train(t, g, data, cfg)
		return paramsOf(g, tr.trainable()), res.History
	}
	p1, h1 := run(1)
	p2, h2 := run(1)
	p3, _ := run(2)
	if !equalParams(p1, p2) {
		t.Error("two runs with seed 1 differ")
	}
	for i := range h1 {
		h1[i].Seconds, h2[i].Seconds, h1[i].RowsPerS, h2[i].RowsPerS = 0, 0, 0, 0
	}
	if !reflect.DeepEqual(h1, h2) {
		t.Error("two runs with seed 1 have different histories")
	}
	if equalParams(p1, p3) {
		t.Error("seeds 1 and 2 give the same parameters")
	}
}

// Stopping after an epoch and resuming from the checkpoint ends where an uninterrupted run ends.
func TestResumeMatchesUninterrupted(t *testing.T) {
	data := synthData(800, 6, 4)
	for _, method := range Methods {
		t.Run(string(method), func(t *testing.T) {
			cfg := quickConfig(method, 100)
			cfg.Select = Selection{Rule: SelectAccAtGap, Limit: 0.05}
			whole := mlp(t, 6, 16, 3)
			trW, resW := train(t, whole, data, cfg)

			dir := t.TempDir()
			part := mlp(t, 6, 16, 3)
			short := cfg
			short.Epochs = 1
			tr1, err := NewTrainer(part, data, short)
			if err != nil {
				t.Fatal(err)
			}
			defer tr1.Close()
			if _, err := tr1.Train(context.Background(), Hooks{}, func(tr *Trainer) error { return tr.SaveCheckpoint(dir) }); err != nil {
				t.Fatal(err)
			}
			resumed := mlp(t, 6, 16, 3)
			tr2, err := NewTrainer(resumed, data, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer tr2.Close()
			if err := tr2.Resume(dir); err != nil {
				t.Fatal(err)
			}
			res2, err := tr2.Train(context.Background(), Hooks{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !equalParams(paramsOf(whole, trW.trainable()), paramsOf(resumed, tr2.trainable())) {
				t.Error("resumed run ends with other parameters than the uninterrupted one")
			}
			if res2.SelectedEpoch != resW.SelectedEpoch || len(res2.History) != len(resW.History) {
				t.Errorf("resumed run selected epoch %d of %d, uninterrupted %d of %d", res2.SelectedEpoch, len(res2.History), resW.SelectedEpoch, len(resW.History))
			}
			for i := range min(len(res2.History), len(resW.History)) {
				if a, b := res2.History[i], resW.History[i]; !slices.Equal(a.Multipliers, b.Multipliers) || !slices.Equal(a.ConstraintValues, b.ConstraintValues) {
					t.Errorf("epoch %d: resumed multipliers %v, values %v; uninterrupted %v, %v", i+1, a.Multipliers, a.ConstraintValues, b.Multipliers, b.ConstraintValues)
				}
			}
			if res2.Met != resW.Met || !reflect.DeepEqual(res2.Constraints, resW.Constraints) {
				t.Errorf("resumed run: met %v %+v; uninterrupted %v %+v", res2.Met, res2.Constraints, resW.Met, resW.Constraints)
			}
		})
	}
}

// A checkpoint made with other settings is refused.
func TestResumeRefusesOtherSettings(t *testing.T) {
	data := synthData(400, 6, 5)
	dir := t.TempDir()
	cfg := quickConfig(MethodPaper, 10)
	cfg.Epochs = 1
	g := mlp(t, 6, 16, 3)
	tr, err := NewTrainer(g, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Train(context.Background(), Hooks{}, func(tr *Trainer) error { return tr.SaveCheckpoint(dir) }); err != nil {
		t.Fatal(err)
	}
	other := cfg
	other.Eta = 20
	tr2, err := NewTrainer(mlp(t, 6, 16, 3), data, other)
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	if err := tr2.Resume(dir); err == nil {
		t.Error("resume with another eta was accepted")
	}
}
