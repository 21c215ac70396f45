// Package parity compares the outputs of two executors of the same model (onnxruntime, the Go forward
// pass, onnx-go): the largest absolute difference and how often their decisions agree.
package parity
