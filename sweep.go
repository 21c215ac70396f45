package fairbinn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/train"
)

// SweepOptions is a grid of fine-tuning runs: every method × η × seed on one backbone and data set.
type SweepOptions struct {
	Backbone   string // the backbone's file
	Data       DataOptions
	Position   string
	Layers     int
	Init       string
	Head       *HeadChoice // see Options.Head
	Thresholds Thresholds  // see Options.Thresholds
	// Base is the training configuration; each run sets its method, η and seed.
	Base    train.Config
	Methods []train.Method
	Etas    []float64
	Seeds   []uint64
	// Configure, when set, adjusts each run's configuration after its method, η and seed are set (the
	// command line gives each method its own learning-rate schedule unless its flags set one).
	Configure func(*train.Config)
	// Dir receives sweep.json, pareto.png and runs/ (a report per run, and models with KeepModels).
	Dir        string
	KeepModels bool
	Threads    int
	// Groups says how every run treats small groups and unmet constraints (Options' fields of the
	// same names).
	Groups GroupHandling
	// CacheMemory is every run's Options.CacheMemory.
	CacheMemory int64
	// OnRun is called after each run with its index (from 0) and the number planned.
	OnRun func(i, planned int, run *SweepRun)
	// OnEpoch, when set, is every run's Options.OnEpoch (a cell run alone prints its epochs).
	OnEpoch func(e train.Epoch, total int) error
}

// GroupHandling are the settings of a run about small groups and unmet constraints, as in Options.
type GroupHandling struct {
	MinGroupSize      int  `json:"min_group_size,omitempty"`
	MergeSmallGroups  bool `json:"merge_small_groups,omitempty"`
	IgnoreSmallGroups bool `json:"ignore_small_groups,omitempty"`
	BestEffort        bool `json:"best_effort,omitempty"`
}

// SweepRun is one training run of the grid.
type SweepRun struct {
	Name          string             `json:"name"`
	Method        train.Method       `json:"method"`
	Eta           float64            `json:"eta"`
	Seed          uint64             `json:"seed"`
	Status        string             `json:"status"` // "ok" or "failed"
	Error         string             `json:"error,omitempty"`
	Config        train.Config       `json:"config"`
	SelectedEpoch int                `json:"selected_epoch"`
	Val           *fairness.Metrics  `json:"val,omitempty"`  // selected model, onnxruntime
	Test          *fairness.Metrics  `json:"test,omitempty"` // selected model, onnxruntime
	Backbone      *SplitMetrics      `json:"backbone_metrics,omitempty"`
	Baseline      *BaselineReport    `json:"threshold_baseline,omitempty"`
	ParityMaxDiff float64            `json:"parity_max_abs_diff,omitempty"`
	Model         string             `json:"model,omitempty"`  // relative to the sweep folder
	Report        string             `json:"report,omitempty"` // relative to the sweep folder
	Timings       map[string]float64 `json:"timings_seconds,omitempty"`
	Seconds       float64            `json:"seconds"`
}

// OK reports whether the run finished with a result.
func (r *SweepRun) OK() bool { return r.Status == "ok" }

// SweepGrid is the grid a sweep runs.
type SweepGrid struct {
	Methods []train.Method `json:"methods"`
	Etas    []float64      `json:"etas"`
	Seeds   []uint64       `json:"seeds"`
}

// SweepResult is DIR/sweep.json.
type SweepResult struct {
	Version     string         `json:"fairbinn_version"`
	Complete    bool           `json:"complete"` // false while running, after an interrupt or an abort
	Interrupted bool           `json:"interrupted,omitempty"`
	Backbone    string         `json:"backbone"`
	Data        string         `json:"data"`
	Position    string         `json:"position"`
	Layers      int            `json:"fair_layers"`
	Init        string         `json:"fair_init"`
	Grid        SweepGrid      `json:"grid"`
	BaseConfig  train.Config   `json:"base_config"` // method, eta and seed vary per run
	KeepModels  bool           `json:"keep_models"`
	Planned     int            `json:"planned_runs"`
	Finished    int            `json:"finished_runs"` // ok or failed
	Failed      int            `json:"failed_runs"`
	Started     time.Time      `json:"started"`
	Seconds     float64        `json:"seconds"`
	Reference   *BackboneStats `json:"backbone_metrics,omitempty"`
	// Baseline is the per-group-threshold baseline on the backbone, per seed's splits.
	Baseline *BackboneStats `json:"threshold_baseline,omitempty"`
	Summary  []SweepSummary `json:"summary"`
	Runs     []*SweepRun    `json:"runs"`
	// Pending are the cells of a plan that a merge found not done, missing or failed (MergeSweep).
	Pending []PendingCell `json:"pending_cells,omitempty"`
}

