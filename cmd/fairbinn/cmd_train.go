package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/fairbinn/fairbinn-go/tensor"
	"io"
	"os"
	"strconv"
	"time"

	"golang.org/x/term"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/train"
)

// trainFlags are the flags of train (and, with other defaults, of demo and sweep).
type trainFlags struct {
	backbone, position, out, report string
	data                            dataFlags
	cfg                             train.Config
	layers                          int
	init                            string
	threads                         int
	checkpoint                      string
	resume, quiet                   bool
	fs                              *flag.FlagSet // to tell flags given on the command line from defaults
	// noModel (sweep --keep-models=false) runs everything, parity check included, but writes no model file.
	noModel bool
}

func (f *trainFlags) register(fs *flag.FlagSet, def train.Config) {
	f.cfg = def
	f.fs = fs
	fs.StringVar(&f.backbone, "backbone", "", "the pretrained model (ONNX)")
	fs.StringVar(&f.position, "position", "", "where to insert the fairness layers: K (the K-th position fairbinn inspect lists) or name:TENSOR")
	fs.StringVar(&f.out, "out", "", "where to write the fine-tuned model (ONNX)")
	fs.StringVar(&f.report, "report", "", "where to write the training report (JSON)")
	f.data.register(fs)
	fs.StringVar(&f.cfg.Method, "method", def.Method, "bilevel (the paper's Algorithm 1), reference (the FairBiNN code's schedule), lagrangian or erm")
	fs.StringVar(&f.cfg.FairnessStr, "fairness", def.FairnessStr, "fairness criterion: dp (demographic parity), eo (equalized odds) or eopp (equal opportunity)")
	fs.Float64Var(&f.cfg.Eta, "eta", def.Eta, "weight η of the fairness loss")
	fs.Float64Var(&f.cfg.AccLR, "acc-lr", def.AccLR, "leader (accuracy) learning rate")
	fs.Float64Var(&f.cfg.FairLR, "fair-lr", def.FairLR, "follower (fairness layers) learning rate")
	fs.StringVar(&f.cfg.AccOpt, "acc-opt", def.AccOpt, "leader optimiser: adam, sgd or momentum")
	fs.StringVar(&f.cfg.FairOpt, "fair-opt", def.FairOpt, "follower optimiser: adam, sgd or momentum")
	fs.Float64Var(&f.cfg.AccDecay, "acc-decay", def.AccDecay, "leader learning-rate factor every --decay-every epochs")
	fs.Float64Var(&f.cfg.FairDecay, "fair-decay", def.FairDecay, "follower learning-rate factor every --decay-every epochs")
	fs.IntVar(&f.cfg.DecayEvery, "decay-every", def.DecayEvery, "epochs between learning-rate decays (0: none; the reference method uses 50)")
	fs.StringVar(&f.cfg.TrainLeader, "train-leader", def.TrainLeader, "backbone parameters the leader trains: all, after (the layers after the position) or none")
	fs.IntVar(&f.layers, "fair-layers", 1, "number of fully connected fairness layers")
	fs.StringVar(&f.init, "fair-init", insert.InitIdentity, "fairness-layer initialisation: identity (starts as the backbone) or random")
	fs.IntVar(&f.cfg.Epochs, "epochs", def.Epochs, "training epochs")
	fs.IntVar(&f.cfg.Batch, "batch", def.Batch, "rows per mini-batch")
	fs.StringVar(&f.cfg.Select, "select", def.Select, "model selection on the validation split: last, val-acc-at-dp=X (best accuracy with the fairness gap ≤ X) or val-pareto")
	fs.Uint64Var(&f.cfg.Seed, "seed", def.Seed, "random seed (splits, shuffling, random init); the same seed gives the same result")
	fs.IntVar(&f.threads, "threads", 0, "onnxruntime intra-op threads for the parity check (0: its default)")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "folder for a checkpoint written after every epoch")
	fs.BoolVar(&f.resume, "resume", false, "continue from the checkpoint in --checkpoint")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress output")
}

