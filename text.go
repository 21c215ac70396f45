package fairbinn

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

// The text reports the command line prints: they are part of the reports, so a Go program prints the
// same tables.

// WriteBeforeAfter prints the backbone's and the fine-tuned model's metrics side by side, per split and
// per group.
func WriteBeforeAfter(w io.Writer, rep *Report) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "split\tmetric\tbackbone\tfine-tuned (epoch %d)\tchange\t\n", rep.Selected)
	for _, sp := range []struct {
		name          string
		before, after fairness.Metrics
	}{{"val", rep.Before.Val, rep.After.Val}, {"test", rep.Before.Test, rep.After.Test}} {
		for _, m := range []struct {
			name string
			b, a float64
		}{{"accuracy", sp.before.Accuracy, sp.after.Accuracy}, {"DP diff", sp.before.DP, sp.after.DP},
			{"EO diff", sp.before.EO, sp.after.EO}, {"EOpp diff", sp.before.EOpp, sp.after.EOpp}} {
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%+.4f\t\n", sp.name, m.name, m.b, m.a, m.a-m.b)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	WriteGroups(w, "test", rep.Before.Test.Groups, rep.After.Test.Groups)
	WriteGroupRows(w, rep.Data.Groups, rep.Data.GroupRows)
	fmt.Fprintf(w, "\nparity: %s on %d test rows: max abs diff %.3g, labels agree %.2f%% (tolerance %g)\n",
		rep.Parity.Runtime, rep.Parity.Rows, rep.Parity.MaxAbsDiff, 100*rep.Parity.LabelAgreement, rep.Parity.Tolerance)
	for _, c := range rep.Constraints {
		verdict := "met"
		if !c.Met {
			verdict = "NOT MET"
		}
		fmt.Fprintf(w, "constraint %s: %.4f on validation, %s (best reached %.4f at epoch %d)\n", c.Constraint, c.Selected, verdict, c.Best, c.BestEpoch)
	}
	writeMultipliers(w, rep)
	switch rep.Outcome {
	case "already satisfied":
		fmt.Fprintln(w, "the backbone already satisfies the constraints: it is returned unchanged (epoch 0)")
	case "best effort":
		fmt.Fprintln(w, "BEST EFFORT: no epoch met every constraint; this is the closest model, and it does not keep the promise")
	}
	if b := rep.Baseline; b != nil {
		writeBaseline(w, rep, b)
	}
	WriteUnseen(w, "test", rep.Data.Unseen["test"])
	if len(rep.Data.Merged) > 0 {
		fmt.Fprintf(w, "groups merged into %q for having too few validation rows: %s\n", OtherGroup, strings.Join(rep.Data.Merged, ", "))
	}
	WriteIgnored(w, rep.Data.Ignored)
	for _, msg := range rep.Data.Warnings {
		fmt.Fprintf(w, "warning: %s\n", msg)
	}
	if p := rep.Prefix; p != nil {
		fmt.Fprintf(w, "prefix: the layers up to %s were frozen and run once per split in %s (%s); activations cached in %s, %.1f MB\n",
			p.Tensor, p.Runtime, p.Why, p.Cache, float64(p.CacheBytes)/1e6)
	}
	fmt.Fprintf(w, "trained: %d leader parameter(s) %v, %d fairness-layer parameter(s)\n", len(rep.Leader), rep.Leader, len(rep.Follower))
}

// WriteGroups prints the per-group table; after may be nil for a single model.
func WriteGroups(w io.Writer, split string, before, after []fairness.GroupRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	if after == nil {
		fmt.Fprintf(tw, "%s group\tsize\tselection rate\tTPR\tFPR\taccuracy\t\n", split)
		for _, g := range before {
			fmt.Fprintf(tw, "%s\t%d\t%.4f\t%s\t%s\t%.4f\t\n", g.Group, g.Size, g.SelectionRate, fairness.Rate(g.TPR), fairness.Rate(g.FPR), g.Accuracy)
		}
		tw.Flush()
		return
	}
	fmt.Fprintf(tw, "%s group\tsize\tselection rate\tTPR\tFPR\taccuracy\t\n", split)
	fmt.Fprintf(tw, "\t\tbackbone → tuned\tbackbone → tuned\tbackbone → tuned\tbackbone → tuned\t\n")
	for i, b := range before {
		if i >= len(after) {
			break
		}
		a := after[i]
		fmt.Fprintf(tw, "%s\t%d\t%.4f → %.4f\t%s → %s\t%s → %s\t%.4f → %.4f\t\n", b.Group, b.Size,
			b.SelectionRate, a.SelectionRate, fairness.Rate(b.TPR), fairness.Rate(a.TPR), fairness.Rate(b.FPR), fairness.Rate(a.FPR), b.Accuracy, a.Accuracy)
	}
	tw.Flush()
}

func etaLabel(method train.Method, eta float64) string {
	if !method.UsesEta() {
		return "-"
	}
	return FormatEta(eta)
}

// ProgressLine is one line about a finished sweep run.
func ProgressLine(r *SweepRun) string {
	head := string(r.Method)
	if r.Method.UsesEta() {
		head += " eta=" + FormatEta(r.Eta)
	}
	head += fmt.Sprintf(" seed=%d", r.Seed)
	if !r.OK() {
		return fmt.Sprintf("%s: failed: %s (%.1f s)", head, r.Error, r.Seconds)
	}
	crit := r.Config.Fairness
	return fmt.Sprintf("%s: val acc %.4f %s %.4f  test acc %.4f %s %.4f  epoch %d (%.1f s)",
		head, r.Val.Accuracy, crit.Label(), crit.Gap(*r.Val), r.Test.Accuracy, crit.Label(), crit.Gap(*r.Test), r.SelectedEpoch, r.Seconds)
}

// sweepRow is one line of the summary table as text cells.
type sweepRow struct{ method, eta, runs, valAcc, valDP, testAcc, testDP string }

func sweepRows(res *SweepResult) []sweepRow {
	pm := func(s Stat, n int) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprintf("%.4f ± %.4f", s.Mean, s.SD)
	}
	// The gap column is the criterion the sweep trained for.
	gap := func(m MetricStats) Stat { return m.Gap(res.BaseConfig.Fairness) }
	var rows []sweepRow
	for _, ref := range []struct {
		name string
		st   *BackboneStats
	}{{"backbone", res.Reference}, {"thresholds on the backbone", res.Baseline}} {
		if ref.st != nil {
			n := len(ref.st.Seeds)
			rows = append(rows, sweepRow{ref.name, "-", strconv.Itoa(n), pm(ref.st.Val.Accuracy, n), pm(gap(ref.st.Val), n), pm(ref.st.Test.Accuracy, n), pm(gap(ref.st.Test), n)})
		}
	}
	for _, s := range res.Summary {
		runs := strconv.Itoa(s.Runs)
		if s.Failed > 0 {
			runs += fmt.Sprintf(" (%d failed)", s.Failed)
		}
		rows = append(rows, sweepRow{string(s.Method), etaLabel(s.Method, s.Eta), runs,
			pm(s.Val.Accuracy, s.Runs), pm(gap(s.Val), s.Runs), pm(s.Test.Accuracy, s.Runs), pm(gap(s.Test), s.Runs)})
	}
	return rows
}

