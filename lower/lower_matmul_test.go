package lower_test

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/tensor"
)

func TestMatMulMatchesORT(t *testing.T) {
	// A 1-D·1-D product is a scalar, which the onnxruntime binding does not return; TestMatMulVectors
	// covers it.
	shapes := [][2][]int64{
		{{3}, {3, 4}},
		{{2, 3}, {3}},
		{{2, 3}, {3, 4}},
		{{1, 3}, {3, 1}},
		{{2, 3, 4}, {4, 5}},
		{{2, 3, 4}, {4}},
		{{2, 3, 4}, {2, 4, 5}},
		{{1, 3, 4}, {2, 4, 5}},
		{{3, 4}, {2, 4, 5}},
		{{4}, {2, 4, 5}},
		{{2, 1, 3, 4}, {5, 4, 2}},
		{{2, 2, 3, 4}, {2, 2, 4, 5}},
	}
	var cases []ortCase
	for _, s := range shapes {
		cases = append(cases, binaryCase("MatMul", s[0], s[1]))
	}
	cases = append(cases, ortCase{name: "MatMul_initializer_weight", model: onnxtest.Model{Opset: 13,
		Inputs: []onnxtest.Input{ortIn("x", 2, 3, 4)}, Inits: []*ir.Tensor{ortFloatInit("w", 4, 6)},
		Nodes: []onnxtest.Node{ortNode("MatMul", []string{"x", "w"}, "y", nil)}, Outputs: []string{"y"}}})
	runORTCases(t, cases)
}

func TestMatMulVectors(t *testing.T) {
	m := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("a", 3), ortIn("b", 3)},
		Nodes: []onnxtest.Node{ortNode("MatMul", []string{"a", "b"}, "y", nil)}, Outputs: []string{"y"}}
	model, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	got, err := goRun(model, []tensor.Tensor{{Shape: []int64{3}, Data: []float32{1, 2, 3}}, {Shape: []int64{3}, Data: []float32{4, -5, 6}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0].Shape) != 0 || got[0].Data[0] != 12 {
		t.Errorf("[1 2 3]·[4 -5 6] = %v of shape %v, want 12 of shape []", got[0].Data, got[0].Shape)
	}
}

func TestGemmMatchesORT(t *testing.T) {
	gemm := func(name string, a, b []int64, c []int64, cInit bool, attrs map[string]any) ortCase {
		m := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("a", a...), ortIn("b", b...)}, Outputs: []string{"y"}}
		args := []string{"a", "b"}
		switch {
		case c == nil:
		case cInit || len(c) == 0:
			m.Inits = append(m.Inits, ortFloatInit("c", c...))
			args = append(args, "c")
		default:
			m.Inputs = append(m.Inputs, ortIn("c", c...))
			args = append(args, "c")
		}
		m.Nodes = []onnxtest.Node{ortNode("Gemm", args, "y", attrs)}
		return ortCase{name: name, model: m}
	}
	all := map[string]any{"alpha": float32(0.25), "beta": float32(-1.5), "transA": 1, "transB": 1}
	runORTCases(t, []ortCase{
		gemm("no_bias", []int64{2, 3}, []int64{3, 4}, nil, false, nil),
		gemm("vector_bias", []int64{2, 3}, []int64{3, 4}, []int64{4}, true, nil),
		gemm("matrix_bias", []int64{2, 3}, []int64{3, 4}, []int64{2, 4}, false, nil),
		gemm("column_bias", []int64{2, 3}, []int64{3, 4}, []int64{2, 1}, false, nil),
		gemm("row_bias", []int64{2, 3}, []int64{3, 4}, []int64{1, 4}, false, nil),
		gemm("scalar_bias", []int64{2, 3}, []int64{3, 4}, []int64{}, true, nil),
		gemm("one_elem_bias", []int64{2, 3}, []int64{3, 4}, []int64{1}, true, nil),
		gemm("transB_linear", []int64{5, 3}, []int64{4, 3}, []int64{4}, true, map[string]any{"transB": 1}),
		gemm("transA", []int64{3, 2}, []int64{3, 4}, []int64{4}, true, map[string]any{"transA": 1}),
		gemm("all_attributes", []int64{3, 2}, []int64{4, 3}, []int64{1, 4}, false, all),
		gemm("beta_on_bias_param", []int64{2, 3}, []int64{3, 4}, []int64{4}, true, map[string]any{"beta": float32(0.5)}),
		gemm("batch_1", []int64{1, 3}, []int64{4, 3}, []int64{4}, true, map[string]any{"transB": 1}),
		{name: "bias_too_big", wantErr: ir.ErrShapeMismatch, model: onnxtest.Model{Opset: 13,
			Inputs: []onnxtest.Input{ortIn("a", 2, 3)}, Inits: []*ir.Tensor{ortFloatInit("b", 3, 4), ortFloatInit("c", 3, 4)},
			Nodes: []onnxtest.Node{ortNode("Gemm", []string{"a", "b", "c"}, "y", nil)}, Outputs: []string{"y"}}},
	})
}

