// Package onnxpb holds the Go bindings of onnx-ml.proto (ONNX 1.12, as shipped by Debian's python3-onnx),
// generated with protoc and protoc-gen-go (google.golang.org/protobuf).
//
// The proto package is renamed from "onnx" to "fairbinn.onnx" in the copy kept here: onnx-go (the
// independent reference executor) registers its own bindings under "onnx", and the protobuf registry
// refuses two messages with one full name. Names are not part of the wire format, so files are unaffected.
//
// Only the importer and exporter packages use it; the rest of the project works on models.Graph.
// Fields added by later ONNX releases are kept as unknown fields and survive a round trip.
package onnxpb