// sweepCaption says what the numbers are.
func sweepCaption(res *SweepResult) string {
	state := ""
	if !res.Complete {
		state = fmt.Sprintf("; incomplete: %d of %d runs", res.Finished, res.Planned)
	}
	return fmt.Sprintf("%s, position %s, %d seed(s), %d epochs, select %s; mean ± sd over seeds (onnxruntime on the exported models)%s",
		res.Data, res.Position, len(res.Grid.Seeds), res.BaseConfig.Epochs, res.BaseConfig.Select.Describe(res.BaseConfig.Fairness), state)
}

// WriteSweepTable prints the summary of a sweep as a table.
func WriteSweepTable(w io.Writer, res *SweepResult) {
	fmt.Fprintln(w, sweepCaption(res))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	crit := res.BaseConfig.Fairness.Label()
	fmt.Fprintf(tw, "method\teta\truns\tval acc\tval %s\ttest acc\ttest %s\t\n", crit, crit)
	for _, r := range sweepRows(res) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.method, r.eta, r.runs, r.valAcc, r.valDP, r.testAcc, r.testDP)
	}
	tw.Flush()
}

// WriteSweepMarkdown prints the summary of a sweep as a Markdown table.
func WriteSweepMarkdown(w io.Writer, res *SweepResult) {
	fmt.Fprintf(w, "%s\n\n", sweepCaption(res))
	crit := res.BaseConfig.Fairness.Label()
	fmt.Fprintf(w, "| method | eta | runs | val acc | val %s | test acc ± sd | test %s ± sd |\n", crit, crit)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range sweepRows(res) {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.method, r.eta, r.runs, r.valAcc, r.valDP, r.testAcc, r.testDP)
	}
}

