// Package reference runs ONNX models with github.com/owulveryck/onnx-go and its gorgonnx backend: a
// forward pass that shares no code with ONNX Runtime nor with fairbinn's own lowering, used as an
// independent opinion in tests and in `fairbinn verify`.
//
// onnx-go covers a small, old subset of ONNX (roughly opset 7 to 12 forms of the common ops) and fails in
// ways that are not always errors: it panics on some graphs and ignores the opset. Run turns every failure
// inside onnx-go, panics included, into an error wrapping ErrUnsupported, so callers can report "onnx-go
// cannot run this model" next to the results of the other executors instead of crashing or hiding it.
//
// onnx-go also drops symbolic dims when it decodes a model, so a [batch, 101] input is declared as [101].
// The expression graph is only built on the first run, from the tensors set as inputs at that time, so
// each Run decodes the model afresh and sets inputs with their real shapes: any batch size works.
package reference
