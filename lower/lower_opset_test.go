package lower_test

import (
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// TestOldOpsetsMatchORT runs the ops of the lowering table at opsets 7 to 10 (where some of them have
// another form: attributes that became inputs later, Softmax's 2-D coercion) against onnxruntime.
func TestOldOpsetsMatchORT(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	x := func(shape ...int64) nchwArg { return nchwArg{name: "x", shape: shape} }
	w := func(name string, shape ...int64) nchwArg { return nchwArg{name: name, shape: shape, init: true} }
	nchwCompareORT(t, []nchwCase{
		{name: "gemm_opset7", op: "Gemm", opset: 7, args: []nchwArg{x(3, 4), w("w", 5, 4), w("c", 5)}, attrs: map[string]any{"transB": 1}},
		{name: "gemm_opset9_alpha_beta", op: "Gemm", opset: 9, args: []nchwArg{x(3, 4), w("w", 4, 2), w("c", 3, 1)},
			attrs: map[string]any{"alpha": float32(0.5), "beta": float32(2)}},
		{name: "matmul_opset7", op: "MatMul", opset: 7, args: []nchwArg{x(2, 3, 4), w("w", 4, 2)}},
		{name: "add_broadcast_opset7", op: "Add", opset: 7, args: []nchwArg{x(2, 3), w("b", 3)}},
		{name: "sub_opset7", op: "Sub", opset: 7, args: []nchwArg{x(2, 3), w("b", 2, 1)}},
		{name: "mul_opset8", op: "Mul", opset: 8, args: []nchwArg{x(2, 3), w("b", 3)}},
		{name: "div_opset7", op: "Div", opset: 7, args: []nchwArg{x(2, 3), {name: "b", shape: ints(3), init: true, positive: true}}},
		{name: "relu_opset7", op: "Relu", opset: 7, args: []nchwArg{x(3, 4)}},
		{name: "leakyrelu_opset7", op: "LeakyRelu", opset: 7, args: []nchwArg{x(3, 4)}, attrs: map[string]any{"alpha": float32(0.2)}},
		{name: "sigmoid_opset7", op: "Sigmoid", opset: 7, args: []nchwArg{x(3, 4)}},
		{name: "tanh_opset7", op: "Tanh", opset: 7, args: []nchwArg{x(3, 4)}},
		{name: "softmax_coerced_opset7", op: "Softmax", opset: 7, args: []nchwArg{x(2, 3, 4)}},
		{name: "softmax_coerced_axis2_opset9", op: "Softmax", opset: 9, args: []nchwArg{x(2, 3, 4)}, attrs: map[string]any{"axis": 2}},
		{name: "identity_opset7", op: "Identity", opset: 7, args: []nchwArg{x(3, 4)}},
		{name: "dropout_opset7", op: "Dropout", opset: 7, args: []nchwArg{x(3, 4)}, attrs: map[string]any{"ratio": float32(0.3)}},
		{name: "dropout_opset10", op: "Dropout", opset: 10, args: []nchwArg{x(3, 4)}},
		{name: "flatten_opset7", op: "Flatten", opset: 7, args: []nchwArg{x(2, 3, 4)}, attrs: map[string]any{"axis": 2}},
		{name: "reshape_opset7", op: "Reshape", opset: 7, args: []nchwArg{x(2, 3, 4), {name: "s", shape: ints(2), ints: ints(0, -1)}}},
		{name: "concat_opset7", op: "Concat", opset: 7, args: []nchwArg{x(2, 3), w("c", 2, 2)}, attrs: map[string]any{"axis": 1}},
		{name: "transpose_opset7", op: "Transpose", opset: 7, args: []nchwArg{x(2, 3, 4)}, attrs: map[string]any{"perm": ints(2, 0, 1)}},
		{name: "squeeze_attribute_opset7", op: "Squeeze", opset: 7, args: []nchwArg{x(2, 1, 3)}, attrs: map[string]any{"axes": ints(1)}},
		{name: "unsqueeze_attribute_opset7", op: "Unsqueeze", opset: 7, args: []nchwArg{x(2, 3)}, attrs: map[string]any{"axes": ints(0, 3)}},
		{name: "gather_opset7", op: "Gather", opset: 7, args: []nchwArg{x(4, 3), {name: "i", shape: ints(2), ints: ints(3, 1)}}},
		{name: "conv_opset7", op: "Conv", opset: 7, args: convArgs(ints(1, 2, 5, 5), ints(3, 2, 3, 3), true), attrs: map[string]any{"pads": ints(1, 1, 1, 1)}},
		{name: "maxpool_opset7", op: "MaxPool", opset: 7, args: []nchwArg{x(1, 2, 5, 5)}, attrs: map[string]any{"kernel_shape": ints(2, 2), "strides": ints(2, 2)}},
		{name: "maxpool_storage_order_opset8", op: "MaxPool", opset: 8, args: []nchwArg{x(1, 2, 4, 4)}, attrs: map[string]any{"kernel_shape": ints(3, 3), "pads": ints(1, 1, 1, 1)}},
		{name: "averagepool_opset7", op: "AveragePool", opset: 7, args: []nchwArg{x(1, 2, 5, 5)},
			attrs: map[string]any{"kernel_shape": ints(3, 3), "pads": ints(1, 1, 1, 1), "count_include_pad": 1}},
		{name: "globalaveragepool_opset7", op: "GlobalAveragePool", opset: 7, args: []nchwArg{x(2, 3, 4, 4)}},
		{name: "pad_attributes_opset7", op: "Pad", opset: 7, args: []nchwArg{x(2, 3)}, attrs: map[string]any{"pads": ints(0, 1, 1, 2), "value": float32(1.5)}},
		{name: "pad_reflect_attributes_opset10", op: "Pad", opset: 10, args: []nchwArg{x(2, 4)}, attrs: map[string]any{"pads": ints(0, 2, 0, 1), "mode": "reflect"}},
		{name: "batchnorm_opset7_spatial_default", op: "BatchNormalization", opset: 7, args: bnArgs(2, 3, 4)},
		{name: "batchnorm_opset8_spatial1", op: "BatchNormalization", opset: 8, args: bnArgs(2, 3), attrs: map[string]any{"spatial": 1}},
		{name: "batchnorm_opset9", op: "BatchNormalization", opset: 9, args: bnArgs(3, 2, 2, 2)},
	})
}

// TestDropoutMaskOpset7 checks the mask of Dropout before opset 10: a float tensor of ones, as the ONNX
// reference implementation gives for every version in inference. (onnxruntime fills the mask with zeros
// before opset 12, so it is not the reference here.)
func TestDropoutMaskOpset7(t *testing.T) {
	m := onnxtest.Model{Opset: 7, Inputs: []onnxtest.Input{{Name: "x", Shape: []int64{2, 3}}}, Outputs: []string{"mask"},
		Nodes: []onnxtest.Node{{Op: "Dropout", Inputs: []string{"x"}, Outputs: []string{"y", "mask"}}}}
	model, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	inputs := []tensor.Tensor{{Shape: []int64{2, 3}, Data: []float32{1, -2, 3, 0, 5, -6}}}
	got, err := nchwGoRun(model, inputs)
	if err != nil {
		t.Fatal(err)
	}
	nchwSameArray(t, got, tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{1, 1, 1, 1, 1, 1}})
}

