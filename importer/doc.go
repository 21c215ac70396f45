// Package importer reads ONNX files into ir.Graph. It checks everything a later stage would trip on —
// opset range, supported ops, initializer sizes, NaN or Inf weights, dangling inputs, cycles, external data
// outside the model's folder — and reports the first problem as one line naming the file and the node or
// tensor, so callers can show it to a user as is.
package importer
