package lower_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/ir"
)

// i64 is an int64 initializer of shape [len(v)].
func i64(name string, v ...int64) nchwArg {
	return nchwArg{name: name, shape: []int64{int64(len(v))}, ints: v}
}

// sliceExpandGatherCases move the elements of a tensor computed at run time (a graph input) or of a
// float initializer, with the integer inputs known while building.
var sliceExpandGatherCases = []nchwCase{
	// x[:, :3], as PyTorch exports it (the end INT64_MAX when slicing to the end).
	{name: "slice_first_columns", op: "Slice", opset: 13, args: []nchwArg{{name: "x", shape: []int64{4, 5}}, i64("s", 0), i64("e", 3), i64("a", 1)}},
	{name: "slice_to_the_end", op: "Slice", opset: 13, args: []nchwArg{{name: "x", shape: []int64{4, 5}}, i64("s", 2), i64("e", 1<<62), i64("a", -1)}},
	{name: "slice_steps_and_negative", op: "Slice", opset: 11, args: []nchwArg{{name: "x", shape: []int64{3, 6, 4}}, i64("s", -1, 1), i64("e", -100, 5), i64("a", 1, 2), i64("st", -2, 2)}},
	{name: "slice_default_axes", op: "Slice", opset: 10, args: []nchwArg{{name: "x", shape: []int64{4, 5}}, i64("s", 1, 1), i64("e", 3, -1)}},
	{name: "slice_attributes_opset9", op: "Slice", opset: 9, args: []nchwArg{{name: "x", shape: []int64{4, 5}}},
		attrs: map[string]any{"starts": []int64{1, -4}, "ends": []int64{3, 1000}, "axes": []int64{0, 1}}},
	{name: "slice_attributes_default_axes_opset7", op: "Slice", opset: 7, args: []nchwArg{{name: "x", shape: []int64{4, 5}}},
		attrs: map[string]any{"starts": []int64{1}, "ends": []int64{-1}}},
	{name: "slice_of_a_parameter", op: "Slice", opset: 13, args: []nchwArg{{name: "w", shape: []int64{4, 5}, init: true}, i64("s", 1), i64("e", 3)}},
	{name: "expand_column", op: "Expand", opset: 13, args: []nchwArg{{name: "x", shape: []int64{3, 1}}, i64("shape", 2, 3, 4)}},
	{name: "expand_ones_keep_dims", op: "Expand", opset: 8, args: []nchwArg{{name: "x", shape: []int64{2, 1, 4}}, i64("shape", 1, 3, 1)}},
	{name: "expand_parameter", op: "Expand", opset: 13, args: []nchwArg{{name: "w", shape: []int64{4}, init: true}, i64("shape", 3, 1)}},
	{name: "gather_rows", op: "Gather", opset: 13, args: []nchwArg{{name: "x", shape: []int64{5, 3}}, i64("i", 4, 0, 4)}},
	{name: "gather_column_opset7", op: "Gather", opset: 7, args: []nchwArg{{name: "x", shape: []int64{4, 3}}, {name: "i", shape: []int64{}, ints: []int64{1}}},
		attrs: map[string]any{"axis": 1}},
	// An embedding lookup: a float table (trainable) at indices known while building.
	{name: "gather_embedding_table", op: "Gather", opset: 13, args: []nchwArg{{name: "table", shape: []int64{6, 4}, init: true},
		{name: "codes", shape: []int64{3, 2}, ints: []int64{0, 5, 2, 2, 1, 0}}}},
}

func TestSliceExpandGatherMatchORT(t *testing.T) {
	// onnxruntime (package ort) runs models with at least one input: the cases on a parameter alone are
	// checked by TestSliceExpandGatherOfParameters.
	var cases []nchwCase
	for _, c := range sliceExpandGatherCases {
		if slices.ContainsFunc(c.args, func(a nchwArg) bool { return a.name != "" && !a.init && a.ints == nil }) {
			cases = append(cases, c)
		}
	}
	nchwCompareORT(t, cases)
}

