package ir

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestWindowAxis(t *testing.T) {
	cases := []struct {
		name                  string
		node                  *Node
		in                    int64
		out, padBegin, padEnd int64
		err                   error
	}{
		{name: "defaults", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(3)}), in: 7, out: 5},
		{name: "pads and stride", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(3)}, kv{"pads", axes(1, 2)}, kv{"strides", axes(2)}), in: 7, out: 4, padBegin: 1, padEnd: 2},
		{name: "dilation", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(3)}, kv{"dilations", axes(2)}), in: 7, out: 3},
		{name: "ceil_mode", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(2)}, kv{"strides", axes(2)}, kv{"ceil_mode", 1}), in: 5, out: 3},
		{name: "ceil_mode last window in the end padding", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(2)}, kv{"strides", axes(2)}, kv{"pads", axes(0, 1)}, kv{"ceil_mode", 1}), in: 4, out: 2, padEnd: 1},
		{name: "valid ignores pads", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(3)}, kv{"auto_pad", "VALID"}, kv{"pads", axes(1, 1)}), in: 7, out: 5},
		{name: "same_upper", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(4)}, kv{"auto_pad", "SAME_UPPER"}), in: 7, out: 7, padBegin: 1, padEnd: 2},
		{name: "same_lower", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(4)}, kv{"auto_pad", "SAME_LOWER"}), in: 7, out: 7, padBegin: 2, padEnd: 1},
		{name: "window larger than the input", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(5)}), in: 3, err: ErrShapeMismatch},
		{name: "empty input", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(1)}, kv{"auto_pad", "SAME_UPPER"}), in: 0, err: ErrShapeMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWindow(tc.node, 1, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			out, pb, pe, err := w.Axis(0, tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || out != tc.out || pb != tc.padBegin || pe != tc.padEnd {
				t.Errorf("Axis(0, %d) = %d, %d, %d, %v; want %d, %d, %d", tc.in, out, pb, pe, err, tc.out, tc.padBegin, tc.padEnd)
			}
		})
	}
}

func TestParseWindowErrors(t *testing.T) {
	cases := []struct {
		name   string
		node   *Node
		kernel []int64
		pool   bool
		err    error
	}{
		{name: "pool without kernel_shape", node: nd("MaxPool", "x", "y"), pool: true, err: ErrBadAttribute},
		{name: "conv kernel_shape differs from the weights", node: nd("Conv", "x,w", "y", kv{"kernel_shape", axes(3, 3)}), kernel: axes(3, 1), err: ErrShapeMismatch},
		{name: "too few strides", node: nd("Conv", "x,w", "y", kv{"strides", axes(1)}), kernel: axes(3, 3), err: ErrBadAttribute},
		{name: "negative pad", node: nd("Conv", "x,w", "y", kv{"pads", axes(0, -1, 0, 0)}), kernel: axes(3, 3), err: ErrBadAttribute},
		{name: "zero dilation", node: nd("Conv", "x,w", "y", kv{"dilations", axes(1, 0)}), kernel: axes(3, 3), err: ErrBadAttribute},
		{name: "unknown auto_pad", node: nd("Conv", "x,w", "y", kv{"auto_pad", "SAME"}), kernel: axes(3, 3), err: ErrBadAttribute},
		{name: "ceil_mode of the wrong type", node: nd("MaxPool", "x", "y", kv{"kernel_shape", axes(2, 2)}, kv{"ceil_mode", float32(1)}), pool: true, err: ErrBadAttribute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseWindow(tc.node, 2, tc.kernel, tc.pool); !errors.Is(err, tc.err) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
		})
	}
	w, err := ParseWindow(nd("Conv", "x,w", "y"), 2, nil, false)
	if err != nil || w.Kernel != nil || !slices.Equal(w.Strides, axes(1, 1)) || !slices.Equal(w.Pads, axes(0, 0, 0, 0)) || w.AutoPad != "NOTSET" {
		t.Errorf("Conv with unknown weights: %+v, %v; want no kernel and the defaults", w, err)
	}
}

func TestGemmAttrs(t *testing.T) {
	g, err := GemmAttrs(nd("Gemm", "a,b", "y"))
	if err != nil || g != (GemmSpec{Alpha: 1, Beta: 1}) {
		t.Errorf("defaults: %+v, %v", g, err)
	}
	g, err = GemmAttrs(nd("Gemm", "a,b", "y", kv{"alpha", float32(0.5)}, kv{"beta", float32(2)}, kv{"transA", 1}, kv{"transB", 1}))
	if err != nil || g != (GemmSpec{Alpha: 0.5, Beta: 2, TransA: true, TransB: true}) {
		t.Errorf("all set: %+v, %v", g, err)
	}
	if _, err := GemmAttrs(nd("Gemm", "a,b", "y", kv{"transB", float32(1)})); !errors.Is(err, ErrBadAttribute) {
		t.Errorf("transB of type FLOAT: error %v, want %v", err, ErrBadAttribute)
	}
}

