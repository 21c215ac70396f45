package lower_test

import (
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
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