// mlpGraph is the FairBiNN shape of model: Gemm(transB) + bias, Relu, Gemm(transB) + bias, Sigmoid, with
// a symbolic batch.
func mlpGraph() *ir.Graph {
	w1 := &ir.Tensor{Name: "w1", DType: ir.Float32, Dims: []int64{4, 3},
		Float: []float32{0.5, -0.3, 0.8, -0.6, 0.2, 0.4, 0.7, 0.9, -0.2, 0.1, -0.8, 0.3}}
	b1 := &ir.Tensor{Name: "b1", DType: ir.Float32, Dims: []int64{4}, Float: []float32{0.1, -0.2, 0.3, 0.05}}
	w2 := &ir.Tensor{Name: "w2", DType: ir.Float32, Dims: []int64{1, 4}, Float: []float32{0.6, -0.7, 0.5, 0.9}}
	b2 := &ir.Tensor{Name: "b2", DType: ir.Float32, Dims: []int64{1}, Float: []float32{-0.1}}
	return &ir.Graph{
		Opset:        13,
		Inputs:       []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("N"), ir.Fixed(3)}}},
		Outputs:      []*ir.Value{{Name: "y", DType: ir.Float32}},
		Initializers: map[string]*ir.Tensor{"w1": w1, "b1": b1, "w2": w2, "b2": b2},
		InitOrder:    []string{"w1", "b1", "w2", "b2"},
		Nodes: []*ir.Node{
			{Name: "fc1", OpType: "Gemm", Inputs: []string{"x", "w1", "b1"}, Outputs: []string{"h"}, Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}},
			{Name: "relu", OpType: "Relu", Inputs: []string{"h"}, Outputs: []string{"r"}},
			{Name: "fc2", OpType: "Gemm", Inputs: []string{"r", "w2", "b2"}, Outputs: []string{"z"}, Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}},
			{Name: "sigmoid", OpType: "Sigmoid", Inputs: []string{"z"}, Outputs: []string{"y"}},
		},
	}
}

var mlpInput = tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{0.9, -0.4, 0.3, -0.2, 0.7, 1.1}}

// gemmGradWeights are the fixed weights of the test loss Σ wᵢ·yᵢ: a plain sum would hide errors in
// gradients of outputs that sum to a constant, such as Softmax's.
func gemmGradWeights(n int) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(i%5) - 1.7
	}
	return w
}

