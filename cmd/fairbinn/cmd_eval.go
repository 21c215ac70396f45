package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/importer"
)

type evalCmd struct {
	model, split, runtime, baseline string
	tol                             float64
	threads                         int
	data                            dataFlags
}

func (*evalCmd) Name() string { return "eval" }
func (*evalCmd) Synopsis() string {
	return "eval --model M.onnx --data SPEC [--split test] [--runtime ort|go] [--baseline R.json [--drift-tol 0.01]]"
}

func (c *evalCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.model, "model", "", "the model to evaluate (ONNX)")
	c.data.register(fs)
	fs.Uint64Var(&c.data.seed, "seed", 1, "seed of the validation split (use the training seed to evaluate on its val split)")
	fs.StringVar(&c.split, "split", "test", "train, val or test")
	fs.StringVar(&c.runtime, "runtime", runtimeORT, "ort (onnxruntime) or go (the Go forward pass)")
	fs.StringVar(&c.baseline, "baseline", "", "a report written by train --report (or eval --json): exit 4 when a metric is worse than recorded by more than --drift-tol")
	fs.Float64Var(&c.tol, "drift-tol", 0.01, "allowed drift: accuracy lower, or a fairness gap higher, than the baseline by at most this much")
	fs.IntVar(&c.threads, "threads", 0, "onnxruntime intra-op threads (0: its default)")
}

// evalReport is eval's JSON output.
type evalReport struct {
	Model   string           `json:"model"`
	Split   string           `json:"split"`
	Runtime string           `json:"runtime"`
	Rows    int              `json:"rows"`
	Metrics fairness.Metrics `json:"metrics"`
	Drift   []string         `json:"drift,omitempty"`
}

func (c *evalCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	if c.model == "" {
		return &usageError{"--model is required"}
	}
	if c.runtime != runtimeORT && c.runtime != runtimeGo {
		return badInputf("--runtime %q: want ort or go", c.runtime)
	}
	var base *fairness.Metrics
	if c.baseline != "" {
		m, err := readBaseline(c.baseline, c.split)
		if err != nil {
			return err
		}
		base = &m
	}
	g, err := loadModel(c.model, importer.Options{})
	if err != nil {
		return err
	}
	raw, err := readModelBytes(c.model)
	if err != nil {
		return err
	}
	data, err := c.data.load(g, c.model)
	if err != nil {
		return err
	}
	s, err := splitNamed(data, c.split)
	if err != nil {
		return err
	}
	m, err := evalWith(c.runtime, modelRef{g, raw, c.model}, s, data.GroupNames, c.threads)
	if err != nil {
		return err
	}
	rep := evalReport{Model: c.model, Split: c.split, Runtime: c.runtime, Rows: s.Rows, Metrics: m}
	if base != nil {
		rep.Drift = drift(*base, m, c.tol)
	}
	if env.json {
		if err := writeJSON(env.stdout, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.stdout, "%s on the %s split (%d rows, %s)\n", c.model, c.split, s.Rows, c.runtime)
		fmt.Fprintf(env.stdout, "accuracy %.4f  DP diff %.4f  EO diff %.4f  EOpp diff %.4f\n\n", m.Accuracy, m.DP, m.EO, m.EOpp)
		printGroups(env.stdout, c.split, m.Groups, nil)
		if base != nil && len(rep.Drift) == 0 {
			fmt.Fprintf(env.stdout, "\nno drift against %s (tolerance %g)\n", c.baseline, c.tol)
		}
	}
	if len(rep.Drift) > 0 {
		return &exitError{exitDrift, "drift against " + c.baseline + ": " + strings.Join(rep.Drift, "; ")}
	}
	return nil
}

// drift lists the metrics of now that are worse than base by more than tol.
func drift(base, now fairness.Metrics, tol float64) []string {
	var out []string
	if now.Accuracy < base.Accuracy-tol {
		out = append(out, fmt.Sprintf("accuracy %.4f < recorded %.4f", now.Accuracy, base.Accuracy))
	}
	for _, m := range []struct {
		name     string
		now, was float64
	}{{"DP diff", now.DP, base.DP}, {"EO diff", now.EO, base.EO}, {"EOpp diff", now.EOpp, base.EOpp}} {
		if m.now > m.was+tol {
			out = append(out, fmt.Sprintf("%s %.4f > recorded %.4f", m.name, m.now, m.was))
		}
	}
	return out
}

// readBaseline reads the metrics of a split from a train report (selected_metrics) or an eval report.
func readBaseline(path, split string) (fairness.Metrics, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fairness.Metrics{}, badInput(err)
	}
	var doc struct {
		Selected map[string]*fairness.Metrics `json:"selected_metrics"`
		Split    string                       `json:"split"`
		Metrics  *fairness.Metrics            `json:"metrics"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fairness.Metrics{}, badInputf("%s: not a fairbinn report: %v", path, err)
	}
	if m := doc.Selected[split]; m != nil {
		return *m, nil
	}
	if doc.Metrics != nil && doc.Split == split {
		return *doc.Metrics, nil
	}
	return fairness.Metrics{}, badInputf("%s: no %s metrics in this report (want a report of train --report or eval --json)", path, split)
}
