package lower_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	ort "github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// ortCase is a small model that the Go forward pass must compute as onnxruntime does, or, with wantErr
// set, must refuse with that error.
type ortCase struct {
	name    string
	model   onnxtest.Model
	wantErr error
	// scale spreads the random inputs over [-scale, scale] (default 1).
	scale float32
}

// ortRandomInputs draws the data of the model's graph inputs.
func ortRandomInputs(m onnxtest.Model, seed uint64, scale float32) []tensor.Tensor {
	rng := rand.New(rand.NewPCG(seed, 11))
	if scale == 0 {
		scale = 1
	}
	out := make([]tensor.Tensor, len(m.Inputs))
	for i, in := range m.Inputs {
		n := int64(1)
		for _, d := range in.Shape {
			n *= d
		}
		data := make([]float32, n)
		for j := range data {
			data[j] = scale * (2*rng.Float32() - 1)
		}
		out[i] = tensor.Tensor{Shape: slices.Clone(in.Shape), Data: data}
	}
	return out
}

// goRun imports, lowers and runs a model with batch 1.
func goRun(model []byte, inputs []tensor.Tensor) ([]tensor.Tensor, error) {
	g, err := importer.Read(model, importer.Options{})
	if err != nil {
		return nil, err
	}
	l, err := lower.Lower(g, lower.Options{Batch: 1})
	if err != nil {
		return nil, err
	}
	return l.Run(inputs)
}

func ortRun(model []byte, inputs []tensor.Tensor) ([]tensor.Tensor, error) {
	s, err := ort.Open(model, ort.Options{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	ts := make([]tensor.Tensor, len(inputs))
	for i, in := range inputs {
		ts[i] = tensor.Tensor{Shape: in.Shape, Data: in.Data}
	}
	outs, err := s.Run(ts)
	if err != nil {
		return nil, err
	}
	res := make([]tensor.Tensor, len(outs))
	for i, o := range outs {
		res[i] = tensor.Tensor{Shape: o.Shape, Data: o.Data}
	}
	return res, nil
}

// runORTCases compares the Go forward pass with onnxruntime on each case.
func runORTCases(t *testing.T, cases []ortCase) {
	t.Helper()
	testkit.RequireORT(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model, err := c.model.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			inputs := ortRandomInputs(c.model, 1, c.scale)
			got, err := goRun(model, inputs)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("got error %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("go: %v", err)
			}
			want, err := ortRun(model, inputs)
			if err != nil {
				t.Fatalf("onnxruntime: %v", err)
			}
			for i := range want {
				wt := &ir.Tensor{Dims: want[i].Shape, Float: want[i].Data}
				nodeCompare(t, c.model.Outputs[i], got[i], wt)
			}
		})
	}
}

// ortIn is a float32 graph input.
func ortIn(name string, shape ...int64) onnxtest.Input {
	return onnxtest.Input{Name: name, Shape: shape}
}

// ortNode is a one-output node.
func ortNode(op string, inputs []string, out string, attrs map[string]any) onnxtest.Node {
	return onnxtest.Node{Op: op, Inputs: inputs, Outputs: []string{out}, Attrs: attrs}
}

// ortFloatInit is a float32 initializer with values 0.1, 0.2, ... (negated at odd positions).
func ortFloatInit(name string, dims ...int64) *ir.Tensor {
	t := &ir.Tensor{Name: name, DType: ir.Float32, Dims: dims}
	t.Float = make([]float32, t.Len())
	for i := range t.Float {
		t.Float[i] = 0.1 * float32(i+1)
		if i%2 == 1 {
			t.Float[i] = -t.Float[i]
		}
	}
	return t
}

// binaryCase is one op applied to two operands of the given shapes: graph inputs, or initializers for
// rank 0, which the onnxruntime binding does not take as inputs.
func binaryCase(op string, a, b []int64) ortCase {
	m := onnxtest.Model{Opset: 14, Nodes: []onnxtest.Node{ortNode(op, []string{"a", "b"}, "y", nil)}, Outputs: []string{"y"}}
	for i, s := range [][]int64{a, b} {
		name := []string{"a", "b"}[i]
		if len(s) == 0 {
			m.Inits = append(m.Inits, &ir.Tensor{Name: name, DType: ir.Float32, Dims: []int64{}, Float: []float32{-0.75}})
			continue
		}
		m.Inputs = append(m.Inputs, ortIn(name, s...))
	}
	return ortCase{name: op + "_" + shapeName(a) + "_" + shapeName(b), model: m}
}

