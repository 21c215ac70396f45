package lower_test

import (
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
)

func padArgs(x []int64, pads []int64, value bool, axes []int64) []nchwArg {
	args := []nchwArg{{name: "x", shape: x}, {name: "pads", shape: []int64{int64(len(pads))}, ints: pads}}
	switch {
	case value:
		args = append(args, nchwArg{name: "value", shape: []int64{}, init: true})
	case axes != nil:
		args = append(args, nchwArg{})
	}
	if axes != nil {
		args = append(args, nchwArg{name: "axes", shape: []int64{int64(len(axes))}, ints: axes})
	}
	return args
}

func TestPadMatchesORT(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	nchwCompareORT(t, []nchwCase{
		{name: "constant_default_value_opset11", op: "Pad", opset: 11, args: padArgs(ints(1, 2, 3, 4), ints(0, 0, 1, 2, 0, 0, 2, 1), false, nil)},
		{name: "constant_value", op: "Pad", opset: 13, args: padArgs(ints(2, 3, 4), ints(1, 0, 2, 0, 3, 1), true, nil)},
		{name: "constant_negative_crops", op: "Pad", opset: 13, args: padArgs(ints(1, 2, 5, 6), ints(0, 0, -1, 2, 0, 0, 1, -2), true, nil)},
		{name: "edge", op: "Pad", opset: 13, attrs: map[string]any{"mode": "edge"}, args: padArgs(ints(1, 2, 3, 4), ints(0, 0, 2, 3, 0, 0, 1, 4), false, nil)},
		{name: "reflect", op: "Pad", opset: 13, attrs: map[string]any{"mode": "reflect"}, args: padArgs(ints(1, 2, 4, 5), ints(0, 0, 3, 1, 0, 0, 2, 4), false, nil)},
		{name: "axes_opset18", op: "Pad", opset: 18, args: padArgs(ints(2, 3, 4, 5), ints(1, 2, 3, 0), true, ints(-1, 1))},
		{name: "axes_no_value_opset18", op: "Pad", opset: 18, args: padArgs(ints(2, 3, 4), ints(1, 2), false, ints(2))},
		{name: "wrap_opset19", op: "Pad", opset: 19, attrs: map[string]any{"mode": "wrap"}, args: padArgs(ints(1, 2, 3, 4), ints(0, 0, 2, 1, 0, 0, 1, 3), false, nil)},
	})
}

func TestPadByHand(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	x := nchwArg{name: "x", shape: ints(2, 3), data: []float32{1, 2, 3, 4, 5, 6}}
	pads := func(v ...int64) nchwArg { return nchwArg{name: "pads", shape: ints(int64(len(v))), ints: v} }
	value := nchwArg{name: "value", shape: ints(), init: true, data: []float32{9}}
	nchwRunExpect(t, []nchwExpect{
		{nchwCase: nchwCase{name: "constant", op: "Pad", opset: 13, args: []nchwArg{x, pads(0, 1, 1, 0), value}},
			shape: ints(3, 4), want: []float32{9, 1, 2, 3, 9, 4, 5, 6, 9, 9, 9, 9}},
		{nchwCase: nchwCase{name: "crop", op: "Pad", opset: 13, args: []nchwArg{x, pads(0, -1, -1, 0)}},
			shape: ints(1, 2), want: []float32{2, 3}},
		{nchwCase: nchwCase{name: "edge", op: "Pad", opset: 13, attrs: map[string]any{"mode": "edge"}, args: []nchwArg{x, pads(0, 2, 0, 1)}},
			shape: ints(2, 6), want: []float32{1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6}},
		{nchwCase: nchwCase{name: "reflect", op: "Pad", opset: 13, attrs: map[string]any{"mode": "reflect"}, args: []nchwArg{x, pads(0, 2, 0, 1)}},
			shape: ints(2, 6), want: []float32{3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}},
		{nchwCase: nchwCase{name: "reflect_too_wide", op: "Pad", opset: 13, attrs: map[string]any{"mode": "reflect"}, args: []nchwArg{x, pads(0, 3, 0, 0)}},
			err: ir.ErrShapeMismatch},
		{nchwCase: nchwCase{name: "wrap_before_opset19", op: "Pad", opset: 18, attrs: map[string]any{"mode": "wrap"}, args: []nchwArg{x, pads(0, 1, 0, 0)}},
			err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "pads_length", op: "Pad", opset: 13, args: []nchwArg{x, pads(0, 1, 0)}},
			err: ir.ErrShapeMismatch},
		{nchwCase: nchwCase{name: "pads_not_constant", op: "Pad", opset: 13, args: []nchwArg{x, {name: "p", shape: ints(4)}}},
			err: ir.ErrUnsupportedOp},
	})
}
