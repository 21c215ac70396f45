package main

import (
	"bytes"
	"context"
	"strconv"

	"flag"
	"fmt"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/ir"

	"github.com/fairbinn/fairbinn-go/importer"
)

type predictCmd struct {
	model, input, output, runtime, split string
	batch, threads                       int
	data                                 dataFlags
}

func (*predictCmd) Name() string { return "predict" }
func (*predictCmd) Synopsis() string {
	return "predict --model M.onnx (--input X.npy --output Y.npy | --data SPEC [--split test] --output P.csv) [--runtime ort|go]"
}

func (c *predictCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.model, "model", "", "the model to run (ONNX)")
	fs.StringVar(&c.input, "input", "", "input rows: a float32 .npy array of the model's input shape")
	fs.StringVar(&c.output, "output", "", "where to write the model's output: .npy (float32) for --input, CSV row,prob,pred for --data")
	c.data.register(fs)
	fs.Uint64Var(&c.data.seed, "seed", 1, "seed of the validation split (for --split val)")
	fs.StringVar(&c.split, "split", "test", "with --data: train, val or test")
	fs.StringVar(&c.runtime, "runtime", runtimeORT, "ort (onnxruntime) or go (the Go forward pass)")
	fs.IntVar(&c.batch, "batch", 1024, "rows per run")
	fs.IntVar(&c.threads, "threads", 0, "onnxruntime intra-op threads (0: its default)")
}

func (c *predictCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	if c.model == "" || c.output == "" || (c.input == "") == (c.data.spec == "") {
		return &usageError{"want --model, --output and one of --input or --data"}
	}
	if c.runtime != runtimeORT && c.runtime != runtimeGo {
		return badInputf("--runtime %q: want ort or go", c.runtime)
	}
	if c.batch < 1 {
		return badInputf("--batch %d: want at least 1", c.batch)
	}
	// onnxruntime may run ops the Go forward pass does not have.
	g, err := loadModel(c.model, importer.Options{})
	if err != nil {
		return err
	}
	raw, err := readModelBytes(c.model)
	if err != nil {
		return err
	}
	if c.data.spec != "" {
		return c.predictData(env, g, raw)
	}
	in, err := readInput(c.input, g)
	if err != nil {
		return err
	}
	out, err := execute(c.runtime, modelRef{g, raw, c.model}, in, c.batch, c.threads)
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

// predictData writes one CSV line per row of a data split: the row's 0-based record index in its source
// file (header excluded), the predicted probability and the 0/1 prediction (threshold 0.5).
func (c *predictCmd) predictData(env *cmdEnv, g *ir.Graph, raw []byte) error {
	data, err := c.data.load(g, c.model)
	if err != nil {
		return err
	}
	s, err := splitNamed(data, c.split)
	if err != nil {
		return err
	}
	prob, err := probabilities(c.runtime, modelRef{g, raw, c.model}, s, c.threads)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("row,prob,pred\n")
	for i, p := range prob {
		pred := 0
		if p >= 0.5 {
			pred = 1
		}
		fmt.Fprintf(&buf, "%d,%s,%d\n", s.Row[i], strconv.FormatFloat(float64(p), 'g', -1, 32), pred)
	}
	if err := fsutil.WriteFileAtomic(c.output, buf.Bytes(), 0o644); err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"model": c.model, "runtime": c.runtime, "split": c.split, "rows": s.Rows, "output": c.output})
	}
	fmt.Fprintf(env.stdout, "%d %s rows of %s through %s (%s) -> %s\n", s.Rows, c.split, c.data.spec, c.model, c.runtime, c.output)
	return nil
}
