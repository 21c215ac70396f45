package bench

import (
	"fmt"
	"strings"
)

// Markdown renders the report as the tables of bench.md.
func Markdown(r *Report) string {
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
			v    InferenceModel
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
