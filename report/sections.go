package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fairbinn/fairbinn-go/fairness"
)

// build turns the audit into the page the template shows, one section per builder, in reading order.
func build(a *Audit) (*page, error) {
	p := &page{Title: a.Title, Date: "not given"}
	if p.Title == "" {
		p.Title = "Fairness audit"
	}
	if !a.Date.IsZero() {
		p.Date = a.Date.Format("2006-01-02 15:04 MST")
	}
	for _, b := range []func(*Audit) (section, error){
		summarySection, provenanceSection, dataSection, constraintsSection, metricsSection, groupChartsSection,
		groupsSection, calibrationSection, trainingSection, sweepSection, paritySection, driftSection,
	} {
		s, err := b(a)
		if err != nil {
			return nil, err
		}
		p.Sections = append(p.Sections, s)
	}
	return p, nil
}

// Number formats. Rates, accuracies and gaps have four decimals, as in the command's tables.
func f4(v float64) string     { return fmt.Sprintf("%.4f", v) }
func signed(v float64) string { return fmt.Sprintf("%+.4f", v) }
func ci(iv *fairness.Interval) string {
	if iv == nil {
		return ""
	}
	return fmt.Sprintf("[%.4f, %.4f]", iv.Lo, iv.Hi)
}

// num is a right-aligned figure with its interval.
func num(v float64, iv *fairness.Interval) cell { return cell{Text: f4(v), CI: ci(iv), Class: "num"} }

// rate is a rate that may be undefined: "n/a" with the footnote mark for nil.
func rate(r *float64) cell {
	if r == nil {
		return cell{Text: "n/a", Mark: "*", Class: "num"}
	}
	return num(*r, nil)
}

// label is a plain text cell: a heading, a row's name.
func label(s string) cell { return cell{Text: s} }

// criterionName is a criterion's short name in the text ("DP").
func criterionName(c fairness.Criterion) string { return c.Label() }

// criterion is the criterion the provenance names, DP when it names none.
func (a *Audit) criterion() fairness.Criterion {
	c, err := fairness.ParseCriterion(strings.ToLower(strings.TrimSpace(a.Provenance.Criterion)))
	if err != nil {
		return fairness.DP
	}
	return c
}

// ciNote says what the bracketed intervals are.
func (a *Audit) ciNote() string {
	if a.CILevel > 0 {
		return fmt.Sprintf("Small print under a value: its %g %% bootstrap confidence interval, the range the value would likely take on another sample of the same size.", 100*a.CILevel)
	}
	return "Small print under a value: its bootstrap confidence interval, the range the value would likely take on another sample of the same size."
}

// overallSelection is the share of all rows predicted positive, from the per-group table; a K-class
// model has no positive class, and its per-class rates are in the per-group table.
func overallSelection(m fairness.Metrics) (float64, bool) {
	if m.Classes > 0 {
		return 0, false
	}
	n, sel := 0, 0.0
	for _, g := range m.Groups {
		n += g.Size
		sel += g.SelectionRate * float64(g.Size)
	}
	if n == 0 {
		return 0, false
	}
	return sel / float64(n), true
}

// model is one of the models compared on a split: its name in a table's header, its name in a legend
// and in the per-group table's sub-header, and its metrics.
type model struct {
	name, short string
	ev          *Evaluation
}

// models lists the models present in r, in the order backbone, audited model, baseline.
func (r SplitResults) models() []model {
	var out []model
	for _, m := range []model{{"Backbone", "before", r.Before}, {"Audited model", "after", r.After}, {"Threshold baseline", "baseline", r.Baseline}} {
		if m.ev != nil {
			out = append(out, m)
		}
	}
	return out
}

