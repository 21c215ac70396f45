package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/fairness"
)

// printBeforeAfter prints the backbone's and the fine-tuned model's metrics side by side, per split and
// per group.
func printBeforeAfter(w io.Writer, rep *fairbinn.Report) {
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
	printGroups(w, "test", rep.Before.Test.Groups, rep.After.Test.Groups)
	fmt.Fprintf(w, "\nparity: onnxruntime vs Go forward pass on %d test rows: max abs diff %.3g, labels agree %.2f%% (tolerance %g)\n",
		rep.Parity.Rows, rep.Parity.MaxAbsDiff, 100*rep.Parity.LabelAgreement, rep.Parity.Tolerance)
}

// printGroups prints the per-group table; after may be nil for a single model.
func printGroups(w io.Writer, split string, before, after []fairness.GroupRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	if after == nil {
		fmt.Fprintf(tw, "%s group\tsize\tselection rate\tTPR\tFPR\taccuracy\t\n", split)
		for _, g := range before {
			fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t\n", g.Group, g.Size, g.SelectionRate, g.TPR, g.FPR, g.Accuracy)
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
		fmt.Fprintf(tw, "%s\t%d\t%.4f → %.4f\t%.4f → %.4f\t%.4f → %.4f\t%.4f → %.4f\t\n", b.Group, b.Size,
			b.SelectionRate, a.SelectionRate, b.TPR, a.TPR, b.FPR, a.FPR, b.Accuracy, a.Accuracy)
	}
	tw.Flush()
}
