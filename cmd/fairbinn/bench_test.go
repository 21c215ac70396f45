package main

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
)

// The per-row ratio compares equal work: each side's epoch time over the rows it trains on.
func TestBenchSummary(t *testing.T) {
	tb := benchTraining{Method: "bilevel", Runs: []benchTrainRun{
		{Fairbinn: benchSide{EpochS: 0.5, TrainRows: 24000}, PyTorch: &benchSide{EpochS: 4, TrainRows: 30000}, PyTorch1: &benchSide{EpochS: 2, TrainRows: 30000}},
		{Fairbinn: benchSide{EpochS: 0.7, TrainRows: 24000}, PyTorch: &benchSide{EpochS: 6, TrainRows: 30000}, PyTorch1: &benchSide{EpochS: 1, TrainRows: 30000}},
		{Fairbinn: benchSide{EpochS: 0.6, TrainRows: 24000}, PyTorch: &benchSide{EpochS: 5, TrainRows: 30000}, PyTorch1: &benchSide{EpochS: 1.5, TrainRows: 30000}},
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
	md := benchMarkdown(&benchReport{Command: "fairbinn bench", Training: []benchTraining{tb}})
	for _, want := range []string{"| bilevel | 0.600 (24000) | 5.000 (30000) |", "**6.67**", "**2.00**"} {
		if !strings.Contains(md, want) {
			t.Errorf("bench.md lacks %q:\n%s", want, md)
		}
	}
}

// TestMain lets the test binary stand in for the fairbinn executable when FAIRBINN_TEST_RUN_CLI=1, so
// that tests can start the CLI as a child process without building it.
func TestMain(m *testing.M) {
	if os.Getenv("FAIRBINN_TEST_RUN_CLI") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// bench --exec runs a command and reports its wall time and peak RSS on file descriptor 3; runChild
// starts every timed step through it and passes a failure on with the command's last stderr line.
func TestBenchRunChild(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"FAIRBINN_TEST_RUN_CLI=1"}
	p, out, err := runChildWith(t.Context(), self, env, "/bin/sh", "-c", "echo hello")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != "hello" || p.Wall <= 0 || p.PeakRSSMB <= 0 {
		t.Errorf("got %+v and %q", p, out)
	}
	if _, _, err := runChildWith(t.Context(), self, env, "/bin/sh", "-c", "echo oops >&2; exit 3"); err == nil || !strings.Contains(err.Error(), "oops") {
		t.Errorf("a failing command gives %v", err)
	}
}
