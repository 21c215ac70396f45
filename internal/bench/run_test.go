package bench

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairbinn/fairbinn-go/internal/testkit"
)

// buildFairbinn builds the fairbinn command into a temporary folder and returns its path.
func buildFairbinn(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		testkit.Unavailable(t, "no go command to build fairbinn: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "fairbinn")
	cmd := exec.CommandContext(t.Context(), gobin, "build", "-o", exe, "github.com/fairbinn/fairbinn-go/cmd/fairbinn")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build fairbinn: %v\n%s", err, out)
	}
	return exe
}

// The benchmark end to end in a tiny configuration, against a fairbinn built for the test: one epoch of
// each method, on the whole graph and with the prefix frozen, no peer, 1000 inference rows, a 1 MB
// generated model.
func TestRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short: builds fairbinn and trains on Adult")
	}
	testkit.RequireORT(t) // fairbinn train checks its export in onnxruntime
	defer func(d time.Duration) { gemmRound = d }(gemmRound)
	gemmRound = 5 * time.Millisecond
	o := DefaultOptions()
	o.OutDir, o.Fairbinn = t.TempDir(), buildFairbinn(t)
	o.Epochs, o.Repeat, o.Peer, o.Rows, o.ModelMB = 1, 1, "none", 1000, 1
	o.Progress = testLog{t}
	rep, err := Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Training) != len(o.Methods) {
		t.Fatalf("%d training results for methods %v", len(rep.Training), o.Methods)
	}
	for _, tb := range rep.Training {
		f := tb.Runs[0].Fairbinn
		if len(tb.Runs) != 1 || f.Wall <= 0 || f.PeakRSSMB <= 0 || len(f.Epochs) != 1 || tb.FairbinnEpochS.Median <= 0 ||
			tb.FairbinnRows <= 0 || tb.GFLOPs.Median <= 0 || tb.FloorFraction.Median <= 0 || tb.FairbinnTestAcc <= 0.5 || tb.Runs[0].PyTorch != nil {
			t.Errorf("%s: %+v", tb.Method, tb)
		}
		if z := tb.Frozen; z == nil || z.EpochS.Median <= 0 || z.Speedup.Median <= 0 || z.GFLOPEpoch <= 0 || z.GFLOPEpoch >= tb.GFLOPEpoch || z.PrefixS.Median <= 0 {
			t.Errorf("%s: frozen prefix %+v", tb.Method, tb.Frozen)
		}
	}
	inf := rep.Inference
	if inf == nil || inf.Rows != 1000 || inf.Backbone.CLIRowsPerS <= 0 || inf.Exported.GoCLIRowsPer <= 0 ||
		inf.Backbone.ORTRowsPerS <= 0 || inf.Exported.GoRowsPerS <= 0 || inf.FLOPRatio <= 1 {
		t.Errorf("inference: %+v", inf)
	}
	if big := rep.BigModel; big == nil || big.Bytes < 900_000 || big.Import.Wall <= 0 || big.OutBytes <= big.Bytes {
		t.Errorf("big model: %+v", big)
	}
	if len(rep.GEMM.Shapes) != 4 || rep.GEMM.FloorGFLOPs <= 0 {
		t.Errorf("GEMM: %+v", rep.GEMM)
	}
	raw, err := os.ReadFile(filepath.Join(o.OutDir, "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(raw, &back); err != nil || len(back.Training) != len(rep.Training) {
		t.Errorf("bench.json: %v, %d training results", err, len(back.Training))
	}
	md, err := os.ReadFile(filepath.Join(o.OutDir, "bench.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Training", "### Frozen prefix", "## Inference", "PyTorch peer skipped", "## Import and export"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("bench.md lacks %q", want)
		}
	}
}

// testLog is an io.Writer onto the test log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
