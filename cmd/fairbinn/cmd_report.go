package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/report"
)

type reportCmd struct {
	model, backbone, trainReport, sweep, baseline, out string
	tol, ci                                            float64
	data                                               dataFlags
	head                                               headFlags
}

func (*reportCmd) Name() string { return "report" }
func (*reportCmd) Synopsis() string {
	return "report --model M.onnx --data SPEC [--sensitive ...] [--backbone B.onnx] [--train-report R.json] [--sweep DIR] [--baseline R.json] --out report.html"
}

func (c *reportCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.model, "model", "", "the model to audit (ONNX)")
	c.data.register(fs)
	c.head.register(fs)
	c.data.registerSeed(fs)
	fs.StringVar(&c.backbone, "backbone", "", "the model before fine-tuning: its metrics, calibration and per-group-threshold baseline beside the audited model's")
	fs.StringVar(&c.trainReport, "train-report", "", "the report train --report wrote for the model: its training history, parity check and selected epoch")
	fs.StringVar(&c.sweep, "sweep", "", "a sweep's folder (sweep.json): its runs in a Pareto chart with the audited model marked")
	fs.StringVar(&c.baseline, "baseline", "", "a report (train --report, eval --json) to judge drift against")
	fs.Float64Var(&c.tol, "drift-tol", 0.01, "allowed drift against --baseline")
	fs.Float64Var(&c.ci, "ci", fairbinn.DefaultCI, "level of the bootstrap confidence intervals (1,000 resamples by group, seeded by --seed)")
	fs.StringVar(&c.out, "out", "", "where to write the report (one self-contained HTML file)")
}

func (c *reportCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if c.model == "" || c.out == "" {
		return usagef("--model, --data and --out are required")
	}
	if err := fsutil.CheckOutput(c.out); err != nil {
		return fault.Wrap(fault.BadInput, err)
	}
	m, err := c.head.load(c.model)
	if err != nil {
		return err
	}
	data, err := c.data.load(m, env.stderr)
	if err != nil {
		return err
	}
	opts := fairbinn.AuditOptions{SweepDir: c.sweep, Baseline: c.baseline, DriftTol: c.tol, CI: c.ci, CISeed: c.data.seed}
	if c.backbone != "" {
		if opts.Backbone, err = c.head.load(c.backbone); err != nil {
			return err
		}
	}
	if c.trainReport != "" {
		raw, err := os.ReadFile(c.trainReport)
		if err != nil {
			return fault.Wrap(fault.BadInput, err)
		}
		opts.Train = &fairbinn.Report{}
		if err := json.Unmarshal(raw, opts.Train); err != nil || opts.Train.Version == "" {
			return fault.Badf("%s: not a report of train --report (%v)", c.trainReport, err)
		}
	}
	audit, err := fairbinn.Audit(m, data, opts)
	if err != nil {
		return err
	}
	if err := report.WriteFile(c.out, audit); err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"model": c.model, "out": c.out})
	}
	fmt.Fprintf(env.stdout, "audit report of %s -> %s\n", c.model, c.out)
	return nil
}
