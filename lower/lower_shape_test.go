package lower_test

import (
	"slices"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// viewChain is PyTorch's x.view(x.size(0), -1) as exported: Shape → Gather → Unsqueeze → Concat →
// Reshape, then a Gemm, on an input with a symbolic batch. At opset 11 Unsqueeze takes its axes as an
// attribute, from 13 as an input.
func viewChain(opset int64) *ir.Graph {
	i64 := func(name string, dims []int64, v ...int64) *ir.Tensor {
		return &ir.Tensor{Name: name, DType: ir.Int64, Dims: dims, Int: v}
	}
	w := &ir.Tensor{Name: "w", DType: ir.Float32, Dims: []int64{2, 6}, Float: []float32{
		1, 0, 0, 0, 0, 1,
		0, 1, -1, 0, 2, 0}}
	g := &ir.Graph{
		Opset:   opset,
		Inputs:  []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(2), ir.Fixed(3)}}},
		Outputs: []*ir.Value{{Name: "y", DType: ir.Float32}, {Name: "flat", DType: ir.Float32}},
		Initializers: map[string]*ir.Tensor{
			"zero": i64("zero", []int64{}, 0),
			"axes": i64("axes", []int64{1}, 0),
			"w":    w,
		},
		InitOrder: []string{"zero", "axes", "w"},
	}
	unsqueeze := &ir.Node{Name: "unsqueeze", OpType: "Unsqueeze", Inputs: []string{"n"}, Outputs: []string{"n1"}}
	if opset < 13 {
		unsqueeze.Attrs = map[string]ir.Attr{"axes": {Type: ir.AttrInts, Ints: []int64{0}}}
	} else {
		unsqueeze.Inputs = append(unsqueeze.Inputs, "axes")
	}
	g.Nodes = []*ir.Node{
		{Name: "shape", OpType: "Shape", Inputs: []string{"x"}, Outputs: []string{"s"}},
		{Name: "gather", OpType: "Gather", Inputs: []string{"s", "zero"}, Outputs: []string{"n"}, Attrs: map[string]ir.Attr{"axis": {Type: ir.AttrInt, Int: 0}}},
		unsqueeze,
		{Name: "minus_one", OpType: "Constant", Outputs: []string{"m"}, Attrs: map[string]ir.Attr{"value_ints": {Type: ir.AttrInts, Ints: []int64{-1}}}},
		{Name: "concat", OpType: "Concat", Inputs: []string{"n1", "m"}, Outputs: []string{"target"}, Attrs: map[string]ir.Attr{"axis": {Type: ir.AttrInt, Int: 0}}},
		{Name: "reshape", OpType: "Reshape", Inputs: []string{"x", "target"}, Outputs: []string{"flat"}},
		{Name: "fc", OpType: "Gemm", Inputs: []string{"flat", "w"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}},
	}
	return g
}

func TestViewChainFoldsForEachBatch(t *testing.T) {
	for _, opset := range []int64{11, 13, 17} {
		g := viewChain(opset)
		for _, batch := range []int{3, 5} {
			l, err := lower.Lower(g, lower.Options{Batch: batch})
			if err != nil {
				t.Fatalf("opset %d, batch %d: %v", opset, batch, err)
			}
			x := tensor.Tensor{Shape: []int64{int64(batch), 2, 3}, Data: make([]float32, batch*6)}
			for i := range x.Data {
				x.Data[i] = float32(i%7) - 2
			}
			out, err := l.Run([]tensor.Tensor{x})
			if err != nil {
				t.Fatalf("opset %d, batch %d: %v", opset, batch, err)
			}
			y, flat := out[0], out[1]
			if !slices.Equal(flat.Shape, []int64{int64(batch), 6}) || !slices.Equal(flat.Data, x.Data) {
				t.Errorf("opset %d, batch %d: flattened %v %v, want [%d 6] and the input's data", opset, batch, flat.Shape, flat.Data, batch)
			}
			if !slices.Equal(y.Shape, []int64{int64(batch), 2}) {
				t.Fatalf("opset %d, batch %d: y has shape %v", opset, batch, y.Shape)
			}
			for r := range batch {
				row := x.Data[6*r : 6*r+6]
				want := []float32{row[0] + row[5], row[1] - row[2] + 2*row[4]}
				if y.Data[2*r] != want[0] || y.Data[2*r+1] != want[1] {
					t.Errorf("opset %d, batch %d, row %d: %v, want %v", opset, batch, r, y.Data[2*r:2*r+2], want)
				}
			}
			// Only float values become gorgonia nodes; the shape arithmetic was folded.
			for _, name := range []string{"s", "n", "n1", "m", "target"} {
				if _, ok := l.Values[name]; ok {
					t.Errorf("opset %d: integer tensor %q became a gorgonia node", opset, name)
				}
			}
		}
		shapes, err := ir.InferShapes(g)
		if err != nil {
			t.Fatal(err)
		}
		want := ir.Shape{ir.Symbolic("batch"), ir.Fixed(6)}
		if got := shapes["flat"]; got.String() != want.String() {
			t.Errorf("opset %d: inferred shape of flat is %v, want %v", opset, got, want)
		}
	}
}

