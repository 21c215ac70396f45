package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/fairbinn/fairbinn-go/tensor"
	"math"
	"math/rand/v2"
	"text/tabwriter"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/ir"
)

type verifyCmd struct {
	data          dataFlags
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
	fs.Uint64Var(&c.seed, "seed", 1, "random seed for --random")
	fs.Float64Var(&c.tol, "tol", 1e-5, "largest allowed absolute difference between onnxruntime and the Go forward pass")
	fs.IntVar(&c.batch, "batch", 1024, "rows per run")
	fs.IntVar(&c.threads, "threads", 0, "onnxruntime intra-op threads (0: its default)")
}

// verifyReport is verify's JSON output.
type verifyReport struct {
	Model     string            `json:"model"`
	Rows      int64             `json:"rows"`
	Tolerance float64           `json:"tolerance"`
	Runtimes  map[string]string `json:"runtimes"` // "ok" or why it could not run
	Pairs     []pairDiff        `json:"pairs"`
	OK        bool              `json:"ok"`
}

type pairDiff struct {
	A              string  `json:"a"`
	B              string  `json:"b"`
	MaxAbsDiff     float64 `json:"max_abs_diff"`
	LabelAgreement float64 `json:"label_agreement"`
	WithinTol      bool    `json:"within_tolerance"`
}

func (c *verifyCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	sources := 0
	for _, given := range []bool{c.input != "", c.random != 0, c.data.spec != ""} {
		if given {
			sources++
		}
	}
	if c.model == "" || sources != 1 {
		return &usageError{"want --model and one of --input, --data or --random"}
	}
	if c.random < 0 {
		return badInputf("--random %d: want a positive row count", c.random)
	}
	g, err := loadModel(c.model, importer.Options{})
	if err != nil {
		return err
	}
	raw, err := readModelBytes(c.model)
	if err != nil {
		return err
	}
	var in tensor.Tensor
	switch {
	case c.input != "":
		if in, err = readInput(c.input, g); err != nil {
			return err
		}
	case c.data.spec != "":
		data, err := c.data.load(g, c.model)
		if err != nil {
			return err
		}
		s := data.Test
		in = tensor.Tensor{Shape: []int64{int64(s.Rows), int64(s.Cols)}, Data: s.X}
	default:
		if in, err = randomInput(g, c.random, c.seed); err != nil {
			return err
		}
	}
	rep, err := verifyModel(modelRef{g, raw, c.model}, in, c.tol, c.batch, c.threads)
	if err != nil {
		return err
	}
	rep.Model = c.model
	if env.json {
		if err := writeJSON(env.stdout, rep); err != nil {
			return err
		}
	} else {
		printVerify(env, rep)
	}
	if !rep.OK {
		return &exitError{exitMismatch, fmt.Sprintf("onnxruntime and the Go forward pass differ by more than %g", c.tol)}
	}
	return nil
}

// verifyModel runs the rows through every executor and compares each pair that could run.
func verifyModel(m modelRef, in tensor.Tensor, tol float64, batch, threads int) (verifyReport, error) {
	rep := verifyReport{Rows: in.Shape[0], Tolerance: tol, Runtimes: map[string]string{}, OK: true}
	names := []string{runtimeORT, runtimeGo, runtimeOnnxGo}
	outs := map[string]tensor.Tensor{}
	// The Go forward pass runs first: its errors name the node at fault.
	for _, name := range []string{runtimeGo, runtimeORT, runtimeOnnxGo} {
		out, err := execute(name, m, in, batch, threads)
		if err != nil {
			if name != runtimeOnnxGo {
				// The two runtimes fairbinn ships with must both run the model.
				return rep, err
			}
			rep.Runtimes[name] = oneLine(err.Error())
			continue
		}
		rep.Runtimes[name] = "ok"
		outs[name] = out
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			a, okA := outs[names[i]]
			b, okB := outs[names[j]]
			if !okA || !okB {
				continue
			}
			if err := sameLen(a, b); err != nil {
				return rep, fmt.Errorf("%s vs %s: %w", names[i], names[j], err)
			}
			p := pairDiff{A: names[i], B: names[j], MaxAbsDiff: maxAbsDiff(a.Data, b.Data), LabelAgreement: agreement(labels(a), labels(b))}
			p.WithinTol = p.MaxAbsDiff <= tol
			if !p.WithinTol && (p.A == runtimeORT && p.B == runtimeGo) {
				rep.OK = false
			}
			rep.Pairs = append(rep.Pairs, p)
		}
	}
	return rep, nil
}

func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if d > m || math.IsNaN(d) {
			m = d
		}
	}
	return m
}

func agreement(a, b []int) float64 {
	if len(a) == 0 {
		return 1
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

// randomInput draws rows uniformly from [0, 1) in the model input's shape, with `rows` as the batch dim
// (or the model's static batch).
func randomInput(g *ir.Graph, rows int, seed uint64) (tensor.Tensor, error) {
	ins := g.RealInputs()
	if len(ins) != 1 {
		return tensor.Tensor{}, badInputf("the model has %d inputs; fairbinn runs models with one input", len(ins))
	}
	shape := make([]int64, len(ins[0].Shape))
	n := int64(1)
	for i, d := range ins[0].Shape {
		switch {
		case i == 0 && !d.IsStatic():
			shape[i] = int64(rows)
		case d.IsStatic():
			shape[i] = d.Value
		default:
			return tensor.Tensor{}, badInputf("model input %q has symbolic dim %s beyond the batch dim; use --input", ins[0].Name, d)
		}
		n *= shape[i]
	}
	rng := rand.New(rand.NewPCG(seed, 0x766572)) // "ver"
	data := make([]float32, n)
	for i := range data {
		data[i] = rng.Float32()
	}
	return tensor.Tensor{Shape: shape, Data: data}, nil
}

func printVerify(env *cmdEnv, rep verifyReport) {
	fmt.Fprintf(env.stdout, "%s: %d rows\n", rep.Model, rep.Rows)
	for _, name := range []string{runtimeORT, runtimeGo, runtimeOnnxGo} {
		fmt.Fprintf(env.stdout, "  %-8s %s\n", name, rep.Runtimes[name])
	}
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "  pair\tmax abs diff\tlabel agreement\twithin tol")
	for _, p := range rep.Pairs {
		fmt.Fprintf(w, "  %s vs %s\t%.3g\t%.2f%%\t%v\n", p.A, p.B, p.MaxAbsDiff, 100*p.LabelAgreement, p.WithinTol)
	}
	w.Flush()
	verdict := "PASS"
	if !rep.OK {
		verdict = "FAIL"
	}
	fmt.Fprintf(env.stdout, "%s: onnxruntime vs Go forward pass, tolerance %g\n", verdict, rep.Tolerance)
}
