package bench

import (
	"fmt"
	"maps"
	"slices"
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
		if t.Ratio.N > 0 {
			w("| %s: fairbinn rows/s ÷ the faster PyTorch configuration's (1 or %d threads, each run) ≥ 3 | %s | %s |\n",
				t.Method, m.Threads, statText(t.Ratio, "%.2f"), yes(t.Ratio.Median >= 3))
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
		w("Medians over %d runs, with the range of the runs in brackets. A run is the peer at %d threads and at 1 thread, then fairbinn, one after the other; each ratio is fairbinn's training rate over the peer's in the same run, in rows per second (fairbinn holds out a validation split and the last partial batch, the peer trains on every row, so rows per second compare equal work).\n\n", runsOf(r.Training), m.Threads)
		w("| method | fairbinn epoch s (rows) | PyTorch epoch s, %d threads / 1 thread (rows) | fairbinn ÷ faster PyTorch, rows/s | ÷ PyTorch %d threads | ÷ PyTorch 1 thread | faster PyTorch (runs) | peak RSS MB, fairbinn / PyTorch |\n", m.Threads, m.Threads)
		w("|---|---|---|---|---|---|---|---|\n")
		for _, t := range r.Training {
			w("| %s | %.3f (%d) | %s | %s | %s | %s | %s | %.0f / %s |\n", t.Method,
				t.FairbinnEpochS.Median, t.FairbinnRows,
				orDash(t.PyTorchEpochS.Median, fmt.Sprintf("%.3f / %s (%d)", t.PyTorchEpochS.Median, orDash(t.PyTorch1EpochS.Median, fmt.Sprintf("%.3f", t.PyTorch1EpochS.Median)), t.PyTorchRows)),
				statBold(t.Ratio), statText(t.RatioThreads, "%.2f"), statText(t.Ratio1, "%.2f"), threadsText(t.PeerThreads),
				t.FairbinnRSSMB.Median, orDash(t.PyTorchRSSMB.Median, fmt.Sprintf("%.0f", t.PyTorchRSSMB.Median)))
		}
		w("\nThe GEMM floor is the epoch's nominal work at one core's %s rate at the step's shapes (%.1f GFLOP/s, measured in this run, below): the time an epoch made only of its products would take on one core. The work is nominal: a forward and a full backward pass (6 · in · out per row and layer) for the leader and again for the follower; fairbinn skips the gradients no step uses, so it executes less.\n\n", m.BLAS, r.GEMM.FloorGFLOPs)
		w("| method | GFLOP/epoch | GEMM floor s/epoch | fairbinn GFLOP/s | of the GEMM floor | faster PyTorch GFLOP/s |\n|---|---|---|---|---|---|\n")
		for _, t := range r.Training {
			w("| %s | %.2f | %.3f | %s | %s | %s |\n", t.Method, t.GFLOPEpoch, t.FloorEpochS, statText(t.GFLOPs, "%.1f"), statPct(t.FloorFraction), statText(t.PyTorchGFLOPs, "%.1f"))
		}
		w("\n")
		if hasFrozen(r.Training) {
			w("### Frozen prefix: fairbinn train --train-leader after\n\nThe layers before the fairness layer are frozen: their activations are computed once in onnxruntime and cached, and only the fairness layer and the layers after it train in Go. Against the whole graph's run of the same repeat; the GFLOP are the suffix's.\n\n")
			w("| method | epoch s (rows) | frozen ÷ whole graph, rows/s | ÷ faster PyTorch (whole graph: other work), rows/s | GFLOP/epoch | GFLOP/s | of the GEMM floor | peak RSS MB, frozen / whole | activations: s, MB |\n|---|---|---|---|---|---|---|---|---|\n")
			for _, t := range r.Training {
				if z := t.Frozen; z != nil {
					w("| %s | %.3f (%d) | %s | %s | %.2f | %s | %s | %.0f / %.0f | %.3f, %.1f |\n", t.Method, z.EpochS.Median, z.Rows, statBold(z.Speedup), statText(z.Ratio, "%.2f"),
						z.GFLOPEpoch, statText(z.GFLOPs, "%.1f"), statPct(z.FloorFraction), z.RSSMB.Median, t.FairbinnRSSMB.Median, z.PrefixS.Median, z.CacheMB)
				}
			}
			w("\n")
		}
		w("Epoch times are medians over the epochs after the first (the peer's rule).\n\n")
		w("| method | run | fairbinn epochs s | frozen prefix epochs s | fairbinn test acc / DP | PyTorch test acc / DP | PyTorch epoch s, %d threads / 1 thread | load before (fairbinn, PyTorch) |\n|---|---|---|---|---|---|---|---|\n", m.Threads)
		for _, t := range r.Training {
			for i, run := range t.Runs {
				f, p := run.Fairbinn, run.PyTorch
				peer, peerLoad, peerS := "–", "–", "–"
				if p != nil {
					peer, peerLoad, peerS = fmt.Sprintf("%.4f / %.4f", p.TestAcc, p.TestDP), fmt.Sprintf("%.2f", p.LoadAvg), fmt.Sprintf("%.3f", p.EpochS)
				}
				if run.PyTorch1 != nil {
					peerS += fmt.Sprintf(" / %.3f", run.PyTorch1.EpochS)
				}
				frozen := "–"
				if run.Frozen != nil {
					frozen = epochsText(run.Frozen.Epochs)
				}
				w("| %s | %d | %s | %s | %.4f / %.4f | %s | %s | %.2f, %s |\n", t.Method, i+1, epochsText(f.Epochs), frozen, f.TestAcc, f.TestDP, peer, peerS, f.LoadAvg, peerLoad)
			}
		}
		w("\n")
	}

	w("## GEMM at the training shapes (float32, GFLOP/s, best of three 0.1 s rounds)\n\n| shape | gonum (pure Go) | %s, 1 thread | %s, 2 threads |\n|---|---|---|---|\n", m.BLAS, m.BLAS)
	for _, s := range r.GEMM.Shapes {
		w("| %s | %.1f | %.1f | %s |\n", s.Name, s.Gonum, s.BLAS1, orDash(s.BLAS2, fmt.Sprintf("%.1f", s.BLAS2)))
	}
	w("\nGEMM floor rate (one core of %s, the mean over the three training-step shapes): %.1f GFLOP/s.\n\n", m.BLAS, r.GEMM.FloorGFLOPs)

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

// statText writes a Stat as its median with the range of the runs: "2.31 (2.20–2.45)", or the median
// alone for one run; "–" when there is none.
func statText(s Stat, format string) string {
	if s.N == 0 {
		return "–"
	}
	if s.N == 1 {
		return fmt.Sprintf(format, s.Median)
	}
	return fmt.Sprintf(format+" ("+format+"–"+format+")", s.Median, s.Min, s.Max)
}

func statBold(s Stat) string {
	if s.N == 0 {
		return "–"
	}
	return "**" + statText(s, "%.2f") + "**"
}

func statPct(s Stat) string {
	if s.N == 0 {
		return "–"
	}
	return statText(Stat{Median: 100 * s.Median, Min: 100 * s.Min, Max: 100 * s.Max, N: s.N}, "%.0f") + " %"
}

func epochsText(e []float64) string {
	out := make([]string, len(e))
	for i, v := range e {
		out[i] = fmt.Sprintf("%.3f", v)
	}
	return strings.Join(out, " ")
}

// threadsText lists the runs by the thread count of the faster peer configuration: "1 thread: 3".
func threadsText(by map[string]int) string {
	if len(by) == 0 {
		return "–"
	}
	keys := slices.Sorted(maps.Keys(by))
	out := make([]string, len(keys))
	for i, k := range keys {
		unit := "threads"
		if k == "1" {
			unit = "thread"
		}
		out[i] = fmt.Sprintf("%s %s: %d", k, unit, by[k])
	}
	return strings.Join(out, ", ")
}

func hasFrozen(ts []Training) bool {
	return slices.ContainsFunc(ts, func(t Training) bool { return t.Frozen != nil })
}

func runsOf(ts []Training) int {
	n := 0
	for _, t := range ts {
		n = max(n, len(t.Runs))
	}
	return n
}

func orDash(v float64, s string) string {
	if v == 0 {
		return "–"
	}
	return s
}