// methodSchedule gives the method its own learning-rate schedule (the reference method's differs)
// unless the command line sets one.
func (f *trainFlags) methodSchedule() {
	set := map[string]bool{}
	if f.fs != nil {
		f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	}
	def := train.DefaultConfig(f.cfg.Method)
	if !set["acc-decay"] {
		f.cfg.AccDecay = def.AccDecay
	}
	if !set["fair-decay"] {
		f.cfg.FairDecay = def.FairDecay
	}
	if !set["decay-every"] {
		f.cfg.DecayEvery = def.DecayEvery
	}
}

// trainReport is the report of a training run (--report, and fairbinn.metrics in the model).
type trainReport struct {
	Version  string             `json:"fairbinn_version"`
	Method   string             `json:"method"`
	Config   train.Config       `json:"config"`
	Backbone string             `json:"backbone"`
	Position insert.Position    `json:"position"`
	Layers   int                `json:"fair_layers"`
	Init     string             `json:"fair_init"`
	Out      string             `json:"out"`
	Data     dataReport         `json:"data"`
	Before   splitMetrics       `json:"backbone_metrics"`
	After    splitMetrics       `json:"selected_metrics"`
	Selected int                `json:"selected_epoch"`
	History  []train.Epoch      `json:"history"`
	Leader   []string           `json:"leader_params"`
	Follower []string           `json:"follower_params"`
	Parity   parityReport       `json:"parity"`
	Timings  map[string]float64 `json:"timings_seconds"`
}

type dataReport struct {
	Spec       string               `json:"spec"`
	SHA256     string               `json:"sha256"`
	Files      []dataset.SourceFile `json:"files"`
	Groups     []string             `json:"groups"`
	Rows       map[string]int       `json:"rows"`
	Features   int                  `json:"features"`
	DroppedRow int                  `json:"train_rows_dropped_per_epoch"`
}

type splitMetrics struct {
	Val  fairness.Metrics `json:"val"`
	Test fairness.Metrics `json:"test"`
}

type parityReport struct {
	Runtime        string  `json:"runtime"`
	Split          string  `json:"split"`
	Rows           int     `json:"rows"`
	MaxAbsDiff     float64 `json:"max_abs_diff"`
	LabelAgreement float64 `json:"label_agreement"`
	Tolerance      float64 `json:"tolerance"`
	OK             bool    `json:"ok"`
}

const parityTolerance = 1e-5

