package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fairbinn/fairbinn-go/internal/fsutil"
)

// Run runs the benchmark: the GEMM rates in this process; per method and repeat, the PyTorch peer (at
// Options.Threads and at one thread) and then fairbinn train (the whole graph, then with the prefix
// frozen), one process at a time; inference through the backbone and the first exported model;
// the import and export of a generated MLP. It writes bench.json (the Report) and bench.md (Markdown) to
// opts.OutDir and returns the report. Errors in opts wrap ErrOptions.
func Run(ctx context.Context, opts Options) (*Report, error) {
	t0 := time.Now()
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	rep := &Report{Command: o.Command, Started: t0.UTC().Format(time.RFC3339)}
	rep.Machine = machineInfo(o.Threads)

	o.progress("GEMM rates at the training shapes")
	rep.GEMM = measureGEMM()

	// Training: the peer, then fairbinn, per method and repeat, one process at a time.
	peerDir, peerOK := o.peerData()
	switch {
	case o.Peer == "none":
		rep.Notes = append(rep.Notes, "PyTorch peer skipped (--peer none)")
	case !fileExists(o.Peer):
		rep.Notes = append(rep.Notes, fmt.Sprintf("PyTorch peer %s not found: skipped", o.Peer))
	case !peerOK:
		rep.Notes = append(rep.Notes, fmt.Sprintf("the PyTorch peer needs uncompressed adult.data and adult.test; %s has none: skipped", o.Data))
	}
	if o.Epochs == 1 {
		rep.Notes = append(rep.Notes, "one epoch per run: the epoch times include the first epoch's warm-up")
	}
	runPeer := o.Peer != "none" && fileExists(o.Peer) && peerOK
	if runPeer {
		rep.Workload = append(rep.Workload, o.Python+" "+strings.Join(o.peerArgs("METHOD", peerDir, o.Threads), " "))
		if o.Threads != 1 {
			rep.Workload = append(rep.Workload, o.Python+" "+strings.Join(o.peerArgs("METHOD", peerDir, 1), " "))
		}
	}
	gomax := "GOMAXPROCS=" + strconv.Itoa(o.Threads) + " fairbinn "
	rep.Workload = append(rep.Workload, gomax+strings.Join(o.trainArgs("METHOD", filepath.Join(o.OutDir, "adult_fair_METHOD.onnx"), false), " "))
	if o.Frozen {
		rep.Workload = append(rep.Workload, gomax+strings.Join(o.trainArgs("METHOD", filepath.Join(o.OutDir, "adult_fair_METHOD_frozen.onnx"), true), " "))
	}
	whole, suffix := o.epochFLOPs()
	exported := ""
	for _, method := range o.Methods {
		tb := Training{Method: method}
		for r := range o.Repeat {
			// One repeat: the peer at both thread counts, then fairbinn on the whole graph and with the
			// prefix frozen, one process at a time, so that the ratios of a run are measured minutes apart.
			var run TrainRun
			if runPeer {
				o.progress("%s, run %d/%d: PyTorch peer, %d threads", method, r+1, o.Repeat, o.Threads)
				side, torchVer, err := o.runPeer(ctx, method, peerDir, o.Threads)
				if err != nil {
					return nil, err
				}
				run.PyTorch, rep.Machine.Torch = &side, torchVer
				if o.Threads != 1 {
					o.progress("%s, run %d/%d: PyTorch peer, 1 thread", method, r+1, o.Repeat)
					side1, _, err := o.runPeer(ctx, method, peerDir, 1)
					if err != nil {
						return nil, err
					}
					run.PyTorch1 = &side1
				}
			}
			o.progress("%s, run %d/%d: fairbinn train", method, r+1, o.Repeat)
			out := filepath.Join(o.OutDir, "adult_fair_"+method+".onnx")
			side, err := o.runTrain(ctx, method, out, false)
			if err != nil {
				return nil, err
			}
			run.Fairbinn = side
			if exported == "" {
				exported = out
			}
			if o.Frozen {
				o.progress("%s, run %d/%d: fairbinn train --train-leader after (frozen prefix)", method, r+1, o.Repeat)
				side, err := o.runTrain(ctx, method, filepath.Join(o.OutDir, "adult_fair_"+method+"_frozen.onnx"), true)
				if err != nil {
					return nil, err
				}
				run.Frozen = &side
			}
			tb.Runs = append(tb.Runs, run)
		}
		summarizeTraining(&tb, rep.GEMM.FloorGFLOPs, whole, suffix, o.Threads)
		rep.Training = append(rep.Training, tb)
	}

	if exported != "" {
		o.progress("inference: %d rows through the backbone and %s", o.Rows, exported)
		inf, err := o.inference(ctx, exported)
		if err != nil {
			return nil, err
		}
		rep.Inference = inf
	}
	if o.ModelMB > 0 {
		o.progress("import and export of a generated %d MB MLP", o.ModelMB)
		big, err := o.bigModel(ctx)
		if err != nil {
			return nil, err
		}
		rep.BigModel = big
	}
	rep.Machine.LoadEnd = loadAvg()
	rep.Seconds = time.Since(t0).Seconds()

	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(o.OutDir, "bench.json"), append(js, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(o.OutDir, "bench.md"), []byte(Markdown(rep)), 0o644); err != nil {
		return nil, err
	}
	return rep, nil
}

func (o *Options) progress(format string, a ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "bench: "+format+"\n", a...)
	}
}
