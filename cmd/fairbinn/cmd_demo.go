package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/parity"
	"github.com/fairbinn/fairbinn-go/train"
)

type demoCmd struct {
	f      trainFlags
	outDir string
}

func (*demoCmd) Name() string { return "demo" }
func (*demoCmd) Synopsis() string {
	return "demo [--out-dir out] [training flags to override the defaults]"
}

func (c *demoCmd) Flags(fs *flag.FlagSet) {
	c.f.register(fs, train.DefaultConfig(train.DefaultMethod))
	c.f.registerHTML(fs)
	fs.StringVar(&c.outDir, "out-dir", "out", "folder for the fine-tuned model, its report and its audit report (HTML)")
}

func (c *demoCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	t0 := time.Now()
	demo, err := fairbinn.ShippedDemo()
	if err != nil {
		return err
	}
	f := &c.f
	if f.backbone == "" {
		f.backbone = demo.Backbone
	}
	if f.data.spec == "" {
		f.data.spec = demo.Data
	}
	if f.position == "" {
		f.position = demo.Position
	}
	if err := os.MkdirAll(c.outDir, 0o755); err != nil {
		return err
	}
	if f.out == "" {
		f.out = filepath.Join(c.outDir, "adult_fair.onnx")
	}
	if f.report == "" {
		f.report = filepath.Join(c.outDir, "adult_fair.report.json")
	}
	if !env.json {
		fmt.Fprintf(env.stdout, "fairbinn demo: %s + %s, fairness layer at position %s, method %s, eta %g, %d epochs, select %s\n\n",
			f.backbone, f.data.spec, f.position, f.method, f.cfg.Eta, f.cfg.Epochs, f.sel)
	}
	res, err := runTraining(ctx, env, f)
	if err != nil {
		return err
	}
	rep := res.Report
	// Verify the file as written, as a user would: onnxruntime, the Go forward pass and onnx-go on the
	// first 1,000 test rows.
	dopts, err := f.data.options()
	if err != nil {
		return err
	}
	ver, err := fairbinn.VerifyFile(f.out, dopts, 1000, parity.Tolerance, fairbinn.RunOptions{Threads: f.threads})
	if err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"train": rep, "verify": ver, "seconds": time.Since(t0).Seconds()})
	}
	fmt.Fprintln(env.stdout)
	fairbinn.WriteBeforeAfter(env.stdout, rep)
	fmt.Fprintln(env.stdout)
	fairbinn.WriteVerify(env.stdout, ver)
	fmt.Fprintf(env.stdout, "\nfine-tuned model  %s\nreport            %s\n", f.out, f.report)
	if html := f.htmlPath(); html != "" {
		fmt.Fprintf(env.stdout, "audit report      %s\n", html)
	}
	fmt.Fprintf(env.stdout, "took              %.1f s\n", time.Since(t0).Seconds())
	if !ver.OK {
		return fault.Errorf(fault.Mismatch, "verify failed")
	}
	return nil
}
