package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/tensor"
)

type verifyCmd struct {
	data          dataFlags
	head          headFlags
	model         string
	inputs        []string
	random, batch int
	seed          uint64
	tol           float64
	threads       int
}

func (*verifyCmd) Name() string { return "verify" }
func (*verifyCmd) Synopsis() string {
	return "verify --model M.onnx (--input X.npy | --data SPEC | --random N) [--tol 1e-5]"
}

func (c *verifyCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.model, "model", "", "the model to check (ONNX)")
	fs.Func("input", "the model's input rows: FILE.npy (once per input, in the model's order), NAME=FILE.npy, or one FILE.npz with every input by name; repeatable", func(v string) error { c.inputs = append(c.inputs, v); return nil })
	fs.IntVar(&c.random, "random", 0, "instead of --input, N rows drawn uniformly from [0, 1)")
	c.data.register(fs)
	c.head.register(fs)
	fs.Uint64Var(&c.seed, "seed", 1, "random seed for --random")
	fs.Float64Var(&c.tol, "tol", 1e-5, "largest allowed absolute difference between onnxruntime and the Go forward pass")
	fs.IntVar(&c.batch, "batch", 1024, "rows per run")
	fs.IntVar(&c.threads, "threads", 0, "onnxruntime intra-op threads (0: its default)")
}

func (c *verifyCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	sources := 0
	for _, given := range []bool{len(c.inputs) > 0, c.random != 0, c.data.spec != ""} {
		if given {
			sources++
		}
	}
	if c.model == "" || sources != 1 {
		return usagef("want --model and one of --input, --data or --random")
	}
	if c.random < 0 {
		return fault.Badf("--random %d: want a positive row count", c.random)
	}
	m, err := c.head.load(c.model)
	if err != nil {
		return err
	}
	var in []tensor.Tensor
	switch {
	case len(c.inputs) > 0:
		if in, err = fairbinn.ReadInputs(m, c.inputs); err != nil {
			return err
		}
	case c.data.spec != "":
		data, err := c.data.load(m, env.stderr)
		if err != nil {
			return err
		}
		in = data.Test.ModelInputs()
	default:
		r, err := fairbinn.RandomInput(m, c.random, c.seed)
		if err != nil {
			return err
		}
		in = []tensor.Tensor{r}
	}
	rep, err := fairbinn.VerifyAll(m, in, c.tol, fairbinn.RunOptions{Batch: c.batch, Threads: c.threads})
	if err != nil {
		return err
	}
	if env.json {
		if err := writeJSON(env.stdout, rep); err != nil {
			return err
		}
	} else {
		fairbinn.WriteVerify(env.stdout, rep)
		if note := fairbinn.GoNote(m); note != "" {
			fmt.Fprintln(env.stdout, "go: "+note)
		}
	}
	if !rep.OK {
		return fault.Errorf(fault.Mismatch, "onnxruntime and the Go forward pass differ by more than %g", c.tol)
	}
	return nil
}
