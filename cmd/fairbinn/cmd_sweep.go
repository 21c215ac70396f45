package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/train"
)

// sweepCmd trains a grid of configurations (method × η × seed) and summarises it: DIR/sweep.json,
// DIR/pareto.png and a table of mean ± sd over seeds.
type sweepCmd struct {
	f          trainFlags
	fs         *flag.FlagSet
	dir        string
	methods    string
	etas       string
	seeds      int
	seedList   string
	keepModels bool
	markdown   bool
}

// Flags that train has and sweep replaces with its own (lists, a folder) or does not take.
var sweepReplaced = []string{"out", "report", "method", "eta", "seed", "checkpoint", "resume"}

func (*sweepCmd) Name() string { return "sweep" }
func (*sweepCmd) Synopsis() string {
	return "sweep --backbone IN.onnx --data SPEC --position P --eta LIST --method LIST (--seeds N | --seed-list LIST) --out DIR [training flags]"
}

func (c *sweepCmd) Flags(fs *flag.FlagSet) {
	c.fs = fs
	def := demoConfig()
	// The training flags, with demo's defaults, except those sweep takes as lists.
	tfs := flag.NewFlagSet("train", flag.ContinueOnError)
	c.f.register(tfs, def)
	tfs.VisitAll(func(fl *flag.Flag) {
		if !slices.Contains(sweepReplaced, fl.Name) {
			fs.Var(fl.Value, fl.Name, fl.Usage)
		}
	})
	c.f.fs = fs // the flags given are those of sweep's own command line
	fs.StringVar(&c.dir, "out", "", "folder for sweep.json, pareto.png and runs/ (one report per run, and models with --keep-models)")
	fs.StringVar(&c.methods, "method", def.Method, "comma-separated methods: bilevel, reference, lagrangian, erm (erm ignores η: it runs once per seed, recorded as η 0)")
	fs.StringVar(&c.etas, "eta", formatEta(def.Eta), "comma-separated weights η of the fairness loss")
	fs.IntVar(&c.seeds, "seeds", 1, "number of seeds per configuration: seeds 1..N")
	fs.StringVar(&c.seedList, "seed-list", "", "comma-separated seeds (instead of --seeds)")
	fs.BoolVar(&c.keepModels, "keep-models", false, "also write each run's model to DIR/runs/<run>.onnx (reports are always written)")
	fs.BoolVar(&c.markdown, "markdown", false, "print the summary as a Markdown table")
}

// sweepRun is one training run of the grid.
type sweepRun struct {
	Name          string             `json:"name"`
	Method        string             `json:"method"`
	Eta           float64            `json:"eta"`
	Seed          uint64             `json:"seed"`
	Status        string             `json:"status"` // "ok" or "failed"
	Error         string             `json:"error,omitempty"`
	Config        train.Config       `json:"config"`
	SelectedEpoch int                `json:"selected_epoch"`
	Val           *fairness.Metrics  `json:"val,omitempty"`  // selected model, onnxruntime
	Test          *fairness.Metrics  `json:"test,omitempty"` // selected model, onnxruntime
	Backbone      *splitMetrics      `json:"backbone_metrics,omitempty"`
	ParityMaxDiff float64            `json:"parity_max_abs_diff,omitempty"`
	Model         string             `json:"model,omitempty"`  // relative to the sweep folder
	Report        string             `json:"report,omitempty"` // relative to the sweep folder
	Timings       map[string]float64 `json:"timings_seconds,omitempty"`
	Seconds       float64            `json:"seconds"`
}

func (r *sweepRun) ok() bool { return r.Status == "ok" }

// stat is a mean and a sample standard deviation (n−1; 0 for a single value).
type stat struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// metricStats are the statistics of each metric over seeds.
type metricStats struct {
	Accuracy stat `json:"accuracy"`
	DP       stat `json:"dp"`
	EO       stat `json:"eo"`
	EOpp     stat `json:"eopp"`
}

// sweepSummary aggregates the finished runs of one (method, η) over seeds.
type sweepSummary struct {
	Method     string      `json:"method"`
	Eta        float64     `json:"eta"`
	EtaIgnored bool        `json:"eta_ignored,omitempty"` // erm
	Runs       int         `json:"runs"`                  // finished with a result
	Failed     int         `json:"failed"`
	Seeds      []uint64    `json:"seeds"` // of the finished runs
	Val        metricStats `json:"val"`
	Test       metricStats `json:"test"`
}

