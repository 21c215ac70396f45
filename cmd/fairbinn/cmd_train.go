package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/train"
)

type trainCmd struct{ f trainFlags }

func (*trainCmd) Name() string { return "train" }
func (*trainCmd) Synopsis() string {
	return "train --backbone IN.onnx --data SPEC --position P --out OUT.onnx [--report R.json] [training flags]"
}
func (c *trainCmd) Flags(fs *flag.FlagSet) {
	c.f.register(fs, train.DefaultConfig(train.DefaultMethod))
	c.f.registerHTML(fs)
}

func (c *trainCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	res, err := runTraining(ctx, env, &c.f)
	if err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, res.Report)
	}
	fairbinn.WriteBeforeAfter(env.stdout, res.Report)
	fmt.Fprintf(env.stdout, "\nmodel  %s\n", res.Report.Out)
	if c.f.report != "" {
		fmt.Fprintf(env.stdout, "report %s\n", c.f.report)
	}
	if html := c.f.htmlPath(); html != "" {
		fmt.Fprintf(env.stdout, "audit  %s\n", html)
	}
	return nil
}

// runTraining is train's job: flags → options → fairbinn.FineTuneFile, which writes the model and the report.
func runTraining(ctx context.Context, env *cmdEnv, f *trainFlags) (*fairbinn.Result, error) {
	cfg, err := f.config()
	if err != nil {
		return nil, err
	}
	if f.backbone == "" || f.position == "" || f.out == "" || f.data.spec == "" {
		return nil, usagef("--backbone, --data, --position and --out are required")
	}
	if f.resume && f.checkpoint == "" {
		return nil, usagef("--resume needs --checkpoint")
	}
	hc, err := f.head.choice()
	if err != nil {
		return nil, err
	}
	f.data.seed, f.data.seedGiven = cfg.Seed, true // the splits of the training seed
	dopts, err := f.data.options()
	if err != nil {
		return nil, err
	}
	if unused := f.unusedFlags(cfg.Method); len(unused) > 0 {
		fmt.Fprintf(env.stderr, "warning: method %s does not use %s; they have no effect\n", cfg.Method, strings.Join(unused, ", "))
	}
	progress := newProgress(env.stderr, f.quiet)
	progress.Config = cfg
	res, err := fairbinn.FineTuneFile(ctx, f.backbone, dopts, fairbinn.Options{
		Position: f.position, Layers: f.layers, Init: f.init, Head: hc, Train: &cfg, Threads: f.threads,
		Checkpoint: f.checkpoint, Resume: f.resume, BestEffort: f.bestEffort, Thresholds: f.thresholds, MinGroupSize: f.minGroup, MergeSmallGroups: f.mergeSmall, IgnoreSmallGroups: f.ignoreSmall, CacheMemory: f.cacheMB << 20, OnEpoch: progress.Epoch, Out: f.out, ReportFile: f.report, HTMLFile: f.htmlPath(),
	})
	progress.Done()
	return res, positionFlag(err, f.position)
}

// positionFlag names the --position flag in a bad-position error.
func positionFlag(err error, position string) error {
	if errors.Is(err, insert.ErrBadPosition) {
		return fault.Wrap(fault.BadInput, fmt.Errorf("--position %s: %w", position, err))
	}
	return err
}
