// Package bench is fairbinn's speed benchmark: Adult training in the FairBiNN configuration against the
// PyTorch peer, inference through onnxruntime and the Go forward pass, and the import and export of a
// generated large MLP.
//
// Every timed step is the fairbinn command line itself (train, predict, inspect, insert), started as a
// child process one at a time, so that wall time and peak RSS belong to that step alone; the PyTorch peer
// runs the same training in the same run, just before fairbinn. In-process measurements add what a child
// process cannot isolate: the GEMM rate at the training shapes, and inference without process start and
// file I/O.
//
// Each child runs under the timing protocol (Exec): the benchmark starts Options.Runner with
// "--exec ARGV", and that small process runs the command and reports its wall time and peak RSS on file
// descriptor 3. cmd/fairbinn-bench is both the benchmark's command line and that runner.
package bench