func TestShapeOpsMatchORT(t *testing.T) {
	one := func(name string, opset int64, shape []int64, op string, attrs map[string]any, extra ...*ir.Tensor) ortCase {
		args := []string{"x"}
		for _, e := range extra {
			args = append(args, e.Name)
		}
		return ortCase{name: name, model: onnxtest.Model{Opset: opset, Inputs: []onnxtest.Input{ortIn("x", shape...)},
			Inits: extra, Nodes: []onnxtest.Node{ortNode(op, args, "y", attrs)}, Outputs: []string{"y"}}}
	}
	ints := func(name string, v ...int64) *ir.Tensor {
		return &ir.Tensor{Name: name, DType: ir.Int64, Dims: []int64{int64(len(v))}, Int: v}
	}
	scalarIndex := &ir.Tensor{Name: "i", DType: ir.Int64, Dims: []int64{}, Int: []int64{-1}}
	runORTCases(t, []ortCase{
		one("Flatten_default", 13, []int64{2, 3, 4}, "Flatten", nil),
		one("Flatten_axis_0", 11, []int64{2, 3, 4}, "Flatten", map[string]any{"axis": 0}),
		one("Flatten_axis_-1", 13, []int64{2, 3, 4}, "Flatten", map[string]any{"axis": -1}),
		one("Flatten_axis_rank", 13, []int64{2, 3, 4}, "Flatten", map[string]any{"axis": 3}),
		one("Transpose_default", 13, []int64{2, 3, 4}, "Transpose", nil),
		one("Transpose_perm", 13, []int64{2, 3, 4, 5}, "Transpose", map[string]any{"perm": []int64{0, 2, 3, 1}}),
		one("Squeeze_11_attr", 11, []int64{2, 1, 3, 1}, "Squeeze", map[string]any{"axes": []int64{-1}}),
		one("Squeeze_11_all", 11, []int64{2, 1, 3, 1}, "Squeeze", nil),
		one("Squeeze_13_input", 13, []int64{2, 1, 3, 1}, "Squeeze", nil, ints("axes", 1)),
		one("Squeeze_13_all", 13, []int64{1, 3, 1}, "Squeeze", nil),
		one("Squeeze_13_empty_axes", 13, []int64{1, 3, 1}, "Squeeze", nil, &ir.Tensor{Name: "axes", DType: ir.Int64, Dims: []int64{0}, Int: []int64{}}),
		one("Unsqueeze_11_attr", 11, []int64{2, 3}, "Unsqueeze", map[string]any{"axes": []int64{0, -1}}),
		one("Unsqueeze_13_input", 13, []int64{2, 3}, "Unsqueeze", nil, ints("axes", 3, 1)),
		one("Reshape_zero_copies", 13, []int64{2, 3, 4}, "Reshape", nil, ints("shape", 0, -1)),
		one("Reshape_14_allowzero_0", 14, []int64{2, 3, 4}, "Reshape", map[string]any{"allowzero": 0}, ints("shape", 4, 0, 2)),
		one("Gather_axis_1", 13, []int64{2, 4, 3}, "Gather", map[string]any{"axis": 1}, ints("i", 3, 0, -1, 3)),
		one("Gather_scalar_index", 13, []int64{2, 4, 3}, "Gather", map[string]any{"axis": -2}, scalarIndex),
		one("Gather_last_axis", 13, []int64{4, 5}, "Gather", map[string]any{"axis": 1}, ints("i", 4, 1)),
		one("Concat_initializer_neg_axis", 13, []int64{2, 3}, "Concat", map[string]any{"axis": -1}, ortFloatInit("c", 2, 2)),
		{name: "Gather_of_constant_feeds_reshape", model: onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 2, 3, 4)},
			Inits: []*ir.Tensor{ints("table", 6, 4, 2, 12), ints("pick", 2, 3)},
			Nodes: []onnxtest.Node{
				ortNode("Gather", []string{"table", "pick"}, "shape", nil),
				ortNode("Reshape", []string{"x", "shape"}, "y", nil),
			}, Outputs: []string{"y"}}},
		{name: "Constant_tensor_and_shape_arithmetic", model: onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 2, 3, 4)},
			Nodes: []onnxtest.Node{
				ortNode("Shape", []string{"x"}, "s", nil),
				ortNode("Constant", nil, "k", map[string]any{"value": &ir.Tensor{Name: "k", Dims: []int64{3}, Int: []int64{3, 1, 9}}}),
				ortNode("Mul", []string{"s", "k"}, "s2", nil),
				ortNode("Constant", nil, "d", map[string]any{"value_int": int64(3)}),
				ortNode("Div", []string{"s2", "d"}, "s3", nil),
				ortNode("Reshape", []string{"x", "s3"}, "y", nil),
			}, Outputs: []string{"y"}}},
		{name: "Reshape_shape_from_float_input", wantErr: ir.ErrUnsupportedOp, model: onnxtest.Model{Opset: 13,
			Inputs: []onnxtest.Input{ortIn("x", 2, 3), ortIn("s", 2)},
			Nodes:  []onnxtest.Node{ortNode("Reshape", []string{"x", "s"}, "y", nil)}, Outputs: []string{"y"}}},
		{name: "Squeeze_of_non_one", wantErr: ir.ErrShapeMismatch, model: onnxtest.Model{Opset: 13,
			Inputs: []onnxtest.Input{ortIn("x", 2, 3)}, Inits: []*ir.Tensor{ints("axes", 0)},
			Nodes: []onnxtest.Node{ortNode("Squeeze", []string{"x", "axes"}, "y", nil)}, Outputs: []string{"y"}}},
	})
}

func TestGatherScalarIndexOfVector(t *testing.T) {
	m := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 4)},
		Inits: []*ir.Tensor{{Name: "i", DType: ir.Int64, Dims: []int64{}, Int: []int64{-2}}},
		Nodes: []onnxtest.Node{ortNode("Gather", []string{"x", "i"}, "y", nil)}, Outputs: []string{"y"}}
	model, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	got, err := goRun(model, []tensor.Tensor{{Shape: []int64{4}, Data: []float32{1, 2, 3, 4}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0].Shape) != 0 || got[0].Data[0] != 3 {
		t.Errorf("x[-2] = %v of shape %v, want 3 of shape []", got[0].Data, got[0].Shape)
	}
}