// WriteVerify prints a verify report: each executor, each pair, the verdict.
func WriteVerify(w io.Writer, rep *VerifyReport) {
	fmt.Fprintf(w, "%s: %d rows\n", rep.Model, rep.Rows)
	for _, name := range []Runtime{ORT, Go, OnnxGo} {
		fmt.Fprintf(w, "  %-8s %s\n", name, rep.Runtimes[string(name)])
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  pair\tmax abs diff\tlabel agreement\twithin tol")
	for _, p := range rep.Pairs {
		fmt.Fprintf(tw, "  %s vs %s\t%.3g\t%.2f%%\t%v\n", p.A, p.B, p.MaxAbsDiff, 100*p.LabelAgreement, p.WithinTol)
	}
	tw.Flush()
	verdict := "PASS"
	if !rep.OK {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "%s: onnxruntime vs Go forward pass, tolerance %g\n", verdict, rep.Tolerance)
}

// WriteModelInfo prints what Inspect found, with the insertion positions as a table.
func WriteModelInfo(out io.Writer, info *ModelInfo) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "model\t%s\n", info.File)
	fmt.Fprintf(w, "producer\t%s %s\n", info.Producer, info.ProducerVer)
	fmt.Fprintf(w, "opset\t%d (ir_version %d)\n", info.Opset, info.IRVersion)
	for _, ti := range info.Inputs {
		fmt.Fprintf(w, "input\t%s\t%s [%s]\n", ti.Name, ti.DType, strings.Join(ti.Shape, ", "))
	}
	for _, ti := range info.Outputs {
		fmt.Fprintf(w, "output\t%s\t%s [%s]\n", ti.Name, ti.DType, strings.Join(ti.Shape, ", "))
	}
	var ops []string
	for _, oc := range info.Ops {
		ops = append(ops, fmt.Sprintf("%s×%d", oc.OpType, oc.Count))
	}
	fmt.Fprintf(w, "ops\t%d nodes: %s\n", info.Nodes, strings.Join(ops, " "))
	fmt.Fprintf(w, "parameters\t%d\n", info.Parameters)
	if info.Head != nil {
		fmt.Fprintf(w, "head\t%s\n", info.Head)
	} else {
		fmt.Fprintf(w, "head\tnone fairbinn can score: %s\n", info.HeadError)
	}
	keys := make([]string, 0, len(info.Metadata))
	for k := range info.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := info.Metadata[k]
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		fmt.Fprintf(w, "metadata\t%s = %s\n", k, v)
	}
	w.Flush()
	if info.Unsupported != "" {
		fmt.Fprintf(out, "\n%s\n", info.Unsupported)
	}
	if len(info.Measured) > 0 {
		fmt.Fprintf(out, "\nwidths measured in onnxruntime (shape inference cannot compute them): %s\n", strings.Join(info.Measured, ", "))
	}
	if info.Unmeasured != "" {
		fmt.Fprintf(out, "\nsome widths are unknown and could not be measured, so those positions are not listed: %s\n", info.Unmeasured)
	}
	fmt.Fprintf(out, "\ninsertion positions (use --position K or --position name:TENSOR)\n")
	if len(info.Positions) == 0 {
		fmt.Fprintln(out, "  none: no 2-D [batch, width] activation lies between two layers with weights")
		return
	}
	w = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "  K\ttensor\twidth\tafter\tinserted layer\ttrained in")
	for i, p := range info.Positions {
		layer := "Gemm (linear)"
		if p.NonNegative {
			layer = "Gemm + Relu"
		}
		fmt.Fprintf(w, "  %d\t%s\t%d\t%s\t%s\t%s\n", p.Index, p.Tensor, p.Width, p.Activation, layer, info.Training[i])
	}
	w.Flush()
}

// writeBaseline says what per-group thresholds on the backbone reach beside what fine-tuning reached,
// and whether fine-tuning beat them.
func writeBaseline(w io.Writer, rep *Report, b *BaselineReport) {
	crit := strings.ToUpper(b.Criterion.String())
	if b.Error != "" {
		fmt.Fprintf(w, "baseline: per-group thresholds on the backbone within %s <= %g: none (%s)\n", crit, b.Limit, b.Error)
		return
	}
	tuned := rep.After.Test
	verdict := BaselineVerdict(tuned.Accuracy, b.Criterion.Gap(tuned), b.Test.Accuracy, b.Criterion.Gap(*b.Test), b.Limit)
	fmt.Fprintf(w, "baseline: per-group thresholds on the backbone chosen on validation for %s <= %g: test accuracy %.4f, %s %.4f; fine-tuned %.4f, %s %.4f: %s\n",
		crit, b.Limit, b.Test.Accuracy, crit, b.Criterion.Gap(*b.Test), tuned.Accuracy, crit, b.Criterion.Gap(tuned), verdict)
}

