package lower_test

import (
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
)

// x234 is a [2, 3, 4] graph input.
var x234 = nchwArg{name: "x", shape: []int64{2, 3, 4}}

// axesInit is the int64 initializer "axes" (ReduceMean's input 1 from opset 18).
func axesInit(v ...int64) nchwArg {
	return nchwArg{name: "axes", shape: []int64{int64(len(v))}, ints: v}
}

var reduceMeanCases = []nchwCase{
	{name: "axes_attribute_opset13", op: "ReduceMean", opset: 13, args: []nchwArg{x234}, attrs: map[string]any{"axes": []int64{1}}},
	{name: "two_axes_no_keepdims_opset11", op: "ReduceMean", opset: 11, args: []nchwArg{x234}, attrs: map[string]any{"axes": []int64{0, -1}, "keepdims": 0}},
	{name: "all_axes_opset7", op: "ReduceMean", opset: 7, args: []nchwArg{x234}},
	{name: "axes_input_opset18", op: "ReduceMean", opset: 18, args: []nchwArg{x234, axesInit(-1)}},
	{name: "axes_input_no_keepdims_opset18", op: "ReduceMean", opset: 18, args: []nchwArg{x234, axesInit(2, 0)}, attrs: map[string]any{"keepdims": 0}},
	{name: "no_axes_input_opset18", op: "ReduceMean", opset: 18, args: []nchwArg{x234}},
	{name: "noop_with_empty_axes_opset18", op: "ReduceMean", opset: 18, args: []nchwArg{x234}, attrs: map[string]any{"noop_with_empty_axes": 1}},
}

func TestReduceMeanMatchesORT(t *testing.T) {
	nchwCompareORT(t, reduceMeanCases)
}

func TestReduceMeanGradients(t *testing.T) {
	for _, c := range reduceMeanCases {
		if c.name == "noop_with_empty_axes_opset18" {
			continue // the identity
		}
		t.Run(c.name, func(t *testing.T) {
			model, inputs := c.build(2)
			checkGradients(t, model, inputs, 1e-3)
		})
	}
}

func TestReduceMeanByHand(t *testing.T) {
	x := nchwArg{name: "x", shape: []int64{2, 3}, data: []float32{1, 2, 6, -1, 0, 4}}
	nchwRunExpect(t, []nchwExpect{
		{nchwCase: nchwCase{name: "rows", op: "ReduceMean", opset: 13, args: []nchwArg{x}, attrs: map[string]any{"axes": []int64{1}, "keepdims": 0}},
			shape: []int64{2}, want: []float32{3, 1}},
		{nchwCase: nchwCase{name: "columns_keepdims", op: "ReduceMean", opset: 18, args: []nchwArg{x, axesInit(0)}},
			shape: []int64{1, 3}, want: []float32{0, 1, 5}},
		// A rank-0 output: onnxruntime's session (package ort) does not return those, so it is checked here.
		{nchwCase: nchwCase{name: "all_axes_to_a_scalar", op: "ReduceMean", opset: 13, args: []nchwArg{x}, attrs: map[string]any{"keepdims": 0}},
			shape: []int64{}, want: []float32{2}},
		{nchwCase: nchwCase{name: "axes_attribute_at_opset18", op: "ReduceMean", opset: 18, args: []nchwArg{x}, attrs: map[string]any{"axes": []int64{1}}},
			err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "repeated_axis", op: "ReduceMean", opset: 13, args: []nchwArg{x}, attrs: map[string]any{"axes": []int64{1, -1}}},
			err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "axes_at_run_time", op: "ReduceMean", opset: 18, args: []nchwArg{x, {name: "axes", shape: []int64{1}}}},
			err: ir.ErrUnsupportedOp},
	})
}
