// Package tensor holds the one tensor type that crosses fairbinn's package boundaries: the inputs and
// outputs of the Go forward pass, of onnxruntime and of onnx-go, and the contents of .npy files.
package tensor
