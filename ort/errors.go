package ort

import "github.com/fairbinn/fairbinn-go/internal/fault"

// ErrRuntimeUnavailable reports that ONNX Runtime cannot be used: the shared library is missing or fails to
// load, or the program was built without cgo. It is the user's to fix (installHint says how).
var ErrRuntimeUnavailable = fault.New(fault.BadInput, "onnxruntime unavailable")

// installHint tells the user how to get the library; every missing-library error ends with it.
const installHint = "run `make deps` (scripts/install-ort.sh) or set ONNXRUNTIME_LIB=/path/to/libonnxruntime.so.1"
