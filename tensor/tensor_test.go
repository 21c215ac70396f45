package tensor

import "testing"

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape []int64
		n     int
		ok    bool
	}{
		{"matrix", []int64{2, 3}, 6, true},
		{"scalar", nil, 1, true},
		{"zero dim", []int64{0, 4}, 0, true},
		{"too few", []int64{2, 3}, 5, false},
		{"negative", []int64{-1, 3}, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := New(tc.shape, make([]float32, tc.n))
			if (err == nil) != tc.ok {
				t.Fatalf("New(%v, %d values): err %v, want ok=%v", tc.shape, tc.n, err, tc.ok)
			}
			if tc.ok && len(tc.shape) > 0 && x.Rows() != int(tc.shape[0]) {
				t.Errorf("Rows() = %d, want %d", x.Rows(), tc.shape[0])
			}
		})
	}
}

func TestSliceRowsAndTypes(t *testing.T) {
	x := Tensor{Shape: []int64{3, 2}, Data: []float32{1, 2, 3, 4, 5, 6}}
	if s := x.SliceRows(1, 3); s.Rows() != 2 || s.Len() != 4 || s.Data[0] != 3 {
		t.Errorf("rows 1..3 of float rows: %+v", s)
	}
	codes := Tensor{Shape: []int64{3}, DType: Int64, Ints: []int64{7, 8, 9}}
	if s := codes.SliceRows(2, 3); s.Len() != 1 || s.Ints[0] != 9 || s.DType != Int64 || s.Data != nil {
		t.Errorf("row 2 of int64 codes: %+v", s)
	}
	if err := codes.Validate(); err != nil {
		t.Errorf("valid int64 tensor: %v", err)
	}
	if err := (Tensor{Shape: []int64{2}, DType: Int64, Ints: []int64{1}}).Validate(); err == nil {
		t.Error("an int64 tensor with too few values validated")
	}
	for d, want := range map[DType]string{Float32: "float32", Float64: "float64", Int64: "int64", Int32: "int32", Bool: "bool", 9: "dtype(9)"} {
		if d.String() != want || d.IsInt() != (d == Int64 || d == Int32 || d == Bool) {
			t.Errorf("DType %d: %q, IsInt %v", d, d.String(), d.IsInt())
		}
	}
}
