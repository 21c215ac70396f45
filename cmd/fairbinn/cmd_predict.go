package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/fairbinn/fairbinn-go/importer"
)

type predictCmd struct {
	model, input, output, runtime string
	batch, threads                int
}

func (*predictCmd) Name() string { return "predict" }
func (*predictCmd) Synopsis() string {
	return "predict --model M.onnx --input X.npy --output Y.npy [--runtime ort|go]"
}

func (c *predictCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.model, "model", "", "the model to run (ONNX)")
	fs.StringVar(&c.input, "input", "", "input rows: a float32 .npy array of the model's input shape")
	fs.StringVar(&c.output, "output", "", "where to write the model's output (.npy, float32)")
	fs.StringVar(&c.runtime, "runtime", runtimeORT, "ort (onnxruntime) or go (the Go forward pass)")
	fs.IntVar(&c.batch, "batch", 1024, "rows per run")
	fs.IntVar(&c.threads, "threads", 0, "onnxruntime intra-op threads (0: its default)")
}

func (c *predictCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	if c.model == "" || c.input == "" || c.output == "" {
		return &usageError{"--model, --input and --output are required"}
	}
	if c.runtime != runtimeORT && c.runtime != runtimeGo {
		return badInputf("--runtime %q: want ort or go", c.runtime)
	}
	if c.batch < 1 {
		return badInputf("--batch %d: want at least 1", c.batch)
	}
	// onnxruntime may run ops the Go forward pass does not have.
	g, err := loadModel(c.model, importer.Options{AllowUnsupportedOps: c.runtime == runtimeORT})
	if err != nil {
		return err
	}
	raw, err := readModelBytes(c.model)
	if err != nil {
		return err
	}
	in, err := readInput(c.input, g)
	if err != nil {
		return err
	}
	out, err := execute(c.runtime, g, raw, in, c.batch, c.threads)
	if err != nil {
		return err
	}
	if err := writeOutput(c.output, out); err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"model": c.model, "runtime": c.runtime, "rows": in.Shape[0], "output": c.output, "output_shape": out.Shape})
	}
	fmt.Fprintf(env.stdout, "%d rows through %s (%s) -> %s %v\n", in.Shape[0], c.model, c.runtime, c.output, out.Shape)
	return nil
}
