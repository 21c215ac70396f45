package fairbinn

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/parity"
	"github.com/fairbinn/fairbinn-go/report"
	"github.com/fairbinn/fairbinn-go/train"
)

// AuditOptions say what an audit report compares the audited model with.
type AuditOptions struct {
	// Backbone, when set, is the model before fine-tuning: its metrics, calibration and the
	// per-group-threshold baseline on its scores are shown beside the audited model's.
	Backbone *Model
	// Train, when set, is the report of the run that made the model: its history, parity check and
	// selected epoch are shown (without it, parity is measured again when the Go side runs the model).
	Train *Report
	// SweepDir, when set, is a sweep's folder (sweep.json): its runs are drawn with the model marked.
	SweepDir string
	// Baseline, when set, is a report to judge drift against (as Eval's), with DriftTol.
	Baseline string
	DriftTol float64
	// CI is the level of the bootstrap intervals (0: DefaultCI); CISeed seeds them.
	CI     float64
	CISeed uint64
	// MinGroupSize marks the groups too small to measure (0: DefaultMinGroupSize).
	MinGroupSize int
	// Date is the report's date (zero: now).
	Date time.Time
}

// DefaultCI is the level of an audit's confidence intervals.
const DefaultCI = 0.95

// Audit measures m on data's validation and test splits (onnxruntime), with bootstrap intervals and
// calibration per group, and gathers what the report shows: provenance from m's metadata, the stated
// constraints, the backbone and the threshold baseline when given, the training history, a sweep, the
// parity check and the drift verdict. report.WriteFile renders it.
func Audit(m *Model, data *dataset.Data, opts AuditOptions) (*report.Audit, error) {
	if opts.CI == 0 {
		opts.CI = DefaultCI
	}
	if !(opts.CI > 0 && opts.CI < 1) {
		return nil, fault.Badf("confidence level %v: want a value in (0, 1)", opts.CI)
	}
	if opts.MinGroupSize == 0 {
		opts.MinGroupSize = DefaultMinGroupSize
	}
	if opts.Date.IsZero() {
		opts.Date = time.Now().UTC()
	}
	a := &report.Audit{Date: opts.Date, CILevel: opts.CI, Provenance: provenance(m, data)}
	if opts.Backbone != nil && opts.Backbone.Path != "" {
		a.Provenance.Backbone = opts.Backbone.Path
	} else if opts.Train != nil {
		a.Provenance.Backbone = opts.Train.Backbone
	}
	a.Data = auditData(m, data, opts.MinGroupSize)

	cfg := trainedConfig(m, opts.Train)
	after, err := measure(m, data, opts)
	if err != nil {
		return nil, err
	}
	var before *measured
	if opts.Backbone != nil {
		if before, err = measure(opts.Backbone, data, opts); err != nil {
			return nil, fmt.Errorf("the backbone: %w", err)
		}
	}
	for _, split := range []string{"val", "test"} {
		r := report.SplitResults{Split: splitTitle(split), After: after.eval[split]}
		if before != nil {
			r.Before = before.eval[split]
		}
		a.Results = append(a.Results, r)
	}
	if before != nil {
		b := thresholdBaseline(before.prob["val"], before.prob["test"], data, cfg)
		if b.Val != nil && b.Test != nil {
			a.Results[0].Baseline = &report.Evaluation{Metrics: *b.Val}
			a.Results[1].Baseline = &report.Evaluation{Metrics: *b.Test}
		}
	}
	a.Calibration = &report.Calibration{Split: "test", After: after.calibration}
	if before != nil {
		a.Calibration.Before = before.calibration
	}

	for _, c := range cfg.Constraints.List() {
		a.Constraints = append(a.Constraints, report.ConstraintCheck{Constraint: c,
			Val: estimate(c, after.eval["val"]), Test: estimate(c, after.eval["test"])})
	}
	if rep := opts.Train; rep != nil {
		a.Training = &report.Training{History: rep.History, Criterion: cfg.Fairness, Constraints: cfg.Constraints.List(), Selected: rep.Selected}
		p := rep.Parity
		a.Parity = &report.Parity{Compared: p.Runtime, Split: p.Split, Rows: p.Rows, MaxAbsDiff: p.MaxAbsDiff, Tolerance: p.Tolerance, LabelAgreement: &p.LabelAgreement}
	} else {
		a.Parity = measureParity(m, data, after.prob["test"])
	}
	if opts.SweepDir != "" {
		if a.Sweep, err = auditSweep(opts.SweepDir, after.eval["test"].Metrics); err != nil {
			return nil, err
		}
	}
	if opts.Baseline != "" {
		base, iv, err := readBaseline(opts.Baseline, "test")
		if err != nil {
			return nil, err
		}
		d := &report.Drift{Baseline: opts.Baseline, Drifted: Drift(base, after.eval["test"].Metrics, opts.DriftTol)}
		if iv != nil {
			d.Drifted = DriftIntervals(*iv, *after.eval["test"].Intervals, opts.DriftTol)
		}
		if d.Drifted == nil {
			d.Drifted = []string{}
		}
		a.Drift = d
	}
	return a, nil
}

