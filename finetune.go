package fairbinn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/parity"
	"github.com/fairbinn/fairbinn-go/report"
	"github.com/fairbinn/fairbinn-go/train"
)

// Options are the settings of FineTune. The zero value of every field is its default.
type Options struct {
	// Position is where the fairness layers go: "K" (the K-th of insert.Positions) or "name:TENSOR".
	Position string
	// Layers is the number of fairness layers (default 1, at most insert.MaxLayers).
	Layers int
	// Init is the fairness layers' initialisation (default insert.InitIdentity).
	Init string
	// Train is the training configuration; the zero value means train.DefaultConfig(train.DefaultMethod).
	Train *train.Config
	// Threads is onnxruntime's intra-op thread count for the parity check (0: its default).
	Threads int
	// Checkpoint is a folder where a checkpoint is written after every epoch ("": none); Resume
	// continues from it.
	Checkpoint string
	Resume     bool
	// OnEpoch is called after every epoch (progress output); an error stops training.
	OnEpoch func(e train.Epoch, total int) error
	// Head, when set, says how to read the backbone's output instead of what the graph shows (SetHead);
	// it is recorded in the exported model.
	Head *HeadChoice
	// Thresholds compiles per-group decision thresholds into the exported model, fitted on validation for
	// the first constraint (else the selection rule's limit): instead of training (ThresholdsOnly) or
	// after it (ThresholdsAfter). It needs the sensitive attribute as a model input.
	Thresholds Thresholds
	// MinGroupSize is the fewest validation rows a sensitive group may have (default DefaultMinGroupSize;
	// negative: no check): selection and constraints on a smaller group measure noise.
	MinGroupSize int
	// CacheMemory is the most memory, in bytes, the activations of a frozen prefix may take; beyond it
	// they are kept in memory-mapped files (0: half the memory the system has available).
	CacheMemory int64
	// MergeSmallGroups merges the groups below MinGroupSize into one group, OtherGroup, instead of
	// refusing them (data is changed in place); the merged groups are recorded in the model
	// (MetaMergedGroups) and the report.
	MergeSmallGroups bool
	// IgnoreSmallGroups leaves the groups below MinGroupSize out of the fairness gaps, losses and
	// constraints instead (their rows still count in the accuracy), recorded as MetaIgnoredGroups.
	IgnoreSmallGroups bool
	// BestEffort keeps the model closest to the constraints when none met them (the report says so)
	// instead of failing with an *UnmetError.
	BestEffort bool
	// Out and ReportFile, when set, are where FineTune writes the model and the report (JSON) once
	// everything has succeeded, as Result.Save does; HTMLFile the audit report (Audit) of the model on
	// the run's data, written with them.
	Out, ReportFile, HTMLFile string
}

// Report is the record of a fine-tuning run: what was trained, on what, the backbone's and the selected
// model's metrics (onnxruntime's), the history, and the parity check. train --report writes it.
type Report struct {
	Version  string          `json:"fairbinn_version"`
	Method   train.Method    `json:"method"`
	Config   train.Config    `json:"config"`
	Backbone string          `json:"backbone"`
	Position insert.Position `json:"position"`
	Layers   int             `json:"fair_layers"`
	Init     string          `json:"fair_init"`
	Out      string          `json:"out"`
	Data     DataReport      `json:"data"`
	Before   SplitMetrics    `json:"backbone_metrics"`
	After    SplitMetrics    `json:"selected_metrics"`
	Selected int             `json:"selected_epoch"`
	History  []train.Epoch   `json:"history"`
	Leader   []string        `json:"leader_params"`
	Follower []string        `json:"follower_params"`
	Parity   ParityReport    `json:"parity"`
	// Constraints are the stated limits (Config.Constraints) with the selected model's value of each on
	// validation, the best any candidate reached, and whether the selected model meets them.
	Constraints    []train.ConstraintResult `json:"constraints,omitempty"`
	ConstraintsMet bool                     `json:"constraints_met"`
	// Outcome says in words what the selection found: "met", "already satisfied" (the backbone meets the
	// constraints and is returned unchanged), or "best effort" (none met them; the closest was kept).
	Outcome string `json:"outcome,omitempty"`
	// Baseline is what per-group thresholds on the unmodified backbone reach, chosen on validation.
	Baseline *BaselineReport `json:"threshold_baseline,omitempty"`
	// Thresholds are the per-group thresholds compiled into the exported model, by group.
	Thresholds     map[string]float64 `json:"compiled_thresholds,omitempty"`
	ThresholdsMode Thresholds         `json:"thresholds_mode,omitempty"`
	// Prefix is set when the layers before the position were frozen and run in onnxruntime.
	Prefix  *PrefixReport      `json:"prefix,omitempty"`
	Timings map[string]float64 `json:"timings_seconds"`
}