// BaselineVerdict compares the fine-tuned model with the threshold baseline on test accuracy and gap:
// it beats the baseline when at least as accurate and at least as fair (one of them strictly); a model
// more accurate but less fair (or the reverse) is a trade-off, and the words say which side keeps the
// limit.
func BaselineVerdict(acc, gap, baseAcc, baseGap, limit float64) string {
	switch {
	case acc >= baseAcc && gap <= baseGap && (acc > baseAcc || gap < baseGap):
		return "fine-tuning beats it"
	case acc <= baseAcc && gap >= baseGap:
		return "fine-tuning does not beat it"
	case acc < baseAcc && gap <= limit && baseGap > limit:
		return "fine-tuning does not beat it on accuracy, but only fine-tuning keeps the limit"
	case acc < baseAcc:
		return "fine-tuning does not beat it: fairer, but less accurate"
	}
	return "fine-tuning does not beat it: more accurate, but less fair"
}

// WriteCalibration prints the expected calibration error overall and per group.
func WriteCalibration(w io.Writer, c fairness.CalibrationReport) {
	if c.Overall == nil {
		return
	}
	parts := []string{fmt.Sprintf("all %.4f", c.Overall.ECE)}
	for _, g := range c.Groups {
		parts = append(parts, fmt.Sprintf("%s %.4f", g.Group, g.ECE))
	}
	fmt.Fprintf(w, "expected calibration error (%d bins; 0 is calibrated): %s\n", c.Bins, strings.Join(parts, ", "))
}

// WriteIgnored says which groups were left out of the fairness gaps; nothing when none were.
func WriteIgnored(w io.Writer, ignored []string) {
	if len(ignored) > 0 {
		fmt.Fprintf(w, "left out of the fairness gaps and losses for having too few validation rows (their rows count in the accuracy): %s\n", strings.Join(ignored, ", "))
	}
}

// WriteGroupRows prints each group's rows in each split (GroupRows) on one line.
func WriteGroupRows(w io.Writer, groups []string, rows map[string]map[string]int) {
	if len(rows) == 0 {
		return
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s %d/%d/%d", g, rows["train"][g], rows["val"][g], rows["test"][g])
	}
	fmt.Fprintf(w, "rows per group (train/val/test): %s\n", strings.Join(parts, ", "))
}

// WriteUnseen warns of rows whose category in a one-hot encoded column the encoding never saw (they are
// scored with all zeros there); nothing when there are none.
func WriteUnseen(w io.Writer, split string, unseen map[string]int) {
	cols := make([]string, 0, len(unseen))
	for c := range unseen {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		fmt.Fprintf(w, "warning: %d %s row(s) have a %s the encoding never saw (encoded as none of its categories; --strict-categories refuses them)\n", unseen[c], split, c)
	}
}

// WriteIntervals prints bootstrap confidence intervals of the metrics; nothing for nil.
func WriteIntervals(w io.Writer, iv *fairness.Intervals) {
	if iv == nil {
		return
	}
	fmt.Fprintf(w, "%.0f%% intervals (%d bootstrap resamples by group, seed %d): accuracy [%.4f, %.4f]  DP [%.4f, %.4f]  EO [%.4f, %.4f]  EOpp [%.4f, %.4f]\n",
		100*iv.Level, iv.Resamples, iv.Seed, iv.Accuracy.Lo, iv.Accuracy.Hi, iv.DP.Lo, iv.DP.Hi, iv.EO.Lo, iv.EO.Hi, iv.EOpp.Lo, iv.EOpp.Hi)
}

// writeMultipliers says, for the constrained method, what each multiplier aimed at (the limit less the
// margin) and where it ended, so that a run's output tells how hard each constraint pushed.
func writeMultipliers(w io.Writer, rep *Report) {
	cfg := rep.Config
	if !cfg.Method.IsConstrained() || len(rep.History) == 0 {
		return
	}
	last := rep.History[len(rep.History)-1].Multipliers
	var parts []string
	for k, c := range cfg.Constraints.List() {
		if k < len(last) {
			parts = append(parts, fmt.Sprintf("%s aimed at %.4g, λ %.3g", c, (1-cfg.MultiplierMargin)*c.Limit, last[k]))
		}
	}
	on := "the validation split"
	if cfg.MultiplierHoldout > 0 {
		on = fmt.Sprintf("%g %% of the training split held out", 100*cfg.MultiplierHoldout)
	}
	fmt.Fprintf(w, "multipliers, stepped by %g every %d steps on the gaps of %s, margin %g; at the last epoch: %s\n",
		cfg.MultiplierLR, cfg.MultiplierEvery, on, cfg.MultiplierMargin, strings.Join(parts, "; "))
}
