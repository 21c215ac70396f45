package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/npy"
)

type predictCmd struct {
	model, output, runtime, split string
	inputs                        []string
	batch, threads                int
	data                          dataFlags
	head                          headFlags
}

func (*predictCmd) Name() string { return "predict" }
func (*predictCmd) Synopsis() string {
	return "predict --model M.onnx (--input X.npy --output Y.npy | --data SPEC [--split test] --output P.csv) [--runtime ort|go]"
}

func (c *predictCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.model, "model", "", "the model to run (ONNX)")
	fs.Func("input", "the model's input rows: FILE.npy (once per input, in the model's order), NAME=FILE.npy, or one FILE.npz with every input by name; repeatable", func(v string) error { c.inputs = append(c.inputs, v); return nil })
	fs.StringVar(&c.output, "output", "", "where to write the model's (first) output: .npy for --input, CSV row,prob,pred for --data")
	c.data.register(fs)
	c.head.register(fs)
	c.data.registerSeed(fs)
	fs.StringVar(&c.split, "split", "", "with --data: score only the train, val or test split (default: every row of the --data file, labelled or not)")
	fs.StringVar(&c.runtime, "runtime", string(fairbinn.ORT), "ort (onnxruntime) or go (the Go forward pass)")
	fs.IntVar(&c.batch, "batch", 1024, "rows per run")
	fs.IntVar(&c.threads, "threads", 0, "onnxruntime intra-op threads (0: its default)")
}

func (c *predictCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if c.model == "" || c.output == "" || (len(c.inputs) == 0) == (c.data.spec == "") {
		return usagef("want --model, --output and one of --input or --data")
	}
	rt, err := fairbinn.ParseRuntime(c.runtime)
	if err != nil {
		return fault.Badf("--runtime: %v", err)
	}
	if c.batch < 1 {
		return fault.Badf("--batch %d: want at least 1", c.batch)
	}
	// onnxruntime may run ops the Go forward pass does not have.
	m, err := c.head.load(c.model)
	if err != nil {
		return err
	}
	run := fairbinn.RunOptions{Batch: c.batch, Threads: c.threads}
	if c.data.spec != "" {
		return c.predictData(env, m, rt, run)
	}
	in, err := fairbinn.ReadInputs(m, c.inputs)
	if err != nil {
		return err
	}
	outs, err := m.RunAll(rt, in, run)
	if err != nil {
		return err
	}
	out := outs[0] // the first output; the head says how to read it
	if note := fairbinn.GoNote(m); rt == fairbinn.Go && note != "" {
		fmt.Fprintln(env.stderr, "fairbinn predict: "+note)
	}
	if err := npy.Write(c.output, out); err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"model": c.model, "runtime": c.runtime, "rows": in[0].Shape[0], "output": c.output, "output_shape": out.Shape})
	}
	fmt.Fprintf(env.stdout, "%d rows through %s (%s) -> %s %v\n", in[0].Shape[0], c.model, c.runtime, c.output, out.Shape)
	return nil
}

// predictData writes one CSV line per row of a data split: the row's 0-based record index in its source
// file (header excluded), the predicted probability and the 0/1 prediction (threshold 0.5).
func (c *predictCmd) predictData(env *cmdEnv, m *fairbinn.Model, rt fairbinn.Runtime, run fairbinn.RunOptions) error {
	s, skipped, err := c.rows(env, m)
	if err != nil {
		return err
	}
	what := c.split + " rows"
	if c.split == "" {
		what = "rows"
	}
	prob, err := fairbinn.Probabilities(m, rt, s, run)
	if err != nil {
		return err
	}
	if err := fairbinn.WritePredictions(c.output, s, prob, fairbinn.ClassNames(m)); err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"model": c.model, "runtime": c.runtime, "split": c.split, "rows": s.Rows, "skipped": skipped, "output": c.output})
	}
	fmt.Fprintf(env.stdout, "%d %s of %s through %s (%s) -> %s\n", s.Rows, what, c.data.spec, c.model, c.runtime, c.output)
	if skipped > 0 {
		fmt.Fprintf(env.stdout, "%d row(s) not scored: a missing value in a feature column\n", skipped)
	}
	return nil
}

// rows are the rows to score: a split, or every row of the file.
func (c *predictCmd) rows(env *cmdEnv, m *fairbinn.Model) (*dataset.Split, int, error) {
	if c.split != "" {
		data, err := c.data.load(m, env.stderr)
		if err != nil {
			return nil, 0, err
		}
		s, err := fairbinn.Split(data, c.split)
		return s, 0, err
	}
	opts, err := c.data.options()
	if err != nil {
		return nil, 0, err
	}
	sc, err := fairbinn.ScoreData(m, opts)
	if err != nil {
		return nil, 0, err
	}
	fairbinn.WriteUnseen(env.stderr, "scored", sc.Unseen)
	for _, msg := range fairbinn.ClippedWarnings(sc.Split) {
		fmt.Fprintf(env.stderr, "warning: %s\n", msg)
	}
	return sc.Split, sc.Skipped, nil
}
