package lower_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

func bnArgs(x ...int64) []nchwArg {
	c := x[1:2]
	return []nchwArg{{name: "x", shape: x}, {name: "s", shape: c, init: true}, {name: "b", shape: c, init: true},
		{name: "mean", shape: c, init: true}, {name: "var", shape: c, init: true, positive: true}}
}

func TestBatchNormMatchesORT(t *testing.T) {
	nchwCompareORT(t, []nchwCase{
		{name: "2d_input_opset15", op: "BatchNormalization", opset: 15, args: bnArgs(4, 3)},
		{name: "2d_input_opset11", op: "BatchNormalization", opset: 11, args: bnArgs(5, 2), attrs: map[string]any{"epsilon": float32(1e-3)}},
		{name: "1d_spatial", op: "BatchNormalization", opset: 14, args: bnArgs(2, 3, 7)},
		{name: "2d_spatial_momentum", op: "BatchNormalization", opset: 13, args: bnArgs(2, 4, 3, 5), attrs: map[string]any{"momentum": float32(0.8)}},
		{name: "3d_spatial", op: "BatchNormalization", opset: 15, args: bnArgs(1, 2, 3, 3, 4), attrs: map[string]any{"training_mode": 0}},
	})
}

func TestBatchNormByHand(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	c := func(name string, v ...float32) nchwArg {
		return nchwArg{name: name, shape: ints(2), init: true, data: v}
	}
	// With ε = 1e-5, √(var+ε) is 1 and 2: y = 2·(x−1) and 0.5·(x−2)/2 + 1.
	args := []nchwArg{{name: "x", shape: ints(2, 2), data: []float32{1, 2, 3, 4}},
		c("s", 2, 0.5), c("b", 0, 1), c("mean", 1, 2), c("var", 1-1e-5, 4-1e-5)}
	nchwRunExpect(t, []nchwExpect{
		{nchwCase: nchwCase{name: "2d_input", op: "BatchNormalization", opset: 15, args: args}, shape: ints(2, 2), want: []float32{0, 1, 4, 1.5}},
		{nchwCase: nchwCase{name: "2d_input_opset9_signature", op: "BatchNormalization", opset: 11, args: args}, shape: ints(2, 2), want: []float32{0, 1, 4, 1.5}},
		{nchwCase: nchwCase{name: "training_mode", op: "BatchNormalization", opset: 15, args: args, attrs: map[string]any{"training_mode": 1}},
			err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "training_outputs", op: "BatchNormalization", opset: 11, args: args, outputs: []string{"y", "m", "v"}},
			err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "channel_mismatch", op: "BatchNormalization", opset: 15, args: append([]nchwArg{{name: "x", shape: ints(2, 3)}}, args[1:]...)},
			err: ir.ErrShapeMismatch},
	})
}

func lnArgs(x []int64, axis int, bias bool) []nchwArg {
	norm := x[(axis+len(x))%len(x):]
	args := []nchwArg{{name: "x", shape: x}, {name: "scale", shape: norm, init: true}}
	if bias {
		args = append(args, nchwArg{name: "b", shape: norm, init: true})
	}
	return args
}

var layerNormCases = []nchwCase{
	{name: "last_axis", op: "LayerNormalization", opset: 17, args: lnArgs([]int64{4, 6}, -1, true)},
	{name: "3d_last_axis_epsilon", op: "LayerNormalization", opset: 17, args: lnArgs([]int64{2, 3, 5}, -1, true), attrs: map[string]any{"epsilon": float32(1e-3)}},
	{name: "3d_axis1_no_bias", op: "LayerNormalization", opset: 18, args: lnArgs([]int64{2, 3, 5}, 1, false), attrs: map[string]any{"axis": 1}},
	{name: "axis0", op: "LayerNormalization", opset: 21, args: lnArgs([]int64{3, 4}, 0, true), attrs: map[string]any{"axis": 0}},
	{name: "scale_broadcasts", op: "LayerNormalization", opset: 17,
		args: []nchwArg{{name: "x", shape: []int64{2, 3, 4}}, {name: "scale", shape: []int64{1, 4}, init: true}, {name: "b", shape: []int64{4}, init: true}}},
	{name: "mean_and_inv_std_dev_outputs", op: "LayerNormalization", opset: 17, args: lnArgs([]int64{3, 4}, -1, true), outputs: []string{"y", "mean", "inv"}},
}

func TestLayerNormMatchesORT(t *testing.T) {
	nchwCompareORT(t, layerNormCases)
}

func TestLayerNormGradients(t *testing.T) {
	for _, c := range layerNormCases {
		t.Run(c.name, func(t *testing.T) {
			model, inputs := c.build(3)
			checkGradients(t, model, inputs, 1e-3)
		})
	}
}

