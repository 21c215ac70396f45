package lower_test

import (
	"errors"
	"math"
	"math/rand/v2"
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

// x4 is a [3, 4] graph input; pos4 the same with values in (0.1, 1.1), for Sqrt, Log and Pow.
var (
	x4   = nchwArg{name: "x", shape: []int64{3, 4}}
	pos4 = nchwArg{name: "x", shape: []int64{3, 4}, positive: true}
)

// scalarInit is a float32 rank-0 initializer with the given value.
func scalarInit(name string, v float32) nchwArg {
	return nchwArg{name: name, shape: []int64{}, init: true, data: []float32{v}}
}

// elementwiseCases are single-node models of the elementwise ops, at opsets that use each form of their
// attributes and inputs.
var elementwiseCases = []nchwCase{
	{name: "erf", op: "Erf", opset: 13, args: []nchwArg{x4}},
	{name: "erf_opset9", op: "Erf", opset: 9, args: []nchwArg{x4}},
	{name: "elu_default", op: "Elu", opset: 13, args: []nchwArg{x4}},
	{name: "elu_alpha_opset7", op: "Elu", opset: 7, args: []nchwArg{x4}, attrs: map[string]any{"alpha": float32(0.7)}},
	{name: "prelu_channel_slope", op: "PRelu", opset: 9, args: []nchwArg{x4, {name: "s", shape: []int64{4}, init: true}}},
	{name: "prelu_column_slope", op: "PRelu", opset: 16, args: []nchwArg{x4, {name: "s", shape: []int64{3, 1}, init: true}}},
	{name: "prelu_slope_input", op: "PRelu", opset: 7, args: []nchwArg{x4, {name: "s", shape: []int64{3, 4}}}},
	{name: "clip_attributes_opset7", op: "Clip", opset: 7, args: []nchwArg{x4}, attrs: map[string]any{"min": float32(-0.3), "max": float32(0.4)}},
	{name: "clip_no_bounds_opset7", op: "Clip", opset: 7, args: []nchwArg{x4}},
	{name: "clip_inputs", op: "Clip", opset: 13, args: []nchwArg{x4, scalarInit("lo", -0.25), scalarInit("hi", 0.5)}},
	{name: "clip_max_only", op: "Clip", opset: 11, args: []nchwArg{x4, {}, scalarInit("hi", 0.1)}},
	{name: "clip_min_above_max", op: "Clip", opset: 13, args: []nchwArg{x4, scalarInit("lo", 0.5), scalarInit("hi", -0.5)}},
	{name: "hardsigmoid_default", op: "HardSigmoid", opset: 13, args: []nchwArg{{name: "x", shape: []int64{3, 4}, data: spread(12, 8)}}},
	{name: "hardsigmoid_attributes_opset7", op: "HardSigmoid", opset: 7, args: []nchwArg{x4}, attrs: map[string]any{"alpha": float32(0.9), "beta": float32(0.6)}},
	{name: "sqrt", op: "Sqrt", opset: 13, args: []nchwArg{pos4}},
	{name: "sqrt_opset7", op: "Sqrt", opset: 7, args: []nchwArg{pos4}},
	{name: "neg", op: "Neg", opset: 13, args: []nchwArg{x4}},
	{name: "exp", op: "Exp", opset: 9, args: []nchwArg{x4}},
	{name: "log", op: "Log", opset: 13, args: []nchwArg{pos4}},
	{name: "pow_square", op: "Pow", opset: 13, args: []nchwArg{x4, scalarInit("e", 2)}},
	{name: "pow_half", op: "Pow", opset: 7, args: []nchwArg{pos4, scalarInit("e", 0.5)}},
	{name: "pow_broadcast_exponent", op: "Pow", opset: 15, args: []nchwArg{pos4, {name: "e", shape: []int64{4}, init: true}}},
	{name: "pow_int64_exponent", op: "Pow", opset: 13, args: []nchwArg{x4, {name: "e", shape: []int64{}, ints: []int64{3}}}},
	{name: "pow_both_inputs", op: "Pow", opset: 13, args: []nchwArg{pos4, {name: "e", shape: []int64{3, 1}}}},
}

// spread returns n values evenly spread over [-scale, scale).
func spread(n int, scale float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = scale * (2*float32(i)/float32(n) - 1)
	}
	return out
}

func TestElementwiseOpsMatchORT(t *testing.T) {
	nchwCompareORT(t, elementwiseCases)
}

// TestElementwiseOpsGradients checks the gradients of each elementwise op, with respect to its input and
// to any float initializer (PRelu's slope, Pow's exponent), against finite differences.
func TestElementwiseOpsGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Values 0.15 apart in [-0.9, 0.8], none within 0.01 of a kink (0 and the Clip bounds of the cases).
	kinkFree := func() []float32 {
		v := distinct(rng, 12)
		for i := range v {
			v[i] = 3*v[i] + 0.013
		}
		return v
	}
	for _, c := range elementwiseCases {
		if c.name == "clip_min_above_max" || c.name == "clip_no_bounds_opset7" {
			continue // constant or the identity
		}
		t.Run(c.name, func(t *testing.T) {
			args := append([]nchwArg(nil), c.args...)
			if !args[0].positive && args[0].data == nil {
				args[0].data = kinkFree()
			}
			for i, a := range args {
				if a.init && len(a.shape) == 0 {
					args[i].shape = []int64{1} // checkGradients moves parameters through their backing slices
				}
			}
			c.args = args
			model, inputs := c.build(5)
			checkGradients(t, model, inputs, 1e-3)
		})
	}
}

