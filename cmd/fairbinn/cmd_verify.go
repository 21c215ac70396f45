package main

import (
	"context"
	"flag"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/tensor"
)

type verifyCmd struct {
	data          dataFlags
	head          headFlags
	model, input  string
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
	fs.StringVar(&c.input, "input", "", "input rows: a float32 .npy array of the model's input shape")
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
	for _, given := range []bool{c.input != "", c.random != 0, c.data.spec != ""} {
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
	var in tensor.Tensor
	switch {
	case c.input != "":
		if in, err = readInput(c.input, m); err != nil {
			return err
		}
	case c.data.spec != "":
		data, err := c.data.load(m)
		if err != nil {
			return err
		}
		in = data.Test.Features(0)
	default:
		if in, err = fairbinn.RandomInput(m, c.random, c.seed); err != nil {
			return err
		}
	}
	rep, err := fairbinn.Verify(m, in, c.tol, fairbinn.RunOptions{Batch: c.batch, Threads: c.threads})
	if err != nil {
		return err
	}
	if env.json {
		if err := writeJSON(env.stdout, rep); err != nil {
			return err
		}
	} else {
		fairbinn.WriteVerify(env.stdout, rep)
	}
	if !rep.OK {
		return fault.Errorf(fault.Mismatch, "onnxruntime and the Go forward pass differ by more than %g", c.tol)
	}
	return nil
}

// readInput reads a .npy input and checks it against the model's single input.
func readInput(path string, m *fairbinn.Model) (tensor.Tensor, error) {
	in, err := npy.Read(path)
	if err != nil {
		return tensor.Tensor{}, fault.Wrap(fault.BadInput, err)
	}
	return in, fairbinn.CheckInput(path, m, in)
}
