//go:build cgo

package ort

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// initOnce loads the library at most once per process: onnxruntime_go keeps one global environment and
// refuses a second InitializeEnvironment. A failure is remembered too, so every caller sees the same error.
var initOnce = sync.OnceValue(func() error {
	path, err := LibraryPath()
	if err != nil {
		return err
	}
	ort.SetSharedLibraryPath(path)
	// Every ORT failure reaches the caller as a returned error; ORT's own log lines would repeat it on
	// stderr (and add warnings about unused initializers in PyTorch exports), breaking the CLI's one-line
	// error contract. Only fatal messages remain.
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		return fmt.Errorf("%w: load %s: %w; %s", ErrRuntimeUnavailable, path, err, installHint)
	}
	return nil
})

// Init loads the ONNX Runtime shared library found by LibraryPath and creates the process-wide environment.
// It is safe to call from several goroutines and more than once; only the first call does the work, and
// later calls return its result.
func Init() error {
	return initOnce()
}

// Session is a loaded model ready to run. Run may be called from several goroutines at once (ONNX Runtime
// sessions are thread-safe for inference), but not concurrently with Close.
type Session struct {
	s       *ort.DynamicAdvancedSession
	inputs  []IOInfo
	outputs []IOInfo
}

// Open loads an ONNX model from its bytes. It calls Init first. Every input and output must be a float32
// tensor. A model whose initializers live in external files needs OpenFile: from bytes alone ONNX Runtime
// looks for them in the working directory, which is rarely where they are.
func Open(modelBytes []byte, opts Options) (*Session, error) {
	so, err := sessionOptions(opts)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	inInfo, outInfo, err := ort.GetInputOutputInfoWithONNXData(modelBytes)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime cannot load the model: %w", err)
	}
	return newSession(inInfo, outInfo, func(in, out []string) (*ort.DynamicAdvancedSession, error) {
		return ort.NewDynamicAdvancedSessionWithONNXData(modelBytes, in, out, so)
	})
}

