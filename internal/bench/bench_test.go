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

// Each run's ratio compares equal work (each side's rows over its epoch time) against the faster peer
// configuration of that run; the summary is the median and the range over the runs.
func TestSummary(t *testing.T) {
	fb := func(epoch, rss float64) Side {
		return Side{EpochS: epoch, TrainRows: 24000, Proc: Proc{PeakRSSMB: rss}}
	}
	peer := func(epoch float64) *Side { return &Side{EpochS: epoch, TrainRows: 30000, Proc: Proc{PeakRSSMB: 400}} }
	frozen := func(epoch float64) *Side {
		return &Side{EpochS: epoch, TrainRows: 24000, PrefixS: 0.05, CacheBytes: 18e6}
	}
	tb := Training{Method: "bilevel", Runs: []TrainRun{
		{Fairbinn: fb(0.5, 100), PyTorch: peer(4), PyTorch1: peer(2), Frozen: frozen(0.25)},
		{Fairbinn: fb(0.7, 120), PyTorch: peer(6), PyTorch1: peer(1), Frozen: frozen(0.3)},
		{Fairbinn: fb(0.6, 110), PyTorch: peer(1.2), PyTorch1: peer(1.5), Frozen: frozen(0.2)},
	}}
	summarizeTraining(&tb, 50, 1e6, 0.5e6, 2)
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	// Per run: fairbinn 48000, 34286, 40000 rows/s; the faster peer 15000 (1 thread), 30000 (1 thread),
	// 25000 (2 threads) rows/s.
	near("fairbinn epoch", tb.FairbinnEpochS.Median, 0.6)
	near("ratio median", tb.Ratio.Median, 40000.0/25000)
	near("ratio min", tb.Ratio.Min, 24000/0.7/30000)
	near("ratio max", tb.Ratio.Max, 24000/0.5/15000)
	near("ratio vs 2 threads", tb.RatioThreads.Median, (24000/0.5)/(30000/4.0))
	near("ratio vs 1 thread", tb.Ratio1.Median, (24000/0.6)/(30000/1.5))
	if tb.PeerThreads["1"] != 2 || tb.PeerThreads["2"] != 1 || tb.Ratio.N != 3 {
		t.Errorf("faster peer threads %v over %d runs", tb.PeerThreads, tb.Ratio.N)
	}
	near("GFLOP per epoch", tb.GFLOPEpoch, 24)
	near("floor epoch", tb.FloorEpochS, 24.0/50)
	near("fraction of the floor", tb.FloorFraction.Median, 0.48/0.6)
	near("RSS", tb.FairbinnRSSMB.Median, 110)
	z := tb.Frozen
	if z == nil {
		t.Fatal("no frozen-prefix summary")
	}
	near("frozen speed-up", z.Speedup.Median, 0.7/0.3)
	near("frozen speed-up min", z.Speedup.Min, 0.5/0.25)
	near("frozen GFLOP per epoch", z.GFLOPEpoch, 12)
	near("frozen fraction of the floor", z.FloorFraction.Median, (12.0/50)/0.25)
	md := Markdown(&Report{Command: "fairbinn-bench", Machine: Machine{Threads: 2, BLAS: "openblas"}, Training: []Training{tb}})
	for _, want := range []string{"| bilevel | 0.600 (24000) | 4.000 / 1.500 (30000) |", "**1.60 (1.14–3.20)**", "1 thread: 2, 2 threads: 1", "### Frozen prefix", "**2.33 (2.00–3.00)**"} {
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
