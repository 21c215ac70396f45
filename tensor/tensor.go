package tensor

import (
	"fmt"
	"math"
)

// Tensor is a dense float32 tensor in row-major (C) order. Data holds exactly the product of Shape's dims
// elements; a tensor with a zero dim has no data.
type Tensor struct {
	Shape []int64
	Data  []float32
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
	if n != len(t.Data) {
		return fmt.Errorf("shape %v needs %d values, got %d", t.Shape, n, len(t.Data))
	}
	return nil
}
