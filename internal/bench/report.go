package bench

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
	// FloorGFLOPs is the best rate at the training step's three shapes (mean over them), any backend and
	// thread count: the rate a training loop made only of these products would reach.
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
}

// TrainRun is one repeat of a method: fairbinn, and the peer when it ran.
type TrainRun struct {
	Fairbinn Side  `json:"fairbinn"`
	PyTorch  *Side `json:"pytorch,omitempty"`
	// PyTorch1 is the peer again with one thread: on a machine where other work holds a core, torch's
	// threads wait for each other and one thread is faster, which the conservative ratio accounts for.
	PyTorch1 *Side `json:"pytorch_1thread,omitempty"`
}

// Training is one method's runs and their medians.
type Training struct {
	Method string     `json:"method"`
	Runs   []TrainRun `json:"runs"`
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