// DataReport says which data a run used.
type DataReport struct {
	Spec   string               `json:"spec"`
	SHA256 string               `json:"sha256"`
	Files  []dataset.SourceFile `json:"files"`
	Groups []string             `json:"groups"`
	Rows   map[string]int       `json:"rows"`
	// Unseen counts, per split and one-hot encoded column, the rows whose category the encoding never saw.
	Unseen map[string]map[string]int `json:"unseen_categories,omitempty"`
	// GroupRows counts each group's rows in each split.
	GroupRows map[string]map[string]int `json:"group_rows"`
	// Merged are the groups merged into OtherGroup for having too few validation rows; Ignored those
	// left out of the fairness gaps and losses for it (their rows count in the accuracy).
	Merged     []string `json:"merged_groups,omitempty"`
	Ignored    []string `json:"ignored_groups,omitempty"`
	Features   int      `json:"features"`
	DroppedRow int      `json:"train_rows_dropped_per_epoch"`
	// Warnings are DataWarnings (an encoding fitted from the file, clipped values) and ResolutionWarnings
	// (constraints judged on groups too small to measure them).
	Warnings []string `json:"warnings,omitempty"`
}

// SplitMetrics are a model's metrics on the validation and test splits.
type SplitMetrics struct {
	Val  fairness.Metrics `json:"val"`
	Test fairness.Metrics `json:"test"`
}

// ParityReport compares onnxruntime's predictions of the exported model with the Go forward pass's.
type ParityReport struct {
	Runtime        string  `json:"runtime"`
	Split          string  `json:"split"`
	Rows           int     `json:"rows"`
	MaxAbsDiff     float64 `json:"max_abs_diff"`
	LabelAgreement float64 `json:"label_agreement"`
	Tolerance      float64 `json:"tolerance"`
	OK             bool    `json:"ok"`
}

// Result is what FineTune returns: the report and the exported model's bytes, ready to Save.
type Result struct {
	Report *Report
	Model  []byte
	// HTML is the audit report, when Options.HTMLFile asked for one.
	HTML []byte
}

// UnmetError is returned when no candidate model met every stated constraint on validation. It is
// fault.Unmet (exit 5), and nothing is written.
type UnmetError struct{ Constraints []train.ConstraintResult }

func (e *UnmetError) Error() string {
	for _, c := range e.Constraints {
		if c.Best > c.Constraint.Limit {
			where := fmt.Sprintf("at epoch %d", c.BestEpoch)
			if c.BestEpoch == 0 {
				where = "by the starting model"
			}
			return fmt.Sprintf("no model met %s on validation: the best value reached was %.4f (%s); nothing written (--best-effort writes the closest)", c.Constraint, c.Best, where)
		}
	}
	return "no model met every constraint at once on validation; nothing written (--best-effort writes the closest)"
}

// FaultKind makes unmet constraints exit 5.
func (e *UnmetError) FaultKind() fault.Kind { return fault.Unmet }

