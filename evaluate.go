package fairbinn

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/train"
)

// Probabilities runs a split through an executor and returns P(positive) per row, reading the output
// as the model's head says (a logit is never taken for a probability).
func Probabilities(m *Model, rt Runtime, s *dataset.Split, opts RunOptions) ([]float32, error) {
	h, err := head.Of(m.Graph)
	if err != nil {
		return nil, err
	}
	out, err := m.RunAll(rt, s.ModelInputs(), opts)
	if err != nil {
		return nil, err
	}
	k := slices.IndexFunc(m.Graph.Outputs, func(v *ir.Value) bool { return v.Name == h.Output })
	if k < 0 || k >= len(out) {
		return nil, fault.Badf("%s: no output %q among what %s gives", m.Path, h.Output, rt)
	}
	return h.Probabilities(out[k])
}

// HeadChoice is a user's reading of a model's output: which output is trained and scored ("": the first),
// a head kind ("" keeps the detected one) and the positive class of a two-class head.
type HeadChoice struct {
	Output   string
	Kind     head.Kind
	Positive int
}

// ParseHeadChoice reads a user's head: a kind name ("" keeps the detected kind) and a positive class; nil
// when both are the defaults.
func ParseHeadChoice(output, kind string, positive int) (*HeadChoice, error) {
	if output == "" && kind == "" && positive == 1 {
		return nil, nil
	}
	c := &HeadChoice{Output: output, Positive: positive}
	if kind != "" {
		k, err := head.ParseKind(kind)
		if err != nil {
			return nil, err
		}
		c.Kind = k
	}
	return c, nil
}

// SetHead records which output of m is trained and scored and how to read it, when the graph alone does
// not say it (a raw logit without a Sigmoid is detected, but a user may know better). The choice goes into
// the model's metadata, and so into an exported model.
func SetHead(m *Model, c HeadChoice) error {
	output := c.Output
	if output == "" {
		output = m.Graph.Outputs[0].Name
	}
	h, err := head.Detect(m.Graph, output)
	if err != nil {
		return err
	}
	if h, err = h.With(c.Kind, c.Positive, m.Graph); err != nil {
		return err
	}
	raw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	m.Graph.SetMetadata(head.MetaKey, string(raw))
	return nil
}

// Evaluate computes accuracy and the fairness metrics of m on a split of data, with the named executor
// (per attribute too when data have several: train.SplitMetrics).
func Evaluate(m *Model, rt Runtime, s *dataset.Split, data *dataset.Data, opts RunOptions) (fairness.Metrics, error) {
	p, err := Probabilities(m, rt, s, opts)
	if err != nil {
		return fairness.Metrics{}, err
	}
	return train.SplitMetrics(p, s, data), nil
}

// EvalOptions are the settings of Eval.
type EvalOptions struct {
	Split   string  // train, val or test (default test)
	Runtime Runtime // default ORT
	// Baseline is a report (FineTune's, or Eval's as JSON); metrics worse than recorded by more than
	// DriftTol make Eval return a *DriftError with the report.
	Baseline string
	DriftTol float64
	// CI, when in (0, 1), adds percentile bootstrap intervals at that level (1,000 resamples stratified by
	// group, seeded by CISeed).
	CI     float64
	CISeed uint64
	Run    RunOptions
}

// EvalReport is the result of Eval (eval --json).
type EvalReport struct {
	Model   string           `json:"model"`
	Split   string           `json:"split"`
	Runtime Runtime          `json:"runtime"`
	Rows    int              `json:"rows"`
	Metrics fairness.Metrics `json:"metrics"`
	Drift   []string         `json:"drift,omitempty"`
	// Unseen counts, per one-hot encoded column, the rows with a category the encoding never saw.
	Unseen map[string]int `json:"unseen_categories,omitempty"`
	// Intervals are the metrics' bootstrap confidence intervals (EvalOptions.CI).
	Intervals *fairness.Intervals `json:"intervals,omitempty"`
	// SelectionRate is the fraction of rows predicted positive, over every group (0 for a K-class model,
	// whose per-class rates are in the group table).
	SelectionRate float64 `json:"selection_rate"`
	// Calibration is the expected calibration error and reliability curve, overall and per group.
	Calibration fairness.CalibrationReport `json:"calibration"`
	// Ignored are the groups left out of the gaps (the model was trained without them).
	Ignored []string `json:"ignored_groups,omitempty"`
	// Groups are the data's groups and GroupRows their rows in each split.
	Groups    []string                  `json:"groups"`
	GroupRows map[string]map[string]int `json:"group_rows"`
}

