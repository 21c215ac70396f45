package reference

import (
	"errors"
	"fmt"
	"sync"

	onnx "github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/x/gorgonnx"
	gt "gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// ErrUnsupported reports that onnx-go failed on a model: an operator, attribute or opset form it does not
// implement, external data, or a panic inside onnx-go or gorgonia.
var ErrUnsupported = errors.New("onnx-go cannot run this model")

// mu serialises runs. gorgonnx names nodes from an unsynchronised package counter and gorgonia shares
// constant nodes and pools across graphs, so two runs at once are not safe.
var mu sync.Mutex

// Run runs a model with one input and one output on in.
func Run(model []byte, in tensor.Tensor) (tensor.Tensor, error) {
	out, err := RunAll(model, []tensor.Tensor{in})
	if err != nil {
		return tensor.Tensor{}, err
	}
	if len(out) != 1 {
		return tensor.Tensor{}, fmt.Errorf("model has %d outputs, Run handles one (use RunAll)", len(out))
	}
	return out[0], nil
}

// RunAll runs a model on one tensor per graph input (initializers excluded, in graph order) and returns one
// tensor per graph output.
func RunAll(model []byte, inputs []tensor.Tensor) ([]tensor.Tensor, error) {
	for i, t := range inputs {
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return runLocked(model, inputs)
}

// runLocked does the work; its deferred recover is the package boundary for onnx-go's and gorgonia's
// panics.
func runLocked(model []byte, inputs []tensor.Tensor) (outs []tensor.Tensor, err error) {
	defer func() {
		if p := recover(); p != nil {
			outs, err = nil, fmt.Errorf("%w: panic: %v", ErrUnsupported, p)
		}
	}()

	if err := precheck(model); err != nil {
		return nil, err
	}
	backend := gorgonnx.NewGraph()
	m := onnx.NewModel(backend)
	if err := m.UnmarshalBinary(model); err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrUnsupported, err)
	}
	if len(m.Input) != len(inputs) {
		return nil, fmt.Errorf("model has %d inputs, got %d tensors", len(m.Input), len(inputs))
	}
	declaredIn := declaredShapes(model, graphInputField)
	for i, id := range m.Input {
		dc, err := carrier(backend, id)
		if err != nil {
			return nil, fmt.Errorf("%w: input %d: %w", ErrUnsupported, i, err)
		}
		name := nodeName(backend, id)
		if shape, ok := declaredIn[name]; ok {
			if err := checkDeclared(inputs[i].Shape, shape); err != nil {
				return nil, fmt.Errorf("input %q: %w", name, err)
			}
		}
		// onnx-go's own SetInput looks the node up by position instead of by the input's ID, which picks
		// the wrong node when initializers are listed among the graph inputs; set the tensor directly.
		if err := dc.SetTensor(dense(inputs[i])); err != nil {
			return nil, fmt.Errorf("%w: set input %q: %w", ErrUnsupported, name, err)
		}
	}

	// gorgonnx stores results only on nodes no other node consumes. An output that is also consumed inside
	// the graph keeps the placeholder it was decoded with; remember those to detect it.
	placeholders := make([]gt.Tensor, len(m.Output))
	for i, id := range m.Output {
		dc, err := carrier(backend, id)
		if err != nil {
			return nil, fmt.Errorf("%w: output %d: %w", ErrUnsupported, i, err)
		}
		placeholders[i] = dc.GetTensor()
	}

	// Build the expression graph now, with the inputs' real shapes, so that the machine can be set before
	// Run; Run would otherwise start gorgonia's own machine.
	eg, err := backend.GetExprGraph()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, unwrapNil(err))
	}
	backend.SetVM(inlineVM{g: eg})
	if err := backend.Run(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, unwrapNil(err))
	}

	declaredOut := declaredShapes(model, graphOutputField)
	outs = make([]tensor.Tensor, len(m.Output))
	for i, id := range m.Output {
		name := nodeName(backend, id)
		dc, _ := carrier(backend, id)
		t := dc.GetTensor()
		if t == nil || t == placeholders[i] {
			return nil, fmt.Errorf("%w: output %q is also consumed inside the graph and onnx-go does not keep its value",
				ErrUnsupported, name)
		}
		out, err := fromTensor(t)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", name, err)
		}
		if shape, ok := declaredOut[name]; ok {
			if err := checkDeclared(out.Shape, shape); err != nil {
				return nil, fmt.Errorf("%w: output %q came out with %w", ErrUnsupported, name, err)
			}
		}
		outs[i] = out
	}
	return outs, nil
}

func carrier(backend *gorgonnx.Graph, id int64) (onnx.DataCarrier, error) {
	dc, ok := backend.Node(id).(onnx.DataCarrier)
	if !ok {
		return nil, fmt.Errorf("node %d carries no tensor", id)
	}
	return dc, nil
}

func nodeName(backend *gorgonnx.Graph, id int64) string {
	if n, ok := backend.Node(id).(onnx.Namer); ok {
		return n.GetName()
	}
	return fmt.Sprint(id)
}

// dense copies t into a gorgonia tensor; gorgonia may compute in place, and the caller's slice must not
// change.
func dense(t tensor.Tensor) gt.Tensor {
	if len(t.Shape) == 0 {
		return gt.New(gt.FromScalar(t.Data[0]))
	}
	shape := make([]int, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = int(d)
	}
	return gt.New(gt.WithShape(shape...), gt.WithBacking(append([]float32(nil), t.Data...)))
}

// fromTensor copies a gorgonia result into a Tensor, laying out transposed or sliced views in row-major
// order first.
func fromTensor(t gt.Tensor) (tensor.Tensor, error) {
	if t.Dtype() != gt.Float32 {
		return tensor.Tensor{}, fmt.Errorf("element type %v, only float32 is supported", t.Dtype())
	}
	if v, ok := t.(gt.View); ok && v.IsMaterializable() {
		t = v.Materialize()
	}
	shape := make([]int64, len(t.Shape()))
	n := 1
	for i, d := range t.Shape() {
		shape[i] = int64(d)
		n *= d
	}
	var data []float32
	switch d := t.Data().(type) {
	case []float32:
		data = append([]float32(nil), d...)
	case float32:
		data = []float32{d}
	default:
		return tensor.Tensor{}, fmt.Errorf("data of type %T, want float32", d)
	}
	if len(data) != n {
		return tensor.Tensor{}, fmt.Errorf("%w: result has shape %v but %d values", ErrUnsupported, t.Shape(), len(data))
	}
	return tensor.Tensor{Shape: shape, Data: data}, nil
}