// backboneStats is the reference point: the backbone before insertion, per seed's splits.
type backboneStats struct {
	Seeds []uint64    `json:"seeds"`
	Val   metricStats `json:"val"`
	Test  metricStats `json:"test"`
}

type sweepGrid struct {
	Methods []string  `json:"methods"`
	Etas    []float64 `json:"etas"`
	Seeds   []uint64  `json:"seeds"`
}

// sweepResult is DIR/sweep.json.
type sweepResult struct {
	Version     string         `json:"fairbinn_version"`
	Complete    bool           `json:"complete"` // false while running, after an interrupt or an abort
	Interrupted bool           `json:"interrupted,omitempty"`
	Backbone    string         `json:"backbone"`
	Data        string         `json:"data"`
	Position    string         `json:"position"`
	Layers      int            `json:"fair_layers"`
	Init        string         `json:"fair_init"`
	Grid        sweepGrid      `json:"grid"`
	BaseConfig  train.Config   `json:"base_config"` // method, eta and seed vary per run
	KeepModels  bool           `json:"keep_models"`
	Planned     int            `json:"planned_runs"`
	Finished    int            `json:"finished_runs"` // ok or failed
	Failed      int            `json:"failed_runs"`
	Started     time.Time      `json:"started"`
	Seconds     float64        `json:"seconds"`
	Reference   *backboneStats `json:"backbone_metrics,omitempty"`
	Summary     []sweepSummary `json:"summary"`
	Runs        []*sweepRun    `json:"runs"`
}

// plannedRun is one cell of the grid with its training flags.
type plannedRun struct {
	name   string
	method string
	eta    float64
	seed   uint64
	f      trainFlags
}

func formatEta(eta float64) string { return strconv.FormatFloat(eta, 'g', -1, 64) }

func runName(method string, eta float64, seed uint64) string {
	return fmt.Sprintf("%s_eta%s_seed%d", method, formatEta(eta), seed)
}

// parseGrid checks the lists; every mistake is bad input.
func (c *sweepCmd) parseGrid(set map[string]bool) (sweepGrid, error) {
	var g sweepGrid
	for _, m := range splitList(c.methods) {
		if !slices.Contains(train.Methods, m) {
			return g, badInputf("--method %q: want a comma-separated list of %s", m, strings.Join(train.Methods, ", "))
		}
		if slices.Contains(g.Methods, m) {
			return g, badInputf("--method: %s is listed twice", m)
		}
		g.Methods = append(g.Methods, m)
	}
	if len(g.Methods) == 0 {
		return g, badInputf("--method: no method given")
	}
	for _, s := range splitList(c.etas) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return g, badInputf("--eta %q: want a comma-separated list of finite numbers >= 0", s)
		}
		if slices.Contains(g.Etas, v) {
			return g, badInputf("--eta: %s is listed twice", s)
		}
		g.Etas = append(g.Etas, v)
	}
	if len(g.Etas) == 0 {
		return g, badInputf("--eta: no value given")
	}
	if set["seed-list"] {
		if set["seeds"] {
			return g, badInputf("--seeds and --seed-list: give one of them")
		}
		for _, s := range splitList(c.seedList) {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return g, badInputf("--seed-list %q: want a comma-separated list of non-negative integers", s)
			}
			if slices.Contains(g.Seeds, v) {
				return g, badInputf("--seed-list: %s is listed twice", s)
			}
			g.Seeds = append(g.Seeds, v)
		}
		if len(g.Seeds) == 0 {
			return g, badInputf("--seed-list: no seed given")
		}
	} else {
		if c.seeds < 1 {
			return g, badInputf("--seeds %d: want at least 1", c.seeds)
		}
		for s := 1; s <= c.seeds; s++ {
			g.Seeds = append(g.Seeds, uint64(s))
		}
	}
	return g, nil
}