// gemmGradLoss is Σ wᵢ·yᵢ over the first output, in float64, from a fresh lowering of g.
func gemmGradLoss(t *testing.T, g *ir.Graph, x tensor.Tensor) float64 {
	t.Helper()
	l, err := lower.Lower(g, lower.Options{Batch: int(x.Shape[0])})
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.Run([]tensor.Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	s := 0.0
	for i, v := range out[0].Data {
		s += float64(v) * float64(gemmGradWeights(len(out[0].Data))[i])
	}
	return s
}

// gemmCheckGradients checks that G.Grad of the test loss reaches every float initializer of g and agrees
// with central finite differences.
func gemmCheckGradients(t *testing.T, g *ir.Graph, x tensor.Tensor) {
	t.Helper()
	l, err := lower.Lower(g, lower.Options{Batch: int(x.Shape[0])})
	if err != nil {
		t.Fatal(err)
	}
	y := l.Outputs[0]
	w := G.NewTensor(l.Graph, gt.Float32, y.Dims(), G.WithShape(y.Shape()...), G.WithName("loss weights"),
		G.WithValue(gt.New(gt.WithShape(y.Shape()...), gt.WithBacking(gemmGradWeights(y.Shape().TotalSize())))))
	wy, err := G.HadamardProd(y, w)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(wy)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var params G.Nodes
	for _, name := range g.InitOrder {
		if p, ok := l.Params[name]; ok {
			names = append(names, name)
			params = append(params, p)
		}
	}
	grads, err := G.Grad(cost, params...)
	if err != nil {
		t.Fatalf("G.Grad: %v", err)
	}
	// Read each gradient as it is computed: the tape machine reuses the memory of finished values.
	gradVals := make([]G.Value, len(grads))
	for i, gr := range grads {
		if gr == nil {
			t.Fatalf("no gradient for %s", names[i])
		}
		G.Read(gr, &gradVals[i])
	}
	if err := G.Let(l.Inputs[0], gt.New(gt.WithShape(gemmIntShape(x.Shape)...), gt.WithBacking(slices.Clone(x.Data)))); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(l.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}

	const eps = 1e-2
	for i, name := range names {
		var analytic []float32
		switch v := gradVals[i].(type) {
		case gt.Tensor:
			analytic = v.Data().([]float32)
		case *G.F32:
			analytic = []float32{float32(*v)}
		}
		p := g.Initializers[name].Float
		if len(analytic) != len(p) {
			t.Fatalf("%s: %d gradient values for %d weights", name, len(analytic), len(p))
		}
		for j := range p {
			orig := p[j]
			p[j] = orig + eps
			up := gemmGradLoss(t, g, x)
			p[j] = orig - eps
			down := gemmGradLoss(t, g, x)
			p[j] = orig
			numeric := (up - down) / (2 * eps)
			if math.Abs(numeric-float64(analytic[j])) > 3e-3*math.Max(1, math.Abs(numeric)) {
				t.Errorf("d/d%s[%d]: G.Grad %v, finite difference %v", name, j, analytic[j], numeric)
			}
		}
	}
}

func gemmIntShape(s []int64) []int {
	out := make([]int, len(s))
	for i, d := range s {
		out[i] = int(d)
	}
	return out
}

// TestTrainingPathGradients checks that the ops on the training path are differentiable: G.Grad reaches
// every initializer, each the parameter node itself, and agrees with finite differences.
func TestTrainingPathGradients(t *testing.T) {
	t.Run("mlp_gemm_transB_relu_sigmoid", func(t *testing.T) {
		g := mlpGraph()
		l, err := lower.Lower(g, lower.Options{Batch: 2})
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Params["w1"].Shape(); !slices.Equal([]int(got), []int{4, 3}) {
			t.Errorf("w1 node has shape %v, want the ONNX layout [4 3]", got)
		}
		gemmCheckGradients(t, g, mlpInput)
	})
	x := tensor.Tensor{Shape: []int64{2, 3, 4}, Data: make([]float32, 24)}
	for i := range x.Data {
		x.Data[i] = float32((i*7)%11)/11 - 0.45
	}
	for _, c := range []struct {
		name  string
		inits []*ir.Tensor
		nodes []onnxtest.Node
		opset int64
	}{
		{"gemm_all_attributes_tanh", []*ir.Tensor{ortFloatInit("b", 5, 12), ortFloatInit("c", 1, 5)},
			[]onnxtest.Node{
				ortNode("Flatten", []string{"x"}, "f", nil),
				ortNode("Transpose", []string{"f"}, "ft", nil),
				ortNode("Gemm", []string{"ft", "b", "c"}, "h", map[string]any{"alpha": float32(0.7), "beta": float32(-1.3), "transA": 1, "transB": 1}),
				ortNode("Tanh", []string{"h"}, "y", nil),
			}, 13},
		{"matmul_batched_add_leakyrelu_softmax", []*ir.Tensor{ortFloatInit("w", 2, 4, 5), ortFloatInit("b", 5)},
			[]onnxtest.Node{
				ortNode("MatMul", []string{"x", "w"}, "m", nil),
				ortNode("Add", []string{"m", "b"}, "h", nil),
				ortNode("LeakyRelu", []string{"h"}, "r", map[string]any{"alpha": float32(0.2)}),
				ortNode("Softmax", []string{"r"}, "y", map[string]any{"axis": 1}),
			}, 13},
		{"flatten_matmul_matrix_vector", []*ir.Tensor{ortFloatInit("v", 12)},
			[]onnxtest.Node{
				ortNode("Flatten", []string{"x"}, "f", nil),
				ortNode("MatMul", []string{"f", "v"}, "h", nil),
				ortNode("Sigmoid", []string{"h"}, "y", nil),
			}, 13},
		// With gorgonia's G.Reshape, whose result shares its input's memory, the tape machine computed the
		// division in place in the softmax's output while the softmax's gradient still needed it.
		{"softmax_11_coerced_div_sub", []*ir.Tensor{ortFloatInit("w", 4),
			{Name: "d", DType: ir.Float32, Dims: []int64{3, 1}, Float: []float32{1.5, -2, 2.5}}},
			[]onnxtest.Node{
				ortNode("Mul", []string{"x", "w"}, "m", nil),
				ortNode("Softmax", []string{"m"}, "s", nil),
				ortNode("Div", []string{"s", "d"}, "q", nil),
				ortNode("Sub", []string{"q", "d"}, "y", nil),
			}, 11},
		{"reshape_concat_gather_transpose", []*ir.Tensor{ortFloatInit("w", 2, 3, 2), ortFloatInit("v", 9, 4),
			{Name: "shape", DType: ir.Int64, Dims: []int64{2}, Int: []int64{0, -1}},
			{Name: "idx", DType: ir.Int64, Dims: []int64{3}, Int: []int64{1, 0, 1}}},
			[]onnxtest.Node{
				ortNode("Concat", []string{"x", "w"}, "c", map[string]any{"axis": -1}),
				ortNode("Gather", []string{"c", "idx"}, "g", map[string]any{"axis": 2}),
				ortNode("Transpose", []string{"g"}, "t", map[string]any{"perm": []int64{0, 2, 1}}),
				ortNode("Reshape", []string{"t", "shape"}, "f", nil),
				ortNode("MatMul", []string{"f", "v"}, "h", nil),
				ortNode("Sigmoid", []string{"h"}, "y", nil),
			}, 13},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := onnxtest.Model{Opset: c.opset, Inputs: []onnxtest.Input{ortIn("x", 2, 3, 4)}, Inits: c.inits, Nodes: c.nodes, Outputs: []string{"y"}}
			data, err := m.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			g, err := importer.Read(data, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			gemmCheckGradients(t, g, x)
		})
	}
}

