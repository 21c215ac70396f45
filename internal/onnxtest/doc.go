// Package onnxtest reads the ONNX backend node tests (a model.onnx per op case with test_data_set_N folders
// of input_K.pb and output_K.pb TensorProtos) so that the Go forward pass can be checked against the
// outputs the ONNX reference computed. The cases are read where Debian's libonnx-testdata puts them, or
// from the folder named by ONNX_NODE_TESTS_DIR.
package onnxtest