func summarySection(a *Audit) (section, error) {
	s := section{ID: "summary", Title: "Summary", Intro: []string{"The findings of the sections below, in a few lines."}}
	var list []item
	for _, c := range a.Constraints {
		list = append(list, constraintSummary(c))
	}
	crit := a.criterion()
	for i := len(a.Results) - 1; i >= 0; i-- {
		r := a.Results[i]
		if r.After == nil {
			continue
		}
		after := r.After.Metrics
		if r.Before != nil {
			before := r.Before.Metrics
			text := fmt.Sprintf("On the %s split, from the backbone to the audited model, accuracy went from %s to %s", r.Split, f4(before.Accuracy), f4(after.Accuracy))
			// A gap closed by selecting almost nobody is fair in name only: the selection rate says so.
			if sb, ok := overallSelection(before); ok {
				if sa, ok := overallSelection(after); ok {
					text += fmt.Sprintf(", the share of rows selected from %s to %s", f4(sb), f4(sa))
				}
			}
			list = append(list, item{Text: text + fmt.Sprintf(" and the %s difference from %s to %s.", criterionName(crit), f4(crit.Gap(before)), f4(crit.Gap(after)))})
		} else {
			list = append(list, item{Text: fmt.Sprintf("On the %s split the audited model has accuracy %s and %s difference %s.",
				r.Split, f4(after.Accuracy), criterionName(crit), f4(crit.Gap(after)))})
		}
		if r.Baseline != nil {
			b := r.Baseline.Metrics
			list = append(list, item{Text: fmt.Sprintf("Per-group thresholds on the backbone, the simpler alternative, reach accuracy %s with %s difference %s there.",
				f4(b.Accuracy), criterionName(crit), f4(crit.Gap(b)))})
		}
		break
	}
	if p := a.Parity; p != nil {
		if p.passes() {
			list = append(list, item{Text: fmt.Sprintf("Export check passed: the exported file gives the same predictions in %s (largest difference %.3g, tolerance %.3g).", p.compared(), p.MaxAbsDiff, p.Tolerance), Class: "ok"})
		} else {
			list = append(list, item{Text: fmt.Sprintf("Export check failed: the exported file's predictions differ in %s by up to %.3g, above the tolerance %.3g.", p.compared(), p.MaxAbsDiff, p.Tolerance), Class: "bad"})
		}
	}
	if d := a.Drift; d != nil {
		if len(d.Drifted) == 0 {
			list = append(list, item{Text: "No drift against " + d.baseline() + ".", Class: "ok"})
		} else {
			list = append(list, item{Text: "Drift against " + d.baseline() + ": " + strings.Join(d.Drifted, "; ") + ".", Class: "bad"})
		}
	}
	if len(list) == 0 {
		s.NA = "Not available: the audit holds no measurement."
		return s, nil
	}
	s.Blocks = []block{{List: list}}
	return s, nil
}

// constraintSummary is one line saying whether a constraint is met where it was measured.
func constraintSummary(c ConstraintCheck) item {
	var parts []string
	ok, measured := true, false
	for _, m := range []struct {
		split string
		e     *Estimate
	}{{"validation", c.Val}, {"test", c.Test}} {
		if m.e == nil {
			continue
		}
		measured = true
		if m.e.Value <= c.Constraint.Limit {
			parts = append(parts, fmt.Sprintf("met on %s (%s)", m.split, f4(m.e.Value)))
		} else {
			ok = false
			parts = append(parts, fmt.Sprintf("not met on %s (%s)", m.split, f4(m.e.Value)))
		}
	}
	if !measured {
		return item{Text: fmt.Sprintf("Constraint %s: not measured.", c.Constraint)}
	}
	it := item{Text: fmt.Sprintf("Constraint %s: %s.", c.Constraint, strings.Join(parts, ", ")), Class: "ok"}
	if !ok {
		it.Class = "bad"
	}
	return it
}