// plan lists the runs, seed by seed (an interrupted sweep then has whole seeds first), and checks every
// configuration.
func (c *sweepCmd) plan(grid sweepGrid) ([]plannedRun, error) {
	var runs []plannedRun
	for _, seed := range grid.Seeds {
		for _, m := range grid.Methods {
			etas := grid.Etas
			if m == train.MethodERM {
				etas = []float64{0} // L_acc only: η changes nothing
			}
			for _, eta := range etas {
				f := c.f
				f.cfg.Method, f.cfg.Eta, f.cfg.Seed = m, eta, seed
				f.methodSchedule() // the method's own learning-rate schedule unless the command line sets one
				if err := f.cfg.Validate(); err != nil {
					return nil, badInput(err)
				}
				name := runName(m, eta, seed)
				f.out = filepath.Join(c.dir, "runs", name+".onnx")
				f.report = filepath.Join(c.dir, "runs", name+".report.json")
				f.noModel = !c.keepModels
				f.quiet = true
				f.checkpoint, f.resume = "", false
				runs = append(runs, plannedRun{name: name, method: m, eta: eta, seed: seed, f: f})
			}
		}
	}
	return runs, nil
}

// preflight loads the backbone and the data and builds a trainer once, so that bad input stops the sweep
// before anything is trained or written.
func preflight(p plannedRun) error {
	f := p.f
	g, err := loadModel(f.backbone, importer.Options{})
	if err != nil {
		return err
	}
	f.data.seed = f.cfg.Seed
	data, err := f.data.load(g, f.backbone)
	if err != nil {
		return err
	}
	if _, err := insertAt(g, f.backbone, f.position, insert.InsertOptions{Layers: f.layers, Init: f.init, Seed: f.cfg.Seed}); err != nil {
		return err
	}
	tr, err := train.NewTrainer(g, data, f.cfg)
	if err != nil {
		return badInput(err)
	}
	tr.Close()
	return ort.Init() // every run checks its export in onnxruntime
}

func (c *sweepCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	t0 := time.Now()
	set := map[string]bool{}
	if c.fs != nil {
		c.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	}
	if c.f.backbone == "" || c.f.data.spec == "" || c.f.position == "" || c.dir == "" {
		return &usageError{"--backbone, --data, --position and --out are required"}
	}
	if st, err := os.Stat(c.dir); err == nil && !st.IsDir() {
		return badInputf("--out %s: a file, not a folder", c.dir)
	}
	grid, err := c.parseGrid(set)
	if err != nil {
		return err
	}
	planned, err := c.plan(grid)
	if err != nil {
		return err
	}
	if err := preflight(planned[0]); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(c.dir, "runs"), 0o755); err != nil {
		return err
	}

	res := &sweepResult{
		Version: Version, Backbone: c.f.backbone, Data: c.f.data.spec, Position: c.f.position,
		Layers: c.f.layers, Init: c.f.init, Grid: grid, BaseConfig: c.f.cfg, KeepModels: c.keepModels,
		Planned: len(planned), Started: t0.UTC().Truncate(time.Second), Runs: []*sweepRun{},
	}
	res.BaseConfig.Method, res.BaseConfig.Eta, res.BaseConfig.Seed = "", 0, 0
	save := func() error {
		res.Seconds = time.Since(t0).Seconds()
		res.Summary, res.Reference = summarize(res)
		return writeJSONFile(filepath.Join(c.dir, "sweep.json"), res)
	}
	runEnv := &cmdEnv{stdout: io.Discard, stderr: env.stderr}
	var abort error
	for i, p := range planned {
		run, err := c.trainOne(ctx, runEnv, p)
		if err != nil && ctx.Err() != nil {
			res.Interrupted = true // the run in progress is dropped
			break
		}
		res.Runs = append(res.Runs, run)
		res.Finished++
		if !run.ok() {
			res.Failed++
		}
		if !c.f.quiet {
			fmt.Fprintf(env.stderr, "run %d/%d %s\n", i+1, len(planned), progressLine(run))
		}
		if err := save(); err != nil {
			return err
		}
		if err != nil && isBadInput(err) {
			abort = err // the remaining runs would fail the same way
			break
		}
		if ctx.Err() != nil {
			res.Interrupted = i+1 < len(planned)
			break
		}
	}
	res.Complete = !res.Interrupted && abort == nil
	if err := save(); err != nil {
		return err
	}
	plotErr := writePareto(filepath.Join(c.dir, "pareto.png"), res)

	if env.json {
		if err := writeJSON(env.stdout, res); err != nil {
			return err
		}
	} else if c.markdown {
		printSweepMarkdown(env.stdout, res)
	} else {
		printSweepTable(env.stdout, res)
		fmt.Fprintf(env.stdout, "\nsweep   %s\n", filepath.Join(c.dir, "sweep.json"))
		if plotErr == nil {
			fmt.Fprintf(env.stdout, "plot    %s\n", filepath.Join(c.dir, "pareto.png"))
		}
	}
	switch {
	case res.Interrupted:
		return &exitError{exitInternal, fmt.Sprintf("interrupted after %d of %d runs; %s holds them (marked incomplete)",
			res.Finished, res.Planned, filepath.Join(c.dir, "sweep.json"))}
	case abort != nil:
		return abort
	case plotErr != nil:
		return fmt.Errorf("pareto plot: %w", plotErr)
	case res.Failed == res.Finished:
		return fmt.Errorf("every run failed; the first: %s", res.Runs[0].Error)
	case res.Failed > 0:
		fmt.Fprintf(env.stderr, "fairbinn sweep: %d of %d runs failed; see %s\n", res.Failed, res.Finished, filepath.Join(c.dir, "sweep.json"))
	}
	return nil
}