// ParityError is returned when the exported model's onnxruntime predictions differ from the Go
// forward pass's by more than the tolerance. It is fault.Mismatch.
type ParityError struct{ Report *Report }

func (e *ParityError) Error() string {
	return fmt.Sprintf("the exported model differs from the Go forward pass by %.3g (> %g) in onnxruntime; nothing written",
		e.Report.Parity.MaxAbsDiff, parity.Tolerance)
}

// FaultKind makes a parity failure exit 3.
func (e *ParityError) FaultKind() fault.Kind { return fault.Mismatch }

// FineTuneFile is FineTune from files, as train does it: it refuses outputs that cannot be written or
// that would replace the backbone before any work, imports the backbone, loads the data with the splits
// of the training seed and fine-tunes.
func FineTuneFile(ctx context.Context, backbone string, data DataOptions, opts Options) (*Result, error) {
	if err := fsutil.CheckOutputs(opts.Out, opts.ReportFile, opts.HTMLFile); err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	for _, out := range []string{opts.Out, opts.ReportFile, opts.HTMLFile} {
		if err := notTheInput(backbone, out); err != nil {
			return nil, err
		}
	}
	seed := train.DefaultConfig(train.DefaultMethod).Seed
	if opts.Train != nil {
		seed = opts.Train.Seed
	}
	m, d, err := loadWithSeed(backbone, data, seed)
	if err != nil {
		return nil, err
	}
	return FineTune(ctx, m, d, opts)
}

// storesEncoding reports whether g's metadata holds enc's encoding for enc's sensitive attributes.
func storesEncoding(g *ir.Graph, enc *dataset.Encoding) bool {
	stored, err := storedEncoding(g, "")
	return err == nil && stored != nil && slices.Equal(stored.Sensitive, enc.Sensitive)
}

// loadWithSeed imports the backbone and loads its data with the validation (and test) splits of seed.
func loadWithSeed(backbone string, data DataOptions, seed uint64) (*Model, *dataset.Data, error) {
	m, err := Load(backbone)
	if err != nil {
		return nil, nil, err
	}
	data.Seed = seed
	d, err := LoadData(m, data)
	return m, d, err
}

// notTheInput refuses an output that is the input file itself.
func notTheInput(in, out string) error {
	if fsutil.SameFile(in, out) {
		return fault.Badf("output %s is the backbone itself; write the model to another file", out)
	}
	return nil
}

// FineTune inserts fairness layers into backbone at opts.Position, fine-tunes them on data, selects a
// model on the validation split, exports it and checks it in onnxruntime against the Go forward pass on
// the test split. Nothing is written but the checkpoint; Result.Save writes the model and the report.
// The backbone's graph is changed in place.
func FineTune(ctx context.Context, backbone *Model, data *dataset.Data, opts Options) (*Result, error) {
	t0 := time.Now()
	ft, err := prepare(backbone, data, opts)
	if err != nil {
		return nil, err
	}
	defer ft.close()
	res, err := ft.train(ctx)
	if err != nil {
		return nil, err
	}
	rep := ft.report(res)
	if opts.Thresholds != ThresholdsNone {
		if rep.Thresholds, err = fitAndCompile(ft.g, ft.trainData, ft.cfg, ft.cols); err != nil {
			return nil, err
		}
		rep.ThresholdsMode = opts.Thresholds
	}
	tLoad := ft.loaded.Sub(t0).Seconds()
	tExport := time.Now()
	modelBytes, err := ft.exportAndCheck(rep)
	if err != nil {
		return nil, err
	}
	rep.Timings = map[string]float64{
		"load_and_insert": tLoad, "train": res.TrainSeconds,
		"export_and_parity": time.Since(tExport).Seconds(), "total": time.Since(t0).Seconds(),
	}
	if !rep.Parity.OK {
		return nil, &ParityError{rep}
	}
	result := &Result{Report: rep, Model: modelBytes}
	if opts.HTMLFile != "" {
		if result.HTML, err = ft.auditHTML(rep, modelBytes); err != nil {
			return nil, fmt.Errorf("the audit report: %w", err)
		}
	}
	if opts.Out != "" || opts.ReportFile != "" || opts.HTMLFile != "" {
		if err := result.SaveAll(opts.Out, opts.ReportFile, opts.HTMLFile); err != nil {
			return nil, err
		}
	}
	return result, nil
}

