package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
	"github.com/fairbinn/fairbinn-go/train"
)

// inference times the backbone and the exported model on the same random rows: the predict command
// (a child process, so start-up, model load and file I/O included), an onnxruntime session in this
// process, and the Go forward pass. The two models alternate, round after round, and each reports its
// median round, so that a burst of other work on the machine does not land on one model only.
func (o *Options) inference(ctx context.Context, exported string) (*Inference, error) {
	paths := []string{o.Backbone, exported}
	graphs := make([]*ir.Graph, len(paths))
	for i, p := range paths {
		g, err := importer.ReadFile(p, importer.Options{})
		if err != nil {
			return nil, err
		}
		graphs[i] = g
	}
	width := 101
	if in := graphs[0].RealInputs(); len(in) == 1 && len(in[0].Shape) == 2 && in[0].Shape[1].IsStatic() {
		width = int(in[0].Shape[1].Value)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, o.Rows*width)
	for i := range x {
		x[i] = rng.Float32()
	}
	input := filepath.Join(o.OutDir, fmt.Sprintf("rows_%d.npy", o.Rows))
	in := tensor.Tensor{Shape: []int64{int64(o.Rows), int64(width)}, Data: x}
	if err := npy.Write(input, in); err != nil {
		return nil, err
	}
	defer os.Remove(input)
	const batch = 1024 // predict's default
	inf := &Inference{Rows: o.Rows, Batch: batch, Threads: o.Threads}
	res := []*InferenceModel{&inf.Backbone, &inf.Exported}
	for i, r := range res {
		r.Model, r.FLOPsPerRow = paths[i], forwardFLOPs(graphs[i])
	}
	pred := filepath.Join(o.OutDir, "pred.npy")
	defer os.Remove(pred)
	rowsPerS := func(secs float64) float64 { return float64(o.Rows) / secs }
	// medianProc is the run of median wall time.
	medianProc := func(ps []Proc) Proc {
		slices.SortFunc(ps, func(a, b Proc) int { return cmp.Compare(a.Wall, b.Wall) })
		return ps[len(ps)/2]
	}
	const cliRounds, rounds = 3, 5
	cli := make([]map[string][]Proc, len(paths))
	for range cliRounds {
		for i := range res {
			if cli[i] == nil {
				cli[i] = map[string][]Proc{}
			}
			for _, rt := range []string{"ort", "go"} {
				p, _, err := runChild(ctx, o.Runner, []string{"GOMAXPROCS=" + strconv.Itoa(o.Threads)}, o.Fairbinn, "predict", "--runtime", rt,
					"--model", paths[i], "--input", input, "--output", pred, "--threads", strconv.Itoa(o.Threads), "--batch", strconv.Itoa(batch))
				if err != nil {
					return nil, err
				}
				cli[i][rt] = append(cli[i][rt], p)
			}
		}
	}
	for i, r := range res {
		r.CLI, r.GoCLI = medianProc(cli[i]["ort"]), medianProc(cli[i]["go"])
		r.CLIRowsPerS, r.GoCLIRowsPer = rowsPerS(r.CLI.Wall), rowsPerS(r.GoCLI.Wall)
	}

	// In this process.
	sessions := make([]*ort.Session, len(paths))
	for i, p := range paths {
		s, err := ort.OpenFile(p, ort.Options{Threads: o.Threads})
		if errors.Is(err, ort.ErrRuntimeUnavailable) {
			break
		}
		if err != nil {
			return nil, err
		}
		defer s.Close()
		sessions[i] = s
	}
	timed := func(f func() error) (float64, error) {
		t := time.Now()
		err := f()
		return time.Since(t).Seconds(), err
	}
	ortSecs, goSecs := make([][]float64, len(paths)), make([][]float64, len(paths))
	for round := range rounds + 1 { // round 0 warms up
		for i := range res {
			if s := sessions[i]; s != nil {
				secs, err := timed(func() error { _, err := ort.RunBatched(s, in, batch); return err })
				if err != nil {
					return nil, err
				}
				if round > 0 {
					ortSecs[i] = append(ortSecs[i], secs)
				}
			}
			g := graphs[i]
			secs, err := timed(func() error { _, err := lower.Forward(g, in, train.EvalBatch); return err })
			if err != nil {
				return nil, err
			}
			if round > 0 {
				goSecs[i] = append(goSecs[i], secs)
			}
		}
	}
	for i, r := range res {
		if len(ortSecs[i]) > 0 {
			r.ORTRowsPerS = rowsPerS(median(ortSecs[i]))
		}
		r.GoRowsPerS = rowsPerS(median(goSecs[i]))
	}
	inf.FLOPRatio = inf.Exported.FLOPsPerRow / inf.Backbone.FLOPsPerRow
	if inf.Exported.ORTRowsPerS > 0 {
		inf.OverheadBeyondFLOPs = inf.Backbone.ORTRowsPerS/inf.Exported.ORTRowsPerS/inf.FLOPRatio - 1
	}
	inf.CLIOverhead = inf.Backbone.CLIRowsPerS/inf.Exported.CLIRowsPerS/inf.FLOPRatio - 1
	return inf, nil
}
