// Package ir is fairbinn's in-memory model: a small graph IR (nodes, initializers, inputs and outputs with
// symbolic dims, opset imports, metadata), typed attribute readers, readers of what an op's attributes
// mean (ParseWindow, GemmAttrs, ShapeRange, ...: shape inference and the lowering share them), the graph
// queries every later stage needs (producers, consumers, op counts) and shape inference (InferShapes),
// which keeps the symbolic batch dim through the shape arithmetic exporters put in graphs.
//
// The IR is deliberately plain and has no dependency on an execution engine: the importer fills it from
// ONNX protobufs and the exporter writes it back, so nothing here depends on the protobuf bindings or on
// gorgonia. Each IR element keeps an opaque Source (the protobuf it came from) so that an unchanged model
// exports byte for byte the same.
package ir
