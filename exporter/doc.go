// Package exporter writes a ir.Graph back to ONNX. It starts from the protobuf the model was imported
// from, so everything the IR does not model (doc strings, value_info, unknown fields of newer ONNX
// releases) survives; it writes back the trained initializer values, appends the inserted nodes and
// initializers, sets the opset and metadata, and serialises deterministically so the same graph always
// gives the same bytes. Files are written atomically.
package exporter