// measured are one model's scores, metrics with intervals and test calibration.
type measured struct {
	prob        map[string][]float32
	eval        map[string]*report.Evaluation
	calibration *fairness.CalibrationReport
}

func measure(m *Model, data *dataset.Data, opts AuditOptions) (*measured, error) {
	out := &measured{prob: map[string][]float32{}, eval: map[string]*report.Evaluation{}}
	for _, split := range []string{"val", "test"} {
		s, err := Split(data, split)
		if err != nil {
			return nil, err
		}
		prob, err := Probabilities(m, ORT, s, RunOptions{})
		if err != nil {
			return nil, err
		}
		iv, err := fairness.Bootstrap(prob, s.Y, s.Group, data.GroupNames, opts.CI, 1000, opts.CISeed)
		if err != nil {
			return nil, fault.Wrap(fault.BadInput, err)
		}
		out.prob[split] = prob
		out.eval[split] = &report.Evaluation{Metrics: train.SplitMetrics(prob, s, data), Intervals: &iv}
		if split == "test" {
			c := fairness.Calibration(prob, s.Y, s.Group, data.GroupNames, 0)
			out.calibration = &c
		}
	}
	return out, nil
}

// estimate is a constraint's value on a split with its interval (the intervals are of the data's groups:
// none for a constraint on one attribute of several).
func estimate(con fairness.Constraint, e *report.Evaluation) *report.Estimate {
	c := con.Criterion
	est := &report.Estimate{Value: con.Value(e.Metrics)}
	// The bootstrap draws no interval of the FPR gap.
	if iv := e.Intervals; iv != nil && c != fairness.FPR && (con.Attribute == "" || len(e.Metrics.Attributes) == 0) {
		est.CI = fairness.ByCriterion(c, &iv.DP, &iv.EO, &iv.EOpp, nil)
	}
	return est
}

func splitTitle(split string) string {
	if split == "val" {
		return "validation"
	}
	return split
}

// provenance reads what the model says of itself.
func provenance(m *Model, data *dataset.Data) report.Provenance {
	md := m.Graph.Metadata
	p := report.Provenance{Model: m.Path, Version: md[MetaVersion], Method: md[MetaMethod], Constraints: md[MetaConstraints],
		Position: md[MetaPosition], Data: data.Spec, DataSHA256: data.SHA256}
	if raw, err := m.raw(); err == nil && len(raw) > 0 {
		sum := sha256.Sum256(raw)
		p.ModelSHA256 = hex.EncodeToString(sum[:])
	}
	if rec := md[MetaDataSHA256]; rec != "" && rec != data.SHA256 {
		p.DataSHA256 = data.SHA256 + " (the model was trained on " + rec + ")"
	}
	if v, err := strconv.ParseUint(md[MetaSeed], 10, 64); err == nil {
		p.Seed = &v
	}
	if c := md[MetaFairness]; c != "" {
		p.Criterion = c
	}
	return p
}

