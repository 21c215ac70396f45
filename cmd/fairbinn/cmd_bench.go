package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/fairbinn/fairbinn-go/tensor"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/blas"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/train"
)

// benchCmd measures fairbinn's speed the way a user runs it: every timed step is the CLI itself (train,
// predict, inspect, insert) in a child process, one at a time, so wall time and peak RSS belong to that
// step alone; the PyTorch peer runs the same training in the same run, just before fairbinn. In-process
// measurements add what a child process cannot isolate: the GEMM rate at the training shapes, and
// inference without process start and file I/O.
type benchCmd struct {
	outDir, backbone, position, data, peer, python, methods string
	epochs, repeat, threads, rows, batch, modelMB           int
	exec                                                    string
}

func (*benchCmd) Name() string { return "bench" }
func (*benchCmd) Synopsis() string {
	return "bench [--out-dir out/bench] [--epochs 5] [--repeat 1] [--threads 2] [--peer torch_fairbinn.py] [--rows 100000] [--model-mb 100]"
}

func (c *benchCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.outDir, "out-dir", filepath.Join("out", "bench"), "folder for bench.json, bench.md and the files the benchmark makes")
	fs.StringVar(&c.backbone, "backbone", "", "the backbone (default: the shipped Adult MLP, testdata/models/adult_mlp/model.onnx)")
	fs.StringVar(&c.position, "position", "2", "where the fairness layer goes")
	fs.StringVar(&c.data, "data", "", "adult:DIR (default: ../shared/data/adult beside the checkout, else testdata/adult)")
	fs.StringVar(&c.peer, "peer", "", "the PyTorch peer script (default: ../shared/bench/torch_fairbinn.py beside the checkout); \"none\" skips it")
	fs.StringVar(&c.python, "python", "/usr/bin/python3", "the Python that runs the peer (it needs torch and pandas)")
	fs.StringVar(&c.methods, "methods", "bilevel,reference", "training methods to time, comma-separated")
	fs.IntVar(&c.epochs, "epochs", 5, "epochs per training run; the median epoch time leaves out the first")
	fs.IntVar(&c.repeat, "repeat", 1, "training runs per method and side (the report keeps every run and their median)")
	fs.IntVar(&c.threads, "threads", 2, "threads for both sides: GOMAXPROCS and onnxruntime's intra-op threads, torch.set_num_threads")
	fs.IntVar(&c.batch, "batch", 100, "training mini-batch rows")
	fs.IntVar(&c.rows, "rows", 100000, "rows for the inference measurements")
	fs.IntVar(&c.modelMB, "model-mb", 100, "size in MB of the generated MLP for the import and export measurement (0 skips it)")
	fs.StringVar(&c.exec, "exec", "", "used by bench itself: run the command given as a JSON array of strings and write its wall time and peak RSS as JSON on file descriptor 3")
}

// Report layout: bench.json is benchReport.

type benchReport struct {
	Command   string          `json:"command"`
	Workload  []string        `json:"workload"` // the training command lines, one per side (method METHOD)
	Started   string          `json:"started"`
	Seconds   float64         `json:"seconds"`
	Machine   benchMachine    `json:"machine"`
	GEMM      benchGEMM       `json:"gemm"`
	Training  []benchTraining `json:"training"`
	Inference *benchInference `json:"inference,omitempty"`
	BigModel  *benchBigModel  `json:"big_model,omitempty"`
	Notes     []string        `json:"notes,omitempty"`
}

type benchMachine struct {
	CPU         string     `json:"cpu"`
	Cores       int        `json:"cores"`
	MemoryMB    float64    `json:"memory_mb"`
	OS          string     `json:"os"`
	Go          string     `json:"go"`
	BLAS        string     `json:"blas"`
	BLASThreads int        `json:"blas_threads"`
	Torch       string     `json:"torch,omitempty"`
	Threads     int        `json:"threads"`
	LoadStart   [3]float64 `json:"loadavg_start"`
	LoadEnd     [3]float64 `json:"loadavg_end"`
}

type benchGEMM struct {
	Shapes []benchGEMMShape `json:"shapes"`
	// FloorGFLOPs is the best rate at the training step's three shapes (mean over them), any backend and
	// thread count: the rate a training loop made only of these products would reach.
	FloorGFLOPs float64 `json:"floor_gflops"`
}

type benchGEMMShape struct {
	Name      string  `json:"name"`
	M, N, K   int     `json:"-"`
	Gonum     float64 `json:"gonum_gflops"`
	BLAS1     float64 `json:"blas_1thread_gflops"`
	BLAS2     float64 `json:"blas_2threads_gflops,omitempty"`
	Backend   string  `json:"blas"`
	TrainStep bool    `json:"training_shape"`
}