func TestSliceExpandGatherOfParameters(t *testing.T) {
	w := func(name string, shape ...int64) nchwArg {
		data := make([]float32, nchwNumElems(shape))
		for i := range data {
			data[i] = float32(i)
		}
		return nchwArg{name: name, shape: shape, init: true, data: data}
	}
	nchwRunExpect(t, []nchwExpect{
		{nchwCase: nchwCase{name: "slice_rows", op: "Slice", opset: 13, args: []nchwArg{w("w", 4, 2), i64("s", 1), i64("e", 3)}},
			shape: []int64{2, 2}, want: []float32{2, 3, 4, 5}},
		{nchwCase: nchwCase{name: "expand_rows", op: "Expand", opset: 13, args: []nchwArg{w("w", 3), i64("shape", 2, 1)}},
			shape: []int64{2, 3}, want: []float32{0, 1, 2, 0, 1, 2}},
		{nchwCase: nchwCase{name: "gather_embedding_rows", op: "Gather", opset: 13, args: []nchwArg{w("table", 3, 2),
			{name: "codes", shape: []int64{2, 2}, ints: []int64{2, 0, 1, 1}}}},
			shape: []int64{2, 2, 2}, want: []float32{4, 5, 0, 1, 2, 3, 2, 3}},
	})
}

func TestSliceExpandGatherGradients(t *testing.T) {
	for _, c := range sliceExpandGatherCases {
		t.Run(c.name, func(t *testing.T) {
			model, inputs := c.build(4)
			checkGradients(t, model, inputs, 1e-3)
		})
	}
}

// TestCastOfRunTimeData checks Cast of a tensor computed by the graph: the identity to float32 and
// float64, refused with a message saying why to other types.
func TestCastOfRunTimeData(t *testing.T) {
	model := func(to ...ir.DType) []byte {
		m := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{{Name: "x", Shape: []int64{2, 3}}}, Outputs: []string{"y"}}
		in := "x"
		for i, dt := range to {
			out := "y"
			if i < len(to)-1 {
				out = "c" + string(rune('0'+i))
			}
			m.Nodes = append(m.Nodes, onnxtest.Node{Op: "Cast", Inputs: []string{in}, Outputs: []string{out}, Attrs: map[string]any{"to": int(dt)}})
			in = out
		}
		b, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	x := nchwArg{name: "x", shape: []int64{2, 3}}
	_, inputs := nchwCase{name: "x", op: "Identity", args: []nchwArg{x}}.build(1)
	t.Run("float_double_float", func(t *testing.T) {
		m := model(ir.Float32, ir.Float64, ir.Float32)
		got, err := nchwGoRun(m, inputs)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstORT(t, m, inputs, got)
		checkGradients(t, m, inputs, 1e-3)
	})
	for _, c := range []struct {
		name string
		to   []ir.DType
		text string
	}{
		{"to_int64", []ir.DType{ir.Int64, ir.Float32}, "Cast of a tensor computed at run time to int64"},
		{"to_float16", []ir.DType{ir.Float16, ir.Float32}, "does not round to half precision"},
		{"to_bfloat16", []ir.DType{16, ir.Float32}, "to bfloat16"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := nchwGoRun(model(c.to...), inputs)
			if !errors.Is(err, ir.ErrUnsupportedOp) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %v, want an unsupported op mentioning %q", err, c.text)
			}
		})
	}
}

func TestSliceExpandRefused(t *testing.T) {
	x := nchwArg{name: "x", shape: []int64{4, 5}}
	nchwRunExpect(t, []nchwExpect{
		{nchwCase: nchwCase{name: "slice_starts_at_run_time", op: "Slice", opset: 13, args: []nchwArg{x, {name: "s", shape: []int64{1}}, i64("e", 3)}},
			err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "slice_to_empty", op: "Slice", opset: 13, args: []nchwArg{x, i64("s", 3), i64("e", 1), i64("a", 0)}},
			err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "slice_step_0", op: "Slice", opset: 13, args: []nchwArg{x, i64("s", 0), i64("e", 3), i64("a", 0), i64("st", 0)}},
			err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "slice_attributes_missing_opset9", op: "Slice", opset: 9, args: []nchwArg{x}}, err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "expand_does_not_broadcast", op: "Expand", opset: 13, args: []nchwArg{x, i64("shape", 3, 5)}},
			err: ir.ErrShapeMismatch},
		{nchwCase: nchwCase{name: "expand_before_opset8", op: "Expand", opset: 7, args: []nchwArg{x, i64("shape", 4, 5)}},
			err: ir.ErrUnsupportedOp},
	})
}
