package bench

import (
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestMain lets the test binary serve the timing protocol (it is the default Runner), so that runChild and
// Run can be tested without building fairbinn-bench.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == ExecFlag {
		os.Exit(Exec(context.Background(), os.Args[2], os.Stderr))
	}
	os.Exit(m.Run())
}

// The per-row ratio compares equal work: each side's epoch time over the rows it trains on.
func TestSummary(t *testing.T) {
	tb := Training{Method: "bilevel", Runs: []TrainRun{
		{Fairbinn: Side{EpochS: 0.5, TrainRows: 24000}, PyTorch: &Side{EpochS: 4, TrainRows: 30000}, PyTorch1: &Side{EpochS: 2, TrainRows: 30000}},
		{Fairbinn: Side{EpochS: 0.7, TrainRows: 24000}, PyTorch: &Side{EpochS: 6, TrainRows: 30000}, PyTorch1: &Side{EpochS: 1, TrainRows: 30000}},
		{Fairbinn: Side{EpochS: 0.6, TrainRows: 24000}, PyTorch: &Side{EpochS: 5, TrainRows: 30000}, PyTorch1: &Side{EpochS: 1.5, TrainRows: 30000}},
	}}
	summarizeTraining(&tb, 50, 1e6)
	near := func(what string, got, want float64) {
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	near("fairbinn epoch", tb.FairbinnEpochS, 0.6)
	near("PyTorch epoch", tb.PyTorchEpochS, 5)
	near("epoch ratio", tb.RatioEpoch, 5/0.6)
	near("per-row ratio", tb.RatioPerRow, (5/30000.0)/(0.6/24000))
	near("per-row ratio vs the faster peer", tb.RatioPerRowBest, (1.5/30000.0)/(0.6/24000))
	near("GFLOP per epoch", tb.GFLOPEpoch, 24)
	near("GFLOP/s", tb.GFLOPs, 40)
	near("fraction of the floor", tb.FloorFraction, 0.8)
	md := Markdown(&Report{Command: "fairbinn-bench", Training: []Training{tb}})
	for _, want := range []string{"| bilevel | 0.600 (24000) | 5.000 (30000) |", "**6.67**", "**2.00**"} {
		if !strings.Contains(md, want) {
			t.Errorf("bench.md lacks %q:\n%s", want, md)
		}
	}
}

// The runner (`RUNNER --exec ARGV`) runs a command and reports its wall time and peak RSS on file
// descriptor 3; runChild starts every timed step through it and passes a failure on with the command's
// last stderr line.
func TestRunChild(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p, out, err := runChild(t.Context(), self, nil, "/bin/sh", "-c", "echo hello")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != "hello" || p.Wall <= 0 || (runtime.GOOS == "linux" && p.PeakRSSMB <= 0) {
		t.Errorf("got %+v and %q", p, out)
	}
	// The message is made by the command, so that it is in the error only through its stderr.
	_, _, err = runChild(t.Context(), self, nil, "/bin/sh", "-c", `printf '%s%s\n' oo ps >&2; exit 3`)
	if err == nil || !strings.Contains(err.Error(), "exit status 3: oops") {
		t.Errorf("a failing command gives %v", err)
	}
	if _, _, err := runChild(t.Context(), self, []string{"X=1"}, "/nonexistent/program"); err == nil {
		t.Error("a missing program gives no error")
	}
}

func TestOptionsErrors(t *testing.T) {
	for name, o := range map[string]Options{
		"no epochs":        {Epochs: 0, Repeat: 1, Threads: 1, Batch: 1, Rows: 1},
		"negative size":    {Epochs: 1, Repeat: 1, Threads: 1, Batch: 1, Rows: 1, ModelMB: -1},
		"missing binary":   {Epochs: 1, Repeat: 1, Threads: 1, Batch: 1, Rows: 1, Fairbinn: "/nonexistent/fairbinn"},
		"missing backbone": {Epochs: 1, Repeat: 1, Threads: 1, Batch: 1, Rows: 1, Fairbinn: "/bin/sh", Backbone: "/nonexistent.onnx", Data: "adult:x", Peer: "none"},
	} {
		if _, err := Run(t.Context(), o); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: got %v, want ErrOptions", name, err)
		}
	}
}