type benchProc struct {
	Wall      float64 `json:"wall_s"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

type benchSide struct {
	benchProc
	EpochS    float64   `json:"epoch_s_median"`
	Epochs    []float64 `json:"epoch_s,omitempty"`
	TrainRows int       `json:"train_rows"` // rows the timed epoch trains on
	TestAcc   float64   `json:"test_accuracy"`
	TestDP    float64   `json:"test_dp"`
	LoadAvg   float64   `json:"loadavg_1m_before"`
}

type benchTrainRun struct {
	Fairbinn benchSide  `json:"fairbinn"`
	PyTorch  *benchSide `json:"pytorch,omitempty"`
	// PyTorch1 is the peer again with one thread: on a machine where other work holds a core, torch's
	// threads wait for each other and one thread is faster, which the conservative ratio accounts for.
	PyTorch1 *benchSide `json:"pytorch_1thread,omitempty"`
}

type benchTraining struct {
	Method string          `json:"method"`
	Runs   []benchTrainRun `json:"runs"`
	// Medians over the runs.
	FairbinnEpochS float64 `json:"fairbinn_epoch_s"`
	FairbinnRows   int     `json:"fairbinn_rows_per_epoch"`
	FairbinnRSSMB  float64 `json:"fairbinn_peak_rss_mb"`
	PyTorchEpochS  float64 `json:"pytorch_epoch_s,omitempty"`
	PyTorchRows    int     `json:"pytorch_rows_per_epoch,omitempty"`
	PyTorchRSSMB   float64 `json:"pytorch_peak_rss_mb,omitempty"`
	// RatioEpoch is PyTorch's epoch time over fairbinn's; RatioPerRow divides each by the rows its epoch
	// trains on (fairbinn holds out a validation split, the peer does not), so it compares equal work.
	RatioEpoch  float64 `json:"ratio_epoch,omitempty"`
	RatioPerRow float64 `json:"ratio_per_row,omitempty"`
	// GFLOPEpoch is the nominal work of fairbinn's epoch: a forward and a full backward pass (two products
	// per layer) for the leader and again for the follower, 6 × 2·in·out per row and layer.
	GFLOPEpoch    float64 `json:"gflop_per_epoch"`
	GFLOPs        float64 `json:"gflops"`
	FloorFraction float64 `json:"fraction_of_gemm_floor"`
	PyTorchGFLOPs float64 `json:"pytorch_gflops,omitempty"`
	// PyTorch1EpochS is the median epoch of the one-thread peer runs; RatioPerRowBest compares with the
	// faster of the two peer configurations.
	PyTorch1EpochS  float64 `json:"pytorch_1thread_epoch_s,omitempty"`
	RatioPerRowBest float64 `json:"ratio_per_row_vs_faster_peer,omitempty"`
	FairbinnTestAcc float64 `json:"fairbinn_test_accuracy"`
	FairbinnTestDP  float64 `json:"fairbinn_test_dp"`
}

type benchInferenceModel struct {
	Model        string    `json:"model"`
	FLOPsPerRow  float64   `json:"flops_per_row"`
	CLI          benchProc `json:"predict_cli"`
	CLIRowsPerS  float64   `json:"predict_cli_rows_per_s"`
	ORTRowsPerS  float64   `json:"ort_session_rows_per_s"`
	GoRowsPerS   float64   `json:"go_forward_rows_per_s"`
	GoCLI        benchProc `json:"predict_go_cli"`
	GoCLIRowsPer float64   `json:"predict_go_cli_rows_per_s"`
}

type benchInference struct {
	Rows     int                 `json:"rows"`
	Batch    int                 `json:"batch"`
	Threads  int                 `json:"threads"`
	Backbone benchInferenceModel `json:"backbone"`
	Exported benchInferenceModel `json:"exported"`
	// FLOPRatio is the exported model's FLOPs per row over the backbone's; OverheadBeyondFLOPs is how
	// much slower the exported model runs than that ratio explains (0.05 = 5 %).
	FLOPRatio           float64 `json:"flop_ratio"`
	OverheadBeyondFLOPs float64 `json:"ort_overhead_beyond_flops"`
	CLIOverhead         float64 `json:"predict_cli_overhead_beyond_flops"`
}

type benchBigModel struct {
	File       string    `json:"file"`
	Bytes      int64     `json:"bytes"`
	Params     int64     `json:"params"`
	Generate   float64   `json:"generate_s"`
	Import     benchProc `json:"inspect"`          // fairbinn inspect: import only
	ImportExp  benchProc `json:"insert"`           // fairbinn insert: import, insert a layer, export
	OutBytes   int64     `json:"insert_out_bytes"` // the exported file
	RSSOverMod float64   `json:"insert_rss_over_model"`
}

func (c *benchCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	if c.exec != "" {
		return benchExec(ctx, c.exec)
	}
	if c.epochs < 2 || c.repeat < 1 || c.threads < 1 || c.rows < 1 || c.batch < 1 || c.modelMB < 0 {
		return badInputf("want --epochs ≥ 2, --repeat, --threads, --rows, --batch ≥ 1 and --model-mb ≥ 0")
	}
	t0 := time.Now()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	root, err := findRepoRoot()
	if err != nil {
		return err
	}
	if c.backbone == "" {
		c.backbone = filepath.Join(root, demoBackbone)
	}
	if c.data == "" {
		c.data = "adult:" + filepath.Join(root, demoData)
		if shared := filepath.Join(root, "..", "shared", "data", "adult"); fileExists(filepath.Join(shared, "adult.data")) {
			c.data = "adult:" + shared
		}
	}
	if c.peer == "" {
		c.peer = filepath.Join(root, "..", "shared", "bench", "torch_fairbinn.py")
	}
	if err := os.MkdirAll(c.outDir, 0o755); err != nil {
		return err
	}
	rep := &benchReport{Command: "fairbinn " + strings.Join(os.Args[1:], " "), Started: t0.UTC().Format(time.RFC3339)}
	if len(os.Args) < 2 || os.Args[1] != "bench" {
		rep.Command = "fairbinn bench" // run in-process (tests)
	}
	rep.Machine = machineInfo(c.threads)
	progress := func(format string, a ...any) {
		if !env.json {
			fmt.Fprintf(env.stderr, "bench: "+format+"\n", a...)
		}
	}

	progress("GEMM rates at the training shapes")
	rep.GEMM = measureGEMM()

	// Training: the peer, then fairbinn, per method and repeat, one process at a time.
	peerDir, peerOK := c.peerData()
	if c.peer == "none" {
		rep.Notes = append(rep.Notes, "PyTorch peer skipped (--peer none)")
	} else if !fileExists(c.peer) {
		rep.Notes = append(rep.Notes, fmt.Sprintf("PyTorch peer %s not found: skipped", c.peer))
	} else if !peerOK {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the PyTorch peer needs uncompressed adult.data and adult.test; %s has none: skipped", c.data))
	}
	runPeer := c.peer != "none" && fileExists(c.peer) && peerOK
	rep.Workload = []string{"GOMAXPROCS=" + strconv.Itoa(c.threads) + " fairbinn " + strings.Join(c.trainArgs("METHOD", filepath.Join(c.outDir, "adult_fair_METHOD.onnx")), " ")}
	if runPeer {
		rep.Workload = append(rep.Workload, c.python+" "+strings.Join(c.peerArgs("METHOD", peerDir, c.threads), " "))
		if c.threads != 1 {
			rep.Workload = append(rep.Workload, c.python+" "+strings.Join(c.peerArgs("METHOD", peerDir, 1), " ")+"   (control)")
		}
	}
	exported := ""
	for _, method := range splitList(c.methods) {
		tb := benchTraining{Method: method}
		for r := range c.repeat {
			var run benchTrainRun
			if runPeer {
				progress("%s, run %d/%d: PyTorch peer", method, r+1, c.repeat)
				side, torchVer, err := c.runPeer(ctx, method, peerDir)
				if err != nil {
					return err
				}
				run.PyTorch, rep.Machine.Torch = &side, torchVer
				if c.threads != 1 {
					progress("%s, run %d/%d: PyTorch peer, 1 thread", method, r+1, c.repeat)
					side1, _, err := c.runPeerThreads(ctx, method, peerDir, 1)
					if err != nil {
						return err
					}
					run.PyTorch1 = &side1
				}
			}
			progress("%s, run %d/%d: fairbinn train", method, r+1, c.repeat)
			out := filepath.Join(c.outDir, "adult_fair_"+method+".onnx")
			side, err := c.runTrain(ctx, exe, method, out)
			if err != nil {
				return err
			}
			run.Fairbinn = side
			tb.Runs = append(tb.Runs, run)
			if exported == "" {
				exported = out
			}
		}
		summarizeTraining(&tb, rep.GEMM.FloorGFLOPs, c.epochFLOPs())
		rep.Training = append(rep.Training, tb)
	}

	if exported != "" {
		progress("inference: %d rows through the backbone and %s", c.rows, exported)
		inf, err := c.inference(ctx, exe, exported)
		if err != nil {
			return err
		}
		rep.Inference = inf
	}
	if c.modelMB > 0 {
		progress("import and export of a generated %d MB MLP", c.modelMB)
		big, err := c.bigModel(ctx, exe)
		if err != nil {
			return err
		}
		rep.BigModel = big
	}
	rep.Machine.LoadEnd = loadAvg()
	rep.Seconds = time.Since(t0).Seconds()

	md := benchMarkdown(rep)
	if err := writeJSONFile(filepath.Join(c.outDir, "bench.json"), rep); err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(c.outDir, "bench.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, rep)
	}
	fmt.Fprint(env.stdout, md)
	return nil
}

// peerData returns the Adult folder for the peer, which reads the uncompressed files.
func (c *benchCmd) peerData() (string, bool) {
	kind, dir, _ := strings.Cut(c.data, ":")
	if kind != "adult" {
		return "", false
	}
	return dir, fileExists(filepath.Join(dir, "adult.data")) && fileExists(filepath.Join(dir, "adult.test"))
}

func (c *benchCmd) runPeer(ctx context.Context, method, dataDir string) (benchSide, string, error) {
	return c.runPeerThreads(ctx, method, dataDir, c.threads)
}

func (c *benchCmd) runPeerThreads(ctx context.Context, method, dataDir string, threads int) (benchSide, string, error) {
	load := loadAvg()[0]
	p, out, err := runChild(ctx, nil, c.python, c.peerArgs(method, dataDir, threads)...)
	if err != nil {
		return benchSide{}, "", err
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
		return benchSide{}, "", fmt.Errorf("PyTorch peer: %w in %q", err, lines[len(lines)-1])
	}
	return benchSide{benchProc: p, EpochS: res.EpochS, TrainRows: res.TrainRows, TestAcc: res.Acc, TestDP: res.DP, LoadAvg: load}, res.Torch, nil
}

// peerTraining is the peer's configuration (torch_fairbinn.py's defaults), which fairbinn train is given
// explicitly so that both sides do the same work: η 1000, Adam at 1e-3 (leader) and 1e-5 (follower), no
// decay, one fairness layer, the last epoch kept.
var peerTraining = []string{"--eta", "1000", "--acc-lr", "0.001", "--fair-lr", "1e-05", "--acc-opt", "adam", "--fair-opt", "adam",
	"--acc-decay", "1", "--fair-decay", "1", "--decay-every", "0", "--train-leader", "all", "--fair-layers", "1", "--select", "last"}

func (c *benchCmd) trainArgs(method, out string) []string {
	return append([]string{"train", "--backbone", c.backbone, "--data", c.data, "--position", c.position, "--out", out,
		"--method", method, "--epochs", strconv.Itoa(c.epochs), "--batch", strconv.Itoa(c.batch),
		"--seed", "1", "--threads", strconv.Itoa(c.threads), "--quiet", "--json"}, peerTraining...)
}

func (c *benchCmd) peerArgs(method, dataDir string, threads int) []string {
	return []string{c.peer, "--data", dataDir, "--epochs", strconv.Itoa(c.epochs),
		"--threads", strconv.Itoa(threads), "--variant", method, "--batch", strconv.Itoa(c.batch)}
}

func (c *benchCmd) runTrain(ctx context.Context, exe, method, out string) (benchSide, error) {
	load := loadAvg()[0]
	p, stdout, err := runChild(ctx, []string{"GOMAXPROCS=" + strconv.Itoa(c.threads)}, exe, c.trainArgs(method, out)...)
	if err != nil {
		return benchSide{}, err
	}
	var res struct {
		History []train.Epoch `json:"history"`
		Data    dataReport    `json:"data"`
		After   splitMetrics  `json:"selected_metrics"`
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		return benchSide{}, fmt.Errorf("fairbinn train: %w", err)
	}
	side := benchSide{benchProc: p, TestAcc: res.After.Test.Accuracy, TestDP: res.After.Test.DP, LoadAvg: load}
	for _, e := range res.History {
		side.Epochs = append(side.Epochs, e.Seconds)
	}
	// As the peer does: the median over the epochs after the first.
	side.EpochS = median(side.Epochs[1:])
	side.TrainRows = res.Data.Rows["train"] - res.Data.DroppedRow
	return side, nil
}

// epochFLOPs returns the nominal FLOPs of training one row for one epoch (a leader and a follower pass,
// each a forward and a full backward pass) and of one forward pass, from the backbone with its fairness
// layer inserted.
func (c *benchCmd) epochFLOPs() float64 {
	g, err := importer.ReadFile(c.backbone, importer.Options{})
	if err != nil {
		return 0
	}
	if _, err := insertAt(g, c.backbone, c.position, insert.InsertOptions{Layers: 1}); err != nil {
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

func summarizeTraining(tb *benchTraining, floor, flopsPerRow float64) {
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

// inference times the backbone and the exported model on the same random rows: the predict command
// (a child process, so start-up, model load and file I/O included), an onnxruntime session in this
// process, and the Go forward pass. The two models alternate, round after round, and each reports its
// median round, so that a burst of other work on the machine does not land on one model only.
func (c *benchCmd) inference(ctx context.Context, exe, exported string) (*benchInference, error) {
	paths := []string{c.backbone, exported}
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
	x := make([]float32, c.rows*width)
	for i := range x {
		x[i] = rng.Float32()
	}
	input := filepath.Join(c.outDir, fmt.Sprintf("rows_%d.npy", c.rows))
	if err := npy.Write(input, tensor.Tensor{Shape: []int64{int64(c.rows), int64(width)}, Data: x}); err != nil {
		return nil, err
	}
	defer os.Remove(input)
	const batch = 1024 // predict's default
	inf := &benchInference{Rows: c.rows, Batch: batch, Threads: c.threads}
	res := []*benchInferenceModel{&inf.Backbone, &inf.Exported}
	for i, r := range res {
		r.Model, r.FLOPsPerRow = paths[i], forwardFLOPs(graphs[i])
	}
	pred := filepath.Join(c.outDir, "pred.npy")
	defer os.Remove(pred)
	rowsPerS := func(secs float64) float64 { return float64(c.rows) / secs }
	// medianProc is the run of median wall time.
	medianProc := func(ps []benchProc) benchProc {
		slices.SortFunc(ps, func(a, b benchProc) int { return cmp.Compare(a.Wall, b.Wall) })
		return ps[len(ps)/2]
	}
	const cliRounds, rounds = 3, 5
	cli := make([]map[string][]benchProc, len(paths))
	for range cliRounds {
		for i := range res {
			if cli[i] == nil {
				cli[i] = map[string][]benchProc{}
			}
			for _, rt := range []string{runtimeORT, runtimeGo} {
				p, _, err := runChild(ctx, []string{"GOMAXPROCS=" + strconv.Itoa(c.threads)}, exe, "predict", "--runtime", rt,
					"--model", paths[i], "--input", input, "--output", pred, "--threads", strconv.Itoa(c.threads), "--batch", strconv.Itoa(batch))
				if err != nil {
					return nil, err
				}
				cli[i][rt] = append(cli[i][rt], p)
			}
		}
	}
	for i, r := range res {
		r.CLI, r.GoCLI = medianProc(cli[i][runtimeORT]), medianProc(cli[i][runtimeGo])
		r.CLIRowsPerS, r.GoCLIRowsPer = rowsPerS(r.CLI.Wall), rowsPerS(r.GoCLI.Wall)
	}

	// In this process.
	in := tensor.Tensor{Shape: []int64{int64(c.rows), int64(width)}, Data: x}
	arr := tensor.Tensor{Shape: in.Shape, Data: x}
	sessions := make([]*ort.Session, len(paths))
	for i, p := range paths {
		s, err := ort.OpenFile(p, ort.Options{Threads: c.threads})
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
			secs, err := timed(func() error { _, err := lower.Forward(g, arr, train.EvalBatch); return err })
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

// bigModel generates an MLP of about --model-mb MB (five square Gemm+Relu layers and a Sigmoid output)
// and times importing it (inspect) and importing, inserting a fairness layer and exporting it (insert),
// each as a child process.
func (c *benchCmd) bigModel(ctx context.Context, exe string) (*benchBigModel, error) {
	const layers = 5
	width := int(math.Round(math.Sqrt(float64(c.modelMB) * 1e6 / 4 / layers)))
	t := time.Now()
	g := generateMLP(width, layers)
	path := filepath.Join(c.outDir, fmt.Sprintf("mlp_%dmb.onnx", c.modelMB))
	if err := exporter.WriteFile(path, g); err != nil {
		return nil, err
	}
	defer os.Remove(path) // regenerated by every run
	big := &benchBigModel{File: path, Generate: time.Since(t).Seconds()}
	for _, init := range g.Initializers {
		big.Params += int64(len(init.Float))
	}
	g = nil
	goruntime.GC()
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	big.Bytes = st.Size()
	// Each child twice; the faster run counts (the first may read the file from disk).
	best := func(args ...string) (benchProc, error) {
		var b benchProc
		for range 2 {
			p, _, err := runChild(ctx, []string{"GOMAXPROCS=" + strconv.Itoa(c.threads)}, exe, args...)
			if err != nil {
				return b, err
			}
			if b.Wall == 0 || p.Wall < b.Wall {
				b = p
			}
		}
		return b, nil
	}
	if big.Import, err = best("inspect", path, "--json"); err != nil {
		return nil, err
	}
	out := filepath.Join(c.outDir, fmt.Sprintf("mlp_%dmb_fair.onnx", c.modelMB))
	if big.ImportExp, err = best("insert", "--backbone", path, "--position", "1", "--out", out, "--json"); err != nil {
		return nil, err
	}
	if st, err := os.Stat(out); err == nil {
		big.OutBytes = st.Size()
	}
	big.RSSOverMod = big.ImportExp.PeakRSSMB * (1 << 20) / float64(big.Bytes)
	os.Remove(out)
	return big, nil
}

// generateMLP builds x[batch, width] → (Gemm+Relu)×layers → Gemm → Sigmoid with seeded random weights.
func generateMLP(width, layers int) *ir.Graph {
	rng := rand.New(rand.NewPCG(3, 4))
	g := &ir.Graph{
		Name: "mlp", Opset: 17, IRVersion: 8, Producer: "fairbinn bench",
		Inputs:       []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(int64(width))}}},
		Outputs:      []*ir.Value{{Name: "prob", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(1)}}},
		Initializers: map[string]*ir.Tensor{},
	}
	in := "x"
	bound := float32(1 / math.Sqrt(float64(width)))
	for i := range layers + 1 {
		out := width
		if i == layers {
			out = 1
		}
		w := &ir.Tensor{Name: fmt.Sprintf("fc%d.weight", i), DType: ir.Float32, Dims: []int64{int64(out), int64(width)}, Float: make([]float32, out*width)}
		b := &ir.Tensor{Name: fmt.Sprintf("fc%d.bias", i), DType: ir.Float32, Dims: []int64{int64(out)}, Float: make([]float32, out)}
		for j := range w.Float {
			w.Float[j] = (2*rng.Float32() - 1) * bound
		}
		g.Initializers[w.Name], g.Initializers[b.Name] = w, b
		g.InitOrder = append(g.InitOrder, w.Name, b.Name)
		lin, act, op := fmt.Sprintf("fc%d", i), fmt.Sprintf("act%d", i), "Relu"
		if i == layers {
			act, op = "prob", "Sigmoid"
		}
		g.Nodes = append(g.Nodes,
			&ir.Node{Name: lin, OpType: "Gemm", Inputs: []string{in, w.Name, b.Name}, Outputs: []string{lin},
				Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}},
			&ir.Node{Name: act, OpType: op, Inputs: []string{lin}, Outputs: []string{act}, Attrs: map[string]ir.Attr{}})
		in = act
	}
	return g
}

// measureGEMM times Sgemm at the shapes of one training step (batch 100, 101 units): gonum's pure Go,
// and this build's BLAS with one and two threads.
func measureGEMM() benchGEMM {
	shapes := []struct {
		name    string
		tA, tB  gblas.Transpose
		m, n, k int
		step    bool
	}{
		{"forward X·Wᵀ 100×101×101", gblas.NoTrans, gblas.Trans, 100, 101, 101, true},
		{"weight gradient dYᵀ·X 101×101×100", gblas.Trans, gblas.NoTrans, 101, 101, 100, true},
		{"input gradient dY·W 100×101×101", gblas.NoTrans, gblas.NoTrans, 100, 101, 101, true},
		{"evaluation X·Wᵀ 2048×101×101", gblas.NoTrans, gblas.Trans, 2048, 101, 101, false},
	}
	rate := func(impl gblas.Float32, tA, tB gblas.Transpose, m, n, k int) float64 {
		rng := rand.New(rand.NewPCG(5, 6))
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range a {
			a[i] = rng.Float32()
		}
		for i := range b {
			b[i] = rng.Float32()
		}
		lda, ldb := k, n
		if tA != gblas.NoTrans {
			lda = m
		}
		if tB != gblas.NoTrans {
			ldb = k
		}
		impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
		best := 0.0
		for range 3 { // the best of three 0.1 s rounds
			calls, t := 0, time.Now()
			for time.Since(t) < 100*time.Millisecond {
				impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
				calls++
			}
			best = max(best, 2*float64(m*n*k)*float64(calls)/time.Since(t).Seconds()/1e9)
		}
		return best
	}
	var out benchGEMM
	saved := blas.Threads()
	defer blas.SetThreads(saved)
	var floor1, floor2, floorGonum float64
	for _, s := range shapes {
		r := benchGEMMShape{Name: s.name, M: s.m, N: s.n, K: s.k, Backend: blas.Backend(), TrainStep: s.step}
		r.Gonum = rate(gonum.Implementation{}, s.tA, s.tB, s.m, s.n, s.k)
		blas.SetThreads(1)
		r.BLAS1 = rate(blas.Default, s.tA, s.tB, s.m, s.n, s.k)
		if blas.Backend() != "gonum" {
			blas.SetThreads(2)
			r.BLAS2 = rate(blas.Default, s.tA, s.tB, s.m, s.n, s.k)
		}
		if s.step {
			floor1, floor2, floorGonum = floor1+r.BLAS1/3, floor2+r.BLAS2/3, floorGonum+r.Gonum/3
		}
		out.Shapes = append(out.Shapes, r)
	}
	out.FloorGFLOPs = max(floor1, floor2, floorGonum)
	return out
}

// runChild runs a program to completion and returns its wall time, its peak RSS and its stdout.
//
// The program runs under `fairbinn bench --exec`, a small process that starts it and reports what
// wait4 says. Started directly from this process, a child's peak RSS would be at least this process's
// own: Go starts programs with vfork, and Linux carries the high-water mark of the memory the child
// shared with its parent over the exec into the child's maxrss.
func runChild(ctx context.Context, env []string, name string, args ...string) (benchProc, []byte, error) {
	self, err := os.Executable()
	if err != nil {
		return benchProc{}, nil, err
	}
	return runChildWith(ctx, self, env, name, args...)
}

// runChildWith is runChild with the fairbinn executable given.
func runChildWith(ctx context.Context, self string, env []string, name string, args ...string) (benchProc, []byte, error) {
	argv, _ := json.Marshal(append([]string{name}, args...))
	cmd := exec.CommandContext(ctx, self, "bench", "--exec", string(argv))
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r, w, err := os.Pipe()
	if err != nil {
		return benchProc{}, nil, err
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return benchProc{}, nil, err
	}
	report, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		return benchProc{}, nil, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, msg)
	}
	var p benchProc
	if err := json.Unmarshal(report, &p); err != nil {
		return p, nil, fmt.Errorf("bench --exec: %w", err)
	}
	return p, stdout.Bytes(), nil
}

// benchExec is `fairbinn bench --exec ARGV`: it runs the command with this process's standard streams
// and writes {"wall_s", "peak_rss_mb"} on file descriptor 3. A failing command's exit code is passed on.
func benchExec(ctx context.Context, argv string) error {
	var args []string
	if err := json.Unmarshal([]byte(argv), &args); err != nil || len(args) == 0 {
		return badInputf("--exec %q: want a JSON array of strings", argv)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	t := time.Now()
	err := cmd.Run()
	p := benchProc{Wall: time.Since(t).Seconds()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &exitError{ee.ExitCode(), fmt.Sprintf("%s exited with %d", args[0], ee.ExitCode())}
	}
	if err != nil {
		return err
	}
	p.PeakRSSMB = peakRSSMB(cmd.ProcessState)
	out := os.NewFile(3, "report")
	if out == nil {
		return fmt.Errorf("--exec: no file descriptor 3 to report on")
	}
	defer out.Close()
	return json.NewEncoder(out).Encode(p)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func loadAvg() [3]float64 {
	var l [3]float64
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	for i, f := range strings.Fields(string(raw)) {
		if i < 3 {
			l[i], _ = strconv.ParseFloat(f, 64)
		}
	}
	return l
}

func machineInfo(threads int) benchMachine {
	m := benchMachine{
		Cores: goruntime.NumCPU(), OS: goruntime.GOOS + "/" + goruntime.GOARCH, Go: goruntime.Version(),
		BLAS: blas.Backend(), BLASThreads: blas.Threads(), Threads: threads, LoadStart: loadAvg(),
	}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				m.MemoryMB = math.Round(kb / 1024)
			}
		}
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += " (Linux " + strings.TrimSpace(string(raw)) + ")"
	}
	return m
}

// benchMarkdown renders the report as the tables of bench.md.
func benchMarkdown(r *benchReport) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	m := r.Machine
	w("# fairbinn speed benchmark\n\n")
	w("Command: `%s` (started %s, %.0f s)\n\n", r.Command, r.Started, r.Seconds)
	w("Machine: %s, %d cores, %.0f MB, %s, %s; BLAS %s (%d thread); %d threads for both sides", m.CPU, m.Cores, m.MemoryMB, m.OS, m.Go, m.BLAS, m.BLASThreads, m.Threads)
	if m.Torch != "" {
		w("; PyTorch %s", m.Torch)
	}
	w(".\nLoad average (1, 5, 15 min): %.2f %.2f %.2f at the start, %.2f %.2f %.2f at the end.\n\n",
		m.LoadStart[0], m.LoadStart[1], m.LoadStart[2], m.LoadEnd[0], m.LoadEnd[1], m.LoadEnd[2])
	w("Workload (METHOD is each method in turn):\n\n")
	for _, l := range r.Workload {
		w("    %s\n", l)
	}
	w("\n")
	for _, n := range r.Notes {
		w("- %s\n", n)
	}
	if len(r.Notes) > 0 {
		w("\n")
	}

	w("## Targets\n\n| target | measured | met |\n|---|---|---|\n")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	for _, t := range r.Training {
		if t.RatioPerRow > 0 {
			w("| %s: PyTorch (%d threads) / fairbinn epoch time per row ≥ 4 (≥ 2 the minimum) | %.2f (vs the faster PyTorch configuration: %.2f) | %s |\n",
				t.Method, m.Threads, t.RatioPerRow, t.RatioPerRowBest, yes(t.RatioPerRow >= 4))
		}
	}
	if inf := r.Inference; inf != nil && inf.Exported.ORTRowsPerS > 0 {
		w("| onnxruntime: exported model's slowdown beyond its FLOP ratio (%.3f) ≤ 10 %% | %+.1f %% | %s |\n", inf.FLOPRatio, 100*inf.OverheadBeyondFLOPs, yes(inf.OverheadBeyondFLOPs <= 0.10))
	}
	if big := r.BigModel; big != nil {
		w("| %.0f MB model: import + export < 2 s | %.2f s | %s |\n", float64(big.Bytes)/1e6, big.ImportExp.Wall, yes(big.ImportExp.Wall < 2))
		w("| %.0f MB model: peak RSS < 2 × the model size | %.2f × | %s |\n", float64(big.Bytes)/1e6, big.RSSOverMod, yes(big.RSSOverMod < 2))
	}
	w("\n")

	if len(r.Training) > 0 {
		w("## Training: Adult, 101 → 101 → 101 → [fairness 101] → 101 → 1, batch %d, Adam, leader + follower step per batch\n\n", 100)
		w("| method | fairbinn epoch s (rows) | PyTorch epoch s, %d threads (rows) | PyTorch / fairbinn, epoch | per row | PyTorch 1 thread epoch s | per row vs the faster PyTorch | fairbinn peak RSS MB | PyTorch peak RSS MB | GFLOP/epoch | fairbinn GFLOP/s | of GEMM floor | PyTorch GFLOP/s |\n", m.Threads)
		w("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, t := range r.Training {
			w("| %s | %.3f (%d) | %s | %s | %s | %s | %s | %.0f | %s | %.2f | %.1f | %.0f %% | %s |\n", t.Method,
				t.FairbinnEpochS, t.FairbinnRows, orDash(t.PyTorchEpochS, fmt.Sprintf("%.3f (%d)", t.PyTorchEpochS, t.PyTorchRows)),
				orDash(t.RatioEpoch, fmt.Sprintf("%.2f", t.RatioEpoch)), orDash(t.RatioPerRow, fmt.Sprintf("**%.2f**", t.RatioPerRow)),
				orDash(t.PyTorch1EpochS, fmt.Sprintf("%.3f", t.PyTorch1EpochS)), orDash(t.RatioPerRowBest, fmt.Sprintf("**%.2f**", t.RatioPerRowBest)),
				t.FairbinnRSSMB, orDash(t.PyTorchRSSMB, fmt.Sprintf("%.0f", t.PyTorchRSSMB)), t.GFLOPEpoch, t.GFLOPs, 100*t.FloorFraction,
				orDash(t.PyTorchGFLOPs, fmt.Sprintf("%.1f", t.PyTorchGFLOPs)))
		}
		w("\nEpoch times are medians over the epochs after the first (the peer's rule), then over the runs. fairbinn's epoch trains on the training split less the validation split (and the last partial batch); the peer's on all training rows, so the per-row ratio is the one that compares equal work. The one-thread peer is a control: when other work holds a core, torch's two threads wait for each other and one thread runs faster. The GFLOP are nominal: a forward and a full backward pass (6 · in · out per row and layer) for the leader and again for the follower; fairbinn skips the gradients no step uses, so it executes fewer.\n\n")
		w("| method | run | fairbinn epochs s | fairbinn test acc / DP | PyTorch test acc / DP | PyTorch epoch s, %d threads / 1 thread | load before (fairbinn, PyTorch) |\n|---|---|---|---|---|---|---|\n", m.Threads)
		for _, t := range r.Training {
			for i, run := range t.Runs {
				f, p := run.Fairbinn, run.PyTorch
				eps := make([]string, len(f.Epochs))
				for j, e := range f.Epochs {
					eps[j] = fmt.Sprintf("%.3f", e)
				}
				peer, peerLoad, peerS := "–", "–", "–"
				if p != nil {
					peer, peerLoad, peerS = fmt.Sprintf("%.4f / %.4f", p.TestAcc, p.TestDP), fmt.Sprintf("%.2f", p.LoadAvg), fmt.Sprintf("%.3f", p.EpochS)
				}
				if run.PyTorch1 != nil {
					peerS += fmt.Sprintf(" / %.3f", run.PyTorch1.EpochS)
				}
				w("| %s | %d | %s | %.4f / %.4f | %s | %s | %.2f, %s |\n", t.Method, i+1, strings.Join(eps, " "), f.TestAcc, f.TestDP, peer, peerS, f.LoadAvg, peerLoad)
			}
		}
		w("\n")
	}

	w("## GEMM at the training shapes (float32, GFLOP/s, best of three 0.1 s rounds)\n\n| shape | gonum (pure Go) | %s, 1 thread | %s, 2 threads |\n|---|---|---|---|\n", m.BLAS, m.BLAS)
	for _, s := range r.GEMM.Shapes {
		w("| %s | %.1f | %.1f | %s |\n", s.Name, s.Gonum, s.BLAS1, orDash(s.BLAS2, fmt.Sprintf("%.1f", s.BLAS2)))
	}
	w("\nFloor (best mean rate over the three training-step shapes): %.1f GFLOP/s.\n\n", r.GEMM.FloorGFLOPs)

	if inf := r.Inference; inf != nil {
		w("## Inference: %d random rows, batch %d, %d threads; the two models alternate, median of 3 rounds (commands) or 5 (in process)\n\n", inf.Rows, inf.Batch, inf.Threads)
		w("| model | FLOPs/row | `predict --runtime ort` rows/s (wall s, peak RSS MB) | ORT session rows/s | `predict --runtime go` rows/s | Go forward rows/s |\n|---|---|---|---|---|---|\n")
		for _, x := range []struct {
			name string
			v    benchInferenceModel
		}{{"backbone", inf.Backbone}, {"exported (fairness layer)", inf.Exported}} {
			w("| %s | %.0f | %.0f (%.3f, %.0f) | %s | %.0f | %.0f |\n", x.name, x.v.FLOPsPerRow, x.v.CLIRowsPerS, x.v.CLI.Wall, x.v.CLI.PeakRSSMB,
				orDash(x.v.ORTRowsPerS, fmt.Sprintf("%.0f", x.v.ORTRowsPerS)), x.v.GoCLIRowsPer, x.v.GoRowsPerS)
		}
		w("\nFLOP ratio exported / backbone: %.3f. Slowdown beyond it: ORT session %+.1f %%, predict command %+.1f %% (target ≤ 10 %%).\n\n",
			inf.FLOPRatio, 100*inf.OverheadBeyondFLOPs, 100*inf.CLIOverhead)
	}
	if big := r.BigModel; big != nil {
		w("## Import and export of a generated %.0f MB MLP (%d parameters)\n\n", float64(big.Bytes)/1e6, big.Params)
		w("The faster of two runs of each command.\n\n| step | wall s | peak RSS MB | peak RSS / model size |\n|---|---|---|---|\n")
		w("| `fairbinn inspect` (import) | %.2f | %.0f | %.2f |\n", big.Import.Wall, big.Import.PeakRSSMB, big.Import.PeakRSSMB*(1<<20)/float64(big.Bytes))
		w("| `fairbinn insert` (import, insert, export %.0f MB) | %.2f | %.0f | %.2f |\n", float64(big.OutBytes)/1e6, big.ImportExp.Wall, big.ImportExp.PeakRSSMB, big.RSSOverMod)
		w("\n")
	}
	w("Kernel benchmarks (same-run references): `go test -run '^$' -bench . ./internal/blas ./lower ./train`.\n")
	return b.String()
}

func orDash(v float64, s string) string {
	if v == 0 {
		return "–"
	}
	return s
}