func isBadInput(err error) bool {
	var ie *inputError
	var ue *usageError
	return errors.As(err, &ie) || errors.As(err, &ue) || isInputError(err)
}

// trainOne runs one cell of the grid as train would; a failed run is a result too (a method may diverge
// at a large η), so the error is both recorded and returned.
func (c *sweepCmd) trainOne(ctx context.Context, env *cmdEnv, p plannedRun) (*sweepRun, error) {
	start := time.Now()
	f := p.f
	rep, err := runTraining(ctx, env, &f)
	run := &sweepRun{
		Name: p.name, Method: p.method, Eta: p.eta, Seed: p.seed, Config: f.cfg,
		Seconds: time.Since(start).Seconds(),
	}
	if err != nil {
		run.Status, run.Error = "failed", oneLine(err.Error())
		if rep != nil {
			run.ParityMaxDiff = rep.Parity.MaxAbsDiff
		}
		return run, err
	}
	run.Status = "ok"
	run.Config = rep.Config
	run.SelectedEpoch = rep.Selected
	run.Val, run.Test = &rep.After.Val, &rep.After.Test
	run.Backbone = &rep.Before
	run.ParityMaxDiff = rep.Parity.MaxAbsDiff
	run.Timings = rep.Timings
	run.Report = filepath.Join("runs", p.name+".report.json")
	if !f.noModel {
		run.Model = filepath.Join("runs", p.name+".onnx")
	}
	return run, nil
}

func etaLabel(method string, eta float64) string {
	if method == train.MethodERM {
		return "-"
	}
	return formatEta(eta)
}

func progressLine(r *sweepRun) string {
	head := r.Method
	if r.Method != train.MethodERM {
		head += " eta=" + formatEta(r.Eta)
	}
	head += fmt.Sprintf(" seed=%d", r.Seed)
	if !r.ok() {
		return fmt.Sprintf("%s: failed: %s (%.1f s)", head, r.Error, r.Seconds)
	}
	return fmt.Sprintf("%s: val acc %.4f dp %.4f  test acc %.4f dp %.4f  epoch %d (%.1f s)",
		head, r.Val.Accuracy, r.Val.DP, r.Test.Accuracy, r.Test.DP, r.SelectedEpoch, r.Seconds)
}

// summarize computes mean ± sd over seeds per (method, η), in grid order, and the backbone's reference
// metrics (one value per seed: the splits depend on the seed).
func summarize(res *sweepResult) ([]sweepSummary, *backboneStats) {
	var out []sweepSummary
	for _, m := range res.Grid.Methods {
		etas := res.Grid.Etas
		if m == train.MethodERM {
			etas = []float64{0}
		}
		for _, eta := range etas {
			s := sweepSummary{Method: m, Eta: eta, EtaIgnored: m == train.MethodERM, Seeds: []uint64{}}
			var val, test []fairness.Metrics
			for _, r := range res.Runs {
				if r.Method != m || r.Eta != eta {
					continue
				}
				if !r.ok() {
					s.Failed++
					continue
				}
				s.Runs++
				s.Seeds = append(s.Seeds, r.Seed)
				val, test = append(val, *r.Val), append(test, *r.Test)
			}
			s.Val, s.Test = statsOf(val), statsOf(test)
			out = append(out, s)
		}
	}
	var ref *backboneStats
	var val, test []fairness.Metrics
	for _, r := range res.Runs {
		if !r.ok() || r.Backbone == nil {
			continue
		}
		if ref == nil {
			ref = &backboneStats{}
		}
		if slices.Contains(ref.Seeds, r.Seed) {
			continue
		}
		ref.Seeds = append(ref.Seeds, r.Seed)
		val, test = append(val, r.Backbone.Val), append(test, r.Backbone.Test)
	}
	if ref != nil {
		ref.Val, ref.Test = statsOf(val), statsOf(test)
	}
	return out, ref
}

