package ir

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// Builders for small hand-made graphs.

// shp builds a shape: an int is a fixed dim, a string a symbolic one, nil an unknown one.
func shp(dims ...any) Shape {
	s := Shape{}
	for _, d := range dims {
		switch d := d.(type) {
		case int:
			s = append(s, Fixed(int64(d)))
		case string:
			s = append(s, Symbolic(d))
		case nil:
			s = append(s, Dim{})
		default:
			panic(fmt.Sprintf("shp: %T", d))
		}
	}
	return s
}

func input(name string, dims ...any) *Value {
	return &Value{Name: name, DType: Float32, Shape: shp(dims...)}
}

func intInput(name string, dims ...any) *Value {
	return &Value{Name: name, DType: Int64, Shape: shp(dims...)}
}

// ints is a 1-D int64 tensor.
func ints(name string, v ...int64) *Tensor {
	return &Tensor{Name: name, DType: Int64, Dims: []int64{int64(len(v))}, Int: v}
}

// scalar is a rank-0 int64 tensor.
func scalar(name string, v int64) *Tensor {
	return &Tensor{Name: name, DType: Int64, Dims: []int64{}, Int: []int64{v}}
}

// floats is a float32 tensor of the given dims, filled with zeros unless values are given.
func floats(name string, dims []int64, values ...float32) *Tensor {
	if values == nil {
		values = make([]float32, NumElements(dims))
	}
	return &Tensor{Name: name, DType: Float32, Dims: dims, Float: values}
}

type kv struct {
	name string
	v    any
}

// nd builds a node; inputs and outputs are comma-separated ("x,,c" leaves input 1 out).
func nd(op, inputs, outputs string, attrs ...kv) *Node {
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	n := &Node{Name: op + ":" + outputs, OpType: op, Inputs: split(inputs), Outputs: split(outputs), Attrs: map[string]Attr{}}
	for _, a := range attrs {
		switch v := a.v.(type) {
		case int:
			n.Attrs[a.name] = Attr{Type: AttrInt, Int: int64(v)}
		case []int64:
			n.Attrs[a.name] = Attr{Type: AttrInts, Ints: v}
		case float32:
			n.Attrs[a.name] = Attr{Type: AttrFloat, Float: v}
		case []float32:
			n.Attrs[a.name] = Attr{Type: AttrFloats, Floats: v}
		case string:
			n.Attrs[a.name] = Attr{Type: AttrString, String: v}
		case *Tensor:
			n.Attrs[a.name] = Attr{Type: AttrTensor, Tensor: v}
		default:
			panic(fmt.Sprintf("nd: attribute %q of type %T", a.name, a.v))
		}
	}
	return n
}

func axes(v ...int64) []int64 { return v }

func buildGraph(opset int64, inputs []*Value, inits []*Tensor, nodes []*Node) *Graph {
	g := &Graph{Opset: opset, Inputs: inputs, Nodes: nodes, Initializers: map[string]*Tensor{}}
	for _, t := range inits {
		g.Initializers[t.Name] = t
		g.InitOrder = append(g.InitOrder, t.Name)
	}
	return g
}

type shapeCase struct {
	name   string
	opset  int64 // 17 when zero
	inputs []*Value
	inits  []*Tensor
	nodes  []*Node
	// want maps tensor names to Shape.String(); "-" means the tensor has no inferred shape.
	want map[string]string
	err  error // the sentinel the error wraps, if inference should fail
}

func runShapeCases(t *testing.T, cases []shapeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opset := tc.opset
			if opset == 0 {
				opset = 17
			}
			g := buildGraph(opset, tc.inputs, tc.inits, tc.nodes)
			got, err := InferShapes(g)
			if tc.err != nil {
				var ne *NodeError
				switch {
				case !errors.Is(err, tc.err):
					t.Fatalf("error %v, want one wrapping %v", err, tc.err)
				case !errors.As(err, &ne):
					t.Fatalf("error %v is not attributed to a node", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.want {
				s, ok := got[name]
				switch {
				case want == "-" && ok:
					t.Errorf("%s: shape %v, want none", name, s)
				case want != "-" && !ok:
					t.Errorf("%s: no shape, want %s", name, want)
				case want != "-" && s.String() != want:
					t.Errorf("%s: shape %v, want %s", name, s, want)
				}
			}
		})
	}
}

