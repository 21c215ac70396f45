package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/train"
)

// runPeer runs the PyTorch peer with the given threads; it returns its side and the torch version.
func (o *Options) runPeer(ctx context.Context, method, dataDir string, threads int) (Side, string, error) {
	load := loadAvg()[0]
	p, out, err := runChild(ctx, o.Runner, nil, o.Python, o.peerArgs(method, dataDir, threads)...)
	if err != nil {
		return Side{}, "", err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res struct {
		Torch     string  `json:"torch"`
		TrainRows int     `json:"train_rows"`
		EpochS    float64 `json:"epoch_s_median"`
		Acc       float64 `json:"test_accuracy"`
		DP        float64 `json:"test_dp"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return Side{}, "", fmt.Errorf("PyTorch peer: %w in %q", err, lines[len(lines)-1])
	}
	return Side{Proc: p, EpochS: res.EpochS, TrainRows: res.TrainRows, TestAcc: res.Acc, TestDP: res.DP, LoadAvg: load}, res.Torch, nil
}

// peerTraining is the peer's configuration (torch_fairbinn.py's defaults), which fairbinn train is given
// explicitly so that both sides do the same work: η 1000, Adam at 1e-3 (leader) and 1e-5 (follower), no
// decay, one fairness layer, the last epoch kept.
var peerTraining = []string{"--eta", "1000", "--acc-lr", "0.001", "--fair-lr", "1e-05", "--acc-opt", "adam", "--fair-opt", "adam",
	"--acc-decay", "1", "--fair-decay", "1", "--decay-every", "0", "--train-leader", "all", "--fair-layers", "1", "--select", "last"}

// trainArgs is the fairbinn train command line of one run; frozen trains the layers after the position
// only (--train-leader after), on the prefix's activations computed once and cached.
func (o *Options) trainArgs(method, out string, frozen bool) []string {
	args := append([]string{"train", "--backbone", o.Backbone, "--data", o.Data, "--position", o.Position, "--out", out,
		"--method", method, "--epochs", strconv.Itoa(o.Epochs), "--batch", strconv.Itoa(o.Batch),
		"--seed", "1", "--threads", strconv.Itoa(o.Threads), "--quiet", "--json"}, peerTraining...)
	if frozen {
		i := slices.Index(args, "--train-leader")
		args[i+1] = "after"
	}
	return args
}

// peerArgs is the peer's command line of one run.
func (o *Options) peerArgs(method, dataDir string, threads int) []string {
	return []string{o.Peer, "--data", dataDir, "--epochs", strconv.Itoa(o.Epochs),
		"--threads", strconv.Itoa(threads), "--variant", peerVariant(method), "--batch", strconv.Itoa(o.Batch)}
}

// peerVariant is the peer's name for a method: it calls the paper's Algorithm 1 "bilevel".
func peerVariant(method string) string {
	if method == string(train.MethodPaper) {
		return "bilevel"
	}
	return method
}

// runTrain runs fairbinn train and reads its JSON report.
func (o *Options) runTrain(ctx context.Context, method, out string, frozen bool) (Side, error) {
	load := loadAvg()[0]
	p, stdout, err := runChild(ctx, o.Runner, []string{"GOMAXPROCS=" + strconv.Itoa(o.Threads)}, o.Fairbinn, o.trainArgs(method, out, frozen)...)
	if err != nil {
		return Side{}, err
	}
	var res struct {
		History []train.Epoch `json:"history"`
		Data    struct {
			Rows       map[string]int `json:"rows"`
			DroppedRow int            `json:"train_rows_dropped_per_epoch"`
		} `json:"data"`
		After struct {
			Test fairness.Metrics `json:"test"`
		} `json:"selected_metrics"`
		Prefix *struct {
			Seconds    float64 `json:"seconds"`
			CacheBytes int64   `json:"cache_bytes"`
		} `json:"prefix"`
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		return Side{}, fmt.Errorf("fairbinn train: %w", err)
	}
	if frozen && res.Prefix == nil {
		return Side{}, fmt.Errorf("fairbinn train --train-leader after: its report has no frozen prefix")
	}
	side := Side{Proc: p, TestAcc: res.After.Test.Accuracy, TestDP: res.After.Test.DP, LoadAvg: load}
	if res.Prefix != nil {
		side.PrefixS, side.CacheBytes = res.Prefix.Seconds, res.Prefix.CacheBytes
	}
	for _, e := range res.History {
		side.Epochs = append(side.Epochs, e.Seconds)
	}
	if len(side.Epochs) == 0 {
		return Side{}, fmt.Errorf("fairbinn train: no epochs in its report")
	}
	// As the peer does: the median over the epochs after the first, or the only one.
	side.EpochS = median(side.Epochs[min(1, len(side.Epochs)-1):])
	side.TrainRows = res.Data.Rows["train"] - res.Data.DroppedRow
	return side, nil
}

// epochFLOPs returns the nominal FLOPs of training one row for one epoch (a leader and a follower pass,
// each a forward and a full backward pass), from the backbone with its fairness layer inserted: for the
// whole graph, and for the suffix a frozen prefix leaves to train (the fairness layer and what follows).
func (o *Options) epochFLOPs() (whole, suffix float64) {
	g, err := importer.ReadFile(o.Backbone, importer.Options{})
	if err != nil {
		return 0, 0
	}
	positions, err := insert.Positions(g)
	if err != nil {
		return 0, 0
	}
	pos, err := insert.FindPosition(positions, o.Position)
	if err != nil {
		return 0, 0
	}
	if err := insert.Insert(g, pos, insert.InsertOptions{Layers: 1}); err != nil {
		return 0, 0
	}
	whole = 6 * forwardFLOPs(g)
	if _, suf, err := ir.Cut(g, pos.Tensor); err == nil {
		suffix = 6 * forwardFLOPs(suf)
	}
	return whole, suffix
}

// forwardFLOPs counts 2·in·out per row for every Gemm and 2-D MatMul weight of the model: the products,
// which are all but a few percent of an MLP's work.
func forwardFLOPs(g *ir.Graph) float64 {
	var f float64
	for _, n := range g.Nodes {
		if (n.OpType != "Gemm" && n.OpType != "MatMul") || len(n.Inputs) < 2 {
			continue
		}
		if w := g.Initializers[n.Inputs[1]]; w != nil && len(w.Dims) == 2 {
			f += 2 * float64(w.Dims[0]*w.Dims[1])
		}
	}
	return f
}

// summarizeTraining derives each run's figures and summarizes them over the runs, given the GEMM floor
// (GFLOP/s), the nominal training FLOPs per row and epoch of the whole graph and of the frozen prefix's
// suffix, and the peer's thread count.
func summarizeTraining(tb *Training, floor, flopsPerRow, suffixFlopsPerRow float64, threads int) {
	var fe, fr, gf, ff, pe, pe1, pbest, pr, ratio, ratioT, ratio1, pgf []float64
	var ze, zr, zp, zspeed, zratio, zgf, zff []float64
	last := tb.Runs[len(tb.Runs)-1]
	tb.FairbinnRows = last.Fairbinn.TrainRows
	tb.FairbinnTestAcc, tb.FairbinnTestDP = last.Fairbinn.TestAcc, last.Fairbinn.TestDP
	tb.GFLOPEpoch = flopsPerRow * float64(tb.FairbinnRows) / 1e9
	if floor > 0 {
		tb.FloorEpochS = tb.GFLOPEpoch / floor
	}
	tb.PeerThreads = nil
	for _, r := range tb.Runs {
		f := r.Fairbinn
		fe, fr = append(fe, f.EpochS), append(fr, f.PeakRSSMB)
		if f.EpochS > 0 {
			gf = append(gf, tb.GFLOPEpoch/f.EpochS)
			if floor > 0 {
				ff = append(ff, tb.FloorEpochS/f.EpochS)
			}
		}
		if r.PyTorch != nil {
			pe, pr = append(pe, r.PyTorch.EpochS), append(pr, r.PyTorch.PeakRSSMB)
			tb.PyTorchRows = r.PyTorch.TrainRows
			ratioT = append(ratioT, f.RowsPerS()/r.PyTorch.RowsPerS())
		}
		if r.PyTorch1 != nil {
			pe1 = append(pe1, r.PyTorch1.EpochS)
			tb.PyTorchRows = r.PyTorch1.TrainRows
			ratio1 = append(ratio1, f.RowsPerS()/r.PyTorch1.RowsPerS())
		}
		best, bt := r.peerBest(threads)
		if best != nil {
			pbest = append(pbest, best.EpochS)
			ratio = append(ratio, f.RowsPerS()/best.RowsPerS())
			pgf = append(pgf, flopsPerRow*best.RowsPerS()/1e9)
			if tb.PeerThreads == nil {
				tb.PeerThreads = map[string]int{}
			}
			tb.PeerThreads[strconv.Itoa(bt)]++
		}
		if z := r.Frozen; z != nil {
			ze, zr, zp = append(ze, z.EpochS), append(zr, z.PeakRSSMB), append(zp, z.PrefixS)
			if f.RowsPerS() > 0 {
				zspeed = append(zspeed, z.RowsPerS()/f.RowsPerS())
			}
			if best != nil {
				zratio = append(zratio, z.RowsPerS()/best.RowsPerS())
			}
		}
	}
	tb.FairbinnEpochS, tb.FairbinnRSSMB, tb.GFLOPs, tb.FloorFraction = statOf(fe), statOf(fr), statOf(gf), statOf(ff)
	tb.PyTorchEpochS, tb.PyTorch1EpochS, tb.PyTorchBestEpochS, tb.PyTorchRSSMB = statOf(pe), statOf(pe1), statOf(pbest), statOf(pr)
	tb.Ratio, tb.RatioThreads, tb.Ratio1, tb.PyTorchGFLOPs = statOf(ratio), statOf(ratioT), statOf(ratio1), statOf(pgf)
	tb.Frozen = nil
	if z := last.Frozen; z != nil {
		ft := &FrozenTraining{Rows: z.TrainRows, CacheMB: float64(z.CacheBytes) / 1e6, TestAcc: z.TestAcc, TestDP: z.TestDP}
		ft.GFLOPEpoch = suffixFlopsPerRow * float64(ft.Rows) / 1e9
		if floor > 0 {
			ft.FloorEpochS = ft.GFLOPEpoch / floor
		}
		for _, r := range tb.Runs {
			if r.Frozen != nil && r.Frozen.EpochS > 0 {
				zgf = append(zgf, ft.GFLOPEpoch/r.Frozen.EpochS)
				if floor > 0 {
					zff = append(zff, ft.FloorEpochS/r.Frozen.EpochS)
				}
			}
		}
		ft.EpochS, ft.RSSMB, ft.PrefixS, ft.Speedup, ft.Ratio = statOf(ze), statOf(zr), statOf(zp), statOf(zspeed), statOf(zratio)
		ft.GFLOPs, ft.FloorFraction = statOf(zgf), statOf(zff)
		tb.Frozen = ft
	}
}