func provenanceSection(a *Audit) (section, error) {
	pv := a.Provenance
	s := section{ID: "provenance", Title: "Provenance", Intro: []string{
		"Which model, data and settings this report is about. A sha256 is a fingerprint of a file's exact content: a file with the same sha256 is the same file.",
	}}
	crit := pv.Criterion
	if c, err := fairness.ParseCriterion(strings.ToLower(strings.TrimSpace(crit))); err == nil {
		crit = map[fairness.Criterion]string{
			fairness.DP: "DP (demographic parity)", fairness.EO: "EO (equalized odds)", fairness.EOpp: "EOpp (equal opportunity)",
			fairness.FPR: "FPR parity (false positive rates)", fairness.FNR: "FNR parity (false negative rates)",
		}[c]
	}
	seed := ""
	if pv.Seed != nil {
		seed = fmt.Sprint(*pv.Seed)
	}
	t := &table{Head: [][]cell{{label("Item"), label("Value")}}}
	for _, r := range []struct {
		name, value string
		mono        bool
	}{
		{"Audited model", pv.Model, false},
		{"Model sha256", pv.ModelSHA256, true},
		{"Backbone (the model before fine-tuning)", pv.Backbone, false},
		{"fairbinn version", pv.Version, false},
		{"Training method", pv.Method, false},
		{"Constraints as stated", pv.Constraints, false},
		{"Fairness criterion", crit, false},
		{"Position of the fairness layers", pv.Position, false},
		{"Data", pv.Data, false},
		{"Data sha256", pv.DataSHA256, true},
		{"Seed", seed, false},
		{"Report date", dateText(a), false},
	} {
		v := cell{Text: r.value}
		switch {
		case r.value == "":
			v = cell{Text: "not given", Class: "missing"}
		case r.mono:
			v.Class = "mono"
		}
		t.Rows = append(t.Rows, []cell{label(r.name), v})
	}
	s.Blocks = []block{{Table: t}}
	return s, nil
}

func dateText(a *Audit) string {
	if a.Date.IsZero() {
		return ""
	}
	return a.Date.Format("2006-01-02 15:04 MST")
}

