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