// auditHTML renders the audit report of the exported model on the run's data, beside the backbone
// (imported again from its file: the run changed the one in memory) when it came from a file.
func (ft *fineTuning) auditHTML(rep *Report, model []byte) ([]byte, error) {
	exported := &Model{Graph: ft.g, Bytes: model} // not written yet: run from memory
	opts := AuditOptions{Train: rep, CISeed: ft.cfg.Seed, MinGroupSize: ft.opts.MinGroupSize}
	if path := ft.backbone.Path; path != "" {
		b, err := Load(path)
		if err != nil {
			return nil, err
		}
		if ft.opts.Head != nil {
			if err := SetHead(b, *ft.opts.Head); err != nil {
				return nil, err
			}
		}
		opts.Backbone = b
	}
	a, err := Audit(exported, ft.fair, opts)
	if err != nil {
		return nil, err
	}
	a.Provenance.Model = ft.opts.Out
	var buf bytes.Buffer
	if err := report.Render(&buf, a); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fineTuning is one FineTune run between its steps.
type fineTuning struct {
	opts     Options
	backbone *Model
	data     *dataset.Data
	cfg      train.Config
	g        *ir.Graph // the backbone's graph, fairness layers inserted
	pos      insert.Position
	frozen   *frozenPrefix // nil when the whole model trains in Go
	// trainGraph and trainData are what training sees: g and data, or the suffix after a frozen prefix
	// and the prefix's activations.
	trainGraph *ir.Graph
	trainData  *dataset.Data
	trainer    *train.Trainer
	before     SplitMetrics
	baseline   *BaselineReport
	cols       []int // the sensitive attribute's input columns, for compiled thresholds
	merged     []string
	// fair is data with the ignored groups' rows in no group: what training and the gaps see.
	fair    *dataset.Data
	ignored []string
	loaded  time.Time
}

// prepare checks the run, inserts the fairness layers, freezes the prefix when it must, builds the
// trainer and scores the starting model: everything before training.
func prepare(backbone *Model, data *dataset.Data, opts Options) (*fineTuning, error) {
	cfg := train.DefaultConfig(train.DefaultMethod)
	if opts.Train != nil {
		cfg = *opts.Train
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Position == "" {
		return nil, fault.Badf("no insertion position given")
	}
	if opts.Resume && opts.Checkpoint == "" {
		return nil, fault.Badf("resume needs a checkpoint folder")
	}
	var merged, ignored []string
	fair := data // the fairness view: groups left out of the gaps have their rows in no group
	switch {
	case opts.MergeSmallGroups && opts.IgnoreSmallGroups:
		return nil, fault.Badf("small groups are merged or ignored, not both")
	case opts.MergeSmallGroups:
		var err error
		if merged, err = mergeSmallGroups(data, opts.MinGroupSize); err != nil {
			return nil, err
		}
	case opts.IgnoreSmallGroups:
		var err error
		if fair, ignored, err = ignoreSmallGroups(data, opts.MinGroupSize); err != nil {
			return nil, err
		}
	}
	if err := checkGroupSizesExcept(data, opts.MinGroupSize, ignored); err != nil {
		return nil, err
	}
	if err := checkConstraintAttributes(cfg.Constraints, data); err != nil {
		return nil, err
	}
	// Every run ends with a check in onnxruntime: a missing library must stop it before training.
	if err := ort.Init(); err != nil {
		return nil, err
	}
	if opts.Head != nil {
		if err := SetHead(backbone, *opts.Head); err != nil {
			return nil, err
		}
	}
	ft := &fineTuning{opts: opts, backbone: backbone, data: data, fair: fair, cfg: cfg, g: backbone.Graph, merged: merged, ignored: ignored}
	if data.Encoding != nil && !storesEncoding(ft.g, data.Encoding) {
		// A fitted encoding, or the stored one with the attribute this run is trained for.
		enc, err := data.Encoding.Marshal()
		if err != nil {
			return nil, err
		}
		ft.g.SetMetadata(MetaEncoding, string(enc))
	}
	for _, kv := range []struct {
		key   string
		names []string
	}{{MetaMergedGroups, merged}, {MetaIgnoredGroups, ignored}} {
		key, names := kv.key, kv.names
		if names == nil {
			continue
		}
		var list strings.Builder // without HTML escaping: "<25" stays readable
		enc := json.NewEncoder(&list)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(names); err != nil {
			return nil, err
		}
		ft.g.SetMetadata(key, strings.TrimSpace(list.String()))
	}
	var err error
	if ft.pos, err = InsertAt(backbone, opts.Position, insert.InsertOptions{Layers: opts.Layers, Init: opts.Init, Seed: cfg.Seed}); err != nil {
		return nil, err
	}
	// Training runs on the whole model in Go, or on the layers after the position with the prefix's
	// activations computed once in onnxruntime.
	ft.trainGraph, ft.trainData = ft.g, fair
	trainCfg := cfg
	if ft.frozen, err = freezePrefix(ft.g, ft.pos, cfg.TrainLeader, fair); err != nil {
		return nil, err
	}
	// fail releases what was made so far: the trainer, and activations in memory-mapped files.
	fail := func(err error) (*fineTuning, error) {
		ft.close()
		return nil, err
	}
	if ft.frozen != nil {
		if ft.trainData, err = ft.frozen.activations(fair, opts.Threads, opts.CacheMemory); err != nil {
			return fail(err)
		}
		ft.trainGraph = ft.frozen.suffix
		if trainCfg.TrainLeader == train.LeaderAfter {
			trainCfg.TrainLeader = train.LeaderAll // every backbone layer of the suffix is after the position
		}
	}
	if opts.Thresholds != ThresholdsNone {
		if h, err := head.Of(ft.trainGraph); err == nil && !h.Binary() {
			return fail(fault.Badf("per-group thresholds decide between two classes; the model's head has %d (%s)", h.Classes, h))
		}
		if ft.frozen != nil {
			return fail(fault.Badf("per-group thresholds are compiled into models trained whole in Go; this one has a frozen prefix (%s)", ft.frozen.report.Why))
		}
		if ft.cols, err = groupColumns(data.Encoding, data.GroupNames); err != nil {
			return fail(err)
		}
	}
	if ft.trainer, err = train.NewTrainer(ft.trainGraph, ft.trainData, trainCfg); err != nil {
		return fail(err)
	}
	// The starting model's scores give its metrics and the per-group-threshold baseline.
	td := ft.trainData
	valP, err := train.Probabilities(ft.trainGraph, td.Val)
	if err == nil {
		var testP []float32
		if testP, err = train.Probabilities(ft.trainGraph, td.Test); err == nil {
			ft.before = SplitMetrics{
				Val:  train.SplitMetrics(valP, td.Val, td),
				Test: train.SplitMetrics(testP, td.Test, td),
			}
			ft.baseline = thresholdBaseline(valP, testP, td, trainCfg)
		}
	}
	if err == nil && opts.Resume {
		err = ft.trainer.Resume(opts.Checkpoint)
	}
	if err != nil {
		return fail(err)
	}
	ft.loaded = time.Now()
	return ft, nil
}

// close releases the trainer and the activations of a frozen prefix.
func (ft *fineTuning) close() {
	if ft.trainer != nil {
		ft.trainer.Close()
	}
	if ft.frozen != nil {
		ft.frozen.close()
	}
}

// train trains, or does not: compiled thresholds alone train nothing, and a backbone that already meets
// the constraints is returned as it is (with identity fairness layers, which compute the same function),
// not trained away from them. Unmet constraints are an *UnmetError unless BestEffort.
func (ft *fineTuning) train(ctx context.Context) (*train.Result, error) {
	cfg, opts := ft.cfg, ft.opts
	var res *train.Result
	switch cs := cfg.Constraints; {
	case opts.Thresholds == ThresholdsOnly:
		res = &train.Result{Met: true}
	case cs.Len() > 0 && cs.Met(ft.before.Val) && !opts.Resume:
		res = &train.Result{Met: true}
		for _, c := range cs.List() {
			v := c.Value(ft.before.Val)
			res.Constraints = append(res.Constraints, train.ConstraintResult{Constraint: c, Selected: v, Best: v, Met: true})
		}
	default:
		var save func(*train.Trainer) error
		if opts.Checkpoint != "" {
			save = func(t *train.Trainer) error { return t.SaveCheckpoint(opts.Checkpoint) }
		}
		var err error
		if res, err = ft.trainer.Train(ctx, train.Hooks{OnEpoch: opts.OnEpoch}, save); err != nil {
			if errors.Is(err, context.Canceled) {
				return nil, fmt.Errorf("interrupted; the last checkpoint (if one was asked for) can be resumed")
			}
			return nil, err
		}
	}
	if cfg.Constraints.Len() > 0 && !res.Met && !opts.BestEffort {
		return nil, &UnmetError{res.Constraints}
	}
	return res, nil
}

// report assembles the run's report from the training result (metrics of the export come later).
func (ft *fineTuning) report(res *train.Result) *Report {
	cfg, data := ft.cfg, ft.data
	init := ft.opts.Init
	if init == "" {
		init = insert.InitIdentity
	}
	rep := &Report{
		Version: Version, Method: cfg.Method, Config: cfg, Backbone: ft.backbone.Path, Position: ft.pos,
		Layers: max(ft.opts.Layers, 1), Init: init, Before: ft.before, Selected: res.SelectedEpoch,
		History: res.History, Leader: res.Leader, Follower: res.Follower,
		Data: DataReport{
			Spec: data.Spec, SHA256: data.SHA256, Files: data.Files, Groups: data.GroupNames,
			Rows:      map[string]int{"train": data.Train.Rows, "val": data.Val.Rows, "test": data.Test.Rows},
			GroupRows: GroupRows(data), Unseen: unseen(data),
			Features: data.Train.Cols, DroppedRow: res.DroppedRows, Warnings: append(DataWarnings(data), ResolutionWarnings(data, cfg.Constraints)...), Merged: ft.merged, Ignored: ft.ignored,
		},
		Baseline: ft.baseline, Constraints: res.Constraints, ConstraintsMet: res.Met,
	}
	if ft.frozen != nil {
		rep.Prefix = &ft.frozen.report
	}
	if cfg.Constraints.Len() > 0 {
		switch {
		case !res.Met:
			rep.Outcome = "best effort"
		case res.SelectedEpoch == 0:
			rep.Outcome = "already satisfied"
		default:
			rep.Outcome = "met"
		}
	}
	return rep
}

// exportAndCheck exports the model and measures everything on what was exported: onnxruntime's
// predictions, and their parity with what training computed (the Go forward pass, on the prefix's
// activations when the prefix was frozen). The metrics stored in the model are onnxruntime's.
func (ft *fineTuning) exportAndCheck(rep *Report) ([]byte, error) {
	data := ft.fair // the gaps leave out the ignored groups
	setProvenance(rep, ft.backbone)
	exported := &Model{Graph: ft.g}
	var err error
	if exported.Bytes, err = exporter.Marshal(ft.g); err != nil {
		return nil, err
	}
	run := RunOptions{Batch: train.EvalBatch, Threads: ft.opts.Threads}
	if rep.After.Val, err = Evaluate(exported, ORT, data.Val, data, run); err != nil {
		return nil, err
	}
	goProbs, err := train.Probabilities(ft.trainGraph, ft.trainData.Test)
	if err != nil {
		return nil, err
	}
	ortProbs, err := Probabilities(exported, ORT, data.Test, run)
	if err != nil {
		return nil, err
	}
	rep.After.Test = train.SplitMetrics(ortProbs, data.Test, data)
	rep.Parity = ParityReport{
		Runtime: "onnxruntime vs Go forward pass", Split: "test", Rows: data.Test.Rows,
		MaxAbsDiff:     parity.MaxAbsDiff(goProbs, ortProbs),
		LabelAgreement: parity.Agreement(fairness.Decisions(goProbs, data.Test.Rows), fairness.Decisions(ortProbs, data.Test.Rows)),
		Tolerance:      parity.Tolerance,
	}
	if ft.frozen != nil {
		rep.Parity.Runtime = "onnxruntime (exported model) vs onnxruntime prefix + Go forward pass"
	}
	rep.Parity.OK = rep.Parity.MaxAbsDiff <= parity.Tolerance
	setProvenance(rep, ft.backbone)
	return exporter.Marshal(ft.g)
}

// Save writes the model to modelPath and, unless reportPath is "", the report as JSON: both or neither
// (each is staged beside its place and renamed only when both are written).
func (r *Result) Save(modelPath, reportPath string) error {
	return r.SaveAll(modelPath, reportPath, "")
}

// SaveAll is Save with the audit report (Result.HTML) written to htmlPath too, unless it is "": all of
// them or none.
func (r *Result) SaveAll(modelPath, reportPath, htmlPath string) error {
	var files []fsutil.File
	if htmlPath != "" {
		if r.HTML == nil {
			return fmt.Errorf("no audit report to write to %s", htmlPath)
		}
		files = append(files, fsutil.File{Path: htmlPath, Data: r.HTML})
	}
	if modelPath != "" {
		r.Report.Out = modelPath
		files = append(files, fsutil.File{Path: modelPath, Data: r.Model})
	}
	if reportPath != "" {
		data, err := json.MarshalIndent(r.Report, "", "  ")
		if err != nil {
			return err
		}
		files = append(files, fsutil.File{Path: reportPath, Data: append(data, '\n')})
	}
	return fsutil.WriteFilesAtomic(files, 0o644)
}

// setProvenance writes the metadata of an exported model.
func setProvenance(rep *Report, m *Model) {
	g := m.Graph
	g.SetMetadata(MetaVersion, Version)
	switch rep.ThresholdsMode {
	case ThresholdsOnly:
		g.SetMetadata(MetaMethod, "thresholds")
	case ThresholdsAfter:
		g.SetMetadata(MetaMethod, string(rep.Method)+"+thresholds")
	default:
		g.SetMetadata(MetaMethod, string(rep.Method))
	}
	g.SetMetadata(MetaEta, strconv.FormatFloat(rep.Config.Eta, 'g', -1, 64))
	g.SetMetadata(MetaFairness, rep.Config.Fairness.String())
	g.SetMetadata(MetaPosition, PositionLabel(rep.Position))
	g.SetMetadata(MetaSeed, strconv.FormatUint(rep.Config.Seed, 10))
	g.SetMetadata(MetaDataSHA256, rep.Data.SHA256)
	metrics, _ := json.Marshal(map[string]any{"selected_epoch": rep.Selected, "val": rep.After.Val, "test": rep.After.Test})
	g.SetMetadata(MetaMetrics, string(metrics))
	if rep.Config.Constraints.Len() > 0 {
		g.SetMetadata(MetaConstraints, rep.Config.Constraints.String())
	}
}

// WriteJSONFile writes v as indented JSON, atomically.
func WriteJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, append(data, '\n'), 0o644)
}