func dataSection(a *Audit) (section, error) {
	s := section{ID: "data", Title: "Data", Intro: []string{
		"How many rows each part of the data holds, in total and for each group. The model is trained on the training split and its training settings are chosen on the validation split; the test split, used for nothing else, gives the figures to trust.",
	}}
	d := a.Data
	if d == nil || len(d.Splits) == 0 {
		s.NA = "Not available: the row counts were not given."
		return s, nil
	}
	t := &table{Head: [][]cell{{label("Group")}}}
	total := []cell{label("All rows")}
	for _, sp := range d.Splits {
		t.Head[0] = append(t.Head[0], cell{Text: sp.Name + " rows", Class: "num"})
		total = append(total, cell{Text: fmt.Sprint(sp.Rows), Class: "num"})
	}
	t.Rows = append(t.Rows, total)
	small := false
	for _, g := range d.Groups {
		row := []cell{label(g)}
		for _, sp := range d.Splits {
			n, ok := sp.GroupRows[g]
			c := cell{Text: "n/a", Class: "num"}
			if ok {
				c.Text = fmt.Sprint(n)
				if n < d.MinGroupSize {
					c.Mark, c.Class, small = "†", "num warn", true
				}
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	b := block{Table: t}
	if small {
		b.Notes = append(b.Notes, fmt.Sprintf("† Fewer than %d rows: each row moves this group's rates by more than 1/%d, so rates and gaps measured on it are mostly noise.", d.MinGroupSize, d.MinGroupSize))
	}
	size := "the minimum size"
	if d.MinGroupSize > 0 {
		size = fmt.Sprintf("%d rows", d.MinGroupSize)
	}
	switch d.SmallGroups {
	case SmallGroupsRefused:
		b.Text = append(b.Text, "Small groups: a group with fewer than "+size+" is refused; training does not start with one.")
	case SmallGroupsMerged:
		b.Text = append(b.Text, "Small groups: the groups with fewer than "+size+" were merged into one group named “other”.")
	case SmallGroupsIgnored:
		b.Text = append(b.Text, "Small groups: the groups with fewer than "+size+" are kept in the data but left out of the constraints.")
	case "":
	default:
		b.Text = append(b.Text, "Small groups: "+string(d.SmallGroups)+".")
	}
	s.Blocks = []block{b}
	return s, nil
}

func constraintsSection(a *Audit) (section, error) {
	s := section{ID: "constraints", Title: "Constraints", Intro: []string{
		"The fairness limits that were asked for, and whether the audited model keeps them. A constraint such as dp<=0.02 asks that the DP difference be at most 0.02. The model was chosen on the validation split; the test split, not used to choose, shows whether the limit holds on new rows.",
	}}
	if len(a.Constraints) == 0 {
		s.NA = "Not available: no fairness constraint was stated for this model."
		return s, nil
	}
	t := &table{Head: [][]cell{{label("Constraint"), cell{Text: "Limit", Class: "num"}, cell{Text: "Validation", Class: "num"}, label("Met on validation"), cell{Text: "Test", Class: "num"}, label("Met on test")}}}
	crosses, hasCI := false, false
	for _, c := range a.Constraints {
		row := []cell{label(c.Constraint.String()), num(c.Constraint.Limit, nil)}
		for _, e := range []*Estimate{c.Val, c.Test} {
			if e == nil {
				row = append(row, cell{Text: "not measured", Class: "missing"}, cell{Text: "not measured", Class: "missing"})
				continue
			}
			hasCI = hasCI || e.CI != nil
			met := cell{Text: "yes", Class: "ok"}
			if e.Value > c.Constraint.Limit {
				met = cell{Text: "no", Class: "bad"}
			} else if e.CI != nil && e.CI.Hi > c.Constraint.Limit {
				met.Mark, crosses = "‡", true
			}
			row = append(row, num(e.Value, e.CI), met)
		}
		t.Rows = append(t.Rows, row)
	}
	b := block{Table: t}
	if hasCI {
		b.Notes = append(b.Notes, a.ciNote())
	}
	if crosses {
		b.Notes = append(b.Notes, "‡ Met, but the confidence interval reaches above the limit: on another sample of the same size the limit might not be met.")
	}
	s.Blocks = []block{b}
	return s, nil
}

// The explanations of the overall metrics, for a reader who is not a statistician.
var metricsIntro = []string{
	"Accuracy: the share of rows the model gets right; higher is better.",
	"Selection rate: the share of rows the model predicts positive (for example, approved).",
	"DP (demographic parity) difference: the largest difference in selection rate between two groups; lower is fairer, 0 means every group is selected at the same rate.",
	"EO (equalized odds) difference: the largest difference between two groups in the true positive rate or in the false positive rate; lower is fairer.",
	"EOpp (equal opportunity) difference: the largest difference in true positive rate between two groups; lower is fairer.",
	"Backbone: the original model. Audited model: the model after fine-tuning, as exported. Threshold baseline: the original model with a separate decision threshold for each group, a simpler way to fairness to compare with.",
}

// classesIntro is said of a K-class model's metrics.
const classesIntro = "This model decides between %d classes (its most probable one). Each difference is the largest over the classes of that of \"predicted class k\" against \"any other\", one class against the rest; the selection rate of class k is the share of rows predicted k, in the per-group table."

func metricsSection(a *Audit) (section, error) {
	s := section{ID: "metrics", Title: "Overall metrics", Intro: metricsIntro}
	if k := a.classes(); k > 0 {
		s.Intro = append(slices.Clone(metricsIntro), fmt.Sprintf(classesIntro, k))
	}
	for _, r := range a.Results {
		ms := r.models()
		if len(ms) == 0 {
			continue
		}
		change := r.Before != nil && r.After != nil
		t := &table{Head: [][]cell{{label("Metric")}}}
		for i, m := range ms {
			t.Head[0] = append(t.Head[0], cell{Text: m.name, Class: "num"})
			if change && i == 1 {
				t.Head[0] = append(t.Head[0], cell{Text: "Change", Class: "num"})
			}
		}
		hasCI := false
		for _, metric := range []struct {
			name  string
			value func(fairness.Metrics) (float64, bool)
			iv    func(*fairness.Intervals) *fairness.Interval
		}{
			{"Accuracy", func(m fairness.Metrics) (float64, bool) { return m.Accuracy, true }, func(iv *fairness.Intervals) *fairness.Interval { return &iv.Accuracy }},
			{"Selection rate", overallSelection, nil},
			{"DP difference", func(m fairness.Metrics) (float64, bool) { return m.DP, true }, func(iv *fairness.Intervals) *fairness.Interval { return &iv.DP }},
			{"EO difference", func(m fairness.Metrics) (float64, bool) { return m.EO, true }, func(iv *fairness.Intervals) *fairness.Interval { return &iv.EO }},
			{"EOpp difference", func(m fairness.Metrics) (float64, bool) { return m.EOpp, true }, func(iv *fairness.Intervals) *fairness.Interval { return &iv.EOpp }},
		} {
			if _, ok := metric.value(ms[0].ev.Metrics); !ok && metric.iv == nil && a.classes() > 0 {
				continue // a K-class model has no overall selection rate
			}
			row := []cell{label(metric.name)}
			var values []float64
			for i, m := range ms {
				v, ok := metric.value(m.ev.Metrics)
				values = append(values, v)
				c := cell{Text: "n/a", Class: "num"}
				if ok {
					var iv *fairness.Interval
					if metric.iv != nil && m.ev.Intervals != nil {
						iv = metric.iv(m.ev.Intervals)
						hasCI = true
					}
					c = num(v, iv)
				}
				row = append(row, c)
				if change && i == 1 {
					row = append(row, cell{Text: signed(values[1] - values[0]), Class: "num"})
				}
			}
			t.Rows = append(t.Rows, row)
		}
		b := block{Heading: splitHeading(r.Split), Table: t}
		if hasCI {
			b.Notes = append(b.Notes, a.ciNote())
		}
		s.Blocks = append(s.Blocks, b)
	}
	if len(s.Blocks) == 0 {
		s.NA = "Not available: no model was evaluated."
	}
	return s, nil
}

// titleCase capitalises the first letter: "test" → "Test".
func titleCase(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// splitHeading is the heading of a split's block: "Test split" ("" for an unnamed split).
func splitHeading(split string) string {
	if split == "" {
		return ""
	}
	return titleCase(split) + " split"
}

// groupOrder is the union of the models' groups, in the order of the last model's table (the audited
// model's), then of the others'.
func groupOrder(ms []model) []string {
	var names []string
	seen := map[string]bool{}
	for i := len(ms) - 1; i >= 0; i-- {
		for _, g := range ms[i].ev.Metrics.Groups {
			if !seen[g.Group] {
				seen[g.Group] = true
				names = append(names, g.Group)
			}
		}
	}
	return names
}

func findGroup(rows []fairness.GroupRow, name string) *fairness.GroupRow {
	for i := range rows {
		if rows[i].Group == name {
			return &rows[i]
		}
	}
	return nil
}

// beforeAfter is the backbone and the audited model of a split, whichever are present.
func (r SplitResults) beforeAfter() []model {
	var out []model
	for _, m := range r.models() {
		if m.short != "baseline" {
			out = append(out, m)
		}
	}
	return out
}

const naNote = "* n/a: the rate is undefined for this group (the true positive rate needs rows whose label is positive, the false positive rate rows whose label is negative); it is left out of the gaps."

func groupsSection(a *Audit) (section, error) {
	s := section{ID: "groups", Title: "Per-group metrics", Intro: []string{
		"Each group's own figures, before fine-tuning (the backbone) and after (the audited model). Size: the group's rows; positives: its rows whose true label is positive.",
		"TPR (true positive rate): among the rows whose true label is positive, the share the model predicts positive. FPR (false positive rate): among the rows whose true label is negative, the share the model predicts positive. A fair model in the sense of equalized odds gives every group the same TPR and the same FPR.",
	}}
	for _, r := range a.Results {
		ms := r.beforeAfter()
		if len(ms) == 0 {
			continue
		}
		names := groupOrder(ms)
		rowSpan := 1
		if len(ms) > 1 {
			rowSpan = 2
		}
		top := []cell{{Text: "Group", RowSpan: rowSpan}, {Text: "Size", RowSpan: rowSpan, Class: "num"}, {Text: "Positives", RowSpan: rowSpan, Class: "num"}}
		var sub []cell
		for _, m := range []string{"Selection rate", "TPR", "FPR", "Accuracy"} {
			top = append(top, cell{Text: m, ColSpan: len(ms)})
			for _, mo := range ms {
				sub = append(sub, cell{Text: mo.short, Class: "num"})
			}
		}
		t := &table{Head: [][]cell{top}}
		if len(ms) > 1 {
			t.Head = append(t.Head, sub)
		}
		undefined := false
		for _, name := range names {
			var rows []*fairness.GroupRow
			var some *fairness.GroupRow // the sizes are those of the data, the same in every model's table
			for _, m := range ms {
				g := findGroup(m.ev.Metrics.Groups, name)
				rows = append(rows, g)
				if g != nil {
					some = g
				}
			}
			row := []cell{label(name), {Text: fmt.Sprint(some.Size), Class: "num"}, {Text: fmt.Sprint(some.Positives), Class: "num"}}
			for _, f := range []func(*fairness.GroupRow) cell{
				func(g *fairness.GroupRow) cell { return num(g.SelectionRate, nil) },
				func(g *fairness.GroupRow) cell { return rate(g.TPR) },
				func(g *fairness.GroupRow) cell { return rate(g.FPR) },
				func(g *fairness.GroupRow) cell { return num(g.Accuracy, nil) },
			} {
				for _, g := range rows {
					c := cell{Text: "absent", Class: "missing"}
					if g != nil {
						c = f(g)
						undefined = undefined || c.Mark == "*"
					}
					row = append(row, c)
				}
			}
			t.Rows = append(t.Rows, row)
		}
		b := block{Heading: splitHeading(r.Split), Table: t}
		if undefined {
			b.Notes = []string{naNote}
		}
		s.Blocks = append(s.Blocks, b)
	}
	if len(s.Blocks) == 0 {
		s.NA = "Not available: no per-group figures were given."
	}
	return s, nil
}

func paritySection(a *Audit) (section, error) {
	s := section{ID: "parity", Title: "Export check", Intro: []string{
		"The exported file was run in a second engine and its predicted probabilities compared, row by row, with those of the engine the model was trained and measured in. A difference within the tolerance shows that the file computes the model this report describes.",
	}}
	p := a.Parity
	if p == nil {
		s.NA = "Not available: the exported file was not checked."
		return s, nil
	}
	result := cell{Text: "passed", Class: "ok"}
	if !p.passes() {
		result = cell{Text: "failed", Class: "bad"}
	}
	agree := cell{Text: "not measured", Class: "missing"}
	if p.LabelAgreement != nil {
		agree = cell{Text: fmt.Sprintf("%.2f %%", 100**p.LabelAgreement), Class: "num"}
	}
	split := cell{Text: p.Split}
	if p.Split == "" {
		split = cell{Text: "not given", Class: "missing"}
	}
	t := &table{Head: [][]cell{{label("Item"), label("Value")}}, Rows: [][]cell{
		{label("Engines compared"), {Text: p.compared()}},
		{label("Split"), split},
		{label("Rows compared"), {Text: fmt.Sprint(p.Rows), Class: "num"}},
		{label("Largest difference in predicted probability"), {Text: fmt.Sprintf("%.3g", p.MaxAbsDiff), Class: "num"}},
		{label("Tolerance"), {Text: fmt.Sprintf("%.3g", p.Tolerance), Class: "num"}},
		{label("Rows given the same decision"), agree},
		{label("Result"), result},
	}}
	s.Blocks = []block{{Table: t}}
	return s, nil
}

// passes reports whether the largest difference is within the tolerance (a NaN difference never is).
func (p *Parity) passes() bool { return p.MaxAbsDiff <= p.Tolerance && !math.IsNaN(p.MaxAbsDiff) }

func (p *Parity) compared() string {
	if p.Compared == "" {
		return "two engines"
	}
	return p.Compared
}

func (d *Drift) baseline() string {
	if d.Baseline == "" {
		return "the recorded baseline"
	}
	return d.Baseline
}

func driftSection(a *Audit) (section, error) {
	s := section{ID: "drift", Title: "Drift", Intro: []string{
		"A comparison of this model's metrics with an earlier, recorded report: drift means that accuracy fell or a fairness gap grew by more than the tolerance since then.",
	}}
	d := a.Drift
	if d == nil {
		s.NA = "Not available: no baseline report was compared."
		return s, nil
	}
	if len(d.Drifted) == 0 {
		s.Blocks = []block{{List: []item{{Text: "No drift against " + d.baseline() + ": no metric got worse by more than the tolerance.", Class: "ok"}}}}
		return s, nil
	}
	b := block{Text: []string{"Drift against " + d.baseline() + ": these metrics got worse by more than the tolerance."}}
	for _, m := range d.Drifted {
		b.List = append(b.List, item{Text: m, Class: "bad"})
	}
	s.Blocks = []block{b}
	return s, nil
}

// classes is the number of classes of the audited model, 0 for a binary one.
func (a *Audit) classes() int {
	for _, r := range a.Results {
		if r.After != nil {
			return r.After.Metrics.Classes
		}
	}
	return 0
}
