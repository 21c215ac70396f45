package lower_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	ort "github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// nchwTol is the forward pass's tolerance: absolute, relative when |want| > 1.
const nchwTol = 1e-5

// nchwArg is one input of a single-node test model: a float32 graph input (random data), a float32
// initializer, or an int64 initializer. An empty name is an omitted optional input.
type nchwArg struct {
	name     string
	shape    []int64
	init     bool      // a float32 initializer rather than a graph input
	ints     []int64   // an int64 initializer with these values
	positive bool      // random data in (0.1, 1.1), as variances need
	data     []float32 // explicit values instead of random ones
}

// nchwCase is a model with one node of op, built with onnxtest.Model so that each case states its
// attributes; the lowering tests run it through onnxruntime, by hand-computed values and through
// finite-difference gradient checks.
type nchwCase struct {
	name  string
	op    string
	opset int64
	attrs map[string]any // as onnxtest.Node.Attrs
	args  []nchwArg
	// outputs names the node's outputs; the graph's output is the first. Default: one output.
	outputs []string
}

func (a nchwArg) values(rng *rand.Rand) []float32 {
	if a.data != nil {
		return a.data
	}
	return nchwRandom(rng, nchwNumElems(a.shape), a.positive)
}

func nchwRandom(rng *rand.Rand, n int64, positive bool) []float32 {
	out := make([]float32, n)
	for i := range out {
		if positive {
			out[i] = 0.1 + rng.Float32()
		} else {
			out[i] = 2*rng.Float32() - 1
		}
	}
	return out
}

// build returns the model's bytes and the data of its graph inputs, in order.
func (c nchwCase) build(seed uint64) ([]byte, []tensor.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 7))
	outputs := c.outputs
	if outputs == nil {
		outputs = []string{"y"}
	}
	m := onnxtest.Model{Opset: c.opset, Outputs: outputs[:1]}
	node := onnxtest.Node{Op: c.op, Outputs: outputs, Attrs: c.attrs}
	var inputs []tensor.Tensor
	for _, a := range c.args {
		node.Inputs = append(node.Inputs, a.name)
		switch {
		case a.name == "":
		case a.ints != nil:
			m.Inits = append(m.Inits, &ir.Tensor{Name: a.name, DType: ir.Int64, Dims: a.shape, Int: a.ints})
		case a.init:
			m.Inits = append(m.Inits, &ir.Tensor{Name: a.name, DType: ir.Float32, Dims: a.shape, Float: a.values(rng)})
		default:
			m.Inputs = append(m.Inputs, onnxtest.Input{Name: a.name, Shape: a.shape})
			inputs = append(inputs, tensor.Tensor{Shape: a.shape, Data: a.values(rng)})
		}
	}
	m.Nodes = []onnxtest.Node{node}
	data, err := m.Bytes()
	if err != nil {
		panic(err)
	}
	return data, inputs
}

func nchwNumElems(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

// nchwGoRun imports, lowers and runs a model.
func nchwGoRun(model []byte, inputs []tensor.Tensor) (tensor.Tensor, error) {
	g, err := importer.Read(model, importer.Options{})
	if err != nil {
		return tensor.Tensor{}, err
	}
	l, err := lower.Lower(g, lower.Options{})
	if err != nil {
		return tensor.Tensor{}, err
	}
	outs, err := l.Run(inputs)
	if err != nil {
		return tensor.Tensor{}, err
	}
	return outs[0], nil
}

func nchwORTRun(model []byte, inputs []tensor.Tensor) (tensor.Tensor, error) {
	s, err := ort.Open(model, ort.Options{})
	if err != nil {
		return tensor.Tensor{}, err
	}
	defer s.Close()
	ts := make([]tensor.Tensor, len(inputs))
	for i, in := range inputs {
		ts[i] = tensor.Tensor{Shape: in.Shape, Data: in.Data}
	}
	outs, err := s.Run(ts)
	if err != nil {
		return tensor.Tensor{}, err
	}
	return tensor.Tensor{Shape: outs[0].Shape, Data: outs[0].Data}, nil
}

// nchwCompareORT runs each case through the Go forward pass and onnxruntime and requires the outputs to
// agree within the forward pass's tolerance.
func nchwCompareORT(t *testing.T, cases []nchwCase) {
	t.Helper()
	testkit.RequireORT(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model, inputs := c.build(1)
			want, err := nchwORTRun(model, inputs)
			if err != nil {
				t.Fatalf("onnxruntime: %v", err)
			}
			got, err := nchwGoRun(model, inputs)
			if err != nil {
				t.Fatalf("go: %v", err)
			}
			nchwSameArray(t, got, want)
		})
	}
}

// nchwSameArray checks got against want: the same shape, and values within nchwTol.
func nchwSameArray(t *testing.T, got, want tensor.Tensor) {
	t.Helper()
	if fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
		t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
	}
	if !testkit.CloseTo(t, "output", got.Data, want.Data, nchwTol, nchwTol) {
		t.FailNow()
	}
}

// nchwExpect is a case with a hand-computed output, or an error the lowering must return.
type nchwExpect struct {
	nchwCase
	shape []int64
	want  []float32
	err   error
}

func nchwRunExpect(t *testing.T, cases []nchwExpect) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model, inputs := c.build(1)
			got, err := nchwGoRun(model, inputs)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("got error %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			nchwSameArray(t, got, tensor.Tensor{Shape: c.shape, Data: c.want})
		})
	}
}
