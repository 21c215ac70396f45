package bench

import (
	"context"
	"encoding/json"
	"fmt"
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

// trainArgs is the fairbinn train command line of one run.
func (o *Options) trainArgs(method, out string) []string {
	return append([]string{"train", "--backbone", o.Backbone, "--data", o.Data, "--position", o.Position, "--out", out,
		"--method", method, "--epochs", strconv.Itoa(o.Epochs), "--batch", strconv.Itoa(o.Batch),
		"--seed", "1", "--threads", strconv.Itoa(o.Threads), "--quiet", "--json"}, peerTraining...)
}

// peerArgs is the peer's command line of one run.
func (o *Options) peerArgs(method, dataDir string, threads int) []string {
	return []string{o.Peer, "--data", dataDir, "--epochs", strconv.Itoa(o.Epochs),
		"--threads", strconv.Itoa(threads), "--variant", method, "--batch", strconv.Itoa(o.Batch)}
}

// runTrain runs fairbinn train and reads its JSON report.
func (o *Options) runTrain(ctx context.Context, method, out string) (Side, error) {
	load := loadAvg()[0]
	p, stdout, err := runChild(ctx, o.Runner, []string{"GOMAXPROCS=" + strconv.Itoa(o.Threads)}, o.Fairbinn, o.trainArgs(method, out)...)
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
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		return Side{}, fmt.Errorf("fairbinn train: %w", err)
	}
	side := Side{Proc: p, TestAcc: res.After.Test.Accuracy, TestDP: res.After.Test.DP, LoadAvg: load}
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
// each a forward and a full backward pass) and of one forward pass, from the backbone with its fairness
// layer inserted.
func (o *Options) epochFLOPs() float64 {
	g, err := importer.ReadFile(o.Backbone, importer.Options{})
	if err != nil {
		return 0
	}
	positions, err := insert.Positions(g)
	if err != nil {
		return 0
	}
	pos, err := insert.FindPosition(positions, o.Position)
	if err != nil {
		return 0
	}
	if err := insert.Insert(g, pos, insert.InsertOptions{Layers: 1}); err != nil {
		return 0
	}
	return 6 * forwardFLOPs(g)
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

// summarizeTraining fills in a method's medians over its runs and the rates derived from them, given the
// GEMM floor (GFLOP/s) and the nominal training FLOPs per row and epoch.
func summarizeTraining(tb *Training, floor, flopsPerRow float64) {
	var fe, fr, te, tr, te1 []float64
	var rows, trows []int
	for _, r := range tb.Runs {
		fe, fr, rows = append(fe, r.Fairbinn.EpochS), append(fr, r.Fairbinn.PeakRSSMB), append(rows, r.Fairbinn.TrainRows)
		if r.PyTorch != nil {
			te, tr, trows = append(te, r.PyTorch.EpochS), append(tr, r.PyTorch.PeakRSSMB), append(trows, r.PyTorch.TrainRows)
		}
		if r.PyTorch1 != nil {
			te1 = append(te1, r.PyTorch1.EpochS)
		}
	}
	last := tb.Runs[len(tb.Runs)-1].Fairbinn
	tb.FairbinnEpochS, tb.FairbinnRSSMB, tb.FairbinnRows = median(fe), median(fr), rows[0]
	tb.FairbinnTestAcc, tb.FairbinnTestDP = last.TestAcc, last.TestDP
	tb.GFLOPEpoch = flopsPerRow * float64(tb.FairbinnRows) / 1e9
	if tb.FairbinnEpochS > 0 {
		tb.GFLOPs = tb.GFLOPEpoch / tb.FairbinnEpochS
	}
	if floor > 0 {
		tb.FloorFraction = tb.GFLOPs / floor
	}
	if len(te) > 0 {
		tb.PyTorchEpochS, tb.PyTorchRSSMB, tb.PyTorchRows = median(te), median(tr), trows[0]
		tb.RatioEpoch = tb.PyTorchEpochS / tb.FairbinnEpochS
		tb.RatioPerRow = (tb.PyTorchEpochS / float64(tb.PyTorchRows)) / (tb.FairbinnEpochS / float64(tb.FairbinnRows))
		tb.PyTorchGFLOPs = flopsPerRow * float64(tb.PyTorchRows) / 1e9 / tb.PyTorchEpochS
		tb.RatioPerRowBest = tb.RatioPerRow
		if len(te1) > 0 {
			tb.PyTorch1EpochS = median(te1)
			faster := min(tb.PyTorchEpochS, tb.PyTorch1EpochS)
			tb.RatioPerRowBest = (faster / float64(tb.PyTorchRows)) / (tb.FairbinnEpochS / float64(tb.FairbinnRows))
		}
	}
}