// runTraining is train's job: insert, fine-tune, export, check parity in onnxruntime, report. Nothing
// but the checkpoint is written before everything has succeeded.
func runTraining(ctx context.Context, env *cmdEnv, f *trainFlags) (*trainReport, error) {
	t0 := time.Now()
	f.methodSchedule()
	if err := f.cfg.Validate(); err != nil {
		return nil, badInput(err)
	}
	if f.backbone == "" || f.position == "" || f.out == "" || f.data.spec == "" {
		return nil, &usageError{"--backbone, --data, --position and --out are required"}
	}
	if f.resume && f.checkpoint == "" {
		return nil, &usageError{"--resume needs --checkpoint"}
	}
	if sameFile(f.backbone, f.out) {
		return nil, badInputf("--out %s is the backbone itself; write to another file", f.out)
	}
	g, err := loadModel(f.backbone, importer.Options{})
	if err != nil {
		return nil, err
	}
	f.data.seed = f.cfg.Seed
	data, err := f.data.load(g, f.backbone)
	if err != nil {
		return nil, err
	}
	if _, ok := g.Metadata["fairbinn.encoding"]; !ok || f.data.encoding == "none" {
		if data.Encoding != nil {
			enc, err := data.Encoding.Marshal()
			if err != nil {
				return nil, err
			}
			g.SetMetadata("fairbinn.encoding", string(enc))
		}
	}
	pos, err := insertAt(g, f.backbone, f.position, insert.InsertOptions{Layers: f.layers, Init: f.init, Seed: f.cfg.Seed})
	if err != nil {
		return nil, err
	}
	tr, err := train.NewTrainer(g, data, f.cfg)
	if err != nil {
		return nil, badInput(err)
	}
	defer tr.Close()
	var before splitMetrics
	if before.Val, err = tr.Evaluate(data.Val); err != nil {
		return nil, err
	}
	if before.Test, err = tr.Evaluate(data.Test); err != nil {
		return nil, err
	}
	if f.resume {
		if err := tr.Resume(f.checkpoint); err != nil {
			return nil, badInput(err)
		}
	}
	var save func(*train.Trainer) error
	if f.checkpoint != "" {
		save = func(t *train.Trainer) error { return t.SaveCheckpoint(f.checkpoint) }
	}
	progress := newProgress(env.stderr, f.quiet)
	tLoad := time.Since(t0).Seconds()
	res, err := tr.Train(ctx, train.Hooks{OnEpoch: progress.epoch}, save)
	progress.done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("interrupted; the last checkpoint (if --checkpoint was given) can be resumed with --resume")
		}
		return nil, err
	}

	// Export, then measure everything on what was exported: onnxruntime's predictions on the test split.
	rep := &trainReport{
		Version: Version, Method: f.cfg.Method, Config: f.cfg, Backbone: f.backbone, Position: pos,
		Layers: f.layers, Init: f.init, Out: f.out, Before: before, Selected: res.SelectedEpoch,
		History: res.History, Leader: res.Leader, Follower: res.Follower,
		Data: dataReport{
			Spec: f.data.spec, SHA256: data.SHA256, Files: data.Files, Groups: data.GroupNames,
			Rows:     map[string]int{"train": data.Train.Rows, "val": data.Val.Rows, "test": data.Test.Rows},
			Features: data.Train.Cols, DroppedRow: res.DroppedRows,
		},
	}
	setProvenance(g, rep)
	tExport := time.Now()
	modelBytes, err := exporter.Marshal(g)
	if err != nil {
		return nil, err
	}
	if rep.After.Val, err = evalWith(runtimeORT, modelRef{g: g, bytes: modelBytes}, data.Val, data.GroupNames, f.threads); err != nil {
		return nil, err
	}
	var goProbs, ortProbs []float32
	if goProbs, err = probabilities(runtimeGo, modelRef{g: g, bytes: modelBytes}, data.Test, f.threads); err != nil {
		return nil, err
	}
	if ortProbs, err = probabilities(runtimeORT, modelRef{g: g, bytes: modelBytes}, data.Test, f.threads); err != nil {
		return nil, err
	}
	rep.After.Test = fairness.Compute(ortProbs, data.Test.Y, data.Test.Group, data.GroupNames)
	rep.Parity = parityReport{
		Runtime: "onnxruntime vs Go forward pass", Split: "test", Rows: data.Test.Rows,
		MaxAbsDiff:     maxAbsDiff(goProbs, ortProbs),
		LabelAgreement: agreement(fairness.Predict(goProbs), fairness.Predict(ortProbs)),
		Tolerance:      parityTolerance,
	}
	rep.Parity.OK = rep.Parity.MaxAbsDiff <= parityTolerance
	// The metrics stored in the model are the ones onnxruntime gives.
	setProvenance(g, rep)
	if modelBytes, err = exporter.Marshal(g); err != nil {
		return nil, err
	}
	rep.Timings = map[string]float64{
		"load_and_insert": tLoad, "train": res.TrainSeconds,
		"export_and_parity": time.Since(tExport).Seconds(), "total": time.Since(t0).Seconds(),
	}
	if !rep.Parity.OK {
		return rep, &exitError{exitMismatch, fmt.Sprintf("the exported model differs from the Go forward pass by %.3g (> %g) in onnxruntime; nothing written", rep.Parity.MaxAbsDiff, parityTolerance)}
	}
	if f.noModel {
		rep.Out = ""
	} else if err := fsutil.WriteFileAtomic(f.out, modelBytes, 0o644); err != nil {
		return nil, err
	}
	if f.report != "" {
		if err := writeJSONFile(f.report, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// setProvenance writes the metadata DESIGN.md lists into the model.
func setProvenance(g *ir.Graph, rep *trainReport) {
	g.SetMetadata("fairbinn.version", Version)
	g.SetMetadata("fairbinn.method", rep.Method)
	g.SetMetadata("fairbinn.eta", strconv.FormatFloat(rep.Config.Eta, 'g', -1, 64))
	g.SetMetadata("fairbinn.position", positionLabel(rep.Position))
	g.SetMetadata("fairbinn.seed", strconv.FormatUint(rep.Config.Seed, 10))
	g.SetMetadata("fairbinn.data_sha256", rep.Data.SHA256)
	metrics, _ := json.Marshal(map[string]any{"selected_epoch": rep.Selected, "val": rep.After.Val, "test": rep.After.Test})
	g.SetMetadata("fairbinn.metrics", string(metrics))
}

// probabilities runs a split through a runtime and returns one probability per row.
func probabilities(rt string, m modelRef, s *dataset.Split, threads int) ([]float32, error) {
	out, err := execute(rt, m, tensor.Tensor{Shape: []int64{int64(s.Rows), int64(s.Cols)}, Data: s.X}, train.EvalBatch, threads)
	if err != nil {
		return nil, err
	}
	if len(out.Data) != s.Rows {
		return nil, badInputf("the model gives %d values for %d rows; want one probability per row", len(out.Data), s.Rows)
	}
	return out.Data, nil
}

func evalWith(rt string, m modelRef, s *dataset.Split, groups []string, threads int) (fairness.Metrics, error) {
	p, err := probabilities(rt, m, s, threads)
	if err != nil {
		return fairness.Metrics{}, err
	}
	return fairness.Compute(p, s.Y, s.Group, groups), nil
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, append(data, '\n'), 0o644)
}

// progress prints one line per epoch, redrawn in place with a bar on a terminal.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	drew  bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) epoch(e train.Epoch, total int) error {
	if p.quiet {
		return nil
	}
	line := fmt.Sprintf("epoch %d/%d  loss %.4f  fair %.5f  val acc %.4f  val dp %.4f  %.0f rows/s",
		e.Epoch, total, e.AccLoss, e.FairLoss, e.ValAcc, e.ValDP, e.RowsPerS)
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return nil
	}
	const width = 20
	filled := width * e.Epoch / max(total, 1)
	bar := ""
	for i := range width {
		if i < filled {
			bar += "█"
		} else {
			bar += "·"
		}
	}
	fmt.Fprintf(p.w, "\r\033[K[%s] %s", bar, line)
	p.drew = true
	return nil
}

func (p *progress) done() {
	if p.drew {
		fmt.Fprintln(p.w)
	}
}

type trainCmd struct{ f trainFlags }

func (*trainCmd) Name() string { return "train" }
func (*trainCmd) Synopsis() string {
	return "train --backbone IN.onnx --data SPEC --position P --out OUT.onnx [--report R.json] [training flags]"
}
func (c *trainCmd) Flags(fs *flag.FlagSet) {
	c.f.register(fs, train.DefaultConfig(train.DefaultMethod))
}

func (c *trainCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	rep, err := runTraining(ctx, env, &c.f)
	if err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, rep)
	}
	printBeforeAfter(env.stdout, rep)
	fmt.Fprintf(env.stdout, "\nmodel  %s\n", rep.Out)
	if c.f.report != "" {
		fmt.Fprintf(env.stdout, "report %s\n", c.f.report)
	}
	return nil
}
