package ort

import "errors"

// ErrRuntimeUnavailable reports that ONNX Runtime cannot be used: the shared library is missing or fails to
// load, or the program was built without cgo.
var ErrRuntimeUnavailable = errors.New("onnxruntime unavailable")

// installHint tells the user how to get the library; every missing-library error ends with it.
const installHint = "run `make deps` (scripts/install-ort.sh) or set ONNXRUNTIME_LIB=/path/to/libonnxruntime.so.1"
