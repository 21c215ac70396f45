//go:build cgo

package ort

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// MaxThreads bounds the intra-op threads a session may ask for: each is an OS thread with its own
// buffers, and more than the machine's cores only costs memory.
const MaxThreads = 256

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
	if opts.Threads < 0 || opts.Threads > MaxThreads {
		return nil, fmt.Errorf("threads %d: want 0 (its default) to %d", opts.Threads, MaxThreads)
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

// elementTypes are the tensor element types Run exchanges with onnxruntime.
var elementTypes = map[ort.TensorElementDataType]tensor.DType{
	ort.TensorElementDataTypeFloat:  tensor.Float32,
	ort.TensorElementDataTypeDouble: tensor.Float64,
	ort.TensorElementDataTypeInt64:  tensor.Int64,
	ort.TensorElementDataTypeInt32:  tensor.Int32,
	ort.TensorElementDataTypeBool:   tensor.Bool,
}

// convertInfo turns onnxruntime_go's descriptions into IOInfo, rejecting what Run cannot exchange: a value
// that is not a tensor, or an element type other than float32, float64, int64, int32 and bool.
func convertInfo(kind string, infos []ort.InputOutputInfo) ([]IOInfo, error) {
	out := make([]IOInfo, len(infos))
	for i, info := range infos {
		if info.OrtValueType != ort.ONNXTypeTensor {
			return nil, fmt.Errorf("%s %q is a %s, only tensors are supported", kind, info.Name, info.OrtValueType)
		}
		dt, ok := elementTypes[info.DataType]
		if !ok {
			return nil, fmt.Errorf("%s %q has element type %s; fairbinn exchanges float32, float64, int64, int32 and bool tensors",
				kind, info.Name, typeName(info.DataType))
		}
		out[i] = IOInfo{Name: info.Name, Shape: append([]int64(nil), info.Dimensions...), DType: dt}
	}
	return out, nil
}

// newValue wraps t as an onnxruntime tensor of the model's element type: float32 and int64 values without a
// copy (ORT reads them only during the run), the other types converted.
func newValue(t tensor.Tensor, dt tensor.DType) (ort.Value, error) {
	shape := ort.NewShape(t.Shape...)
	switch dt {
	case tensor.Float64:
		wide := make([]float64, len(t.Data))
		for i, v := range t.Data {
			wide[i] = float64(v)
		}
		return ort.NewTensor(shape, wide)
	case tensor.Int64:
		return ort.NewTensor(shape, t.Ints)
	case tensor.Int32:
		narrow := make([]int32, len(t.Ints))
		for i, v := range t.Ints {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, fmt.Errorf("value %d at flat index %d does not fit in int32", v, i)
			}
			narrow[i] = int32(v)
		}
		return ort.NewTensor(shape, narrow)
	case tensor.Bool:
		b := make([]bool, len(t.Ints))
		for i, v := range t.Ints {
			b[i] = v != 0
		}
		return ort.NewTensor(shape, b)
	}
	return ort.NewTensor(shape, t.Data)
}

// fromValue copies an onnxruntime output into a Tensor.
func fromValue(v ort.Value) (tensor.Tensor, bool) {
	switch t := v.(type) {
	case *ort.Tensor[float32]:
		return tensor.Tensor{Shape: slices.Clone(t.GetShape()), Data: slices.Clone(t.GetData())}, true
	case *ort.Tensor[float64]:
		out := tensor.Tensor{Shape: slices.Clone(t.GetShape()), DType: tensor.Float64, Data: make([]float32, len(t.GetData()))}
		for i, x := range t.GetData() {
			out.Data[i] = float32(x)
		}
		return out, true
	case *ort.Tensor[int64]:
		return tensor.Tensor{Shape: slices.Clone(t.GetShape()), DType: tensor.Int64, Ints: slices.Clone(t.GetData())}, true
	case *ort.Tensor[int32]:
		out := tensor.Tensor{Shape: slices.Clone(t.GetShape()), DType: tensor.Int32, Ints: make([]int64, len(t.GetData()))}
		for i, x := range t.GetData() {
			out.Ints[i] = int64(x)
		}
		return out, true
	case *ort.Tensor[bool]:
		out := tensor.Tensor{Shape: slices.Clone(t.GetShape()), DType: tensor.Bool, Ints: make([]int64, len(t.GetData()))}
		for i, x := range t.GetData() {
			if x {
				out.Ints[i] = 1
			}
		}
		return out, true
	}
	return tensor.Tensor{}, false
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
		out[i] = IOInfo{Name: info.Name, Shape: append([]int64(nil), info.Shape...), DType: info.DType}
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
		v, err := newValue(t, s.inputs[i].DType)
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
		return nil, runError(err)
	}

	result := make([]tensor.Tensor, len(out))
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("output %q: onnxruntime returned no tensor (rank-0 outputs are not supported)", s.outputs[i].Name)
		}
		t, ok := fromValue(v)
		if !ok {
			// Open checked the declared types, so this is a model that lies about its output type.
			return nil, fmt.Errorf("output %q: got %T, want a tensor of a type Open accepted", s.outputs[i].Name, v)
		}
		result[i] = t
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