// TestGemmBatchSizes lowers the MLP with several batch sizes, as the forward pass does for a last,
// smaller chunk, and compares with the same rows computed one at a time.
func TestGemmBatchSizes(t *testing.T) {
	g := mlpGraph()
	rows := tensor.Tensor{Shape: []int64{5, 3}, Data: []float32{
		0.9, -0.4, 0.3, -0.2, 0.7, 1.1, 0.5, 0.5, -0.5, -1, 0, 1, 0.3, 0.2, 0.1}}
	all, err := lower.Forward(g, rows, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Shape, []int64{5, 1}) {
		t.Fatalf("shape %v, want [5 1]", all.Shape)
	}
	for r := range 5 {
		one, err := lower.Forward(g, tensor.Tensor{Shape: []int64{1, 3}, Data: rows.Data[3*r : 3*r+3]}, 1)
		if err != nil {
			t.Fatal(err)
		}
		testkit.CloseTo(t, fmt.Sprintf("row %d in a batch vs alone", r), all.Data[r:r+1], one.Data[:1], nodeTolerance, nodeTolerance)
	}
}

func ExampleLower_gemm() {
	l, err := lower.Lower(mlpGraph(), lower.Options{Batch: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := l.Run([]tensor.Tensor{mlpInput})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out[0].Shape, len(l.Params))
	// Output: [2 1] 4
}

// BenchmarkAdultMLPStep times one forward and backward pass of the Adult backbone (four Gemm with
// transB=1) on a batch of 100, the FairBiNN training step's shape.
func BenchmarkAdultMLPStep(b *testing.B) {
	g, err := importer.ReadFile("../testdata/models/adult_mlp/model.onnx", importer.Options{})
	if err != nil {
		b.Fatal(err)
	}
	l, err := lower.Lower(g, lower.Options{Batch: 100})
	if err != nil {
		b.Fatal(err)
	}
	cost, err := G.Sum(l.Outputs[0])
	if err != nil {
		b.Fatal(err)
	}
	var params G.Nodes
	for _, name := range g.InitOrder {
		params = append(params, l.Params[name])
	}
	if _, err := G.Grad(cost, params...); err != nil {
		b.Fatal(err)
	}
	x := make([]float32, 100*101)
	for i := range x {
		x[i] = float32(i%13) / 13
	}
	if err := G.Let(l.Inputs[0], gt.New(gt.WithShape(100, 101), gt.WithBacking(x))); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(l.Graph)
	defer vm.Close()
	b.ResetTimer()
	for range b.N {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
}

// TestRepeatedStepsKeepParams runs forward and backward passes of the test backbones several times on one
// tape machine, as training does, and checks that the parameters are untouched and the gradients the
// same each time: the tape machine computes in place and reuses memory, which must never reach a
// parameter's data through a value that shares it.
func TestRepeatedStepsKeepParams(t *testing.T) {
	paths, err := filepath.Glob("../testdata/models/*/model.onnx")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no backbones (%v)", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			g, err := importer.ReadFile(path, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			before := map[string][]float32{}
			for name, init := range g.Initializers {
				before[name] = slices.Clone(init.Float)
			}
			l, err := lower.Lower(g, lower.Options{Batch: 7})
			if err != nil {
				t.Fatal(err)
			}
			cost, err := G.Sum(l.Outputs[0])
			if err != nil {
				t.Fatal(err)
			}
			var params G.Nodes
			for _, name := range g.InitOrder {
				if p, ok := l.Params[name]; ok {
					params = append(params, p)
				}
			}
			grads, err := G.Grad(cost, params...)
			if err != nil {
				t.Fatal(err)
			}
			vals := make([]G.Value, len(grads))
			for i := range grads {
				G.Read(grads[i], &vals[i])
			}
			shape := l.Inputs[0].Shape()
			x := make([]float32, shape.TotalSize())
			for i := range x {
				x[i] = float32(i%13)/13 - 0.3
			}
			if err := G.Let(l.Inputs[0], gt.New(gt.WithShape(shape...), gt.WithBacking(x))); err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(l.Graph)
			defer vm.Close()
			var first []float32
			for step := range 3 {
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				var all []float32
				for _, v := range vals {
					all = append(all, v.Data().([]float32)...)
				}
				if step == 0 {
					first = all
				} else {
					// Not bit for bit: the order of float sums in the BLAS may vary between runs.
					if !testkit.CloseTo(t, fmt.Sprintf("step %d: gradients vs step 0", step), all, first, nodeTolerance, nodeTolerance) {
						t.FailNow()
					}
				}
				vm.Reset()
			}
			for name, init := range g.Initializers {
				if !slices.Equal(init.Float, before[name]) {
					t.Errorf("parameter %s changed", name)
				}
			}
		})
	}
}
