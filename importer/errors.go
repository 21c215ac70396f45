package importer

import "github.com/fairbinn/fairbinn-go/internal/fault"

// ErrBadModel is wrapped by every error about the content of a model file (as opposed to I/O errors).
var ErrBadModel = fault.New(fault.BadInput, "bad model")

// Supported range of the default ONNX domain's opset.
const (
	MinOpset = 11
	MaxOpset = 21
)
