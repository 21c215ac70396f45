package lower

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
)

func TestBroadcastShapes(t *testing.T) {
	for _, c := range []struct {
		a, b, want []int
	}{
		{[]int{2, 3}, []int{2, 3}, []int{2, 3}},
		{[]int{2, 3, 4, 5}, []int{5}, []int{2, 3, 4, 5}},
		{[]int{3, 1}, []int{1, 4}, []int{3, 4}},
		{[]int{}, []int{2}, []int{2}},
		{[]int{0, 1}, []int{1, 3}, []int{0, 3}},
		{[]int{2, 3}, []int{3, 3}, nil},
	} {
		got, err := broadcastShapes(c.a, c.b)
		if c.want == nil {
			if !errors.Is(err, ir.ErrShapeMismatch) {
				t.Errorf("%v, %v: error %v, want a shape mismatch", c.a, c.b, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%v, %v: %v, %v; want %v", c.a, c.b, got, err, c.want)
		}
	}
}

func TestFoldBinary(t *testing.T) {
	i64 := func(dt ir.DType, dims []int64, v ...int64) *ir.Tensor {
		return &ir.Tensor{DType: dt, Dims: dims, Int: v}
	}
	for _, c := range []struct {
		name    string
		k       binKind
		a, b    *ir.Tensor
		want    *ir.Tensor
		wantErr error
	}{
		{"shape_times_scalar", binMul, i64(ir.Int64, []int64{3}, 2, 3, 4), i64(ir.Int64, []int64{}, 5), i64(ir.Int64, []int64{3}, 10, 15, 20), nil},
		{"broadcast_rows", binSub, i64(ir.Int64, []int64{2, 1}, 10, 20), i64(ir.Int64, []int64{3}, 1, 2, 3), i64(ir.Int64, []int64{2, 3}, 9, 8, 7, 19, 18, 17), nil},
		{"div_truncates_toward_zero", binDiv, i64(ir.Int64, []int64{2}, 7, -7), i64(ir.Int64, []int64{}, 2), i64(ir.Int64, []int64{2}, 3, -3), nil},
		{"int32_wraps", binAdd, i64(ir.Int32, []int64{}, 2147483647), i64(ir.Int32, []int64{}, 1), i64(ir.Int32, []int64{}, -2147483648), nil},
		{"uint8_wraps", binAdd, i64(ir.Uint8, []int64{}, 250), i64(ir.Uint8, []int64{}, 10), i64(ir.Uint8, []int64{}, 4), nil},
		{"div_by_zero", binDiv, i64(ir.Int64, []int64{}, 1), i64(ir.Int64, []int64{}, 0), nil, errors.New("")},
		{"mixed_types", binAdd, i64(ir.Int64, []int64{}, 1), i64(ir.Int32, []int64{}, 1), nil, ir.ErrUnsupportedOp},
		{"floats", binDiv, &ir.Tensor{DType: ir.Float32, Dims: []int64{2}, Float: []float32{1, 3}}, &ir.Tensor{DType: ir.Float32, Dims: []int64{}, Float: []float32{2}},
			&ir.Tensor{DType: ir.Float32, Dims: []int64{2}, Float: []float32{0.5, 1.5}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := foldBinary(c.k, c.a, c.b)
			if c.wantErr != nil {
				if err == nil || (errors.Is(c.wantErr, ir.ErrUnsupportedOp) && !errors.Is(err, ir.ErrUnsupportedOp)) {
					t.Fatalf("error %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.DType != c.want.DType || !slices.Equal(got.Dims, c.want.Dims) || !slices.Equal(got.Int, c.want.Int) || !slices.Equal(got.Float, c.want.Float) {
				t.Errorf("got %s %v %v %v, want %s %v %v %v", got.DType, got.Dims, got.Int, got.Float, c.want.DType, c.want.Dims, c.want.Int, c.want.Float)
			}
		})
	}
}

func TestReshapeTarget(t *testing.T) {
	for _, c := range []struct {
		from      []int
		spec      []int64
		allowZero bool
		want      []int
	}{
		{[]int{2, 3, 4}, []int64{0, -1}, false, []int{2, 12}},
		{[]int{2, 3, 4}, []int64{-1}, false, []int{24}},
		{[]int{2, 3, 4}, []int64{4, 0, 2}, false, []int{4, 3, 2}},
		{[]int{0, 3, 4}, []int64{3, 4, 0}, true, []int{3, 4, 0}},
		{[]int{2, 3, 4}, []int64{-1, -1}, false, nil},
		{[]int{2, 3, 4}, []int64{5, -1}, false, nil},
		{[]int{2, 3, 4}, []int64{2, 0, 0, 0}, false, nil},
		{[]int{2, 3, 4}, []int64{-2, 12}, false, nil},
	} {
		got, err := reshapeTarget(c.from, c.spec, c.allowZero)
		name := fmt.Sprintf("%v to %v (allowzero %t)", c.from, c.spec, c.allowZero)
		if c.want == nil {
			if !errors.Is(err, ir.ErrShapeMismatch) {
				t.Errorf("%s: %v, %v; want a shape mismatch", name, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, %v; want %v", name, got, err, c.want)
		}
	}
}

func TestConstHelpers(t *testing.T) {
	a := &ir.Tensor{DType: ir.Int64, Dims: []int64{2, 3}, Int: []int64{0, 1, 2, 3, 4, 5}}
	if got := transposeConst(a, []int{1, 0}); !slices.Equal(got.Dims, []int64{3, 2}) || !slices.Equal(got.Int, []int64{0, 3, 1, 4, 2, 5}) {
		t.Errorf("transpose: %v %v", got.Dims, got.Int)
	}
	b := &ir.Tensor{DType: ir.Int64, Dims: []int64{2, 1}, Int: []int64{6, 7}}
	got, err := concatConst([]*ir.Tensor{a, b}, 1)
	if err != nil || !slices.Equal(got.Dims, []int64{2, 4}) || !slices.Equal(got.Int, []int64{0, 1, 2, 6, 3, 4, 5, 7}) {
		t.Errorf("concat: %v %v %v", got.Dims, got.Int, err)
	}
	if idx := broadcastIndex([]int{3, 1}, []int{3, 2}); !slices.Equal(idx, []int{0, 0, 1, 1, 2, 2}) {
		t.Errorf("broadcastIndex: %v", idx)
	}
}