// layerNormModel builds the layers of a head: a Gemm, then LayerNormalization at opset 17 (decomposed
// false) or its form before opset 17, as PyTorch exports it (ReduceMean, Sub, Pow, ReduceMean, Add,
// Sqrt, Div, Mul, Add), then GELU as exported (Div, Erf, Add, Mul, Mul).
func layerNormModel(t *testing.T, opset int64, decomposed bool) ([]byte, []tensor.Tensor) {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 2))
	f := func(name string, dims ...int64) *ir.Tensor {
		return &ir.Tensor{Name: name, DType: ir.Float32, Dims: dims, Float: nchwRandom(rng, nchwNumElems(dims), false)}
	}
	scalar := func(name string, v float32) *ir.Tensor {
		return &ir.Tensor{Name: name, DType: ir.Float32, Dims: []int64{}, Float: []float32{v}}
	}
	m := onnxtest.Model{Opset: opset, Inputs: []onnxtest.Input{{Name: "x", Shape: []int64{3, 5}}}, Outputs: []string{"y"},
		Inits: []*ir.Tensor{f("w", 6, 5), f("b", 6), f("gamma", 6), f("beta", 6), scalar("two", 2), scalar("eps", 1e-5),
			scalar("sqrt2", float32(math.Sqrt2)), scalar("one", 1), scalar("half", 0.5)}}
	gemm := onnxtest.Node{Op: "Gemm", Inputs: []string{"x", "w", "b"}, Outputs: []string{"h"}, Attrs: map[string]any{"transB": 1}}
	m.Nodes = []onnxtest.Node{gemm}
	if decomposed {
		red := map[string]any{"axes": []int64{-1}}
		m.Nodes = append(m.Nodes,
			onnxtest.Node{Op: "ReduceMean", Inputs: []string{"h"}, Outputs: []string{"mu"}, Attrs: red},
			onnxtest.Node{Op: "Sub", Inputs: []string{"h", "mu"}, Outputs: []string{"d"}},
			onnxtest.Node{Op: "Pow", Inputs: []string{"d", "two"}, Outputs: []string{"d2"}},
			onnxtest.Node{Op: "ReduceMean", Inputs: []string{"d2"}, Outputs: []string{"var"}, Attrs: red},
			onnxtest.Node{Op: "Add", Inputs: []string{"var", "eps"}, Outputs: []string{"ve"}},
			onnxtest.Node{Op: "Sqrt", Inputs: []string{"ve"}, Outputs: []string{"sd"}},
			onnxtest.Node{Op: "Div", Inputs: []string{"d", "sd"}, Outputs: []string{"nrm"}},
			onnxtest.Node{Op: "Mul", Inputs: []string{"nrm", "gamma"}, Outputs: []string{"sc"}},
			onnxtest.Node{Op: "Add", Inputs: []string{"sc", "beta"}, Outputs: []string{"ln"}})
	} else {
		m.Nodes = append(m.Nodes, onnxtest.Node{Op: "LayerNormalization", Inputs: []string{"h", "gamma", "beta"}, Outputs: []string{"ln"}})
	}
	m.Nodes = append(m.Nodes,
		onnxtest.Node{Op: "Div", Inputs: []string{"ln", "sqrt2"}, Outputs: []string{"q"}},
		onnxtest.Node{Op: "Erf", Inputs: []string{"q"}, Outputs: []string{"e"}},
		onnxtest.Node{Op: "Add", Inputs: []string{"e", "one"}, Outputs: []string{"e1"}},
		onnxtest.Node{Op: "Mul", Inputs: []string{"ln", "e1"}, Outputs: []string{"g"}},
		onnxtest.Node{Op: "Mul", Inputs: []string{"g", "half"}, Outputs: []string{"y"}})
	model, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return model, []tensor.Tensor{{Shape: []int64{3, 5}, Data: nchwRandom(rng, 15, false)}}
}

// TestLayerNormHead runs a Gemm, LayerNormalization (the op, and the form PyTorch exports before opset
// 17) and GELU against onnxruntime, and checks that the gradients reach the Gemm below the
// normalization: a fairness layer inserted before a LayerNorm trains through it.
func TestLayerNormHead(t *testing.T) {
	for _, c := range []struct {
		name       string
		opset      int64
		decomposed bool
	}{{"layernorm_op", 17, false}, {"decomposed_opset13", 13, true}, {"decomposed_opset9", 9, true}} {
		t.Run(c.name, func(t *testing.T) {
			model, inputs := layerNormModel(t, c.opset, c.decomposed)
			got, err := nchwGoRun(model, inputs)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstORT(t, model, inputs, got)
			checkGradients(t, model, inputs, 1e-3)
		})
	}
}

func TestLayerNormRefused(t *testing.T) {
	x := nchwArg{name: "x", shape: []int64{2, 3}}
	nchwRunExpect(t, []nchwExpect{
		{nchwCase: nchwCase{name: "layernorm_scale_too_wide", op: "LayerNormalization", opset: 17,
			args: []nchwArg{x, {name: "scale", shape: []int64{4}, init: true}}}, err: ir.ErrShapeMismatch},
		{nchwCase: nchwCase{name: "layernorm_axis_out_of_range", op: "LayerNormalization", opset: 17,
			args: []nchwArg{x, {name: "scale", shape: []int64{3}, init: true}}, attrs: map[string]any{"axis": 2}}, err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "layernorm_before_opset17", op: "LayerNormalization", opset: 16,
			args: []nchwArg{x, {name: "scale", shape: []int64{3}, init: true}}}, err: ir.ErrUnsupportedOp},
	})
}