// OpenFile loads the ONNX model at path, like Open. ONNX Runtime resolves external data (initializers
// stored beside the model) relative to path.
func OpenFile(path string, opts Options) (*Session, error) {
	so, err := sessionOptions(opts)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	inInfo, outInfo, err := ort.GetInputOutputInfoWithOptions(path, so)
	if err != nil {
		return nil, fmt.Errorf("%s: onnxruntime cannot load the model: %w", path, err)
	}
	s, err := newSession(inInfo, outInfo, func(in, out []string) (*ort.DynamicAdvancedSession, error) {
		return ort.NewDynamicAdvancedSession(path, in, out, so)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// sessionOptions initialises the runtime and turns opts into ORT's options; the caller destroys them.
func sessionOptions(opts Options) (*ort.SessionOptions, error) {
	if opts.Threads < 0 {
		return nil, fmt.Errorf("threads %d: must be 0 (default) or more", opts.Threads)
	}
	if err := Init(); err != nil {
		return nil, err
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("create session options: %w", err)
	}
	if opts.Threads > 0 {
		if err := so.SetIntraOpNumThreads(opts.Threads); err != nil {
			so.Destroy()
			return nil, fmt.Errorf("set %d intra-op threads: %w", opts.Threads, err)
		}
	}
	return so, nil
}

// newSession checks the model's inputs and outputs, then lets create build the ORT session for their names.
func newSession(inInfo, outInfo []ort.InputOutputInfo,
	create func(in, out []string) (*ort.DynamicAdvancedSession, error)) (*Session, error) {
	inputs, err := convertInfo("input", inInfo)
	if err != nil {
		return nil, err
	}
	outputs, err := convertInfo("output", outInfo)
	if err != nil {
		return nil, err
	}
	// onnxruntime_go indexes the first name when running, so an empty list would panic there.
	if len(inputs) == 0 || len(outputs) == 0 {
		return nil, fmt.Errorf("model has %d inputs and %d outputs, need at least one of each", len(inputs), len(outputs))
	}
	s, err := create(names(inputs), names(outputs))
	if err != nil {
		return nil, fmt.Errorf("onnxruntime cannot create a session: %w", err)
	}
	return &Session{s: s, inputs: inputs, outputs: outputs}, nil
}

// convertInfo turns onnxruntime_go's descriptions into IOInfo, rejecting anything but float32 tensors so
// that Run can promise float32 in and out.
func convertInfo(kind string, infos []ort.InputOutputInfo) ([]IOInfo, error) {
	out := make([]IOInfo, len(infos))
	for i, info := range infos {
		if info.OrtValueType != ort.ONNXTypeTensor {
			return nil, fmt.Errorf("%s %q is a %s, only float32 tensors are supported", kind, info.Name, info.OrtValueType)
		}
		if info.DataType != ort.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("%s %q has element type %s, only float32 is supported",
				kind, info.Name, typeName(info.DataType))
		}
		out[i] = IOInfo{Name: info.Name, Shape: append([]int64(nil), info.Dimensions...)}
	}
	return out, nil
}

// typeName turns "ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64" into "int64", the name ONNX users know.
func typeName(t ort.TensorElementDataType) string {
	return strings.ToLower(strings.TrimPrefix(t.String(), "ONNX_TENSOR_ELEMENT_DATA_TYPE_"))
}

func names(infos []IOInfo) []string {
	out := make([]string, len(infos))
	for i, info := range infos {
		out[i] = info.Name
	}
	return out
}

// Inputs describes the model's inputs in the order Run expects them.
func (s *Session) Inputs() []IOInfo { return cloneInfo(s.inputs) }

// Outputs describes the model's outputs in the order Run returns them.
func (s *Session) Outputs() []IOInfo { return cloneInfo(s.outputs) }

// cloneInfo hands out copies so callers cannot change what Run validates against.
func cloneInfo(infos []IOInfo) []IOInfo {
	out := make([]IOInfo, len(infos))
	for i, info := range infos {
		out[i] = IOInfo{Name: info.Name, Shape: append([]int64(nil), info.Shape...)}
	}
	return out
}

// Run runs the model on one tensor per input (in Inputs order) and returns one tensor per output (in Outputs
// order). The inputs are only read, and only during the call; the outputs are fresh Go slices.
func (s *Session) Run(inputs []tensor.Tensor) ([]tensor.Tensor, error) {
	if s == nil || s.s == nil {
		return nil, errors.New("run on a closed session")
	}
	if len(inputs) != len(s.inputs) {
		return nil, fmt.Errorf("model has %d inputs (%s), got %d tensors",
			len(s.inputs), strings.Join(names(s.inputs), ", "), len(inputs))
	}
	for i, t := range inputs {
		if err := checkInput(t, s.inputs[i]); err != nil {
			return nil, err
		}
	}

	in := make([]ort.Value, len(inputs))
	defer func() {
		for _, v := range in {
			if v != nil {
				v.Destroy()
			}
		}
	}()
	for i, t := range inputs {
		// NewTensor wraps t.Data without copying; ORT reads it only inside s.s.Run below.
		v, err := ort.NewTensor(ort.NewShape(t.Shape...), t.Data)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", s.inputs[i].Name, err)
		}
		in[i] = v
	}

	// nil outputs ask onnxruntime_go to let ORT allocate them with whatever shape the model produces.
	out := make([]ort.Value, len(s.outputs))
	defer func() {
		for _, v := range out {
			if v != nil {
				v.Destroy()
			}
		}
	}()
	if err := s.s.Run(in, out); err != nil {
		return nil, fmt.Errorf("onnxruntime run: %w", err)
	}

	result := make([]tensor.Tensor, len(out))
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("output %q: onnxruntime returned no tensor (rank-0 outputs are not supported)", s.outputs[i].Name)
		}
		t, ok := v.(*ort.Tensor[float32])
		if !ok {
			// Open checked the declared types, so this is a model that lies about its output type.
			return nil, fmt.Errorf("output %q: got %T, want a float32 tensor", s.outputs[i].Name, v)
		}
		result[i] = tensor.Tensor{
			Shape: append([]int64(nil), t.GetShape()...),
			Data:  append([]float32(nil), t.GetData()...),
		}
	}
	return result, nil
}

// Close releases the ONNX Runtime session. Closing twice is allowed.
func (s *Session) Close() error {
	if s == nil || s.s == nil {
		return nil
	}
	err := s.s.Destroy()
	s.s = nil
	if err != nil {
		return fmt.Errorf("close session: %w", err)
	}
	return nil
}