// TestOldOpsetsRefused checks what an older version of an op means differently, or does not have.
func TestOldOpsetsRefused(t *testing.T) {
	x := nchwArg{name: "x", shape: []int64{3, 4}}
	w := nchwArg{name: "w", shape: []int64{4, 2}, init: true}
	nchwRunExpect(t, []nchwExpect{
		{nchwCase: nchwCase{name: "gemm_without_c_opset9", op: "Gemm", opset: 9, args: []nchwArg{x, w}}, err: ir.ErrShapeMismatch},
		{nchwCase: nchwCase{name: "erf_opset8", op: "Erf", opset: 8, args: []nchwArg{x}}, err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "where_opset8", op: "Where", opset: 8, args: []nchwArg{x, x, x}}, err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "constantofshape_opset8", op: "ConstantOfShape", opset: 8, args: []nchwArg{{name: "s", shape: []int64{1}, ints: []int64{3}}}},
			err: ir.ErrUnsupportedOp},
		{nchwCase: nchwCase{name: "pad_without_pads_opset10", op: "Pad", opset: 10, args: []nchwArg{x}}, err: ir.ErrBadAttribute},
		{nchwCase: nchwCase{name: "batchnorm_spatial0_opset7", op: "BatchNormalization", opset: 7, args: bnArgs(2, 3, 4),
			attrs: map[string]any{"spatial": 0}}, err: ir.ErrUnsupportedOp},
	})
	// Without C from opset 11 on, the same Gemm is fine.
	nchwRunExpect(t, []nchwExpect{{nchwCase: nchwCase{name: "gemm_without_c_opset11", op: "Gemm", opset: 11,
		args: []nchwArg{{name: "x", shape: []int64{1, 2}, data: []float32{1, 2}}, {name: "w", shape: []int64{2, 1}, init: true, data: []float32{3, 4}}}},
		shape: []int64{1, 1}, want: []float32{11}}})
}