// plannedRun is one cell of the grid.
type plannedRun struct {
	name string
	cfg  train.Config
}

// FormatEta writes η as the sweep's file names and tables do.
func FormatEta(eta float64) string { return strconv.FormatFloat(eta, 'g', -1, 64) }

func runName(method train.Method, eta float64, seed uint64) string {
	return fmt.Sprintf("%s_eta%s_seed%d", method, FormatEta(eta), seed)
}

// etasOf is the η values a method runs at: one (recorded as 0) for a method that η does not change.
func etasOf(m train.Method, etas []float64) []float64 {
	if !m.UsesEta() {
		return []float64{0}
	}
	return etas
}

// plan lists the runs, seed by seed (an interrupted sweep then has whole seeds first), and checks every
// configuration.
func (o *SweepOptions) plan() ([]plannedRun, error) {
	if len(o.Methods) == 0 || len(o.Etas) == 0 || len(o.Seeds) == 0 {
		return nil, fault.Badf("the sweep grid is empty: give methods, etas and seeds")
	}
	var runs []plannedRun
	for _, seed := range o.Seeds {
		for _, m := range o.Methods {
			for _, eta := range etasOf(m, o.Etas) {
				cfg := o.Base
				cfg.Method, cfg.Eta, cfg.Seed = m, eta, seed
				if o.Configure != nil {
					o.Configure(&cfg)
				}
				if err := cfg.Validate(); err != nil {
					return nil, err
				}
				runs = append(runs, plannedRun{name: runName(m, eta, seed), cfg: cfg})
			}
		}
	}
	return runs, nil
}

// preflight loads the backbone and the data and builds a trainer once, so that bad input stops the sweep
// before anything is trained or written.
func (o *SweepOptions) preflight(p plannedRun) error {
	if err := ort.Init(); err != nil { // every run checks its export in onnxruntime
		return err
	}
	m, data, err := loadWithSeed(o.Backbone, o.Data, p.cfg.Seed)
	if err != nil {
		return err
	}
	if _, err := InsertAt(m, o.Position, insert.InsertOptions{Layers: o.Layers, Init: o.Init, Seed: p.cfg.Seed}); err != nil {
		return err
	}
	tr, err := train.NewTrainer(m.Graph, data, p.cfg)
	if err != nil {
		return err
	}
	tr.Close()
	return nil
}

// Sweep trains every cell of the grid, writing DIR/sweep.json after each run (so an interrupted sweep
// keeps what it did) and DIR/pareto.png at the end. A failed run is recorded and the sweep goes on,
// unless it failed on bad input, which would fail every run the same way.
func Sweep(ctx context.Context, o SweepOptions) (*SweepResult, error) {
	t0 := time.Now()
	if o.Backbone == "" || o.Data.Spec == "" || o.Position == "" || o.Dir == "" {
		return nil, fault.Badf("a sweep needs a backbone, data, a position and a folder")
	}
	if st, err := os.Stat(o.Dir); err == nil && !st.IsDir() {
		return nil, fault.Badf("%s: a file, not a folder", o.Dir)
	}
	planned, err := o.plan()
	if err != nil {
		return nil, err
	}
	if err := o.preflight(planned[0]); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "runs"), 0o755); err != nil {
		return nil, err
	}
	res := o.newResult(len(planned), t0)
	save := func() error {
		res.Seconds = time.Since(t0).Seconds()
		return res.save(o.Dir)
	}
	var abort, firstErr error
	for i, p := range planned {
		run, err := o.trainOne(ctx, p)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if err != nil && ctx.Err() != nil {
			res.Interrupted = true // the run in progress is dropped
			break
		}
		res.Runs = append(res.Runs, run)
		res.Finished++
		if !run.OK() {
			res.Failed++
		}
		if o.OnRun != nil {
			o.OnRun(i, len(planned), run)
		}
		if err := save(); err != nil {
			return nil, err
		}
		if err != nil && fault.Of(err) == fault.BadInput {
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
		return nil, err
	}
	plotErr := WritePareto(filepath.Join(o.Dir, "pareto.png"), res)
	switch {
	case res.Interrupted:
		return res, fmt.Errorf("interrupted after %d of %d runs; %s holds them (marked incomplete)",
			res.Finished, res.Planned, filepath.Join(o.Dir, "sweep.json"))
	case abort != nil:
		return res, abort
	case res.Failed == res.Finished:
		// The first failure's kind decides (every run unmet is exit 5, as for one run).
		return res, fault.Errorf(fault.Of(firstErr), "every run failed; the first: %s", res.Runs[0].Error)
	case plotErr != nil:
		return res, fmt.Errorf("pareto plot: %w", plotErr)
	}
	return res, nil
}