// trainedConfig is the training configuration the model was made with: the run's, else what its
// metadata says (criterion and constraints), else the defaults.
func trainedConfig(m *Model, rep *Report) train.Config {
	if rep != nil {
		return rep.Config
	}
	cfg := train.DefaultConfig(train.DefaultMethod)
	if c, err := fairness.ParseCriterion(m.Graph.Metadata[MetaFairness]); err == nil {
		cfg.Fairness = c
	}
	if cs, err := fairness.ParseConstraints(m.Graph.Metadata[MetaConstraints]); err == nil {
		cfg.Constraints = cs
	}
	return cfg
}

// auditData counts the rows of every split and group, and says how small groups were handled.
func auditData(m *Model, data *dataset.Data, min int) *report.Data {
	d := &report.Data{Groups: data.GroupNames, MinGroupSize: min}
	rows := GroupRows(data)
	for _, s := range []*dataset.Split{data.Train, data.Val, data.Test} {
		if s != nil {
			d.Splits = append(d.Splits, report.SplitRows{Name: splitTitle(s.Name), Rows: s.Rows, GroupRows: rows[s.Name]})
		}
	}
	switch {
	case m.Graph.Metadata[MetaMergedGroups] != "":
		d.SmallGroups = report.SmallGroupsMerged
	case len(data.Ignored) > 0:
		d.SmallGroups = report.SmallGroupsIgnored
	}
	return d
}

// measureParity compares the model's onnxruntime scores of the test split, ortP, with the Go forward
// pass's; nil when the Go side cannot run the model (the report then says parity was not measured).
func measureParity(m *Model, data *dataset.Data, ortP []float32) *report.Parity {
	goP, err := Probabilities(m, Go, data.Test, RunOptions{})
	if err != nil {
		return nil
	}
	agree := parity.Agreement(fairness.Decisions(goP, data.Test.Rows), fairness.Decisions(ortP, data.Test.Rows))
	return &report.Parity{Compared: "onnxruntime vs Go forward pass", Split: "test", Rows: data.Test.Rows,
		MaxAbsDiff: parity.MaxAbsDiff(goP, ortP), Tolerance: parity.Tolerance, LabelAgreement: &agree}
}

// auditSweep reads a sweep's runs for the Pareto chart, with the audited model and the baseline marked;
// the gap drawn is the criterion the sweep trained for.
func auditSweep(dir string, chosen fairness.Metrics) (*report.Sweep, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	var res SweepResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fault.Badf("%s: not a sweep result: %v", filepath.Join(dir, "sweep.json"), err)
	}
	crit := res.BaseConfig.Fairness
	sw := &report.Sweep{Criterion: crit, Chosen: &report.SweepPoint{Label: "this model", Accuracy: chosen.Accuracy, Gap: crit.Gap(chosen)}}
	for _, r := range res.Runs {
		if !r.OK() || r.Test == nil {
			continue
		}
		sw.Runs = append(sw.Runs, report.SweepPoint{Label: r.Name, Series: string(r.Method), Accuracy: r.Test.Accuracy, Gap: crit.Gap(*r.Test)})
	}
	if b := res.Baseline; b != nil {
		sw.Baseline = &report.SweepPoint{Label: "thresholds on the backbone", Accuracy: b.Test.Accuracy.Mean, Gap: b.Test.Gap(crit).Mean}
	}
	if b := res.Reference; b != nil {
		sw.Backbone = &report.SweepPoint{Label: "backbone", Accuracy: b.Test.Accuracy.Mean, Gap: b.Test.Gap(crit).Mean}
	}
	return sw, nil
}
