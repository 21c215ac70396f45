package train

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/blas"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
)

// adultTrainer builds the FairBiNN Adult configuration: the shipped backbone (101 → 101 → 101 → 101 →
// 1) with one fairness layer at position 2, batch 100, Adam on both sides.
func adultTrainer(tb testing.TB, method Method) *Trainer {
	tb.Helper()
	g, err := importer.ReadFile("../testdata/models/adult_mlp/model.onnx", importer.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	positions, err := insert.Positions(g)
	if err != nil {
		tb.Fatal(err)
	}
	pos, err := insert.FindPosition(positions, "2")
	if err != nil {
		tb.Fatal(err)
	}
	if err := insert.Insert(g, pos, insert.InsertOptions{Layers: 1, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	dir := ""
	for _, d := range []string{os.Getenv("FAIRBINN_ADULT_DIR"), "../../shared/data/adult"} {
		if _, err := os.Stat(filepath.Join(d, "adult.data")); d != "" && err == nil {
			dir = d
			break
		}
		if _, err := os.Stat(filepath.Join(d, "adult.data.gz")); d != "" && err == nil {
			dir = d
			break
		}
	}
	if dir == "" {
		dir = filepath.Dir(testkit.Fixture(tb, "../testdata/adult/adult.data.gz")) // the committed copy
	}
	data, err := dataset.Load("adult:"+dir, dataset.Options{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	// The FairBiNN configuration of the PyTorch peer (../shared/bench/torch_fairbinn.py).
	cfg := DefaultConfig(method)
	cfg.Batch, cfg.Eta, cfg.AccLR, cfg.FairLR = 100, 1000, 1e-3, 1e-5
	cfg.AccDecay, cfg.FairDecay, cfg.DecayEvery, cfg.Select = 1, 1, 0, Selection{Rule: SelectLast}
	tr, err := NewTrainer(g, data, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(tr.Close)
	return tr
}

// runEpoch runs the training steps of one epoch (no validation), as Epoch.Seconds measures them.
func runEpoch(tb testing.TB, tr *Trainer, rng *rand.Rand) {
	for b := range tr.train.Batches(rng, tr.cfg.Batch) {
		if b.Rows < tr.cfg.Batch {
			continue
		}
		if _, _, err := tr.step(b); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkEpoch times one Adult training epoch per method, on this build's BLAS and, as the reference
// measured in the same run, on gonum's pure-Go Sgemm. One epoch here (the training split less the
// validation split, 241 batches) is about 12 GFLOP nominal (a forward and a full backward pass for the
// leader and again for the follower); GFLOP/s compares with BenchmarkSgemm in internal/blas.
func BenchmarkEpoch(b *testing.B) {
	for _, method := range []Method{MethodPaper, MethodReference} {
		for _, impl := range []struct {
			name string
			blas G.BLAS
		}{{"gonum", gonum.Implementation{}}, {blas.Backend(), blas.Default}} {
			b.Run(string(method)+"/"+impl.name, func(b *testing.B) {
				G.Use(impl.blas)
				defer G.Use(blas.Default)
				tr := adultTrainer(b, method)
				rng := rand.New(rand.NewPCG(1, 2))
				runEpoch(b, tr, rng) // warm-up
				b.ResetTimer()
				for range b.N {
					runEpoch(b, tr, rng)
				}
				batches := float64(b.N) * float64(tr.train.Rows/tr.cfg.Batch)
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
				b.ReportMetric(batches*float64(tr.cfg.Batch)*nominalFLOPsPerRow(tr)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// nominalFLOPsPerRow is 6 · 2·in·out summed over the model's Gemm weights: a forward and a full
// backward pass (two products per layer), for the leader and again for the follower.
func nominalFLOPsPerRow(tr *Trainer) float64 {
	var f float64
	for _, n := range tr.model.Nodes {
		if n.OpType == "Gemm" && len(n.Inputs) > 1 {
			if w := tr.model.Initializers[n.Inputs[1]]; w != nil && len(w.Dims) == 2 {
				f += 2 * float64(w.Dims[0]*w.Dims[1])
			}
		}
	}
	return 6 * f
}

// BenchmarkStep times one batch (a leader and a follower pass) of the bilevel method and reports the
// allocations that remain per batch. It goes through an epoch's batches in turn (cycling over a few
// would overfit them, and the vanishing gradients would time another workload).
func BenchmarkStep(b *testing.B) {
	tr := adultTrainer(b, MethodPaper)
	rng := rand.New(rand.NewPCG(1, 2))
	var batches []dataset.Batch
	for bt := range tr.train.Batches(rng, tr.cfg.Batch) {
		if bt.Rows == tr.cfg.Batch {
			batches = append(batches, bt)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := tr.step(batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStageRun times one run of the bilevel leader stage (forward and backward pass, no optimiser
// step) through the stage's plan and, as the reference measured in the same run, through gorgonia's tape
// machine over the same subgraph, which computes the same numbers.
func BenchmarkStageRun(b *testing.B) {
	tr := adultTrainer(b, MethodPaper)
	st := tr.stages[0]
	var batch dataset.Batch
	for bt := range tr.train.Batches(rand.New(rand.NewPCG(1, 2)), tr.cfg.Batch) {
		batch = bt
		break
	}
	b.Run("tape", func(b *testing.B) {
		vm := G.NewTapeMachine(st.lowered.Graph.SubgraphRoots(st.roots...))
		defer vm.Close()
		b.ReportAllocs()
		for b.Loop() {
			if err := st.bind(batch); err != nil {
				b.Fatal(err)
			}
			vm.Reset()
			if err := vm.RunAll(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := st.run(batch); err != nil {
				b.Fatal(err)
			}
		}
	})
}