func statsOf(ms []fairness.Metrics) metricStats {
	pick := func(get func(fairness.Metrics) float64) stat {
		xs := make([]float64, len(ms))
		for i, m := range ms {
			xs[i] = get(m)
		}
		return meanSD(xs)
	}
	return metricStats{
		Accuracy: pick(func(m fairness.Metrics) float64 { return m.Accuracy }),
		DP:       pick(func(m fairness.Metrics) float64 { return m.DP }),
		EO:       pick(func(m fairness.Metrics) float64 { return m.EO }),
		EOpp:     pick(func(m fairness.Metrics) float64 { return m.EOpp }),
	}
}

// meanSD is the mean and the sample standard deviation (n−1); zero for no values, so callers look at the
// count first.
func meanSD(xs []float64) stat {
	if len(xs) == 0 {
		return stat{}
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(len(xs))
	if len(xs) == 1 {
		return stat{Mean: mean}
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return stat{Mean: mean, SD: math.Sqrt(ss / float64(len(xs)-1))}
}

// sweepRow is one line of the summary table as text cells.
type sweepRow struct{ method, eta, runs, valAcc, valDP, testAcc, testDP string }

func sweepRows(res *sweepResult) []sweepRow {
	pm := func(s stat, n int) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprintf("%.4f ± %.4f", s.Mean, s.SD)
	}
	var rows []sweepRow
	if ref := res.Reference; ref != nil {
		n := len(ref.Seeds)
		rows = append(rows, sweepRow{"backbone", "-", strconv.Itoa(n), pm(ref.Val.Accuracy, n), pm(ref.Val.DP, n), pm(ref.Test.Accuracy, n), pm(ref.Test.DP, n)})
	}
	for _, s := range res.Summary {
		runs := strconv.Itoa(s.Runs)
		if s.Failed > 0 {
			runs += fmt.Sprintf(" (%d failed)", s.Failed)
		}
		rows = append(rows, sweepRow{s.Method, etaLabel(s.Method, s.Eta), runs,
			pm(s.Val.Accuracy, s.Runs), pm(s.Val.DP, s.Runs), pm(s.Test.Accuracy, s.Runs), pm(s.Test.DP, s.Runs)})
	}
	return rows
}

// sweepCaption says what the numbers are.
func sweepCaption(res *sweepResult) string {
	cfg := res.BaseConfig
	state := ""
	if !res.Complete {
		state = fmt.Sprintf("; incomplete: %d of %d runs", res.Finished, res.Planned)
	}
	return fmt.Sprintf("%s, position %s, %d seed(s), %d epochs, select %s; mean ± sd over seeds (onnxruntime on the exported models)%s",
		res.Data, res.Position, len(res.Grid.Seeds), cfg.Epochs, cfg.Select, state)
}

func printSweepTable(w io.Writer, res *sweepResult) {
	fmt.Fprintln(w, sweepCaption(res))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "method\teta\truns\tval acc\tval DP\ttest acc\ttest DP\t")
	for _, r := range sweepRows(res) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.method, r.eta, r.runs, r.valAcc, r.valDP, r.testAcc, r.testDP)
	}
	tw.Flush()
}

func printSweepMarkdown(w io.Writer, res *sweepResult) {
	fmt.Fprintf(w, "%s\n\n", sweepCaption(res))
	fmt.Fprintln(w, "| method | eta | runs | val acc | val DP | test acc ± sd | test DP ± sd |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range sweepRows(res) {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.method, r.eta, r.runs, r.valAcc, r.valDP, r.testAcc, r.testDP)
	}
}