// Eval scores m on a split of data and, with a baseline, compares the metrics with the recorded ones:
// the report comes back with a *DriftError when a metric drifted.
func Eval(m *Model, data *dataset.Data, opts EvalOptions) (*EvalReport, error) {
	if opts.Split == "" {
		opts.Split = "test"
	}
	if opts.Runtime == "" {
		opts.Runtime = ORT
	}
	if opts.Baseline != "" && !(opts.DriftTol >= 0 && opts.DriftTol < 1) {
		return nil, fault.Badf("drift tolerance %v: want a value in [0, 1)", opts.DriftTol)
	}
	var base *fairness.Metrics
	var baseIntervals *fairness.Intervals
	if opts.Baseline != "" {
		b, iv, err := readBaseline(opts.Baseline, opts.Split)
		if err != nil {
			return nil, err
		}
		if err := sameGroups(opts.Baseline, b, data.GroupNames); err != nil {
			return nil, err
		}
		base, baseIntervals = &b, iv
	}
	s, err := Split(data, opts.Split)
	if err != nil {
		return nil, err
	}
	prob, err := Probabilities(m, opts.Runtime, s, opts.Run)
	if err != nil {
		return nil, err
	}
	metrics := train.SplitMetrics(prob, s, data)
	rep := &EvalReport{Model: m.Path, Split: opts.Split, Runtime: opts.Runtime, Rows: s.Rows, Metrics: metrics, Unseen: s.Unseen,
		Groups: data.GroupNames, GroupRows: GroupRows(data), Ignored: data.Ignored,
		Calibration: fairness.Calibration(prob, s.Y, s.Group, data.GroupNames, 0)}
	if metrics.Classes == 0 {
		rep.SelectionRate = SelectionRate(prob)
	}
	if opts.CI != 0 {
		iv, err := fairness.Bootstrap(prob, s.Y, s.Group, data.GroupNames, opts.CI, 1000, opts.CISeed)
		if err != nil {
			return nil, fault.Wrap(fault.BadInput, err)
		}
		rep.Intervals = &iv
	}
	switch {
	case base != nil && baseIntervals != nil && rep.Intervals != nil:
		rep.Drift = DriftIntervals(*baseIntervals, *rep.Intervals, opts.DriftTol)
	case base != nil:
		rep.Drift = Drift(*base, metrics, opts.DriftTol)
	}
	if len(rep.Drift) > 0 {
		return rep, &DriftError{Baseline: opts.Baseline, Drifted: rep.Drift}
	}
	return rep, nil
}

// SelectionRate is the fraction of probabilities at or above the decision threshold.
func SelectionRate(prob []float32) float64 {
	if len(prob) == 0 {
		return 0
	}
	n := 0
	for _, p := range prob {
		if p >= fairness.Threshold {
			n++
		}
	}
	return float64(n) / float64(len(prob))
}

// sameGroups refuses a baseline measured on other groups (another attribute or data set): its gaps are
// not this data's, and comparing them would flag or miss drift blindly. A group of the data absent from
// the baseline's table (no rows there) is allowed; a group of the baseline the data lacks is not.
func sameGroups(path string, base fairness.Metrics, groups []string) error {
	for _, g := range base.Groups {
		if !slices.Contains(groups, g.Group) {
			var names []string
			for _, b := range base.Groups {
				names = append(names, b.Group)
			}
			return fault.Badf("%s: the baseline's groups (%s) are not this data's (%s); compare a model with a baseline of the same attribute",
				path, strings.Join(names, ", "), strings.Join(groups, ", "))
		}
	}
	return nil
}

// DriftError lists the metrics that got worse than a recorded baseline. It is fault.Drift.
type DriftError struct {
	Baseline string
	Drifted  []string
}

func (e *DriftError) Error() string {
	msg := "drift against " + e.Baseline + ": "
	for i, d := range e.Drifted {
		if i > 0 {
			msg += "; "
		}
		msg += d
	}
	return msg
}

// FaultKind makes drift exit 4.
func (e *DriftError) FaultKind() fault.Kind { return fault.Drift }

// Drift lists the metrics of now that are worse than base by more than tol: accuracy lower, or a
// fairness gap higher.
func Drift(base, now fairness.Metrics, tol float64) []string {
	var out []string
	if now.Accuracy < base.Accuracy-tol {
		out = append(out, fmt.Sprintf("accuracy %.4f < recorded %.4f", now.Accuracy, base.Accuracy))
	}
	for _, m := range []struct {
		name     string
		now, was float64
	}{{"DP diff", now.DP, base.DP}, {"EO diff", now.EO, base.EO}, {"EOpp diff", now.EOpp, base.EOpp}} {
		if m.now > m.was+tol {
			out = append(out, fmt.Sprintf("%s %.4f > recorded %.4f", m.name, m.now, m.was))
		}
	}
	return out
}

