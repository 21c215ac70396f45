package importer

import "github.com/fairbinn/fairbinn-go/internal/fault"

// ErrBadModel is wrapped by every error about the content of a model file (as opposed to I/O errors).
var ErrBadModel = fault.New(fault.BadInput, "bad model")

// Supported range of the default ONNX domain's opset. Opset 7 is where the arithmetic ops took numpy
// broadcasting (their broadcast and axis attributes are gone); the lowering table of package lower says
// which ops the Go forward pass runs at which opset.
const (
	MinOpset = 7
	MaxOpset = 21
)