func TestInferShapesElementwise(t *testing.T) {
	runShapeCases(t, []shapeCase{
		{name: "inputs and initializers", inputs: []*Value{input("x", "batch", nil, 3)}, inits: []*Tensor{floats("w", []int64{3, 4})},
			want: map[string]string{"x": "[batch, ?, 3]", "w": "[3, 4]"}},
		{name: "unary ops keep the shape", inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Relu", "x", "a"), nd("LeakyRelu", "a", "b", kv{"alpha", float32(0.1)}), nd("Sigmoid", "b", "c"), nd("Tanh", "c", "d"), nd("Identity", "d", "e")},
			want:  map[string]string{"a": "[batch, 3]", "b": "[batch, 3]", "c": "[batch, 3]", "d": "[batch, 3]", "e": "[batch, 3]"}},
		{name: "add broadcasts a bias", inputs: []*Value{input("x", "batch", 3)}, inits: []*Tensor{floats("b", []int64{3})},
			nodes: []*Node{nd("Add", "x,b", "y")}, want: map[string]string{"y": "[batch, 3]"}},
		{name: "mul broadcasts both ways", inputs: []*Value{input("x", "batch", 1), input("y", 1, 4)},
			nodes: []*Node{nd("Mul", "x,y", "z")}, want: map[string]string{"z": "[batch, 4]"}},
		{name: "sub and div of ranks 3 and 1", inputs: []*Value{input("x", 2, "batch", 5), input("y", 5)},
			nodes: []*Node{nd("Sub", "x,y", "a"), nd("Div", "y,a", "b")}, want: map[string]string{"a": "[2, batch, 5]", "b": "[2, batch, 5]"}},
		{name: "a fixed dim wins over the batch", inputs: []*Value{input("x", "batch", 3), input("y", 7, 3)},
			nodes: []*Node{nd("Add", "x,y", "z")}, want: map[string]string{"z": "[7, 3]"}},
		{name: "broadcast mismatch", inputs: []*Value{input("x", "batch", 3)}, inits: []*Tensor{floats("b", []int64{4})},
			nodes: []*Node{nd("Add", "x,b", "y")}, err: ErrShapeMismatch},
		{name: "softmax opset 11 and 13", opset: 11, inputs: []*Value{input("x", "batch", 3, 4)},
			nodes: []*Node{nd("Softmax", "x", "y"), nd("Softmax", "y", "z", kv{"axis", -1})}, want: map[string]string{"y": "[batch, 3, 4]", "z": "[batch, 3, 4]"}},
		{name: "softmax axis out of range", inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Softmax", "x", "y", kv{"axis", 2})}, err: ErrBadAttribute},
		{name: "dropout with ratio and mask", opset: 13, inputs: []*Value{input("x", "batch", 3)},
			inits: []*Tensor{floats("r", []int64{}, 0.5)},
			nodes: []*Node{nd("Dropout", "x,r", "y,mask")}, want: map[string]string{"y": "[batch, 3]", "mask": "[batch, 3]"}},
		{name: "dropout opset 11", opset: 11, inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Dropout", "x", "y", kv{"ratio", float32(0.2)})}, want: map[string]string{"y": "[batch, 3]"}},
		{name: "where and comparisons broadcast", inputs: []*Value{input("c", "batch", 1), input("x", 4), input("y", "batch", 4)},
			nodes: []*Node{nd("Where", "c,x,y", "w"), nd("Equal", "x,y", "e"), nd("Max", "c,x,y", "m")},
			want:  map[string]string{"w": "[batch, 4]", "e": "[batch, 4]", "m": "[batch, 4]"}},
		{name: "missing required input", inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Add", "x,", "y")}, err: ErrShapeMismatch},
	})
}

func TestInferShapesMatMul(t *testing.T) {
	runShapeCases(t, []shapeCase{
		{name: "gemm transB with a bias", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{floats("w", []int64{3, 4}), floats("b", []int64{3})},
			nodes: []*Node{nd("Gemm", "x,w,b", "y", kv{"transB", 1})}, want: map[string]string{"y": "[batch, 3]"}},
		{name: "gemm transA with a row bias", inputs: []*Value{input("x", 4, "batch")}, inits: []*Tensor{floats("w", []int64{4, 3}), floats("b", []int64{1, 3})},
			nodes: []*Node{nd("Gemm", "x,w,b", "y", kv{"transA", 1}, kv{"alpha", float32(2)})}, want: map[string]string{"y": "[batch, 3]"}},
		{name: "gemm without C (opset 11)", opset: 11, inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{floats("w", []int64{4, 6})},
			nodes: []*Node{nd("Gemm", "x,w", "y")}, want: map[string]string{"y": "[batch, 6]"}},
		{name: "gemm inner dims differ", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{floats("w", []int64{3, 5})},
			nodes: []*Node{nd("Gemm", "x,w", "y", kv{"transB", 1})}, err: ErrShapeMismatch},
		{name: "gemm C does not broadcast", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{floats("w", []int64{3, 4}), floats("b", []int64{2})},
			nodes: []*Node{nd("Gemm", "x,w,b", "y", kv{"transB", 1})}, err: ErrShapeMismatch},
		{name: "gemm of a 3-D input", inputs: []*Value{input("x", "batch", 2, 4)}, inits: []*Tensor{floats("w", []int64{4, 3})},
			nodes: []*Node{nd("Gemm", "x,w", "y")}, err: ErrShapeMismatch},
		{name: "matmul 2-D", inputs: []*Value{input("x", "batch", 8)}, inits: []*Tensor{floats("w", []int64{8, 12})},
			nodes: []*Node{nd("MatMul", "x,w", "y")}, want: map[string]string{"y": "[batch, 12]"}},
		{name: "matmul with vectors", inputs: []*Value{input("v", 8), input("m", 8, 5), input("x", "batch", 8)},
			nodes: []*Node{nd("MatMul", "v,m", "a"), nd("MatMul", "x,v", "b"), nd("MatMul", "v,v", "c")},
			want:  map[string]string{"a": "[5]", "b": "[batch]", "c": "[]"}},
		{name: "matmul batch dims broadcast", inputs: []*Value{input("x", "batch", 1, 3, 4), input("y", 5, 4, 2)},
			nodes: []*Node{nd("MatMul", "x,y", "z")}, want: map[string]string{"z": "[batch, 5, 3, 2]"}},
		{name: "matmul inner dims differ", inputs: []*Value{input("x", "batch", 8)}, inits: []*Tensor{floats("w", []int64{7, 12})},
			nodes: []*Node{nd("MatMul", "x,w", "y")}, err: ErrShapeMismatch},
	})
}

func TestInferShapesShapeOps(t *testing.T) {
	runShapeCases(t, []shapeCase{
		{name: "flatten", opset: 13, inputs: []*Value{input("x", "batch", 3, 4, 5)},
			nodes: []*Node{nd("Flatten", "x", "a"), nd("Flatten", "x", "b", kv{"axis", 0}), nd("Flatten", "x", "c", kv{"axis", 2}), nd("Flatten", "x", "d", kv{"axis", -1})},
			want:  map[string]string{"a": "[batch, 60]", "b": "[1, ?]", "c": "[?, 20]", "d": "[?, 5]"}},
		{name: "flatten axis out of range", inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Flatten", "x", "y", kv{"axis", 3})}, err: ErrBadAttribute},
		{name: "reshape infers the batch", inputs: []*Value{input("x", "batch", 2, 3)},
			inits: []*Tensor{ints("s1", -1, 6), ints("s2", 0, -1), ints("s3", 2, -1), ints("s4", -1), ints("s5", 0, 3, 2)},
			nodes: []*Node{nd("Reshape", "x,s1", "a"), nd("Reshape", "x,s2", "b"), nd("Reshape", "x,s3", "c"), nd("Reshape", "x,s4", "d"), nd("Reshape", "x,s5", "e")},
			want:  map[string]string{"a": "[batch, 6]", "b": "[batch, 6]", "c": "[2, ?]", "d": "[?]", "e": "[batch, 3, 2]"}},
		{name: "reshape of a dim depending on the batch", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{ints("s", -1), ints("t", -1, 2)},
			nodes: []*Node{nd("Reshape", "x,s", "a"), nd("Relu", "a", "b"), nd("Reshape", "b,t", "c")},
			want:  map[string]string{"a": "[?]", "b": "[?]", "c": "[?, 2]"}},
		{name: "reshape allowzero", opset: 14, inputs: []*Value{input("x", 0, 3)}, inits: []*Tensor{ints("s", 3, 0)},
			nodes: []*Node{nd("Reshape", "x,s", "y", kv{"allowzero", 1})}, want: map[string]string{"y": "[3, 0]"}},
		{name: "reshape count mismatch", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{ints("s", 0, 5)},
			nodes: []*Node{nd("Reshape", "x,s", "y")}, err: ErrShapeMismatch},
		{name: "reshape -1 does not divide", inputs: []*Value{input("x", 2, 5)}, inits: []*Tensor{ints("s", -1, 3)},
			nodes: []*Node{nd("Reshape", "x,s", "y")}, err: ErrShapeMismatch},
		{name: "reshape with two -1", inputs: []*Value{input("x", 2, 6)}, inits: []*Tensor{ints("s", -1, -1)},
			nodes: []*Node{nd("Reshape", "x,s", "y")}, err: ErrShapeMismatch},
		{name: "reshape to a shape known at run time", inputs: []*Value{input("x", "batch", 6), intInput("s", 3)},
			nodes: []*Node{nd("Reshape", "x,s", "y")}, want: map[string]string{"y": "[?, ?, ?]"}},
		{name: "reshape shape attribute (opset 1)", opset: 1, inputs: []*Value{input("x", 2, 6)},
			nodes: []*Node{nd("Reshape", "x", "y", kv{"shape", axes(3, -1)})}, want: map[string]string{"y": "[3, 4]"}},
		{name: "concat", inputs: []*Value{input("x", "batch", 3), input("y", "batch", 5), input("z", 2, 3)},
			nodes: []*Node{nd("Concat", "x,y", "a", kv{"axis", 1}), nd("Concat", "x,z", "b", kv{"axis", -2})},
			want:  map[string]string{"a": "[batch, 8]", "b": "[?, 3]"}},
		{name: "concat needs an axis", inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Concat", "x,x", "y")}, err: ErrBadAttribute},
		{name: "concat mismatch", inputs: []*Value{input("x", "batch", 3), input("y", "batch", 4)},
			nodes: []*Node{nd("Concat", "x,y", "z", kv{"axis", 0})}, err: ErrShapeMismatch},
		{name: "transpose", inputs: []*Value{input("x", "batch", 10, 10, 3)},
			nodes: []*Node{nd("Transpose", "x", "a", kv{"perm", axes(0, 3, 1, 2)}), nd("Transpose", "x", "b")},
			want:  map[string]string{"a": "[batch, 3, 10, 10]", "b": "[3, 10, 10, batch]"}},
		{name: "transpose bad perm", inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Transpose", "x", "y", kv{"perm", axes(0, 0)})}, err: ErrBadAttribute},
		{name: "squeeze and unsqueeze with axes attributes (opset 11)", opset: 11, inputs: []*Value{input("x", "batch", 8, 1, 1)},
			nodes: []*Node{nd("Squeeze", "x", "a", kv{"axes", axes(2, -1)}), nd("Unsqueeze", "a", "b", kv{"axes", axes(0, -1)})},
			want:  map[string]string{"a": "[batch, 8]", "b": "[1, batch, 8, 1]"}},
		{name: "squeeze and unsqueeze with axes inputs (opset 13)", opset: 13, inputs: []*Value{input("x", "batch", 8, 1, 1)},
			inits: []*Tensor{ints("sq", 3), ints("un", 1)},
			nodes: []*Node{nd("Squeeze", "x,sq", "a"), nd("Unsqueeze", "a,un", "b")},
			want:  map[string]string{"a": "[batch, 8, 1]", "b": "[batch, 1, 8, 1]"}},
		{name: "squeeze without axes", opset: 13, inputs: []*Value{input("x", 1, 8, 1), input("y", "batch", 1)},
			nodes: []*Node{nd("Squeeze", "x", "a"), nd("Squeeze", "y", "b")},
			want:  map[string]string{"a": "[8]", "b": "-"}},
		{name: "squeeze of a dim that is not 1", opset: 13, inputs: []*Value{input("x", "batch", 8)}, inits: []*Tensor{ints("sq", 1)},
			nodes: []*Node{nd("Squeeze", "x,sq", "a")}, err: ErrShapeMismatch},
		{name: "unsqueeze repeats an axis", opset: 13, inputs: []*Value{input("x", "batch", 8)}, inits: []*Tensor{ints("un", 1, 1)},
			nodes: []*Node{nd("Unsqueeze", "x,un", "a")}, err: ErrBadAttribute},
		{name: "gather", inputs: []*Value{input("x", "batch", 5, 7)}, inits: []*Tensor{{Name: "i", DType: Int64, Dims: []int64{2, 3}, Int: []int64{0, 1, 2, 3, 4, -1}}, scalar("j", 2)},
			nodes: []*Node{nd("Gather", "x,i", "a", kv{"axis", 1}), nd("Gather", "x,j", "b", kv{"axis", -1})},
			want:  map[string]string{"a": "[batch, 2, 3, 7]", "b": "[batch, 5]"}},
		{name: "gather index out of range", inputs: []*Value{input("x", "batch", 5)}, inits: []*Tensor{scalar("j", 5)},
			nodes: []*Node{nd("Gather", "x,j", "b", kv{"axis", 1})}, err: ErrShapeMismatch},
	})
}

// TestInferShapesShapeArithmetic checks graphs that compute shapes: the values of Shape, Gather, Concat
// and friends decide the shapes of the Reshape, ConstantOfShape and Pad that read them.
func TestInferShapesShapeArithmetic(t *testing.T) {
	view := func(opset int64) []*Node {
		unsq := func(in, out string) *Node {
			if opset < 13 {
				return nd("Unsqueeze", in, out, kv{"axes", axes(0)})
			}
			return nd("Unsqueeze", in+",zero", out)
		}
		return []*Node{
			nd("Shape", "x", "s"),
			nd("Constant", "", "c0", kv{"value", scalar("", 0)}),
			nd("Gather", "s,c0", "b", kv{"axis", 0}),
			nd("Constant", "", "cm1", kv{"value", scalar("", -1)}),
			unsq("b", "ub"),
			unsq("cm1", "um1"),
			nd("Concat", "ub,um1", "target", kv{"axis", 0}),
			nd("Reshape", "x,target", "y"),
		}
	}
	// F.pad as PyTorch 1.13 exports it (cnn_gap): pads [1, 1] on H and W of an NCHW tensor.
	fpad := []*Node{
		nd("Constant", "", "n4", kv{"value", ints("", 4)}),
		nd("Constant", "", "p", kv{"value", ints("", 1, 1, 1, 1)}),
		nd("ConstantOfShape", "n4", "zeros", kv{"value", ints("", 0)}),
		nd("Concat", "p,zeros", "cat", kv{"axis", 0}),
		nd("Constant", "", "pairs", kv{"value", ints("", -1, 2)}),
		nd("Reshape", "cat,pairs", "r"),
		nd("Constant", "", "st", kv{"value", ints("", -1)}),
		nd("Constant", "", "en", kv{"value", ints("", math.MinInt64+1)}),
		nd("Constant", "", "ax", kv{"value", ints("", 0)}),
		nd("Constant", "", "sp", kv{"value", ints("", -1)}),
		nd("Slice", "r,st,en,ax,sp", "rev"),
		nd("Transpose", "rev", "tr", kv{"perm", axes(1, 0)}),
		nd("Constant", "", "flat", kv{"value", ints("", -1)}),
		nd("Reshape", "tr,flat", "pads8"),
		nd("Cast", "pads8", "pads", kv{"to", int(Int64)}),
		nd("Pad", "x,pads,", "y", kv{"mode", "constant"}),
	}
	runShapeCases(t, []shapeCase{
		{name: "x.view(x.size(0), -1) at opset 13", opset: 13, inputs: []*Value{input("x", "batch", 8, 2, 2)}, inits: []*Tensor{ints("zero", 0)},
			nodes: view(13), want: map[string]string{"s": "[4]", "b": "[]", "target": "[2]", "y": "[batch, 32]"}},
		{name: "x.view(x.size(0), -1) at opset 11", opset: 11, inputs: []*Value{input("x", "batch", 8, 2, 2)},
			nodes: view(11), want: map[string]string{"y": "[batch, 32]"}},
		{name: "x.view(x.size(0), -1) of a static batch", opset: 13, inputs: []*Value{input("x", 5, 8, 2, 2)}, inits: []*Tensor{ints("zero", 0)},
			nodes: view(13), want: map[string]string{"y": "[5, 32]"}},
		{name: "F.pad", opset: 13, inputs: []*Value{input("x", "batch", 8, 10, 10)},
			nodes: fpad, want: map[string]string{"zeros": "[4]", "r": "[4, 2]", "rev": "[4, 2]", "pads": "[8]", "y": "[batch, 8, 12, 12]"}},
		{name: "constant of the input's shape", opset: 15, inputs: []*Value{input("x", "batch", 3, 4)},
			nodes: []*Node{nd("Shape", "x", "s", kv{"start", 1}), nd("ConstantOfShape", "s", "a"), nd("Shape", "x", "t", kv{"end", -1}), nd("ConstantOfShape", "t", "b")},
			want:  map[string]string{"s": "[2]", "a": "[3, 4]", "t": "[2]", "b": "[batch, 3]"}},
		{name: "arithmetic on shape values", inputs: []*Value{input("x", "batch", 3, 4)}, inits: []*Tensor{ints("two", 2), ints("one", 1), ints("m1", -1)},
			nodes: []*Node{
				nd("Shape", "x", "s"),
				nd("Slice", "s,one,two", "c"), // [3]
				nd("Mul", "c,two", "c2"),      // [6]
				nd("Slice", "s,two,two", "e"), // []
				nd("Concat", "c2,e,m1", "t", kv{"axis", 0}),
				nd("Reshape", "x,t", "y"),
			},
			want: map[string]string{"c": "[1]", "c2": "[1]", "e": "[0]", "t": "[2]", "y": "[6, ?]"}},
		{name: "cast of float values to a shape", inputs: []*Value{input("x", "batch", 6)}, inits: []*Tensor{floats("f", []int64{2}, 3, 2.9)},
			nodes: []*Node{nd("Cast", "f", "s", kv{"to", int(Int64)}), nd("Reshape", "x,s", "y"), nd("Cast", "x", "z", kv{"to", int(Float64)})},
			want:  map[string]string{"y": "[3, 2]", "z": "[batch, 6]"}},
		{name: "constant attributes", opset: 13, inputs: []*Value{input("x", "batch", 12)},
			nodes: []*Node{nd("Constant", "", "a", kv{"value_ints", axes(0, 3, -1)}), nd("Reshape", "x,a", "y"),
				nd("Constant", "", "f", kv{"value_float", float32(2)}), nd("Constant", "", "fs", kv{"value_floats", []float32{1, 2}}),
				nd("Constant", "", "i", kv{"value_int", 4})},
			want: map[string]string{"a": "[3]", "y": "[batch, 3, 4]", "f": "[]", "fs": "[2]", "i": "[]"}},
		{name: "a computed target the graph cannot know", opset: 13, inputs: []*Value{input("x", "batch", 12), intInput("k", 1)},
			nodes: []*Node{nd("Shape", "x", "s"), nd("Concat", "s,k", "t", kv{"axis", 0}), nd("Reshape", "x,t", "y")},
			want:  map[string]string{"t": "[3]", "y": "[?, ?, ?]"}},
	})
}

func TestInferShapesSliceAndPad(t *testing.T) {
	const int64Max = math.MaxInt64
	runShapeCases(t, []shapeCase{
		{name: "slice", opset: 13, inputs: []*Value{input("x", "batch", 10, 3)},
			inits: []*Tensor{ints("s", 2), ints("e", 8), ints("a", 1), ints("neg", -2), ints("big", int64Max), ints("zero", 0), ints("m1", -1), ints("two", 2)},
			nodes: []*Node{
				nd("Slice", "x,s,e,a", "a1"),
				nd("Slice", "x,neg,big,a", "a2"),
				nd("Slice", "x,zero,big,zero", "a3"),
				nd("Slice", "x,m1,neg,a,m1", "a4"),
				nd("Slice", "x,zero,big,a,two", "a5"),
				nd("Slice", "x,s,e,neg", "a6"),
			},
			want: map[string]string{"a1": "[batch, 6, 3]", "a2": "[batch, 2, 3]", "a3": "[batch, 10, 3]", "a4": "[batch, 1, 3]", "a5": "[batch, 5, 3]", "a6": "[batch, 6, 3]"}},
		{name: "slice attributes (opset 9)", opset: 9, inputs: []*Value{input("x", "batch", 10)},
			nodes: []*Node{nd("Slice", "x", "y", kv{"starts", axes(1)}, kv{"ends", axes(-1)}, kv{"axes", axes(1)})},
			want:  map[string]string{"y": "[batch, 8]"}},
		{name: "slice with starts known at run time", opset: 13, inputs: []*Value{input("x", "batch", 10, 3), intInput("s", 1)},
			inits: []*Tensor{ints("e", 8), ints("a", 1)},
			nodes: []*Node{nd("Slice", "x,s,e,a", "y"), nd("Slice", "x,s,e", "z")},
			want:  map[string]string{"y": "[batch, ?, 3]", "z": "[?, 10, 3]"}},
		{name: "slice step 0", opset: 13, inputs: []*Value{input("x", "batch", 10)}, inits: []*Tensor{ints("s", 0), ints("e", 8), ints("a", 1), ints("z", 0)},
			nodes: []*Node{nd("Slice", "x,s,e,a,z", "y")}, err: ErrBadAttribute},
		{name: "pad (opset 11) with negative pads", opset: 11, inputs: []*Value{input("x", "batch", 3, 10)}, inits: []*Tensor{ints("p", 0, 1, 2, 0, 1, -3)},
			nodes: []*Node{nd("Pad", "x,p", "y", kv{"mode", "reflect"})}, want: map[string]string{"y": "[batch, 5, 9]"}},
		{name: "pad of named axes (opset 18)", opset: 18, inputs: []*Value{input("x", "batch", 3, 10)}, inits: []*Tensor{ints("p", 1, 2, 3, 4), ints("a", -1, 1)},
			nodes: []*Node{nd("Pad", "x,p,,a", "y")}, want: map[string]string{"y": "[batch, 9, 14]"}},
		{name: "pad attribute (opset 10)", opset: 10, inputs: []*Value{input("x", "batch", 3)},
			nodes: []*Node{nd("Pad", "x", "y", kv{"pads", axes(0, 1, 0, 1)})}, want: map[string]string{"y": "[batch, 5]"}},
		{name: "pad of the batch dim", opset: 13, inputs: []*Value{input("x", "batch", 3)}, inits: []*Tensor{ints("p", 1, 0, 0, 0)},
			nodes: []*Node{nd("Pad", "x,p", "y")}, want: map[string]string{"y": "[?, 3]"}},
		{name: "pads known at run time", opset: 13, inputs: []*Value{input("x", "batch", 3), intInput("p", 4)},
			nodes: []*Node{nd("Pad", "x,p", "y")}, want: map[string]string{"y": "[?, ?]"}},
		{name: "pads of the wrong length", opset: 13, inputs: []*Value{input("x", "batch", 3)}, inits: []*Tensor{ints("p", 1, 1)},
			nodes: []*Node{nd("Pad", "x,p", "y")}, err: ErrShapeMismatch},
		{name: "crop below zero", opset: 13, inputs: []*Value{input("x", "batch", 3)}, inits: []*Tensor{ints("p", 0, -2, 0, -2)},
			nodes: []*Node{nd("Pad", "x,p", "y")}, err: ErrShapeMismatch},
	})
}

func TestInferShapesConvPool(t *testing.T) {
	w := func(name string, dims ...int64) *Tensor { return floats(name, dims) }
	runShapeCases(t, []shapeCase{
		{name: "conv with pads and stride", opset: 13, inputs: []*Value{input("x", "batch", 1, 24, 24)}, inits: []*Tensor{w("w", 4, 1, 3, 3), w("b", 4)},
			nodes: []*Node{nd("Conv", "x,w,b", "y", kv{"pads", axes(1, 1, 1, 1)}, kv{"strides", axes(2, 2)}, kv{"kernel_shape", axes(3, 3)})},
			want:  map[string]string{"y": "[batch, 4, 12, 12]"}},
		{name: "conv with groups and dilation", inputs: []*Value{input("x", "batch", 4, 6, 6)}, inits: []*Tensor{w("w", 8, 2, 3, 3)},
			nodes: []*Node{nd("Conv", "x,w", "y", kv{"group", 2}, kv{"dilations", axes(2, 2)}, kv{"pads", axes(1, 1, 1, 1)})},
			want:  map[string]string{"y": "[batch, 8, 4, 4]"}},
		{name: "conv auto_pad", inputs: []*Value{input("x", "batch", 3, 7, 8)}, inits: []*Tensor{w("w", 5, 3, 3, 2)},
			nodes: []*Node{nd("Conv", "x,w", "s", kv{"auto_pad", "SAME_UPPER"}, kv{"strides", axes(2, 3)}), nd("Conv", "x,w", "v", kv{"auto_pad", "VALID"}),
				nd("Conv", "x,w", "l", kv{"auto_pad", "SAME_LOWER"})},
			want: map[string]string{"s": "[batch, 5, 4, 3]", "v": "[batch, 5, 5, 7]", "l": "[batch, 5, 7, 8]"}},
		{name: "conv 1-D and 3-D", inputs: []*Value{input("x", "batch", 2, 9), input("v", 1, 2, 4, 5, 6)}, inits: []*Tensor{w("w", 3, 2, 4), w("k", 6, 2, 2, 2, 2)},
			nodes: []*Node{nd("Conv", "x,w", "a", kv{"strides", axes(2)}), nd("Conv", "v,k", "b")},
			want:  map[string]string{"a": "[batch, 3, 3]", "b": "[1, 6, 3, 4, 5]"}},
		{name: "conv keeps a symbolic spatial dim", inputs: []*Value{input("x", "batch", 3, "len")}, inits: []*Tensor{w("w", 4, 3, 3)},
			nodes: []*Node{nd("Conv", "x,w", "a", kv{"pads", axes(1, 1)}), nd("Conv", "x,w", "b")},
			want:  map[string]string{"a": "[batch, 4, len]", "b": "[batch, 4, ?]"}},
		{name: "conv channels differ", inputs: []*Value{input("x", "batch", 3, 8, 8)}, inits: []*Tensor{w("w", 4, 2, 3, 3)},
			nodes: []*Node{nd("Conv", "x,w", "y")}, err: ErrShapeMismatch},
		{name: "conv kernel_shape differs from the weights", inputs: []*Value{input("x", "batch", 3, 8, 8)}, inits: []*Tensor{w("w", 4, 3, 3, 3)},
			nodes: []*Node{nd("Conv", "x,w", "y", kv{"kernel_shape", axes(2, 2)})}, err: ErrShapeMismatch},
		{name: "conv window larger than the input", inputs: []*Value{input("x", "batch", 3, 2, 2)}, inits: []*Tensor{w("w", 4, 3, 3, 3)},
			nodes: []*Node{nd("Conv", "x,w", "y")}, err: ErrShapeMismatch},
		{name: "conv bad auto_pad", inputs: []*Value{input("x", "batch", 3, 8, 8)}, inits: []*Tensor{w("w", 4, 3, 3, 3)},
			nodes: []*Node{nd("Conv", "x,w", "y", kv{"auto_pad", "SAME"})}, err: ErrBadAttribute},
		{name: "max pool, ceil mode and indices", inputs: []*Value{input("x", "batch", 4, 7, 7)},
			nodes: []*Node{nd("MaxPool", "x", "a", kv{"kernel_shape", axes(2, 2)}, kv{"strides", axes(2, 2)}),
				nd("MaxPool", "x", "b,bi", kv{"kernel_shape", axes(2, 2)}, kv{"strides", axes(2, 2)}, kv{"ceil_mode", 1}),
				nd("MaxPool", "x", "c", kv{"kernel_shape", axes(3, 3)}, kv{"dilations", axes(2, 2)})},
			want: map[string]string{"a": "[batch, 4, 3, 3]", "b": "[batch, 4, 4, 4]", "bi": "[batch, 4, 4, 4]", "c": "[batch, 4, 3, 3]"}},
		{name: "ceil mode drops a window starting in the end padding", inputs: []*Value{input("x", 1, 1, 5)},
			nodes: []*Node{nd("MaxPool", "x", "y", kv{"kernel_shape", axes(2)}, kv{"strides", axes(2)}, kv{"pads", axes(1, 1)}, kv{"ceil_mode", 1})},
			want:  map[string]string{"y": "[1, 1, 3]"}},
		{name: "average pool", opset: 13, inputs: []*Value{input("x", "batch", 8, 4, 4)},
			nodes: []*Node{nd("AveragePool", "x", "y", kv{"kernel_shape", axes(2, 2)}, kv{"strides", axes(2, 2)}, kv{"count_include_pad", 1})},
			want:  map[string]string{"y": "[batch, 8, 2, 2]"}},
		{name: "average pool dilations (opset 19)", opset: 19, inputs: []*Value{input("x", "batch", 8, 5, 5)},
			nodes: []*Node{nd("AveragePool", "x", "y", kv{"kernel_shape", axes(2, 2)}, kv{"dilations", axes(2, 2)})},
			want:  map[string]string{"y": "[batch, 8, 3, 3]"}},
		{name: "average pool dilations before opset 19", opset: 17, inputs: []*Value{input("x", "batch", 8, 5, 5)},
			nodes: []*Node{nd("AveragePool", "x", "y", kv{"kernel_shape", axes(2, 2)}, kv{"dilations", axes(2, 2)})}, err: ErrBadAttribute},
		{name: "pool needs kernel_shape", inputs: []*Value{input("x", "batch", 8, 5, 5)},
			nodes: []*Node{nd("MaxPool", "x", "y")}, err: ErrBadAttribute},
		{name: "global pools", inputs: []*Value{input("x", "batch", 8, 5, 5), input("v", "batch", 8, 5)},
			nodes: []*Node{nd("GlobalAveragePool", "x", "a"), nd("GlobalMaxPool", "v", "b")},
			want:  map[string]string{"a": "[batch, 8, 1, 1]", "b": "[batch, 8, 1]"}},
		{name: "batch normalization", opset: 15, inputs: []*Value{input("x", "batch", 4, 6, 6), input("v", "batch", 32)},
			inits: []*Tensor{w("s", 4), w("b", 4), w("m", 4), w("var", 4), w("s2", 32)},
			nodes: []*Node{nd("BatchNormalization", "x,s,b,m,var", "y"), nd("BatchNormalization", "v,s2,s2,s2,s2", "z,rm,rv", kv{"training_mode", 1})},
			want:  map[string]string{"y": "[batch, 4, 6, 6]", "z": "[batch, 32]", "rm": "[32]", "rv": "[32]"}},
		{name: "batch normalization channels differ", inputs: []*Value{input("x", "batch", 4, 6, 6)},
			inits: []*Tensor{w("s", 4), w("b", 3), w("m", 4), w("var", 4)},
			nodes: []*Node{nd("BatchNormalization", "x,s,b,m,var", "y")}, err: ErrShapeMismatch},
	})
}

func TestInferShapesUnknownOps(t *testing.T) {
	runShapeCases(t, []shapeCase{
		{name: "ops after an unknown op are left out", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{floats("w", []int64{3, 4}), floats("v", []int64{2, 3})},
			nodes: []*Node{nd("Gemm", "x,w", "a", kv{"transB", 1}), nd("FooBar", "a", "b"), nd("Relu", "b", "c"), nd("Gemm", "c,v", "d", kv{"transB", 1})},
			want:  map[string]string{"a": "[batch, 3]", "b": "-", "c": "-", "d": "[?, 2]"}},
		{name: "an op of another domain is unknown", inputs: []*Value{input("x", "batch", 4)},
			nodes: []*Node{{Name: "r", OpType: "Relu", Domain: "com.example", Inputs: []string{"x"}, Outputs: []string{"y"}}},
			want:  map[string]string{"y": "-"}},
		{name: "an input without a shape", inputs: []*Value{{Name: "x", DType: Float32}},
			nodes: []*Node{nd("Relu", "x", "y"), nd("Shape", "y", "s"), nd("Flatten", "y", "f")},
			want:  map[string]string{"x": "-", "y": "-", "s": "[?]", "f": "[?, ?]"}},
	})
}

func TestInferShapesErrorNamesNode(t *testing.T) {
	g := buildGraph(17, []*Value{input("x", "batch", 4)}, []*Tensor{floats("w", []int64{3, 5})},
		[]*Node{nd("Relu", "x", "r"), {Name: "fc1", OpType: "Gemm", Inputs: []string{"r", "w"}, Outputs: []string{"y"}, Attrs: map[string]Attr{"transB": {Type: AttrInt, Int: 1}}}})
	_, err := InferShapes(g)
	var ne *NodeError
	if !errors.As(err, &ne) || ne.Node != "fc1" || ne.OpType != "Gemm" || !errors.Is(err, ErrShapeMismatch) {
		t.Fatalf("error %v, want a shape mismatch at node fc1", err)
	}
	want := `node "fc1" (op Gemm): shape mismatch: Gemm inner dims differ: A' is [batch, 4], B' is [5, 3]`
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestInferShapesBadAttributeType(t *testing.T) {
	g := buildGraph(17, []*Value{input("x", "batch", 4)}, nil, []*Node{nd("Flatten", "x", "y", kv{"axis", float32(1)})})
	if _, err := InferShapes(g); !errors.Is(err, ErrBadAttribute) {
		t.Fatalf("error %v, want a bad attribute", err)
	}
}

// TestInferShapesDoesNotShareShapes checks that the returned shapes are not the graph's own slices.
func TestInferShapesDoesNotShareShapes(t *testing.T) {
	in := input("x", "batch", 4)
	g := buildGraph(17, []*Value{in}, nil, []*Node{nd("Relu", "x", "y")})
	got, err := InferShapes(g)
	if err != nil {
		t.Fatal(err)
	}
	got["x"][1] = Fixed(9)
	got["y"][0] = Fixed(9)
	if in.Shape.String() != "[batch, 4]" || got["y"].String() != "[9, 4]" || got["x"].String() != "[batch, 9]" {
		t.Errorf("shapes share memory: input %v, x %v, y %v", in.Shape, got["x"], got["y"])
	}
}

// reluChain builds a graph of n Relu nodes, one after the other.
func reluChain(n int) *Graph {
	nodes := make([]*Node, n)
	prev := "x"
	for i := range nodes {
		out := fmt.Sprintf("r%d", i)
		nodes[i] = &Node{Name: out, OpType: "Relu", Inputs: []string{prev}, Outputs: []string{out}}
		prev = out
	}
	return buildGraph(17, []*Value{input("x", "batch", 8)}, nil, nodes)
}

// TestInferShapesLongChain runs the pass on a 100,000-node chain: one pass in graph order, linear in
// the size of the graph, finishes in well under a second (see BenchmarkInferShapesChain).
func TestInferShapesLongChain(t *testing.T) {
	const n = 100_000
	got, err := InferShapes(reluChain(n))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+1 {
		t.Errorf("%d shapes, want %d", len(got), n+1)
	}
	for i := range n {
		if s := got[fmt.Sprintf("r%d", i)]; s.String() != "[batch, 8]" {
			t.Fatalf("r%d: shape %v, want [batch, 8]", i, s)
		}
	}
}

func BenchmarkInferShapesChain(b *testing.B) {
	for _, n := range []int{20_000, 100_000} {
		g := reluChain(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := InferShapes(g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestDimArithmetic(t *testing.T) {
	b := Symbolic("batch")
	cases := []struct {
		k    arithKind
		a, c Dim
		want string
	}{
		{arithAdd, b, Fixed(0), "batch"},
		{arithAdd, b, Fixed(1), "?"},
		{arithSub, b, b, "0"},
		{arithMul, Fixed(1), b, "batch"},
		{arithMul, b, Fixed(0), "0"},
		{arithMul, b, Fixed(4), "?"},
		{arithDiv, b, Fixed(1), "batch"},
		{arithDiv, b, b, "1"},
		{arithDiv, Fixed(7), Fixed(-2), "-3"},
		{arithDiv, Fixed(7), Fixed(0), "?"},
		{arithAdd, Dim{}, Fixed(0), "?"},
	}
	for _, tc := range cases {
		if got := arithDim(tc.k, tc.a, tc.c, Int64).String(); got != tc.want {
			t.Errorf("arith %d of %v and %v = %s, want %s", tc.k, tc.a, tc.c, got, tc.want)
		}
	}
	if got := arithDim(arithAdd, Fixed(math.MaxInt32), Fixed(1), Int32).String(); got != fmt.Sprint(math.MinInt32) {
		t.Errorf("int32 sum wraps to %s, want %d", got, math.MinInt32)
	}
	quot := []struct {
		p, q Shape
		want string
	}{
		{shp("batch", 8, 3, 3), shp("batch"), "72"},
		{shp("batch", 4), shp(2), "?"},
		{shp("batch", 4), shp(4), "batch"},
		{shp(3, 4), shp("batch"), "?"},
		{shp(nil, 4), shp(4), "?"},
		{shp(0, 4), shp(2), "0"},
		{shp(0, nil), shp(2), "0"},
	}
	for _, tc := range quot {
		d, err := productOf(tc.p).quotient(productOf(tc.q))
		if err != nil || d.String() != tc.want {
			t.Errorf("%v / %v = %v (%v), want %s", tc.p, tc.q, d, err, tc.want)
		}
	}
}

func TestInferShapesHeadOps(t *testing.T) {
	w := func(name string, dims ...int64) *Tensor { return floats(name, dims) }
	runShapeCases(t, []shapeCase{
		{name: "new elementwise ops keep the shape", opset: 13, inputs: []*Value{input("x", "batch", 3)}, inits: []*Tensor{w("s", 3), w("e", 1)},
			nodes: []*Node{nd("Erf", "x", "a"), nd("Elu", "a", "b"), nd("PRelu", "b,s", "c"), nd("Clip", "c", "d"), nd("HardSigmoid", "d", "e2"),
				nd("Sqrt", "e2", "f"), nd("Neg", "f", "g"), nd("Exp", "g", "h"), nd("Log", "h", "i"), nd("Pow", "i,e", "j")},
			want: map[string]string{"a": "[batch, 3]", "c": "[batch, 3]", "e2": "[batch, 3]", "h": "[batch, 3]", "j": "[batch, 3]"}},
		{name: "layer normalization and its statistics", inputs: []*Value{input("x", "batch", 6, 16)}, inits: []*Tensor{w("g", 16), w("b", 16), w("g2", 6, 16)},
			nodes: []*Node{nd("LayerNormalization", "x,g,b", "y,mean,inv"), nd("LayerNormalization", "x,g2", "z,m2", kv{"axis", 1})},
			want:  map[string]string{"y": "[batch, 6, 16]", "mean": "[batch, 6, 1]", "inv": "[batch, 6, 1]", "z": "[batch, 6, 16]", "m2": "[batch, 1, 1]"}},
		{name: "layer normalization scale of a higher rank", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{w("g", 1, 1, 4)},
			nodes: []*Node{nd("LayerNormalization", "x,g", "y")}, err: ErrShapeMismatch},
		{name: "layer normalization axis out of range", inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{w("g", 4)},
			nodes: []*Node{nd("LayerNormalization", "x,g", "y", kv{"axis", 2})}, err: ErrBadAttribute},
		{name: "reduce mean, axes attribute (opset 13)", opset: 13, inputs: []*Value{input("x", "batch", 6, 16)},
			nodes: []*Node{nd("ReduceMean", "x", "a", kv{"axes", axes(1)}, kv{"keepdims", 0}), nd("ReduceMean", "x", "b", kv{"axes", axes(-1)}),
				nd("ReduceMean", "x", "c"), nd("ReduceMean", "x", "d", kv{"keepdims", 0})},
			want: map[string]string{"a": "[batch, 16]", "b": "[batch, 6, 1]", "c": "[1, 1, 1]", "d": "[]"}},
		{name: "reduce mean, axes input (opset 18)", opset: 18, inputs: []*Value{input("x", "batch", 6, 16), intInput("ax", 1)}, inits: []*Tensor{ints("a1", 1)},
			nodes: []*Node{nd("ReduceMean", "x,a1", "a", kv{"keepdims", 0}), nd("ReduceMean", "x", "b", kv{"noop_with_empty_axes", 1}),
				nd("ReduceMean", "x,ax", "c"), nd("ReduceMean", "x,ax", "d", kv{"keepdims", 0})},
			want: map[string]string{"a": "[batch, 16]", "b": "[batch, 6, 16]", "c": "[?, ?, ?]", "d": "-"}},
		{name: "reduce mean axes attribute at opset 18", opset: 18, inputs: []*Value{input("x", "batch", 6)},
			nodes: []*Node{nd("ReduceMean", "x", "a", kv{"axes", axes(1)})}, err: ErrBadAttribute},
		{name: "reduce mean repeated axis", opset: 13, inputs: []*Value{input("x", "batch", 6)},
			nodes: []*Node{nd("ReduceMean", "x", "a", kv{"axes", axes(1, -1)})}, err: ErrBadAttribute},
		{name: "expand", inputs: []*Value{input("x", "batch", 1), input("v", 3)}, inits: []*Tensor{ints("s", 2, 1, 4), ints("t", 1)},
			nodes: []*Node{nd("Expand", "x,s", "a"), nd("Expand", "v,t", "b"), nd("Shape", "x", "sx"), nd("Expand", "v,sx", "c")},
			want:  map[string]string{"a": "[2, batch, 4]", "b": "[3]", "c": "[batch, 3]"}},
		{name: "expand keeps known values", inputs: []*Value{input("x", 7, 49)}, inits: []*Tensor{ints("k", 7), ints("s", 3)},
			nodes: []*Node{nd("Expand", "k,s", "e"), nd("Reshape", "x,e", "r")},
			want:  map[string]string{"e": "[3]", "r": "[7, 7, 7]"}},
		{name: "expand does not broadcast", inputs: []*Value{input("x", "batch", 3)}, inits: []*Tensor{ints("s", 4)},
			nodes: []*Node{nd("Expand", "x,s", "a")}, err: ErrShapeMismatch},
		{name: "expand shape known at run time", inputs: []*Value{input("x", "batch", 3), intInput("s", 3)},
			nodes: []*Node{nd("Expand", "x,s", "a")}, want: map[string]string{"a": "[?, ?, ?]"}},
		{name: "gemm needs C before opset 11", opset: 9, inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{w("w", 4, 6)},
			nodes: []*Node{nd("Gemm", "x,w", "y")}, err: ErrShapeMismatch},
		{name: "gemm with C at opset 7", opset: 7, inputs: []*Value{input("x", "batch", 4)}, inits: []*Tensor{w("w", 4, 6), w("c", 6)},
			nodes: []*Node{nd("Gemm", "x,w,c", "y")}, want: map[string]string{"y": "[batch, 6]"}},
		{name: "batch normalization spatial=0 (opset 7)", opset: 7, inputs: []*Value{input("x", "batch", 4, 6)},
			inits: []*Tensor{w("s", 4, 6), w("b", 4, 6), w("m", 4, 6), w("var", 4, 6)},
			nodes: []*Node{nd("BatchNormalization", "x,s,b,m,var", "y", kv{"spatial", 0})}, want: map[string]string{"y": "[batch, 4, 6]"}},
	})
}

// A shape measured by running the model stands in for one inference cannot compute, and inference goes on
// from it; a shape inference computes is kept.
func TestMeasuredShapes(t *testing.T) {
	g := &Graph{
		Opset:        17,
		Inputs:       []*Value{{Name: "x", DType: Float32, Shape: Shape{Symbolic("batch"), Fixed(4)}}},
		Initializers: map[string]*Tensor{},
		Nodes: []*Node{
			{Name: "e", OpType: "Einsum", Inputs: []string{"x"}, Outputs: []string{"h"}},
			{Name: "r", OpType: "Relu", Inputs: []string{"h"}, Outputs: []string{"a"}},
			{Name: "s", OpType: "Sigmoid", Inputs: []string{"x"}, Outputs: []string{"y"}},
		},
	}
	shapes, err := InferShapes(g)
	if err != nil || shapes["a"] != nil {
		t.Fatalf("without a measurement: %v, %v", shapes["a"], err)
	}
	g.Measured = map[string]Shape{"h": {Symbolic("batch"), Fixed(7)}, "y": {Symbolic("batch"), Fixed(99)}}
	shapes, err = InferShapes(g)
	if err != nil {
		t.Fatal(err)
	}
	if got := shapes["a"]; len(got) != 2 || got[1] != Fixed(7) {
		t.Errorf("after the measured Einsum: %v", got)
	}
	if got := shapes["y"]; got[1] != Fixed(4) {
		t.Errorf("an inferred shape was replaced by a measured one: %v", got)
	}
}
