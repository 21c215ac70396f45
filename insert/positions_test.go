package insert_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ir"
)

func TestPositionsAdultMLP(t *testing.T) {
	g, err := importer.ReadFile(filepath.Join("..", "testdata", "models", "adult_mlp", "model.onnx"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := insert.Positions(g)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/Relu_output_0", "/Relu_1_output_0", "/Relu_2_output_0"}
	if len(got) != len(want) {
		t.Fatalf("%d positions (%+v), want %d", len(got), got, len(want))
	}
	for i, p := range got {
		if p.Index != i+1 || p.Tensor != want[i] || p.Width != 101 || p.Activation != "Relu" || !p.NonNegative {
			t.Errorf("position %d = %+v, want %s of width 101 after a Relu", i+1, p, want[i])
		}
	}
}

// wantPositions holds, for every .onnx file under a testdata folder that imports, the positions that
// insert.Positions gave when it took its shapes from lower.InferShapes (recorded before the switch to
// ir.InferShapes), or the error it returns. The models with an op or an input type the Go forward pass
// does not support made lower.InferShapes fail with ErrUnsupportedOp; their shapes after that op are
// now unknown instead, which leaves them, as before, without a position. The testdata/models9 entries are
// the hidden activations of the modules testdata/gen/make_heads.py builds.
var wantPositions = map[string]struct {
	positions []insert.Position
	err       error
}{
	"internal/reference/testdata/add_twice.onnx":     {},
	"internal/reference/testdata/clip.onnx":          {},
	"internal/reference/testdata/gemm_1d.onnx":       {err: ir.ErrShapeMismatch},
	"internal/reference/testdata/mlp.onnx":           {positions: []insert.Position{{Index: 1, Tensor: "r", Width: 5, Activation: "Relu", NonNegative: true}}},
	"internal/reference/testdata/reused_output.onnx": {},
	"internal/reference/testdata/unsqueeze.onnx":     {},
	"ort/testdata/add.onnx":                          {},
	"ort/testdata/add_static.onnx":                   {},
	"ort/testdata/int64.onnx":                        {},
	"ort/testdata/relu.onnx":                         {},
	"testdata/bad/custom_domain.onnx":                {},
	"testdata/bad/unknown_op.onnx":                   {},
	"testdata/bad/wrong_shape_initializer.onnx":      {err: ir.ErrShapeMismatch},
	"testdata/models/adult_mlp/model.onnx":           {positions: []insert.Position{{1, "/Relu_output_0", 101, "Relu", true}, {2, "/Relu_1_output_0", 101, "Relu", true}, {3, "/Relu_2_output_0", 101, "Relu", true}}},
	"testdata/models/adult_blind/model.onnx":         {positions: []insert.Position{{1, "/Relu_output_0", 101, "Relu", true}, {2, "/Relu_1_output_0", 101, "Relu", true}, {3, "/Relu_2_output_0", 101, "Relu", true}}},
	"testdata/models/bank_marketing_mlp/model.onnx":  {positions: []insert.Position{{1, "/Relu_output_0", 64, "Relu", true}, {2, "/Relu_1_output_0", 64, "Relu", true}, {3, "/Relu_2_output_0", 64, "Relu", true}}},
	"testdata/models/credit_default_mlp/model.onnx":  {positions: []insert.Position{{1, "/Relu_output_0", 64, "Relu", true}, {2, "/Relu_1_output_0", 64, "Relu", true}, {3, "/Relu_2_output_0", 64, "Relu", true}}},
	"testdata/models/law_school_mlp/model.onnx":      {positions: []insert.Position{{1, "/Relu_output_0", 64, "Relu", true}, {2, "/Relu_1_output_0", 64, "Relu", true}, {3, "/Relu_2_output_0", 64, "Relu", true}}},
	"testdata/models/cnn_gap/model.onnx":             {positions: []insert.Position{{1, "/Squeeze_1_output_0", 8, "Relu", true}}},
	"testdata/models/cnn_small/model.onnx":           {positions: []insert.Position{{1, "/Reshape_output_0", 32, "Relu", true}, {2, "/Relu_2_output_0", 16, "Relu", true}}},
	"testdata/models/mlp_bn_softmax/model.onnx":      {positions: []insert.Position{{1, "/Relu_output_0", 32, "Relu", true}, {2, "/act2/LeakyRelu_output_0", 16, "LeakyRelu", false}}},
	// Einsum's output width is not inferred: its position comes only with a measured shape (the root
	// package's Inspect runs onnxruntime for it).
	"testdata/models9/einsum_mlp/model.onnx":       {positions: []insert.Position{{1, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models9/residual_mlp/model.onnx":     {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}, {3, "/Add_output_0", 16, "Add", false}}},
	"testdata/models9/embed_two_inputs/model.onnx": {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models9/four_class/model.onnx":       {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models9/keras_style/model.onnx":      {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models9/lstm/model.onnx":             {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}}},
	"testdata/models9/mlp_layernorm/model.onnx":    {positions: []insert.Position{{1, "/Mul_1_output_0", 32, "Mul", false}, {2, "/Mul_2_output_0", 32, "Mul", false}, {3, "/Relu_output_0", 32, "Relu", true}}},
	"testdata/models9/opset9_mlp/model.onnx":       {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models9/raw_logit/model.onnx":        {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models9/transformer/model.onnx":      {positions: []insert.Position{{1, "/encoder/layers.0/self_attn/Reshape_3_output_0", 16, "MatMul", false}, {2, "/ReduceMean_output_0", 16, "ReduceMean", false}, {3, "/Relu_output_0", 16, "Relu", true}}},
	"testdata/models9/two_class/model.onnx":        {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models9/two_outputs/model.onnx":      {positions: []insert.Position{{1, "/Relu_output_0", 16, "Relu", true}, {2, "/Relu_1_output_0", 16, "Relu", true}}},
	"testdata/models/mlp_static_ext/model.onnx":    {positions: []insert.Position{{1, "/Tanh_output_0", 12, "Tanh", false}, {2, "/Sigmoid_output_0", 6, "Sigmoid", true}}},
}

// TestPositionsTestdata checks the positions of every .onnx file under a testdata folder of the module
// against wantPositions.
func TestPositionsTestdata(t *testing.T) {
	var paths []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".onnx") && slices.Contains(strings.Split(filepath.ToSlash(path), "/"), "testdata") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	checked := 0
	for _, path := range paths {
		key := strings.TrimPrefix(filepath.ToSlash(path), "../")
		t.Run(key, func(t *testing.T) {
			g, err := importer.ReadFile(path, importer.Options{})
			if err != nil {
				t.Skipf("does not import: %v", err)
			}
			want, ok := wantPositions[key]
			if !ok {
				t.Fatalf("no entry in wantPositions; add one")
			}
			checked++
			got, err := insert.Positions(g)
			switch {
			case want.err != nil:
				if !errors.Is(err, want.err) {
					t.Fatalf("error %v, want one wrapping %v", err, want.err)
				}
			case err != nil:
				t.Fatal(err)
			case len(got) != 0 || len(want.positions) != 0:
				if !reflect.DeepEqual(got, want.positions) {
					t.Errorf("positions\n%+v\nwant\n%+v", got, want.positions)
				}
			}
		})
	}
	if checked != len(wantPositions) {
		t.Errorf("checked %d models, wantPositions has %d: remove the entries of files that are gone", checked, len(wantPositions))
	}
}

// TestPositionsBeforeUnknownOp checks that an op shape inference does not know hides only the positions
// after it.
func TestPositionsBeforeUnknownOp(t *testing.T) {
	weight := func(name string, dims ...int64) *ir.Tensor {
		return &ir.Tensor{Name: name, DType: ir.Float32, Dims: dims, Float: make([]float32, ir.NumElements(dims))}
	}
	gemm := func(name, in, w, out string) *ir.Node {
		return &ir.Node{Name: name, OpType: "Gemm", Inputs: []string{in, w}, Outputs: []string{out},
			Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}}
	}
	g := &ir.Graph{
		Opset:  17,
		Inputs: []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(4)}}},
		Nodes: []*ir.Node{
			gemm("fc1", "x", "w1", "h1"),
			{Name: "relu", OpType: "Relu", Inputs: []string{"h1"}, Outputs: []string{"a1"}},
			gemm("fc2", "a1", "w2", "h2"),
			{Name: "odd", OpType: "FooBar", Domain: "com.example", Inputs: []string{"h2"}, Outputs: []string{"a2"}},
			gemm("fc3", "a2", "w3", "y"),
		},
		Outputs:      []*ir.Value{{Name: "y", DType: ir.Float32}},
		Initializers: map[string]*ir.Tensor{},
	}
	for _, w := range []*ir.Tensor{weight("w1", 6, 4), weight("w2", 5, 6), weight("w3", 2, 5)} {
		if err := g.AddInitializer(w); err != nil {
			t.Fatal(err)
		}
	}
	got, err := insert.Positions(g)
	if err != nil {
		t.Fatal(err)
	}
	want := []insert.Position{{Index: 1, Tensor: "a1", Width: 6, Activation: "Relu", NonNegative: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("positions %+v, want %+v", got, want)
	}
}
