package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/train"
)

// dataFlags are the flags that say which data to load (DESIGN.md's data SPEC).
type dataFlags struct {
	spec, label, positive, classes, sensitive, test, encoding string
	drop, missing, features, val                              string
	strict                                                    bool
	valFrac                                                   float64
	seed                                                      uint64
	// seedGiven: the splits' seed was set (--seed, or train's own); else it is the model's.
	seedGiven bool
}

// registerSeed declares --seed for a command that scores a model on a split: by default the splits of
// the seed the model was trained with, so that its test split is the one it was tested on.
func (d *dataFlags) registerSeed(fs *flag.FlagSet) {
	fs.Func("seed", "seed of the validation and test splits (default: the model's training seed, fairbinn.seed in its metadata, else 1)", func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		d.seed, d.seedGiven = v, true
		return err
	})
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.spec, "data", "", "data: adult:DIR (UCI Adult files adult.data/adult.test, or .gz) or csv:FILE")
	fs.StringVar(&d.label, "label", "", "csv: the label column")
	fs.StringVar(&d.positive, "positive", "", "csv: the label value(s) of the positive class, comma-separated")
	fs.StringVar(&d.classes, "classes", "", "csv, a K-class model: the label values of classes 0 to K-1, comma-separated (default 0,1,...,K-1: the label column holds the class index)")
	fs.StringVar(&d.sensitive, "sensitive", "", "the sensitive column(s), comma-separated (several: intersections); a numeric column in groups of ranges: 'age:25,60' (edges) or 'age:<25,25-60,>60'; "+
		"any column of the data, whatever the model was trained for (adult: default sex; csv: default the model's)")
	fs.StringVar(&d.test, "test", "", "csv: a test file with the same columns (default: a stratified 20% of --data)")
	fs.StringVar(&d.val, "val", "", "csv: a validation file with the same columns, e.g. rows the backbone was not trained on (default: a stratified --val-frac of the training rows)")
	fs.StringVar(&d.features, "features", "", "csv: the only feature columns, comma-separated (default: every column but the label and --drop); only when the model stores no encoding")
	fs.StringVar(&d.encoding, "encoding", string(fairbinn.EncodingAuto), "auto: the encoding stored in the model, else fitted on the training split; none: the feature columns are the model's inputs as they are")
	fs.StringVar(&d.drop, "drop", "", "csv: columns that are not features, comma-separated (a row id, a column the model does not take)")
	fs.StringVar(&d.missing, "missing", "", "csv: the missing-value token (default: empty cells); rows with it are dropped and counted in the report")
	fs.BoolVar(&d.strict, "strict-categories", false, "csv: refuse a row whose category the encoding never saw (default: count them and warn)")
	fs.Float64Var(&d.valFrac, "val-frac", 0.2, "fraction of the training file held out for validation (stratified by group × label)")
}

func (d *dataFlags) options() (fairbinn.DataOptions, error) {
	if d.spec == "" {
		return fairbinn.DataOptions{}, usagef("--data is required")
	}
	if d.valFrac <= 0 || d.valFrac >= 1 {
		return fairbinn.DataOptions{}, fault.Badf("--val-frac %v: want a value in (0, 1)", d.valFrac)
	}
	enc := fairbinn.Encoding(d.encoding)
	if enc != fairbinn.EncodingAuto && enc != fairbinn.EncodingNone {
		return fairbinn.DataOptions{}, fault.Badf("--encoding %q: want auto or none", d.encoding)
	}
	return fairbinn.DataOptions{
		Spec: d.spec, Label: d.label, Positive: splitList(d.positive), Classes: splitList(d.classes), Sensitive: dataset.SplitSensitive(d.sensitive),
		Features: splitList(d.features), TestFile: d.test, ValFile: d.val, Encoding: enc, ValFrac: d.valFrac, Seed: d.seed, Drop: splitList(d.drop), Missing: d.missing, StrictCategories: d.strict,
	}, nil
}

