// Package lower turns the IR into a gorgonia expression graph that both the Go forward pass and training
// run on: one lowering function per ONNX op (one file per op family, chosen by a table keyed by domain,
// op and opset range), the CPU kernels and custom gorgonia ops those need, and Forward, the Go forward
// pass in batches.
package lower
