package bench

import "slices"

// Report is the benchmark's result, written to bench.json.
type Report struct {
	Command   string     `json:"command"`
	Workload  []string   `json:"workload"` // the training command lines, one per side (method METHOD)
	Started   string     `json:"started"`
	Seconds   float64    `json:"seconds"`
	Machine   Machine    `json:"machine"`
	GEMM      GEMM       `json:"gemm"`
	Training  []Training `json:"training"`
	Inference *Inference `json:"inference,omitempty"`
	BigModel  *BigModel  `json:"big_model,omitempty"`
	Notes     []string   `json:"notes,omitempty"`
}

// Machine describes where the benchmark ran.
type Machine struct {
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

// GEMM is the in-process Sgemm rate at the training shapes.
type GEMM struct {
	Shapes []GEMMShape `json:"shapes"`
	// FloorGFLOPs is one core's rate of this build's BLAS (OpenBLAS in a cgo build) at the training step's
	// three shapes, their mean: the rate of a training loop made only of these products on one core.
	FloorGFLOPs float64 `json:"floor_gflops"`
}

// GEMMShape is one product shape timed with gonum and with this build's BLAS.
type GEMMShape struct {
	Name      string  `json:"name"`
	M, N, K   int     `json:"-"`
	Gonum     float64 `json:"gonum_gflops"`
	BLAS1     float64 `json:"blas_1thread_gflops"`
	BLAS2     float64 `json:"blas_2threads_gflops,omitempty"`
	Backend   string  `json:"blas"`
	TrainStep bool    `json:"training_shape"`
}

// Proc is one child process: its wall time and peak RSS, as the timing protocol (Exec) reports them.
type Proc struct {
	Wall      float64 `json:"wall_s"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

// Side is one training run of one side (fairbinn or the PyTorch peer).
type Side struct {
	Proc
	EpochS    float64   `json:"epoch_s_median"`
	Epochs    []float64 `json:"epoch_s,omitempty"`
	TrainRows int       `json:"train_rows"` // rows the timed epoch trains on
	TestAcc   float64   `json:"test_accuracy"`
	TestDP    float64   `json:"test_dp"`
	LoadAvg   float64   `json:"loadavg_1m_before"`
	// PrefixS and CacheBytes are the frozen prefix's activations: the seconds onnxruntime took to compute
	// them for every split, and their size (fairbinn with a frozen prefix only).
	PrefixS    float64 `json:"prefix_s,omitempty"`
	CacheBytes int64   `json:"cache_bytes,omitempty"`
}

// RowsPerS is the side's training rate: the rows of its epoch over the epoch's median time.
func (s Side) RowsPerS() float64 {
	if s.EpochS <= 0 {
		return 0
	}
	return float64(s.TrainRows) / s.EpochS
}

// TrainRun is one repeat of a method: the PyTorch peer at Options.Threads and at one thread (when it
// ran), then fairbinn on the whole graph and with the prefix frozen, in that order.
type TrainRun struct {
	PyTorch  *Side `json:"pytorch,omitempty"`
	PyTorch1 *Side `json:"pytorch_1thread,omitempty"`
	Fairbinn Side  `json:"fairbinn"`
	// Frozen is fairbinn train --train-leader after: the prefix before the fairness layer is frozen, its
	// activations computed once in onnxruntime and cached, and only the suffix trained in Go.
	Frozen *Side `json:"fairbinn_frozen_prefix,omitempty"`
}

// peerBest returns the faster of the run's two peer configurations and its thread count.
func (r TrainRun) peerBest(threads int) (*Side, int) {
	switch {
	case r.PyTorch != nil && r.PyTorch1 != nil && r.PyTorch1.EpochS < r.PyTorch.EpochS:
		return r.PyTorch1, 1
	case r.PyTorch != nil:
		return r.PyTorch, threads
	case r.PyTorch1 != nil:
		return r.PyTorch1, 1
	}
	return nil, 0
}

// Stat is a figure over the runs: their median and their range.
type Stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"runs"`
}

// statOf summarizes v; the zero Stat when v is empty.
func statOf(v []float64) Stat {
	if len(v) == 0 {
		return Stat{}
	}
	return Stat{Median: median(v), Min: slices.Min(v), Max: slices.Max(v), N: len(v)}
}

// Training is one method's runs, with the figures derived from each run and summarized over them.
type Training struct {
	Method string     `json:"method"`
	Runs   []TrainRun `json:"runs"`

	FairbinnEpochS Stat `json:"fairbinn_epoch_s"`
	FairbinnRows   int  `json:"fairbinn_rows_per_epoch"`
	FairbinnRSSMB  Stat `json:"fairbinn_peak_rss_mb"`
	// PyTorchEpochS is the peer at Options.Threads, PyTorch1EpochS at one thread; PyTorchBestEpochS the
	// faster of the two in each run.
	PyTorchEpochS     Stat `json:"pytorch_epoch_s,omitzero"`
	PyTorch1EpochS    Stat `json:"pytorch_1thread_epoch_s,omitzero"`
	PyTorchBestEpochS Stat `json:"pytorch_best_epoch_s,omitzero"`
	PyTorchRows       int  `json:"pytorch_rows_per_epoch,omitempty"`
	PyTorchRSSMB      Stat `json:"pytorch_peak_rss_mb,omitzero"`
	// Ratio is fairbinn's training rate over the faster peer configuration's of the same run, in rows
	// per second (each side's epoch over the rows it trains on: fairbinn holds out a validation split,
	// the peer does not, so this compares equal work); RatioThreads and Ratio1 are against the peer at
	// Options.Threads and at one thread.
	Ratio        Stat `json:"ratio_rows_per_s_vs_faster_pytorch,omitzero"`
	RatioThreads Stat `json:"ratio_rows_per_s_vs_pytorch,omitzero"`
	Ratio1       Stat `json:"ratio_rows_per_s_vs_pytorch_1thread,omitzero"`
	// PeerThreads counts, by thread count, the runs in which that peer configuration was the faster.
	PeerThreads map[string]int `json:"pytorch_faster_threads,omitempty"`
	// GFLOPEpoch is the nominal work of fairbinn's epoch: a forward and a full backward pass (two
	// products per layer) for the leader and again for the follower, 6 × 2·in·out per row and layer.
	// FloorEpochS is that work at the GEMM floor (one core's BLAS rate at the step's shapes); FloorFraction
	// is FloorEpochS over each run's epoch.
	GFLOPEpoch    float64 `json:"gflop_per_epoch"`
	GFLOPs        Stat    `json:"gflops"`
	FloorEpochS   float64 `json:"gemm_floor_epoch_s"`
	FloorFraction Stat    `json:"fraction_of_gemm_floor"`
	PyTorchGFLOPs Stat    `json:"pytorch_best_gflops,omitzero"`

	FairbinnTestAcc float64 `json:"fairbinn_test_accuracy"`
	FairbinnTestDP  float64 `json:"fairbinn_test_dp"`

	Frozen *FrozenTraining `json:"frozen_prefix,omitempty"`
}

// FrozenTraining is the method with the prefix frozen (fairbinn train --train-leader after), against
// the whole graph's runs.
type FrozenTraining struct {
	EpochS Stat `json:"epoch_s"`
	Rows   int  `json:"rows_per_epoch"`
	RSSMB  Stat `json:"peak_rss_mb"`
	// PrefixS is the time onnxruntime took to compute the cached activations of every split, CacheMB
	// their size.
	PrefixS Stat    `json:"prefix_s"`
	CacheMB float64 `json:"cache_mb"`
	// Speedup is the frozen run's training rate over the whole graph's of the same run (rows per second);
	// Ratio over the faster peer's, which trains the whole graph: not the same work.
	Speedup Stat `json:"speedup_rows_per_s_vs_whole_graph"`
	Ratio   Stat `json:"ratio_rows_per_s_vs_faster_pytorch,omitzero"`
	// The suffix's nominal work per epoch (its layers' forward and full backward passes, for the leader
	// and the follower), its rate and its fraction of the GEMM floor.
	GFLOPEpoch    float64 `json:"gflop_per_epoch"`
	GFLOPs        Stat    `json:"gflops"`
	FloorEpochS   float64 `json:"gemm_floor_epoch_s"`
	FloorFraction Stat    `json:"fraction_of_gemm_floor"`
	TestAcc       float64 `json:"test_accuracy"`
	TestDP        float64 `json:"test_dp"`
}

// InferenceModel is one model's inference rates.
type InferenceModel struct {
	Model        string  `json:"model"`
	FLOPsPerRow  float64 `json:"flops_per_row"`
	CLI          Proc    `json:"predict_cli"`
	CLIRowsPerS  float64 `json:"predict_cli_rows_per_s"`
	ORTRowsPerS  float64 `json:"ort_session_rows_per_s"`
	GoRowsPerS   float64 `json:"go_forward_rows_per_s"`
	GoCLI        Proc    `json:"predict_go_cli"`
	GoCLIRowsPer float64 `json:"predict_go_cli_rows_per_s"`
}

// Inference compares the backbone with the exported model (the backbone with its fairness layer).
type Inference struct {
	Rows     int            `json:"rows"`
	Batch    int            `json:"batch"`
	Threads  int            `json:"threads"`
	Backbone InferenceModel `json:"backbone"`
	Exported InferenceModel `json:"exported"`
	// FLOPRatio is the exported model's FLOPs per row over the backbone's; OverheadBeyondFLOPs is how
	// much slower the exported model runs than that ratio explains (0.05 = 5 %).
	FLOPRatio           float64 `json:"flop_ratio"`
	OverheadBeyondFLOPs float64 `json:"ort_overhead_beyond_flops"`
	CLIOverhead         float64 `json:"predict_cli_overhead_beyond_flops"`
}

// BigModel is the import and export of a generated MLP of about Options.ModelMB MB.
type BigModel struct {
	File       string  `json:"file"`
	Bytes      int64   `json:"bytes"`
	Params     int64   `json:"params"`
	Generate   float64 `json:"generate_s"`
	Import     Proc    `json:"inspect"`          // fairbinn inspect: import only
	ImportExp  Proc    `json:"insert"`           // fairbinn insert: import, insert a layer, export
	OutBytes   int64   `json:"insert_out_bytes"` // the exported file
	RSSOverMod float64 `json:"insert_rss_over_model"`
}
