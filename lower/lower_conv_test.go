package lower_test

import (
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
)

// x, w and b are the usual Conv arguments: X a graph input, W and B initializers.
func convArgs(x, w []int64, bias bool) []nchwArg {
	args := []nchwArg{{name: "x", shape: x}, {name: "w", shape: w, init: true}}
	if bias {
		args = append(args, nchwArg{name: "b", shape: w[:1], init: true})
	}
	return args
}

func TestConvMatchesORT(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	nchwCompareORT(t, []nchwCase{
		{name: "1d_pads_strides_dilations_bias", op: "Conv", opset: 13, args: convArgs(ints(2, 3, 11), ints(4, 3, 3), true),
			attrs: map[string]any{"pads": ints(2, 1), "strides": ints(2), "dilations": ints(2)}},
		{name: "2d_group2_asymmetric", op: "Conv", opset: 11, args: convArgs(ints(2, 4, 7, 6), ints(6, 2, 3, 2), true),
			attrs: map[string]any{"group": 2, "pads": ints(1, 0, 2, 1), "strides": ints(2, 1)}},
		{name: "2d_depthwise_same_upper", op: "Conv", opset: 17, args: convArgs(ints(1, 3, 6, 5), ints(3, 1, 3, 3), false),
			attrs: map[string]any{"group": 3, "auto_pad": "SAME_UPPER", "strides": ints(2, 2)}},
		{name: "2d_depthwise_multiplier", op: "Conv", opset: 21, args: convArgs(ints(2, 2, 5, 5), ints(6, 1, 2, 2), true),
			attrs: map[string]any{"group": 2, "pads": ints(0, 1, 1, 0)}},
		{name: "2d_same_lower_stride3", op: "Conv", opset: 13, args: convArgs(ints(1, 2, 7, 8), ints(3, 2, 2, 4), false),
			attrs: map[string]any{"auto_pad": "SAME_LOWER", "strides": ints(3, 3)}},
		{name: "2d_valid", op: "Conv", opset: 13, args: convArgs(ints(1, 2, 7, 8), ints(3, 2, 3, 3), true),
			attrs: map[string]any{"auto_pad": "VALID", "strides": ints(2, 3)}},
		{name: "2d_kernel_shape_attr_dilated", op: "Conv", opset: 13, args: convArgs(ints(1, 2, 9, 9), ints(2, 2, 3, 3), false),
			attrs: map[string]any{"kernel_shape": ints(3, 3), "dilations": ints(2, 3), "pads": ints(2, 3, 2, 3)}},
		{name: "2d_wide", op: "Conv", opset: 13, args: convArgs(ints(2, 32, 10, 10), ints(16, 32, 3, 3), true),
			attrs: map[string]any{"pads": ints(1, 1, 1, 1)}},
		{name: "3d_pads_strides", op: "Conv", opset: 13, args: convArgs(ints(1, 2, 4, 5, 5), ints(3, 2, 2, 3, 2), true),
			attrs: map[string]any{"pads": ints(1, 0, 1, 0, 1, 1), "strides": ints(1, 2, 1)}},
		{name: "input_weights", op: "Conv", opset: 13, args: []nchwArg{{name: "x", shape: ints(1, 2, 5, 5)}, {name: "w", shape: ints(2, 2, 3, 3)}, {name: "b", shape: ints(2)}},
			attrs: map[string]any{"pads": ints(0, 0, 1, 1)}},
	})
}

func TestConvByHand(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	nchwRunExpect(t, []nchwExpect{
		{
			// pads top 1, left 0, bottom 0, right 1 around [[1 2 3] [4 5 6]]; kernel [1 10] along W.
			nchwCase: nchwCase{name: "asymmetric_pads", op: "Conv", opset: 13, attrs: map[string]any{"pads": ints(1, 0, 0, 1)},
				args: []nchwArg{{name: "x", shape: ints(1, 1, 2, 3), data: []float32{1, 2, 3, 4, 5, 6}}, {name: "w", shape: ints(1, 1, 1, 2), init: true, data: []float32{1, 10}}}},
			shape: ints(1, 1, 3, 3),
			want:  []float32{0, 0, 0, 21, 32, 3, 54, 65, 6},
		},
		{
			// Each group sees only its own channel: 10·[1 2]+1 and 100·[3 4]−1.
			nchwCase: nchwCase{name: "group_bias", op: "Conv", opset: 13, attrs: map[string]any{"group": 2},
				args: []nchwArg{{name: "x", shape: ints(1, 2, 1, 2), data: []float32{1, 2, 3, 4}}, {name: "w", shape: ints(2, 1, 1, 1), init: true, data: []float32{10, 100}},
					{name: "b", shape: ints(2), init: true, data: []float32{1, -1}}}},
			shape: ints(1, 2, 1, 2),
			want:  []float32{11, 21, 299, 399},
		},
		{
			nchwCase: nchwCase{name: "group_mismatch", op: "Conv", opset: 13, attrs: map[string]any{"group": 2},
				args: convArgs(ints(1, 3, 4, 4), ints(2, 1, 3, 3), false)},
			err: ir.ErrShapeMismatch,
		},
		{
			nchwCase: nchwCase{name: "kernel_shape_disagrees", op: "Conv", opset: 13, attrs: map[string]any{"kernel_shape": ints(2, 2)},
				args: convArgs(ints(1, 1, 4, 4), ints(1, 1, 3, 3), false)},
			err: ir.ErrShapeMismatch,
		},
		{
			nchwCase: nchwCase{name: "bad_auto_pad", op: "Conv", opset: 13, attrs: map[string]any{"auto_pad": "SAME"},
				args: convArgs(ints(1, 1, 4, 4), ints(1, 1, 3, 3), false)},
			err: ir.ErrBadAttribute,
		},
	})
}
