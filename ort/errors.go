package ort

import (
	"regexp"
	"strconv"

	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// ErrRuntimeUnavailable reports that ONNX Runtime cannot be used: the shared library is missing or fails to
// load, or the program was built without cgo. It is the user's to fix (installHint says how).
var ErrRuntimeUnavailable = fault.New(fault.BadInput, "onnxruntime unavailable")

// installHint tells the user how to get the library; every missing-library error ends with it.
const installHint = "run `make deps` (scripts/install-ort.sh) or set ONNXRUNTIME_LIB=/path/to/libonnxruntime.so.1"

// allocFailure is how onnxruntime says a buffer could not be allocated.
var (
	allocFailure = regexp.MustCompile(`Failed to allocate memory for requested buffer of size (\d+)`)
	allocNode    = regexp.MustCompile(`while running (\w+) node`)
)

// runError classifies an error of onnxruntime running a model that it loaded: the model or its input
// asks for what cannot be done (an op on values it refuses, a tensor larger than memory), which the user
// can change, so it is bad input. A failed allocation says how much was asked for.
func runError(err error) error {
	msg := err.Error()
	if m := allocFailure.FindStringSubmatch(msg); m != nil {
		if n, perr := strconv.ParseFloat(m[1], 64); perr == nil {
			node := ""
			if m := allocNode.FindStringSubmatch(msg); m != nil {
				node = " for a " + m[1] + " node"
			}
			return fault.Errorf(fault.BadInput, "onnxruntime could not allocate %.1f GB%s: the model asks for more memory than this machine has", n/1e9, node)
		}
	}
	return fault.Errorf(fault.BadInput, "onnxruntime cannot run the model: %v", err)
}