// newResult is the sweep's record before any run, the same for a sweep run here and one merged from
// cells run elsewhere.
func (o *SweepOptions) newResult(planned int, started time.Time) *SweepResult {
	res := &SweepResult{
		Version: Version, Backbone: o.Backbone, Data: o.Data.Spec, Position: o.Position,
		Layers: max(o.Layers, 1), Init: o.Init, Grid: SweepGrid{o.Methods, o.Etas, o.Seeds}, BaseConfig: o.Base,
		KeepModels: o.KeepModels, Planned: planned, Started: started.UTC().Truncate(time.Second), Runs: []*SweepRun{},
	}
	if res.Init == "" {
		res.Init = insert.InitIdentity
	}
	res.BaseConfig.Method, res.BaseConfig.Eta, res.BaseConfig.Seed = "", 0, 0
	return res
}

// save summarises the runs and writes DIR/sweep.json.
func (res *SweepResult) save(dir string) error {
	res.Summary, res.Reference, res.Baseline = summarize(res)
	return WriteJSONFile(filepath.Join(dir, "sweep.json"), res)
}

// trainOne runs one cell of the grid as FineTune would; a failed run is a result too (a method may
// diverge at a large η), so the error is both recorded and returned.
func (o *SweepOptions) trainOne(ctx context.Context, p plannedRun) (*SweepRun, error) {
	start := time.Now()
	run := &SweepRun{Name: p.name, Method: p.cfg.Method, Eta: p.cfg.Eta, Seed: p.cfg.Seed, Config: p.cfg}
	res, err := o.fineTune(ctx, p)
	run.Seconds = time.Since(start).Seconds()
	if err != nil {
		run.Status, run.Error = "failed", fault.Line(err.Error())
		var pe *ParityError
		if errors.As(err, &pe) {
			run.ParityMaxDiff = pe.Report.Parity.MaxAbsDiff
		}
		return run, err
	}
	rep := res.Report
	run.Status = "ok"
	run.Config = rep.Config
	run.SelectedEpoch = rep.Selected
	run.Val, run.Test = &rep.After.Val, &rep.After.Test
	run.Backbone = &rep.Before
	run.Baseline = rep.Baseline
	run.ParityMaxDiff = rep.Parity.MaxAbsDiff
	run.Timings = rep.Timings
	run.Report = filepath.Join("runs", p.name+".report.json")
	if o.KeepModels {
		run.Model = filepath.Join("runs", p.name+".onnx")
	}
	return run, nil
}

func (o *SweepOptions) fineTune(ctx context.Context, p plannedRun) (*Result, error) {
	m, data, err := loadWithSeed(o.Backbone, o.Data, p.cfg.Seed)
	if err != nil {
		return nil, err
	}
	cfg := p.cfg
	res, err := FineTune(ctx, m, data, Options{Position: o.Position, Layers: o.Layers, Init: o.Init, Head: o.Head, Thresholds: o.Thresholds, Train: &cfg, Threads: o.Threads, OnEpoch: o.OnEpoch,
		MinGroupSize: o.Groups.MinGroupSize, MergeSmallGroups: o.Groups.MergeSmallGroups, IgnoreSmallGroups: o.Groups.IgnoreSmallGroups, BestEffort: o.Groups.BestEffort, CacheMemory: o.CacheMemory})
	if err != nil {
		return nil, err
	}
	modelPath := ""
	if o.KeepModels {
		modelPath = filepath.Join(o.Dir, "runs", p.name+".onnx")
	}
	return res, res.Save(modelPath, filepath.Join(o.Dir, "runs", p.name+".report.json"))
}