// whereModel is Where(Cast(cond, bool), x, y), the condition an int64 constant of condShape.
func whereModel(opset int64, cond []int64, condShape, xShape []int64, y *ir.Tensor) onnxtest.Model {
	m := onnxtest.Model{Opset: opset, Inputs: []onnxtest.Input{{Name: "x", Shape: xShape}}, Outputs: []string{"out"}}
	m.Nodes = []onnxtest.Node{
		{Op: "Constant", Outputs: []string{"c64"}, Attrs: map[string]any{"value": &ir.Tensor{DType: ir.Int64, Dims: condShape, Int: cond}}},
		{Op: "Cast", Inputs: []string{"c64"}, Outputs: []string{"c"}, Attrs: map[string]any{"to": int(ir.Bool)}},
		{Op: "Where", Inputs: []string{"c", "x", "y"}, Outputs: []string{"out"}},
	}
	if y != nil {
		m.Inits = []*ir.Tensor{y}
	} else {
		m.Inputs = append(m.Inputs, onnxtest.Input{Name: "y", Shape: xShape})
	}
	return m
}

func TestWhere(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	cases := []struct {
		name string
		m    onnxtest.Model
	}{
		{"same_shapes", whereModel(16, []int64{1, 0, 0, 1, 1, 0}, []int64{2, 3}, []int64{2, 3}, nil)},
		{"row_mask_opset9", whereModel(9, []int64{0, 1, 1}, []int64{3}, []int64{4, 3}, nil)},
		{"masked_fill_scalar", whereModel(13, []int64{1, 0, 1, 0}, []int64{4, 1}, []int64{4, 5},
			&ir.Tensor{Name: "y", DType: ir.Float32, Dims: []int64{}, Float: []float32{-1e9}})},
		{"y_parameter", whereModel(13, []int64{1, 0}, []int64{1, 2}, []int64{3, 2},
			&ir.Tensor{Name: "y", DType: ir.Float32, Dims: []int64{3, 1}, Float: []float32{0.5, -2, 3}})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model, err := c.m.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			var inputs []tensor.Tensor
			for _, in := range c.m.Inputs {
				inputs = append(inputs, tensor.Tensor{Shape: in.Shape, Data: distinct(rng, nchwNumElems(in.Shape))})
			}
			got, err := nchwGoRun(model, inputs)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstORT(t, model, inputs, got)
			checkGradients(t, model, inputs, 1e-3)
		})
	}
}

// checkAgainstORT compares the Go forward pass's output with onnxruntime's. Without onnxruntime it only
// says so, outside CI, so that the caller's other checks still run.
func checkAgainstORT(t *testing.T, model []byte, inputs []tensor.Tensor, got tensor.Tensor) {
	t.Helper()
	if err := ort.Init(); err != nil {
		if testkit.CI() {
			t.Fatalf("CI=true but %v", err)
		}
		t.Logf("not compared with onnxruntime: %v", err)
		return
	}
	want, err := nchwORTRun(model, inputs)
	if err != nil {
		t.Fatalf("onnxruntime: %v", err)
	}
	nchwSameArray(t, got, want)
}

// TestElementwiseOpsRefused checks what the elementwise ops refuse, and that the message says why.
func TestElementwiseOpsRefused(t *testing.T) {
	runtimeMin := nchwCase{name: "clip_min_at_run_time", op: "Clip", opset: 13, args: []nchwArg{x4, {name: "lo", shape: []int64{}}}}
	badSlope := nchwCase{name: "prelu_slope_does_not_broadcast", op: "PRelu", opset: 16, args: []nchwArg{x4, {name: "s", shape: []int64{3}, init: true}}}
	for _, c := range []struct {
		c    nchwCase
		err  error
		text string
	}{
		{runtimeMin, ir.ErrUnsupportedOp, "Clip's min computed at run time"},
		{badSlope, ir.ErrShapeMismatch, "does not broadcast"},
	} {
		t.Run(c.c.name, func(t *testing.T) {
			model, inputs := c.c.build(1)
			_, err := nchwGoRun(model, inputs)
			if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %v, want %v mentioning %q", err, c.err, c.text)
			}
		})
	}
	// A condition computed at run time: the graph's own Cast to bool is what cannot run.
	m := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{{Name: "x", Shape: []int64{2, 2}}}, Outputs: []string{"out"},
		Nodes: []onnxtest.Node{
			{Op: "Cast", Inputs: []string{"x"}, Outputs: []string{"c"}, Attrs: map[string]any{"to": int(ir.Bool)}},
			{Op: "Where", Inputs: []string{"c", "x", "x"}, Outputs: []string{"out"}},
		}}
	model, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	g, err := importer.Read(model, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lower.Lower(g, lower.Options{})
	if !errors.Is(err, ir.ErrUnsupportedOp) || !strings.Contains(err.Error(), "Cast") || !strings.Contains(err.Error(), "to bool") {
		t.Fatalf("error %v, want the run-time Cast refused", err)
	}
}

// TestErfMatchesMath checks the Erf kernel and its derivative at a few points against math.Erf.
func TestErfMatchesMath(t *testing.T) {
	xs := []float32{-3, -1, -0.5, 0, 1e-4, 0.5, 1, 2.5}
	model, _ := nchwCase{name: "erf", op: "Erf", opset: 13, args: []nchwArg{{name: "x", shape: []int64{8}}}}.build(1)
	got, err := nchwGoRun(model, []tensor.Tensor{{Shape: []int64{8}, Data: xs}})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if want := float32(math.Erf(float64(x))); got.Data[i] != want {
			t.Errorf("erf(%g) = %g, want %g", x, got.Data[i], want)
		}
	}
}
