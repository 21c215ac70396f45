package tensor

import (
	"fmt"
	"math"
)

// DType is the element type a tensor stands for. Float values are held in Data as float32 whatever the
// type (a float64 model input is widened at the onnxruntime boundary), integer and boolean ones in Ints.
type DType uint8

// The element types.
const (
	Float32 DType = iota // the zero value: Data
	Float64              // Data, widened for the model
	Int64                // Ints
	Int32                // Ints, narrowed for the model
	Bool                 // Ints, 0 or 1
)

var dtypeNames = [...]string{"float32", "float64", "int64", "int32", "bool"}

func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// IsInt reports whether values of the type are held in Ints.
func (d DType) IsInt() bool { return d == Int64 || d == Int32 || d == Bool }

// Tensor is a dense tensor in row-major (C) order. Data (float types) or Ints (integer types) holds exactly
// the product of Shape's dims elements; a tensor with a zero dim has no data.
type Tensor struct {
	Shape []int64
	Data  []float32
	Ints  []int64
	DType DType
}

// Len is the number of values the tensor holds.
func (t Tensor) Len() int {
	if t.DType.IsInt() {
		return len(t.Ints)
	}
	return len(t.Data)
}

// SliceRows returns rows [from, to) of dim 0 as a view of t (no copy).
func (t Tensor) SliceRows(from, to int) Tensor {
	per := 1
	for _, d := range t.Shape[1:] {
		per *= int(d)
	}
	out := Tensor{Shape: append([]int64{int64(to - from)}, t.Shape[1:]...), DType: t.DType}
	if t.DType.IsInt() {
		out.Ints = t.Ints[from*per : to*per]
	} else {
		out.Data = t.Data[from*per : to*per]
	}
	return out
}

// New returns a tensor of the given shape over data, or an error when the sizes disagree.
func New(shape []int64, data []float32) (Tensor, error) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return Tensor{}, fmt.Errorf("shape %v has a negative dim", shape)
		}
		n *= d
	}
	if n != int64(len(data)) {
		return Tensor{}, fmt.Errorf("shape %v has %d elements, the data %d", shape, n, len(data))
	}
	return Tensor{Shape: shape, Data: data}, nil
}

// Rows returns the size of the first dim (0 for a scalar).
func (t Tensor) Rows() int {
	if len(t.Shape) == 0 {
		return 0
	}
	return int(t.Shape[0])
}

// NumElements returns the element count of shape, checking that dims are non-negative and that the
// count fits an int (a hostile .npy header or model could claim more).
func NumElements(shape []int64) (int, error) {
	n := int64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v: dim %d is negative", shape, i)
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, fmt.Errorf("shape %v: element count overflows", shape)
		}
		n *= d
	}
	return int(n), nil
}

// Validate checks that the dims are non-negative, that their product does not overflow and that Data holds
// exactly that many values.
func (t Tensor) Validate() error {
	n, err := NumElements(t.Shape)
	if err != nil {
		return err
	}
	if n != t.Len() {
		return fmt.Errorf("shape %v needs %d values, got %d", t.Shape, n, t.Len())
	}
	return nil
}