func shapeName(s []int64) string {
	if len(s) == 0 {
		return "scalar"
	}
	return strings.Trim(strings.ReplaceAll(fmt.Sprint(s), " ", "x"), "[]")
}

func TestBroadcastMatchesORT(t *testing.T) {
	shapes := [][2][]int64{
		{{2, 3}, {2, 3}},
		{{2, 3, 4, 5}, {5}},
		{{2, 3, 4, 5}, {1, 3, 1, 1}},
		{{3, 1}, {1, 4}},
		{{4}, {3, 1}},
		{{}, {2, 3}},
		{{2, 3}, {}},
		{{1}, {2, 3}},
		{{2, 3, 4, 5, 6}, {6}},
		{{2, 3, 4, 5, 6}, {3, 1, 1, 1}},
		{{1, 1}, {1}},
		{{5, 1, 4}, {1, 3, 1}},
	}
	var cases []ortCase
	for _, op := range []string{"Add", "Sub", "Mul", "Div"} {
		for _, s := range shapes {
			cases = append(cases, binaryCase(op, s[0], s[1]))
		}
	}
	cases = append(cases, binaryCase("Add", []int64{2, 1, 2, 1, 2}, []int64{1, 2, 1, 2, 1}),
		ortCase{name: "Mul_initializer_bias", model: onnxtest.Model{Opset: 13,
			Inputs: []onnxtest.Input{ortIn("x", 2, 3)}, Inits: []*ir.Tensor{ortFloatInit("w", 3)},
			Nodes: []onnxtest.Node{ortNode("Mul", []string{"w", "x"}, "y", nil)}, Outputs: []string{"y"}}},
		ortCase{name: "Div_by_constant", model: onnxtest.Model{Opset: 11,
			Inputs: []onnxtest.Input{ortIn("x", 2, 3)},
			Nodes: []onnxtest.Node{
				ortNode("Constant", nil, "c", map[string]any{"value_floats": []float32{2, -4, 8}}),
				ortNode("Div", []string{"x", "c"}, "y", nil)}, Outputs: []string{"y"}}},
	)
	runORTCases(t, cases)
}

func TestActivationsMatchORT(t *testing.T) {
	unary := func(name, op string, opset int64, shape []int64, attrs map[string]any) ortCase {
		return ortCase{name: name, scale: 6, model: onnxtest.Model{Opset: opset, Inputs: []onnxtest.Input{ortIn("x", shape...)},
			Nodes: []onnxtest.Node{ortNode(op, []string{"x"}, "y", attrs)}, Outputs: []string{"y"}}}
	}
	runORTCases(t, []ortCase{
		unary("Relu", "Relu", 14, []int64{3, 7}, nil),
		unary("LeakyRelu_default", "LeakyRelu", 16, []int64{3, 7}, nil),
		unary("LeakyRelu_alpha", "LeakyRelu", 11, []int64{2, 3, 4}, map[string]any{"alpha": float32(0.3)}),
		unary("Sigmoid", "Sigmoid", 13, []int64{4, 5}, nil),
		unary("Tanh", "Tanh", 13, []int64{4, 5}, nil),
		unary("Identity", "Identity", 16, []int64{4, 5}, nil),
		unary("Dropout_inference_12", "Dropout", 12, []int64{4, 5}, nil),
		unary("Dropout_ratio_attr_11", "Dropout", 11, []int64{4, 5}, map[string]any{"ratio": float32(0.3)}),
		unary("Softmax_11_default_axis_coerces_to_2d", "Softmax", 11, []int64{2, 3, 4}, nil),
		unary("Softmax_11_axis_0", "Softmax", 11, []int64{2, 3, 4}, map[string]any{"axis": 0}),
		unary("Softmax_11_axis_2", "Softmax", 11, []int64{2, 3, 4}, map[string]any{"axis": 2}),
		unary("Softmax_11_axis_-2", "Softmax", 11, []int64{2, 3, 4}, map[string]any{"axis": -2}),
		unary("Softmax_13_default_axis", "Softmax", 13, []int64{2, 3, 4}, nil),
		unary("Softmax_13_axis_1", "Softmax", 13, []int64{2, 3, 4}, map[string]any{"axis": 1}),
		unary("Softmax_13_axis_0", "Softmax", 13, []int64{2, 3, 4}, map[string]any{"axis": 0}),
		unary("Softmax_13_1d", "Softmax", 13, []int64{7}, nil),
		unary("Softmax_13_rows", "Softmax", 13, []int64{1, 7}, nil),
		{name: "Softmax_large_first_in_row", model: onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 2, 3)},
			Nodes:   []onnxtest.Node{ortNode("Add", []string{"x", "big"}, "z", nil), ortNode("Softmax", []string{"z"}, "y", nil)},
			Inits:   []*ir.Tensor{{Name: "big", DType: ir.Float32, Dims: []int64{2, 3}, Float: []float32{0, 0, 0, 1000, 0, -5}}},
			Outputs: []string{"y"}}},
	})
}

