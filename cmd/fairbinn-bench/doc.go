// Command fairbinn-bench is fairbinn's speed benchmark (package internal/bench): Adult training against the
// PyTorch peer, onnxruntime and Go inference, and the import and export of a generated 100 MB MLP, each
// timed as a run of the fairbinn command (by default the fairbinn beside this executable, as `make bench`
// builds bin/fairbinn and bin/fairbinn-bench). It writes bench.json and bench.md to --out-dir and prints
// the Markdown, or with --json the report.
//
//	make bench
//	./bin/fairbinn-bench --out-dir out/bench --epochs 1 --repeat 1 --peer none --rows 2000 --model-mb 5
//
// Exit codes: 0 ok, 1 internal error, 2 bad flags or options. fairbinn-bench --exec ARGV is the timing
// protocol the benchmark starts each child through (see bench.Exec); it is not listed in --help.
//
// fairbinn-bench synth-adult --out FILE.csv [--rows N] [--seed S] writes a seeded synthetic CSV of Adult
// rows (bench.SynthAdult), the data of `make bench-scale`, and fairbinn-bench load-data --data SPEC
// [--backbone M.onnx] loads them as fairbinn train does and prints the load time, the encoded size and the
// peak RSS.
package main
