package lower_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// An int8 weight used as float data (a quantized model without its DequantizeLinear) is refused by name,
// not computed with its raw integer values.
func TestInt8WeightRefused(t *testing.T) {
	g := &ir.Graph{
		Name: "int8", Opset: 17,
		Inputs:  []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(2)}}},
		Outputs: []*ir.Value{{Name: "y", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(2)}}},
		Initializers: map[string]*ir.Tensor{
			"w": {Name: "w", DType: ir.Int8, Dims: []int64{2, 2}, Int: []int64{1, 2, 3, 4}},
		},
		InitOrder: []string{"w"},
		Nodes:     []*ir.Node{{Name: "gemm", OpType: "Gemm", Inputs: []string{"x", "w"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}}},
	}
	_, err := lower.Forward(g, tensor.Tensor{Shape: []int64{1, 2}, Data: []float32{1, 1}}, 1)
	if !errors.Is(err, ir.ErrUnsupportedOp) || !strings.Contains(err.Error(), `"w"`) || !strings.Contains(err.Error(), "int8") {
		t.Errorf("Gemm with an int8 weight: %v; want an unsupported-op error naming the tensor and its type", err)
	}
}