// DriftIntervals is Drift on confidence intervals: a metric drifted when its interval now lies wholly on
// the worse side of the recorded one by more than tol (accuracy lower, a gap higher), and a group's
// selection rate when its intervals, now and recorded, are more than tol apart either way.
func DriftIntervals(base, now fairness.Intervals, tol float64) []string {
	var out []string
	if now.Accuracy.Hi < base.Accuracy.Lo-tol {
		out = append(out, fmt.Sprintf("accuracy [%.4f, %.4f] below recorded [%.4f, %.4f]", now.Accuracy.Lo, now.Accuracy.Hi, base.Accuracy.Lo, base.Accuracy.Hi))
	}
	for _, m := range []struct {
		name     string
		now, was fairness.Interval
	}{{"DP diff", now.DP, base.DP}, {"EO diff", now.EO, base.EO}, {"EOpp diff", now.EOpp, base.EOpp}} {
		if m.now.Lo > m.was.Hi+tol {
			out = append(out, fmt.Sprintf("%s [%.4f, %.4f] above recorded [%.4f, %.4f]", m.name, m.now.Lo, m.now.Hi, m.was.Lo, m.was.Hi))
		}
	}
	for _, g := range now.Groups {
		for _, b := range base.Groups {
			if b.Group != g.Group {
				continue
			}
			if n, w := g.SelectionRate, b.SelectionRate; n.Lo > w.Hi+tol || n.Hi < w.Lo-tol {
				out = append(out, fmt.Sprintf("group %s: selection rate [%.4f, %.4f], recorded [%.4f, %.4f]", g.Group, n.Lo, n.Hi, w.Lo, w.Hi))
			}
		}
	}
	return out
}

// readBaseline reads the metrics of a split from a fine-tuning report (selected_metrics) or an
// evaluation report, and the report's bootstrap intervals (an eval --ci report), nil when it has none.
func readBaseline(path, split string) (fairness.Metrics, *fairness.Intervals, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fairness.Metrics{}, nil, fault.Wrap(fault.BadInput, err)
	}
	var doc struct {
		Selected  map[string]*fairness.Metrics `json:"selected_metrics"`
		Split     string                       `json:"split"`
		Metrics   *fairness.Metrics            `json:"metrics"`
		Intervals *fairness.Intervals          `json:"intervals"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fairness.Metrics{}, nil, fault.Badf("%s: not a fairbinn report: %v", path, err)
	}
	m := doc.Selected[split]
	if m == nil && doc.Metrics != nil && doc.Split == split {
		m = doc.Metrics
	}
	if m != nil && m.Accuracy == 0 && len(m.Groups) == 0 {
		return fairness.Metrics{}, nil, fault.Badf("%s: the %s metrics are empty; not a report to compare with", path, split)
	}
	if m != nil {
		if doc.Split != split {
			doc.Intervals = nil
		}
		return *m, doc.Intervals, nil
	}
	return fairness.Metrics{}, nil, fault.Badf("%s: no %s metrics in this report (want a report of train --report or eval --json)", path, split)
}

// WritePredictions writes one CSV line per row of a split, atomically: the row's 0-based record index in
// its source file (header excluded), the predicted probability and the 0/1 prediction (threshold 0.5);
// for a K-class head, each class's probability (prob_0 … prob_K−1) and the most probable class: its label
// value when classes names them (see ClassNames), else its index.
func WritePredictions(path string, s *dataset.Split, prob []float32, classes []string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	k := fairness.Classes(prob, s.Rows)
	header := []string{"row", "prob"}
	if k > 1 {
		// A K-class head: each class's probability, then the most probable class.
		header = header[:1]
		for c := range k {
			header = append(header, fmt.Sprintf("prob_%d", c))
		}
	}
	if err := w.Write(append(header, "pred")); err != nil {
		return err
	}
	pred := fairness.Decisions(prob, s.Rows)
	for i := range s.Rows {
		rec := []string{strconv.Itoa(s.Row[i])}
		for _, p := range prob[i*k : (i+1)*k] {
			rec = append(rec, strconv.FormatFloat(float64(p), 'g', -1, 32))
		}
		name := strconv.Itoa(pred[i])
		if k > 1 && pred[i] < len(classes) {
			name = classes[pred[i]]
		}
		if err := w.Write(append(rec, name)); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// ClassNames are the label values of a K-class model's classes 0 to K−1, as its stored encoding records
// them (nil when it records none).
func ClassNames(m *Model) []string {
	if enc, err := storedEncoding(m.Graph, m.Path); err == nil && enc != nil {
		return enc.Label.Classes
	}
	return nil
}
