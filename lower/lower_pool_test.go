package lower_test

import (
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
)

func TestPoolMatchesORT(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	x := func(shape ...int64) []nchwArg { return []nchwArg{{name: "x", shape: shape}} }
	nchwCompareORT(t, []nchwCase{
		// The ceil_mode window that would start in the end padding is dropped: 2 outputs, not 3.
		{name: "max_ceil_drops_last", op: "MaxPool", opset: 12, args: x(1, 2, 5, 5),
			attrs: map[string]any{"kernel_shape": ints(2, 2), "strides": ints(3, 3), "pads": ints(0, 0, 1, 1), "ceil_mode": 1}},
		{name: "max_ceil_dilated_asymmetric", op: "MaxPool", opset: 12, args: x(2, 2, 7, 8),
			attrs: map[string]any{"kernel_shape": ints(3, 2), "dilations": ints(2, 2), "strides": ints(2, 3), "pads": ints(1, 0, 2, 1), "ceil_mode": 1}},
		{name: "max_1d_same_lower", op: "MaxPool", opset: 12, args: x(2, 3, 9),
			attrs: map[string]any{"kernel_shape": ints(4), "strides": ints(2), "auto_pad": "SAME_LOWER"}},
		{name: "max_3d_pads", op: "MaxPool", opset: 12, args: x(1, 2, 4, 5, 6),
			attrs: map[string]any{"kernel_shape": ints(2, 3, 2), "strides": ints(2, 2, 1), "pads": ints(1, 1, 0, 0, 1, 1)}},
		{name: "max_storage_order_ignored", op: "MaxPool", opset: 12, args: x(1, 1, 4, 4),
			attrs: map[string]any{"kernel_shape": ints(2, 2), "storage_order": 1}},
		{name: "avg_ceil_include_pad", op: "AveragePool", opset: 11, args: x(1, 2, 6, 7),
			attrs: map[string]any{"kernel_shape": ints(3, 3), "strides": ints(2, 2), "pads": ints(1, 1, 1, 1), "ceil_mode": 1, "count_include_pad": 1}},
		{name: "avg_ceil_exclude_pad", op: "AveragePool", opset: 11, args: x(1, 2, 6, 7),
			attrs: map[string]any{"kernel_shape": ints(3, 3), "strides": ints(2, 2), "pads": ints(1, 1, 1, 1), "ceil_mode": 1}},
		{name: "avg_asymmetric_include_pad", op: "AveragePool", opset: 11, args: x(2, 1, 5, 6),
			attrs: map[string]any{"kernel_shape": ints(3, 2), "pads": ints(2, 0, 0, 1), "count_include_pad": 1}},
		{name: "avg_same_upper_include_pad", op: "AveragePool", opset: 11, args: x(1, 2, 5, 5),
			attrs: map[string]any{"kernel_shape": ints(2, 3), "strides": ints(2, 2), "auto_pad": "SAME_UPPER", "count_include_pad": 1}},
		{name: "avg_1d_strides", op: "AveragePool", opset: 11, args: x(2, 3, 10),
			attrs: map[string]any{"kernel_shape": ints(3), "strides": ints(3), "pads": ints(1, 0)}},
		{name: "avg_3d_pads", op: "AveragePool", opset: 11, args: x(1, 2, 4, 4, 5),
			attrs: map[string]any{"kernel_shape": ints(2, 2, 3), "pads": ints(1, 0, 1, 0, 1, 1)}},
		{name: "avg_dilations_opset19", op: "AveragePool", opset: 19, args: x(1, 2, 7, 7),
			attrs: map[string]any{"kernel_shape": ints(2, 2), "dilations": ints(2, 2), "pads": ints(1, 1, 1, 1)}},
		{name: "avg_dilations_include_pad_opset19", op: "AveragePool", opset: 19, args: x(1, 2, 7, 7),
			attrs: map[string]any{"kernel_shape": ints(2, 3), "dilations": ints(3, 2), "pads": ints(1, 2, 1, 0), "count_include_pad": 1}},
		{name: "global_avg_2d", op: "GlobalAveragePool", opset: 13, args: x(2, 3, 5, 4)},
		{name: "global_avg_1d", op: "GlobalAveragePool", opset: 13, args: x(2, 3, 7)},
		{name: "global_avg_3d", op: "GlobalAveragePool", opset: 13, args: x(1, 2, 3, 4, 5)},
	})
}

func TestPoolByHand(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	row := []nchwArg{{name: "x", shape: ints(1, 1, 1, 5), data: []float32{1, 5, 2, 4, 6}}}
	k12 := map[string]any{"kernel_shape": ints(1, 2), "strides": ints(1, 2)}
	ceil := map[string]any{"kernel_shape": ints(1, 2), "strides": ints(1, 2), "ceil_mode": 1}
	nchwRunExpect(t, []nchwExpect{
		// Windows [1 5] [2 4], and with ceil_mode also the partial [6].
		{nchwCase: nchwCase{name: "max_floor", op: "MaxPool", opset: 12, attrs: k12, args: row}, shape: ints(1, 1, 1, 2), want: []float32{5, 4}},
		{nchwCase: nchwCase{name: "max_ceil", op: "MaxPool", opset: 12, attrs: ceil, args: row}, shape: ints(1, 1, 1, 3), want: []float32{5, 4, 6}},
		{nchwCase: nchwCase{name: "avg_ceil", op: "AveragePool", opset: 11, attrs: ceil, args: row}, shape: ints(1, 1, 1, 3), want: []float32{3, 3, 6}},
		// Pads left 1, right 0: windows [pad 1] [5 2] [4 6]; padding counts only with count_include_pad.
		{nchwCase: nchwCase{name: "avg_asymmetric_pads", op: "AveragePool", opset: 11, args: row,
			attrs: map[string]any{"kernel_shape": ints(1, 2), "strides": ints(1, 2), "pads": ints(0, 1, 0, 0)}},
			shape: ints(1, 1, 1, 3), want: []float32{1, 3.5, 5}},
		{nchwCase: nchwCase{name: "avg_asymmetric_pads_included", op: "AveragePool", opset: 11, args: row,
			attrs: map[string]any{"kernel_shape": ints(1, 2), "strides": ints(1, 2), "pads": ints(0, 1, 0, 0), "count_include_pad": 1}},
			shape: ints(1, 1, 1, 3), want: []float32{0.5, 3.5, 5}},
		{nchwCase: nchwCase{name: "max_pads_are_minus_inf", op: "MaxPool", opset: 12,
			args:  []nchwArg{{name: "x", shape: ints(1, 1, 1, 2), data: []float32{-3, -4}}},
			attrs: map[string]any{"kernel_shape": ints(1, 2), "pads": ints(0, 1, 0, 1)}},
			shape: ints(1, 1, 1, 3), want: []float32{-3, -3, -4}},
		{nchwCase: nchwCase{name: "global_avg", op: "GlobalAveragePool", opset: 13,
			args: []nchwArg{{name: "x", shape: ints(1, 2, 1, 3), data: []float32{1, 2, 6, -1, 0, 4}}}},
			shape: ints(1, 2, 1, 1), want: []float32{3, 1}},
		{nchwCase: nchwCase{name: "max_indices_output", op: "MaxPool", opset: 12, attrs: k12, args: row, outputs: []string{"y", "i"}},
			err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "avg_dilations_before_opset19", op: "AveragePool", opset: 18, args: row,
			attrs: map[string]any{"kernel_shape": ints(1, 2), "dilations": ints(1, 2)}},
			err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "missing_kernel_shape", op: "MaxPool", opset: 12, args: row},
			err: ir.ErrBadAttribute},
	})
}
