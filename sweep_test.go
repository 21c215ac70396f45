package fairbinn

import (
	"image"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

func TestSweepPlan(t *testing.T) {
	o := &SweepOptions{Base: train.DefaultConfig(train.DefaultMethod),
		Methods: []train.Method{train.MethodPaper, train.MethodERM, train.MethodReference},
		Etas:    []float64{0, 1e3}, Seeds: []uint64{1, 2},
		Configure: func(c *train.Config) { c.ApplySchedule(c.Method) }}
	runs, err := o.plan()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.name)
	}
	// Seed by seed; erm, which η does not change, runs once per seed.
	want := "bilevel-paper_eta0_seed1 bilevel-paper_eta1000_seed1 erm_eta0_seed1 reference_eta0_seed1 reference_eta1000_seed1 " +
		"bilevel-paper_eta0_seed2 bilevel-paper_eta1000_seed2 erm_eta0_seed2 reference_eta0_seed2 reference_eta1000_seed2"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("runs\n got %s\nwant %s", got, want)
	}
	for _, r := range runs {
		if r.cfg.Method == train.MethodReference && (r.cfg.AccDecay != 0.5 || r.cfg.DecayEvery != 50) {
			t.Errorf("%s: decay %g every %d, want the reference schedule 0.5 every 50", r.name, r.cfg.AccDecay, r.cfg.DecayEvery)
		}
	}
	o.Etas = nil
	if _, err := o.plan(); err == nil {
		t.Error("an empty grid was planned")
	}
}

func TestMeanSD(t *testing.T) {
	for _, tc := range []struct {
		xs       []float64
		mean, sd float64
	}{{nil, 0, 0}, {[]float64{0.5}, 0.5, 0}, {[]float64{1, 2, 3, 4}, 2.5, math.Sqrt(5.0 / 3)}} {
		got := MeanSD(tc.xs)
		if math.Abs(got.Mean-tc.mean) > 1e-12 || math.Abs(got.SD-tc.sd) > 1e-12 {
			t.Errorf("MeanSD(%v) = %+v, want mean %g sd %g", tc.xs, got, tc.mean, tc.sd)
		}
	}
}

// TestSweepPareto summarises and draws a made-up sweep: no training, no onnxruntime.
func TestSweepPareto(t *testing.T) {
	res := &SweepResult{Data: "csv:/data/credit.csv.gz", Grid: SweepGrid{
		Methods: []train.Method{train.MethodPaper, train.MethodLagrangian, train.MethodERM},
		Etas:    []float64{100, 1000}, Seeds: []uint64{1, 2}}}
	res.BaseConfig = train.DefaultConfig(train.DefaultMethod)
	for _, m := range res.Grid.Methods {
		for j, eta := range etasOf(m, res.Grid.Etas) {
			for _, seed := range res.Grid.Seeds {
				acc := 0.84 - 0.02*float64(j) - 0.003*float64(seed)
				dp := 0.15 / float64(j+1) / float64(seed)
				res.Runs = append(res.Runs, &SweepRun{Method: m, Eta: eta, Seed: seed, Status: "ok",
					Val: &fairness.Metrics{Accuracy: acc, DP: dp}, Test: &fairness.Metrics{Accuracy: acc, DP: dp},
					Backbone: &SplitMetrics{Test: fairness.Metrics{Accuracy: 0.85, DP: 0.18}}})
			}
		}
	}
	res.Runs = append(res.Runs, &SweepRun{Method: train.MethodPaper, Eta: 1000, Seed: 3, Status: "failed", Error: "epoch 2: the loss is NaN"})
	res.Summary, res.Reference, res.Baseline = summarize(res)
	if got := paretoTitle(res); got != "credit: test accuracy vs DP (validation-selected)" {
		t.Errorf("title %q", got)
	}
	if s := res.Summary[1]; s.Method != train.MethodPaper || s.Eta != 1000 || s.Runs != 2 || s.Failed != 1 {
		t.Errorf("summary of bilevel η=1000: %+v", s)
	}
	if s := res.Summary[len(res.Summary)-1]; s.Method != train.MethodERM || !s.EtaIgnored || s.Runs != 2 {
		t.Errorf("summary of erm: %+v", s)
	}
	if res.Reference == nil || len(res.Reference.Seeds) != 2 || res.Reference.Test.Accuracy.Mean != 0.85 {
		t.Errorf("backbone reference %+v", res.Reference)
	}
	path := filepath.Join(t.TempDir(), "pareto.png")
	if err := WritePareto(path, res); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil || format != "png" || img.Bounds().Dx() < 100 {
		t.Errorf("pareto.png: %v %s", err, format)
	}
	if err := WritePareto(filepath.Join(t.TempDir(), "empty.png"), &SweepResult{}); err == nil {
		t.Error("a sweep without a finished run plotted")
	}
}

func TestParseGrid(t *testing.T) {
	g, err := ParseGrid("bilevel, erm", "0,1e3", "1-3")
	if err != nil || len(g.Methods) != 2 || len(g.Etas) != 2 || len(g.Seeds) != 3 || g.Seeds[2] != 3 {
		t.Fatalf("ParseGrid = %+v, %v", g, err)
	}
	for _, tc := range []struct{ methods, etas, seeds, want string }{
		{"bilevel,gradient", "0", "1", `methods "gradient"`},
		{"erm,erm", "0", "1", "listed twice"},
		{"erm", "-1", "1", `etas "-1"`},
		{"erm", "NaN", "1", `etas "NaN"`},
		{"erm", "0", "1,x", `seeds "x"`},
		{"erm", "0", "5-1", `seeds "5-1"`},
		{"", "0", "1", "no value given"},
	} {
		if _, err := ParseGrid(tc.methods, tc.etas, tc.seeds); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseGrid(%q, %q, %q): %v, want an error containing %q", tc.methods, tc.etas, tc.seeds, err, tc.want)
		}
	}
}
