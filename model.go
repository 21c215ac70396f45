package fairbinn

import (
	"errors"
	"fmt"
	"os"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/reference"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// Model is a model as the executors need it: the imported graph for the Go forward pass, the file's
// bytes for onnx-go, and the file (when there is one) for onnxruntime, which reads external data beside
// it.
type Model struct {
	Graph *ir.Graph
	// Bytes is the serialized model when it is held in memory (a model not written yet); nil for a model
	// loaded from Path, whose bytes are read from the file only when something needs them, so that a large
	// model is not held twice (imported and raw).
	Bytes []byte
	Path  string
	// measureErr says why widths that shape inference cannot tell were not measured (nil: measured, or
	// none needed).
	measureErr error
}

// Load imports the ONNX model at path. Every failure is the user's to fix (fault.BadInput).
func Load(path string) (*Model, error) {
	if path == "" {
		return nil, fault.Badf("no model file given")
	}
	g, err := importer.ReadFile(path, importer.Options{})
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	m := &Model{Graph: g, Path: path}
	// Widths shape inference cannot tell are measured once in onnxruntime; a model it cannot run that way
	// just has no positions there, and the reason is kept for inspect.
	m.measureErr = measureShapes(m)
	return m, nil
}

// raw is the serialized model: Bytes, or else the file's content.
func (m *Model) raw() ([]byte, error) {
	if m.Bytes != nil || m.Path == "" {
		return m.Bytes, nil
	}
	raw, err := os.ReadFile(m.Path)
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	return raw, nil
}

// RunOptions tunes Run.
type RunOptions struct {
	// Batch is the number of rows per run (default 1024).
	Batch int
	// Threads is onnxruntime's intra-op thread count (0: its default).
	Threads int
}

// RunAll computes every output of the model on one tensor per input (in the model's input order) with
// the named executor, in batches. onnxruntime runs any number and type of inputs; the Go forward pass and
// onnx-go run one float32 input and give the first output.
func (m *Model) RunAll(rt Runtime, inputs []tensor.Tensor, opts RunOptions) ([]tensor.Tensor, error) {
	if opts.Batch <= 0 {
		opts.Batch = 1024
	}
	goErr := GoRunnable(m.Graph)
	switch {
	case rt == Go && goErr != nil:
		return m.runSplit(inputs, opts)
	case rt == OnnxGo && (len(inputs) != 1 || inputs[0].DType.IsInt()):
		return nil, fault.Badf("fairbinn runs onnx-go on models with one float32 input")
	}
	switch rt {
	case Go:
		out, err := lower.Forward(m.Graph, inputs[0], opts.Batch)
		if err != nil && m.Path != "" {
			err = fmt.Errorf("%s: %w", m.Path, err)
		}
		return []tensor.Tensor{out}, err
	case ORT:
		var s *ort.Session
		var err error
		if m.Path != "" {
			s, err = ort.OpenFile(m.Path, ort.Options{Threads: opts.Threads})
		} else {
			s, err = ort.Open(m.Bytes, ort.Options{Threads: opts.Threads})
		}
		if errors.Is(err, ort.ErrRuntimeUnavailable) {
			return nil, err
		}
		if err != nil {
			return nil, fault.Wrap(fault.BadInput, err) // onnxruntime refuses the model itself
		}
		defer s.Close()
		return ort.RunBatchedAll(s, inputs, opts.Batch)
	case OnnxGo:
		raw, err := m.raw()
		if err != nil {
			return nil, err
		}
		out, err := reference.Run(raw, inputs[0])
		return []tensor.Tensor{out}, err
	}
	return nil, fault.Badf("runtime %q: want ort or go", rt)
}

// GoRunnable says why fairbinn's Go forward pass cannot run g, or nil: it runs one float32 (or float64)
// input through the ops it implements, computing in float32.
func GoRunnable(g *ir.Graph) error {
	// A float64 model runs too: the Go forward pass computes in float32 (and export keeps its types).
	ins := g.RealInputs()
	if len(ins) != 1 || ins[0].DType != ir.Float32 && ins[0].DType != ir.Float64 {
		what := fmt.Sprintf("%d inputs", len(ins))
		if len(ins) == 1 {
			what = fmt.Sprintf("a %s input", ins[0].DType)
		}
		return fault.Badf("fairbinn's Go forward pass runs models with one float input, this one has %s", what)
	}
	return lower.CheckSupported(g)
}

// ParseRuntime parses an executor name that a user may choose (ort or go).
func ParseRuntime(s string) (Runtime, error) {
	switch r := Runtime(s); r {
	case ORT, Go:
		return r, nil
	}
	return "", fault.Badf("runtime %q: want ort or go", s)
}
