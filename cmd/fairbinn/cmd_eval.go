package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
)

type evalCmd struct {
	model, split, runtime, baseline string
	tol, ci                         float64
	threads                         int
	data                            dataFlags
	head                            headFlags
}

func (*evalCmd) Name() string { return "eval" }
func (*evalCmd) Synopsis() string {
	return "eval --model M.onnx --data SPEC [--split test] [--runtime ort|go] [--baseline R.json [--drift-tol 0.01]]"
}

func (c *evalCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.model, "model", "", "the model to evaluate (ONNX)")
	c.data.register(fs)
	c.head.register(fs)
	c.data.registerSeed(fs)
	fs.StringVar(&c.split, "split", "test", "train, val or test")
	fs.StringVar(&c.runtime, "runtime", string(fairbinn.ORT), "ort (onnxruntime) or go (the Go forward pass)")
	fs.StringVar(&c.baseline, "baseline", "", "a report written by train --report (or eval --json): exit 4 when a metric is worse than recorded by more than --drift-tol")
	fs.Float64Var(&c.tol, "drift-tol", 0.01, "allowed drift: accuracy lower, or a fairness gap higher, than the baseline by at most this much")
	fs.IntVar(&c.threads, "threads", 0, "onnxruntime intra-op threads (0: its default)")
	fs.Float64Var(&c.ci, "ci", 0, "add bootstrap confidence intervals at this level, e.g. 0.95 (1,000 resamples by group, seeded by --seed)")
}

func (c *evalCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if c.model == "" {
		return usagef("--model is required")
	}
	rt, err := fairbinn.ParseRuntime(c.runtime)
	if err != nil {
		return fault.Badf("--runtime: %v", err)
	}
	model, err := c.head.load(c.model)
	if err != nil {
		return err
	}
	data, err := c.data.load(model, env.stderr)
	if err != nil {
		return err
	}
	rep, err := fairbinn.Eval(model, data, fairbinn.EvalOptions{Split: c.split, Runtime: rt, Baseline: c.baseline,
		DriftTol: c.tol, CI: c.ci, CISeed: c.data.seed, Run: fairbinn.RunOptions{Threads: c.threads}})
	if rep == nil {
		return err
	}
	if env.json {
		if err := writeJSON(env.stdout, rep); err != nil {
			return err
		}
		return err
	}
	m := rep.Metrics
	fmt.Fprintf(env.stdout, "%s on the %s split (%d rows, %s)\n", c.model, c.split, rep.Rows, c.runtime)
	rates := fmt.Sprintf("selection rate %.4f", rep.SelectionRate)
	if m.Classes > 0 {
		rates = fmt.Sprintf("%d classes, gaps the largest over classes (one vs the rest)", m.Classes)
	}
	fmt.Fprintf(env.stdout, "accuracy %.4f  %s  DP diff %.4f  EO diff %.4f  EOpp diff %.4f\n\n", m.Accuracy, rates, m.DP, m.EO, m.EOpp)
	fairbinn.WriteGroups(env.stdout, c.split, m.Groups, nil)
	fairbinn.WriteGroupRows(env.stdout, rep.Groups, rep.GroupRows)
	fairbinn.WriteIgnored(env.stdout, rep.Ignored)
	fairbinn.WriteCalibration(env.stdout, rep.Calibration)
	fairbinn.WriteUnseen(env.stdout, c.split, rep.Unseen)
	fairbinn.WriteIntervals(env.stdout, rep.Intervals)
	if c.baseline != "" && err == nil {
		fmt.Fprintf(env.stdout, "\nno drift against %s (tolerance %g)\n", c.baseline, c.tol)
	}
	return err
}
