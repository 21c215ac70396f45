package ort

import (
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/tensor"
)

func TestNumElements(t *testing.T) {
	for _, tc := range []struct {
		shape   []int64
		want    int
		wantErr string
	}{
		{shape: nil, want: 1},
		{shape: []int64{2, 3}, want: 6},
		{shape: []int64{0, 3}, want: 0},
		{shape: []int64{2, -1}, wantErr: "dim 1 is negative"},
		{shape: []int64{1 << 40, 1 << 40}, wantErr: "overflows"},
	} {
		got, err := tensor.NumElements(tc.shape)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("numElements(%v): got %v, want error containing %q", tc.shape, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("numElements(%v) = %d, %v; want %d", tc.shape, got, err, tc.want)
		}
	}
}

func TestTensorCheck(t *testing.T) {
	info := IOInfo{Name: "x", Shape: []int64{-1, 3}}
	for _, tc := range []struct {
		name    string
		t       tensor.Tensor
		info    IOInfo
		wantErr string
	}{
		{name: "ok", t: tensor.Tensor{Shape: []int64{2, 3}, Data: make([]float32, 6)}, info: info},
		{name: "empty batch", t: tensor.Tensor{Shape: []int64{0, 3}}, info: info},
		{name: "no declared shape", t: tensor.Tensor{Shape: []int64{5}, Data: make([]float32, 5)}, info: IOInfo{Name: "x"}},
		{name: "short data", t: tensor.Tensor{Shape: []int64{2, 3}, Data: make([]float32, 5)}, info: info,
			wantErr: `input "x": shape [2 3] needs 6 values, got 5`},
		{name: "wrong width", t: tensor.Tensor{Shape: []int64{2, 4}, Data: make([]float32, 8)}, info: info,
			wantErr: `input "x": dim 1 is 4, model wants 3 (shape [2 4], model [? 3])`},
		{name: "wrong rank", t: tensor.Tensor{Shape: []int64{6}, Data: make([]float32, 6)}, info: info,
			wantErr: `input "x": got rank 1 [6], model wants rank 2 [? 3]`},
		{name: "scalar", t: tensor.Tensor{Data: make([]float32, 1)}, info: IOInfo{Name: "x"},
			wantErr: `input "x": scalar (rank 0) inputs are not supported`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkInput(tc.t, tc.info)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
		})
	}
}