func TestDropoutMaskAndTrainingMode(t *testing.T) {
	mask := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 2, 3)},
		Nodes:   []onnxtest.Node{{Op: "Dropout", Inputs: []string{"x"}, Outputs: []string{"y", "m"}}},
		Outputs: []string{"y", "m"}}
	model, err := mask.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{1, -2, 3, -4, 5, -6}}
	got, err := goRun(model, []tensor.Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0].Data, x.Data) || !slices.Equal(got[1].Data, []float32{1, 1, 1, 1, 1, 1}) {
		t.Errorf("Dropout = %v, mask %v; want the input and all ones", got[0].Data, got[1].Data)
	}

	training := func(ratio float32) onnxtest.Model {
		return onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 2, 3)},
			Inits: []*ir.Tensor{
				{Name: "r", DType: ir.Float32, Dims: []int64{}, Float: []float32{ratio}},
				{Name: "t", DType: ir.Int64, Dims: []int64{}, Int: []int64{1}},
			},
			Nodes: []onnxtest.Node{ortNode("Dropout", []string{"x", "r", "t"}, "y", nil)}, Outputs: []string{"y"}}
	}
	// The int64 training_mode stands in for the bool ONNX wants: the lowering reads only its value.
	for _, c := range []struct {
		ratio   float32
		wantErr error
	}{{0, nil}, {0.5, ir.ErrUnsupportedOp}} {
		model, err := training(c.ratio).Bytes()
		if err != nil {
			t.Fatal(err)
		}
		got, err := goRun(model, []tensor.Tensor{x})
		if !errors.Is(err, c.wantErr) {
			t.Fatalf("ratio %g: error %v, want %v", c.ratio, err, c.wantErr)
		}
		if err == nil && !slices.Equal(got[0].Data, x.Data) {
			t.Errorf("ratio 0 in training mode = %v, want the input", got[0].Data)
		}
	}
}

// TestOutputFeedingAnotherNode checks a graph output that another node also reads: gorgonia's tape
// machine reuses the registers of values it no longer needs, so such an output must be read before the
// register is overwritten.
func TestOutputFeedingAnotherNode(t *testing.T) {
	m := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 2, 3)},
		Nodes: []onnxtest.Node{
			ortNode("Relu", []string{"x"}, "r", nil),
			ortNode("Sigmoid", []string{"r"}, "s", nil),
			ortNode("Add", []string{"s", "r"}, "y", nil),
		},
		Outputs: []string{"r", "y", "s"}}
	model, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{-1, 2, -3, 4, -5, 6}}
	for run := range 2 {
		got, err := goRun(model, []tensor.Tensor{x})
		if err != nil {
			t.Fatal(err)
		}
		want := make([][]float32, 3)
		for _, v := range x.Data {
			r := max(v, 0)
			s := float32(1 / (1 + math.Exp(-float64(r))))
			want[0], want[1], want[2] = append(want[0], r), append(want[1], s+r), append(want[2], s)
		}
		for k := range want {
			testkit.CloseTo(t, fmt.Sprintf("run %d: output %s", run, m.Outputs[k]), got[k].Data, want[k], nodeTolerance, nodeTolerance)
		}
	}
}