func TestShapeRange(t *testing.T) {
	cases := []struct {
		name       string
		attrs      []kv
		start, end int64
	}{
		{name: "defaults", start: 0, end: 4},
		{name: "start", attrs: []kv{{"start", 1}}, start: 1, end: 4},
		{name: "negative end", attrs: []kv{{"end", -1}}, start: 0, end: 3},
		{name: "clamped", attrs: []kv{{"start", -10}, {"end", 10}}, start: 0, end: 4},
		{name: "end before start", attrs: []kv{{"start", 3}, {"end", 1}}, start: 3, end: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start, end, err := ShapeRange(nd("Shape", "x", "s", tc.attrs...), 4)
			if err != nil || start != tc.start || end != tc.end {
				t.Errorf("ShapeRange = %d, %d, %v; want %d, %d", start, end, err, tc.start, tc.end)
			}
		})
	}
}

func TestSliceRange(t *testing.T) {
	cases := []struct {
		name                  string
		start, end, step, dim int64
		wantFirst, wantCount  int64
	}{
		{name: "all", start: 0, end: 10, step: 1, dim: 10, wantFirst: 0, wantCount: 10},
		{name: "by two", start: 1, end: 10, step: 2, dim: 10, wantFirst: 1, wantCount: 5},
		{name: "negative start", start: -3, end: 10, step: 1, dim: 10, wantFirst: 7, wantCount: 3},
		{name: "end past the dim", start: 0, end: 1 << 62, step: 1, dim: 4, wantFirst: 0, wantCount: 4},
		{name: "reversed", start: -1, end: -1 << 62, step: -1, dim: 4, wantFirst: 3, wantCount: 4},
		{name: "reversed by two", start: 9, end: 0, step: -2, dim: 10, wantFirst: 9, wantCount: 5},
		{name: "empty", start: 5, end: 2, step: 1, dim: 10, wantFirst: 5, wantCount: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first, count := SliceRange(tc.start, tc.end, tc.step, tc.dim)
			if first != tc.wantFirst || count != tc.wantCount {
				t.Errorf("SliceRange(%d, %d, %d, %d) = %d, %d; want %d, %d", tc.start, tc.end, tc.step, tc.dim, first, count, tc.wantFirst, tc.wantCount)
			}
		})
	}
	axes, steps, err := SliceDefaults([]int64{0, 1}, []int64{2, 3}, nil, nil)
	if err != nil || !slices.Equal(axes, []int64{0, 1}) || !slices.Equal(steps, []int64{1, 1}) {
		t.Errorf("SliceDefaults = %v, %v, %v; want [0 1], [1 1]", axes, steps, err)
	}
	if _, _, err := SliceDefaults([]int64{0}, []int64{2}, []int64{0, 1}, nil); !errors.Is(err, ErrShapeMismatch) {
		t.Errorf("two axes for one start: error %v, want %v", err, ErrShapeMismatch)
	}
}

func TestPadAxes(t *testing.T) {
	got, err := PadAxes(nil, 3, 6)
	if err != nil || !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("all axes: %v, %v", got, err)
	}
	got, err = PadAxes([]int64{-1, 0}, 3, 4)
	if err != nil || !slices.Equal(got, []int{2, 0}) {
		t.Errorf("axes [-1 0]: %v, %v", got, err)
	}
	for _, tc := range []struct {
		name string
		axes []int64
		pads int
	}{{"odd pads", nil, 5}, {"repeated axis", []int64{1, -2}, 4}, {"axis out of range", []int64{3}, 2}} {
		if _, err := PadAxes(tc.axes, 3, tc.pads); !errors.Is(err, ErrShapeMismatch) {
			t.Errorf("%s: error %v, want %v", tc.name, err, ErrShapeMismatch)
		}
	}
}

