package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/fairbinn/fairbinn-go/tensor"
	"os"
	"path/filepath"
	"time"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/parity"
	"github.com/fairbinn/fairbinn-go/train"
)

// The shipped demo inputs, relative to the repository root.
const (
	demoBackbone = "testdata/models/adult_mlp/model.onnx"
	demoData     = "testdata/adult"
	demoPosition = "2" // after the second hidden layer
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
	fs.StringVar(&c.outDir, "out-dir", "out", "folder for the fine-tuned model and its report")
}

func (c *demoCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	t0 := time.Now()
	root, err := findRepoRoot()
	if err != nil {
		return err
	}
	f := &c.f
	if f.backbone == "" {
		f.backbone = rel(filepath.Join(root, demoBackbone))
	}
	if f.data.spec == "" {
		f.data.spec = "adult:" + rel(filepath.Join(root, demoData))
	}
	if f.position == "" {
		f.position = demoPosition
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
	m, err := fairbinn.Load(f.out)
	if err != nil {
		return err
	}
	data, err := f.data.load(m)
	if err != nil {
		return err
	}
	n := min(1000, data.Test.Rows)
	in := tensor.Tensor{Shape: []int64{int64(n), int64(data.Test.Cols)}, Data: data.Test.X[:n*data.Test.Cols]}
	ver, err := fairbinn.Verify(m, in, parity.Tolerance, fairbinn.RunOptions{Threads: f.threads})
	if err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"train": rep, "verify": ver, "seconds": time.Since(t0).Seconds()})
	}
	fmt.Fprintln(env.stdout)
	printBeforeAfter(env.stdout, rep)
	fmt.Fprintln(env.stdout)
	printVerify(env, ver)
	fmt.Fprintf(env.stdout, "\nfine-tuned model  %s\nreport            %s\ntook              %.1f s\n", f.out, f.report, time.Since(t0).Seconds())
	if !ver.OK {
		return fault.Errorf(fault.Mismatch, "verify failed")
	}
	return nil
}

// findRepoRoot finds the folder holding the shipped demo files: the working directory or one of its
// parents, or the executable's folder or one of its parents.
func findRepoRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if _, err := os.Stat(filepath.Join(dir, demoBackbone)); err == nil {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fault.Wrap(fault.BadInput, errors.New("cannot find the shipped demo files ("+demoBackbone+"); run fairbinn demo inside the fairbinn-go checkout, or use train"))
}

// rel shortens path to one relative to the working directory when it can (for messages and reports).
func rel(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil {
		return r
	}
	return path
}