// load reads the data for model m, and warns on w of what fairbinn.DataWarnings finds.
func (d *dataFlags) load(m *fairbinn.Model, w io.Writer) (*dataset.Data, error) {
	if !d.seedGiven {
		d.seed = fairbinn.TrainingSeed(m)
	}
	opts, err := d.options()
	if err != nil {
		return nil, err
	}
	data, err := fairbinn.LoadData(m, opts)
	if err != nil {
		return nil, err
	}
	for _, msg := range fairbinn.DataWarnings(data) {
		fmt.Fprintf(w, "warning: %s\n", msg)
	}
	return data, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// trainFlags are the flags of train (and, with other defaults, of demo and sweep): strings on the
// command line, parsed into typed settings by config.
type trainFlags struct {
	backbone, position, out, report string
	html                            string
	data                            dataFlags
	cfg                             train.Config
	method, fairness, accOpt        string
	fairOpt, trainLeader, sel       string
	layers                          int
	init                            string
	threads                         int
	checkpoint                      string
	resume, quiet                   bool
	head                            headFlags
	constraints                     []string
	constraintsFile                 string
	bestEffort                      bool
	thresholds                      fairbinn.Thresholds
	minGroup                        int
	mergeSmall, ignoreSmall         bool
	cacheMB                         int64
	fs                              *flag.FlagSet // to tell flags given on the command line from defaults
}

func (f *trainFlags) register(fs *flag.FlagSet, def train.Config) {
	f.cfg = def
	f.fs = fs
	fs.StringVar(&f.backbone, "backbone", "", "the pretrained model (ONNX)")
	fs.StringVar(&f.position, "position", "", "where to insert the fairness layers: K (the K-th position fairbinn inspect lists) or name:TENSOR")
	fs.StringVar(&f.out, "out", "", "where to write the fine-tuned model (ONNX)")
	fs.StringVar(&f.report, "report", "", "where to write the training report (JSON)")
	f.data.register(fs)
	fs.StringVar(&f.method, "method", string(def.Method), "bilevel (the bilevel game: fairness layers follow, an accuracy leader that does not raise L_fair), bilevel-paper (the paper's Algorithm 1 as published; it collapses to a constant classifier), reference (the FairBiNN code's schedule), lagrangian (fixed penalty --eta), constrained (multipliers that meet --constraint), erm, or thresholds (no training: per-group thresholds on the backbone compiled into the model)")
	fs.StringVar(&f.fairness, "fairness", def.Fairness.String(), "fairness criterion: dp (demographic parity), eo (equalized odds), eopp (equal opportunity), fpr (false-positive-rate parity) or fnr (false-negative-rate parity)")
	// No default shown: it depends on the criterion, and is set once the criterion is known.
	fs.Float64Var(&f.cfg.Eta, "eta", 0, etaUsage)
	fs.Float64Var(&f.cfg.MultiplierLR, "multiplier-lr", def.MultiplierLR, "constrained: the multipliers' step, λ ← max(0, λ + step·(gap − limit)) at every update")
	fs.IntVar(&f.cfg.MultiplierEvery, "multiplier-every", def.MultiplierEvery, "constrained: training steps between multiplier updates")
	fs.Float64Var(&f.cfg.MultiplierHoldout, "multiplier-holdout", def.MultiplierHoldout, "constrained: fraction of the training split held out to measure the gaps the multipliers answer to (0: the validation split)")
	// No default shown: it depends on the constraints' criteria.
	fs.Float64Var(&f.cfg.MultiplierMargin, "multiplier-margin", 0, "constrained: share of each limit kept in reserve, the multipliers aiming at (1 − margin)·limit while selection still asks for the limit (default: 0 for dp, 0.5 for eo, 0.25 for eopp, fpr and fnr, the largest of the constraints' criteria; chosen on validation over five data sets)")
	fs.Float64Var(&f.cfg.AccLR, "acc-lr", def.AccLR, "leader (accuracy) learning rate")
	fs.Float64Var(&f.cfg.FairLR, "fair-lr", def.FairLR, "follower (fairness layers) learning rate")
	fs.StringVar(&f.accOpt, "acc-opt", string(def.AccOpt), "leader optimiser: adam, sgd or momentum")
	fs.StringVar(&f.fairOpt, "fair-opt", string(def.FairOpt), "follower optimiser: adam, sgd or momentum")
	fs.Float64Var(&f.cfg.AccDecay, "acc-decay", def.AccDecay, "leader learning-rate factor every --decay-every epochs")
	fs.Float64Var(&f.cfg.FairDecay, "fair-decay", def.FairDecay, "follower learning-rate factor every --decay-every epochs")
	fs.IntVar(&f.cfg.DecayEvery, "decay-every", def.DecayEvery, "epochs between learning-rate decays (0: none; the reference method uses 50)")
	fs.StringVar(&f.trainLeader, "train-leader", string(def.TrainLeader), "backbone parameters the leader trains: all, after (the layers after the position) or none")
	fs.IntVar(&f.layers, "fair-layers", 1, fmt.Sprintf("number of fully connected fairness layers (1 to %d)", insert.MaxLayers))
	fs.StringVar(&f.init, "fair-init", insert.InitIdentity, "fairness-layer initialisation: identity (starts as the backbone) or random")
	fs.IntVar(&f.cfg.Epochs, "epochs", def.Epochs, "training epochs")
	fs.IntVar(&f.cfg.Batch, "batch", def.Batch, "rows per mini-batch")
	fs.StringVar(&f.sel, "select", def.Select.String(), "model selection on the validation split: last, val-acc-at-gap=X (best accuracy with the trained criterion's gap ≤ X; also written val-acc-at-dp=X, -eo, -eopp) or val-pareto")
	fs.Uint64Var(&f.cfg.Seed, "seed", def.Seed, "random seed (splits, shuffling, random init); the same seed gives the same result")
	fs.IntVar(&f.threads, "threads", 0, "onnxruntime intra-op threads for the parity check (0: its default)")
	fs.StringVar(&f.checkpoint, "checkpoint", "", "folder for a checkpoint written after every epoch")
	fs.BoolVar(&f.resume, "resume", false, "continue from the checkpoint in --checkpoint")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress output")
	f.head.register(fs)
	fs.Func("constraint", "a fairness limit the model must meet on validation, e.g. 'dp<=0.02' (dp, eo, eopp, fpr or fnr); repeatable; "+
		"selects the most accurate epoch meeting every one (exit 5 and nothing written when none does) and, unless --method is given, trains with the constrained method",
		func(v string) error { f.constraints = append(f.constraints, v); return nil })
	fs.StringVar(&f.constraintsFile, "constraints", "", "a JSON file of constraints, [\"dp<=0.02\", \"eo<=0.05\"] or {\"constraints\": [...]} (as a report writes them), added to --constraint")
	fs.BoolFunc("thresholds", "after fine-tuning, fit per-group decision thresholds on validation and compile them into the exported model (needs the sensitive attribute as a model input)",
		func(string) error { f.thresholds = fairbinn.ThresholdsAfter; return nil })
	fs.IntVar(&f.minGroup, "min-group-size", fairbinn.DefaultMinGroupSize, "the fewest validation rows a sensitive group may have (-1: no check); smaller groups are refused, or merged with --merge-small-groups")
	fs.BoolVar(&f.mergeSmall, "merge-small-groups", false, "merge the groups below --min-group-size into one group \""+fairbinn.OtherGroup+"\" (recorded in the model; eval merges them the same way)")
	fs.BoolVar(&f.ignoreSmall, "ignore-small-groups", false, "leave the groups below --min-group-size out of the fairness gaps, losses and constraints; their rows still count in the accuracy (recorded in the model; eval leaves them out the same way)")
	fs.Int64Var(&f.cacheMB, "cache-mb", 0, "the most memory, in MB, a frozen prefix's activations may take; beyond it they go to memory-mapped temporary files (0: half the memory available)")
	fs.BoolVar(&f.bestEffort, "best-effort", false, "with --constraint: when no epoch meets the constraints, write the closest instead of failing (the output says so)")
}

// registerHTML declares --html, for the commands that write one model (not sweep).
func (f *trainFlags) registerHTML(fs *flag.FlagSet) {
	fs.StringVar(&f.html, "html", "", "where to write the audit report (HTML; default: beside --out, OUT.html; none: not written)")
}

// htmlPath is where the audit report goes: --html, else beside the model.
func (f *trainFlags) htmlPath() string {
	switch f.html {
	case "none":
		return ""
	case "":
		if f.out == "" {
			return ""
		}
		return strings.TrimSuffix(f.out, filepath.Ext(f.out)) + ".html"
	}
	return f.html
}

// given reports the flags set on the command line.
func (f *trainFlags) given() map[string]bool {
	set := map[string]bool{}
	if f.fs != nil {
		f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	}
	return set
}

// config parses the string flags into f.cfg, naming the flag in every error.
func (f *trainFlags) config() (train.Config, error) {
	cfg := f.cfg
	var err error
	// A parse error says "what "value": want ..."; on the command line the flag is the what.
	bad := func(flagName, value string, err error) error {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return fault.Badf("--%s %q: %s", flagName, value, msg)
	}
	if f.method == "thresholds" {
		// Post-processing only: per-group thresholds on the backbone's scores, compiled into the model.
		f.method, f.thresholds = string(train.DefaultMethod), fairbinn.ThresholdsOnly
	}
	if cfg.Method, err = train.ParseMethod(f.method); err != nil {
		return cfg, bad("method", f.method, err)
	}
	if cfg.Fairness, err = fairness.ParseCriterion(f.fairness); err != nil {
		return cfg, bad("fairness", f.fairness, err)
	}
	if cfg.AccOpt, err = train.ParseOptimizer(f.accOpt); err != nil {
		return cfg, bad("acc-opt", f.accOpt, err)
	}
	if cfg.FairOpt, err = train.ParseOptimizer(f.fairOpt); err != nil {
		return cfg, bad("fair-opt", f.fairOpt, err)
	}
	if cfg.TrainLeader, err = train.ParseLeaderParams(f.trainLeader); err != nil {
		return cfg, bad("train-leader", f.trainLeader, err)
	}
	if cfg.Select, err = train.ParseSelection(f.sel); err != nil {
		return cfg, bad("select", f.sel, err)
	}
	if name, _, ok := strings.Cut(strings.TrimPrefix(f.sel, "val-acc-at-"), "="); ok && f.given()["select"] && name != "gap" && name != cfg.Fairness.String() {
		return cfg, fault.Badf("--select %s limits the gap of the trained criterion, %s here: write val-acc-at-%s=X or val-acc-at-gap=X, or train for %s with --fairness %s",
			f.sel, cfg.Fairness.Label(), cfg.Fairness, name, name)
	}
	stated := f.constraints
	if f.constraintsFile != "" {
		cs, err := fairness.ReadConstraints(f.constraintsFile)
		if err != nil {
			return cfg, fault.Badf("--constraints: %v", err)
		}
		stated = append(slices.Clone(stated), cs.String())
	}
	if !f.given()["eta"] {
		cfg.Eta = train.DefaultEta(cfg.Fairness)
	}
	if len(stated) > 0 {
		cs, err := fairness.ParseConstraints(stated...)
		if err != nil {
			return cfg, fault.Badf("--constraint: %v", err)
		}
		cfg.StateConstraints(cs, givenSetting(f.given()))
	}
	if err := checkLayers(f.layers, f.init); err != nil {
		return cfg, err
	}
	if f.cacheMB < 0 || f.cacheMB > 1<<30 {
		return cfg, fault.Badf("--cache-mb %d: want 0 (half the memory available) or a size in MB", f.cacheMB)
	}
	if f.threads < 0 || f.threads > ort.MaxThreads {
		return cfg, fault.Badf("--threads %d: want 0 (onnxruntime's default) to %d", f.threads, ort.MaxThreads)
	}
	cfg.ApplyScheduleExcept(givenSetting(f.given()))
	return cfg, flagError(cfg.Validate())
}

// etaUsage documents --eta for train and sweep.
var etaUsage = fmt.Sprintf("weight η of the fairness loss (default: %s for dp, %s for eo, eopp, fpr and fnr, chosen on validation over five data sets)",
	fairbinn.FormatEta(train.DefaultEta(fairness.DP)), fairbinn.FormatEta(train.DefaultEta(fairness.EO)))

// unusedFlags are the flags given on the command line that the chosen method does not use.
func (f *trainFlags) unusedFlags(m train.Method) []string {
	var out []string
	for _, setting := range m.UnusedSettings() {
		if name := strings.ReplaceAll(setting, "_", "-"); f.given()[name] {
			out = append(out, "--"+name)
		}
	}
	return out
}

// flagError names the flag of a setting out of range: a setting's JSON name is its flag's name with
// hyphens.
func flagError(err error) error {
	var se *train.SettingError
	if errors.As(err, &se) {
		return fault.Badf("--%s %v: want %s", strings.ReplaceAll(se.Setting, "_", "-"), se.Value, se.Want)
	}
	return err
}

// givenSetting says whether the command line set a setting, named as train.Config's JSON names it (the
// flag's name with underscores), so that the defaults that follow from other settings leave it alone.
func givenSetting(given map[string]bool) func(setting string) bool {
	return func(setting string) bool { return given[strings.ReplaceAll(setting, "_", "-")] }
}

// loadModel imports an ONNX file; a missing argument is a usage error.
func loadModel(path string) (*fairbinn.Model, error) {
	if path == "" {
		return nil, usagef("no model given")
	}
	return fairbinn.Load(path)
}

// checkLayers checks --fair-layers and --fair-init before any work.
func checkLayers(layers int, init string) error {
	if layers < 1 || layers > insert.MaxLayers {
		return fault.Badf("--fair-layers %d: want 1 to %d", layers, insert.MaxLayers)
	}
	if init != insert.InitIdentity && init != insert.InitRandom {
		return fault.Badf("--fair-init %q: want identity or random", init)
	}
	return nil
}

// headFlags say how to read the model's output when the graph alone does not (inspect shows the
// detected head).
type headFlags struct {
	output, kind string
	positive     int
}

func (h *headFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&h.output, "head-output", "", "the output that is trained and scored, by name (default: the first; the others are kept and still run)")
	fs.StringVar(&h.kind, "head", "", "how to read the model's output: probability, logit, softmax or logits (default: detected from the graph)")
	fs.IntVar(&h.positive, "positive-class", 1, "the positive class of a two-class output")
}

// choice is the head the flags give, nil when they give none (a bad kind is named as --head names it).
func (h *headFlags) choice() (*fairbinn.HeadChoice, error) {
	return fairbinn.ParseHeadChoice(h.output, h.kind, h.positive)
}

// load imports a model and applies the head the flags give.
func (h *headFlags) load(path string) (*fairbinn.Model, error) {
	c, err := h.choice()
	if err != nil {
		return nil, err
	}
	m, err := loadModel(path)
	if err != nil || c == nil {
		return m, err
	}
	return m, fairbinn.SetHead(m, *c)
}