func TestConstantValue(t *testing.T) {
	cases := []struct {
		name string
		node *Node
		want string // the tensor's dtype and dims, "" for nil
		err  error
	}{
		{name: "value_float", node: nd("Constant", "", "c", kv{"value_float", float32(2)}), want: "float32 []"},
		{name: "value_ints", node: nd("Constant", "", "c", kv{"value_ints", axes(1, 2, 3)}), want: "int64 [3]"},
		{name: "value", node: nd("Constant", "", "c", kv{"value", floats("t", []int64{2, 2}, 1, 2, 3, 4)}), want: "float32 [2 2]"},
		{name: "value_string", node: nd("Constant", "", "c", kv{"value_string", "a"})},
		{name: "two attributes", node: nd("Constant", "", "c", kv{"value_int", 1}, kv{"value_float", float32(1)}), err: ErrBadAttribute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ConstantValue(tc.node)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			got := ""
			if v != nil {
				got = v.DType.String() + " " + fmt.Sprint(v.Dims)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReduceAttrs(t *testing.T) {
	cases := []struct {
		name  string
		node  *Node
		opset int64
		want  ReduceSpec
		err   error
	}{
		{name: "defaults (opset 13)", node: nd("ReduceMean", "x", "y"), opset: 13, want: ReduceSpec{KeepDims: true}},
		{name: "axes attribute", node: nd("ReduceMean", "x", "y", kv{"axes", axes(0, -1)}, kv{"keepdims", 0}), opset: 11, want: ReduceSpec{Axes: axes(0, -1)}},
		{name: "axes input (opset 18)", node: nd("ReduceMean", "x,a", "y", kv{"noop_with_empty_axes", 1}), opset: 18,
			want: ReduceSpec{KeepDims: true, AxesInput: true, NoopWithEmptyAxes: true}},
		{name: "axes attribute at opset 18", node: nd("ReduceMean", "x", "y", kv{"axes", axes(1)}), opset: 18, err: ErrBadAttribute},
		{name: "keepdims of the wrong type", node: nd("ReduceMean", "x", "y", kv{"keepdims", float32(1)}), opset: 13, err: ErrBadAttribute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReduceAttrs(tc.node, tc.opset)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err == nil && fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		axes []int64
		noop bool
		want []bool
		err  error
	}{
		{nil, false, []bool{true, true, true}, nil},
		{nil, true, []bool{false, false, false}, nil},
		{axes(-1, 0), false, []bool{true, false, true}, nil},
		{axes(1, -2), false, nil, ErrBadAttribute},
		{axes(3), false, nil, ErrBadAttribute},
	} {
		got, err := ReducedAxes(tc.axes, 3, tc.noop)
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
			t.Errorf("ReducedAxes(%v, 3, %t) = %v, %v; want %v, %v", tc.axes, tc.noop, got, err, tc.want, tc.err)
		}
	}
}

func TestSliceAndPadAttrs(t *testing.T) {
	starts, ends, ax, err := SliceAttrs(nd("Slice", "x", "y", kv{"starts", axes(1)}, kv{"ends", axes(-1)}))
	if err != nil || !slices.Equal(starts, axes(1)) || !slices.Equal(ends, axes(-1)) || ax != nil {
		t.Errorf("SliceAttrs = %v, %v, %v, %v", starts, ends, ax, err)
	}
	if _, _, _, err := SliceAttrs(nd("Slice", "x", "y", kv{"starts", axes(1)})); !errors.Is(err, ErrBadAttribute) {
		t.Errorf("SliceAttrs without ends: error %v, want %v", err, ErrBadAttribute)
	}
	pads, value, err := PadAttrs(nd("Pad", "x", "y", kv{"pads", axes(0, 1, 0, 1)}, kv{"value", float32(2)}))
	if err != nil || !slices.Equal(pads, axes(0, 1, 0, 1)) || value != 2 {
		t.Errorf("PadAttrs = %v, %v, %v", pads, value, err)
	}
	if pads, _, err := PadAttrs(nd("Pad", "x", "y", kv{"paddings", axes(1, 1)})); err != nil || !slices.Equal(pads, axes(1, 1)) {
		t.Errorf("PadAttrs of Pad-1's paddings = %v, %v", pads, err)
	}
	if _, _, err := PadAttrs(nd("Pad", "x", "y")); !errors.Is(err, ErrBadAttribute) {
		t.Errorf("PadAttrs without pads: error %v, want %v", err, ErrBadAttribute)
	}
}

func TestLayerNormAttrs(t *testing.T) {
	axis, eps, err := LayerNormAttrs(nd("LayerNormalization", "x,s", "y"), 3)
	if err != nil || axis != 2 || eps != 1e-5 {
		t.Errorf("defaults: %d, %g, %v; want 2, 1e-5", axis, eps, err)
	}
	axis, eps, err = LayerNormAttrs(nd("LayerNormalization", "x,s", "y", kv{"axis", -2}, kv{"epsilon", float32(1e-3)}), 3)
	if err != nil || axis != 1 || eps != 1e-3 {
		t.Errorf("axis -2: %d, %g, %v; want 1, 1e-3", axis, eps, err)
	}
	if _, _, err := LayerNormAttrs(nd("LayerNormalization", "x,s", "y", kv{"axis", 3}), 3); !errors.Is(err, ErrBadAttribute) {
		t.Errorf("axis 3 of rank 3: error %v, want %v", err, ErrBadAttribute)
	}
}
