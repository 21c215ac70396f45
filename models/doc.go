// Package models is the in-memory model of fairbinn: a small graph IR (nodes, initializers, inputs and
// outputs with symbolic dims, opset imports, metadata), shape inference for the supported ops, the insertion
// positions where fairness layers may go, the insertion itself, and the lowering of the IR to a gorgonia
// expression graph that both the Go forward pass and training run on.
//
// The IR is deliberately plain: the importer fills it from ONNX protobufs and the exporter writes it back,
// so nothing here depends on the protobuf bindings. Each IR element keeps an opaque Source (the protobuf it
// came from) so that an unchanged model exports byte for byte the same.
package models
