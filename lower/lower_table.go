package lower

import G "gorgonia.org/gorgonia"

// lowerings is the table of supported ops: one entry per op of the default ONNX domain, with the opset
// range whose semantics the lowering implements. The functions live in one file per op family.
//
// The ranges follow the ONNX changelog (docs/Changelog.md) from opset 7, the importer's lowest: an op
// starts at the opset that introduced it (Expand 8; Erf, Where and ConstantOfShape 9; LayerNormalization
// 17), and a version between 7 and 21 that changed an attribute or an input into another form is read
// in both forms by the lowering (Softmax's axis before and from 13, Squeeze's and Unsqueeze's axes
// attribute before 13, Slice-1's attributes before 10, Clip-6's and Pad-2's before 11, ReduceMean's
// axes input from 18, Dropout's float mask before 10). What an older version means differently is
// refused where it appears: Gemm without C before 11, BatchNormalization with spatial=0 before 9.
// Versions that only added element types (bfloat16, integers) or attributes with a neutral default are
// the same op here.
var lowerings = map[opKey]lowering{
	// lower_elementwise.go
	{"", "Add"}:         {7, 21, lowerAdd},
	{"", "Sub"}:         {7, 21, lowerSub},
	{"", "Mul"}:         {7, 21, lowerMul},
	{"", "Div"}:         {7, 21, lowerDiv},
	{"", "Pow"}:         {7, 21, lowerPow},
	{"", "Sqrt"}:        {7, 21, unary(G.Sqrt)},
	{"", "Neg"}:         {7, 21, lowerNeg},
	{"", "Exp"}:         {7, 21, unary(G.Exp)},
	{"", "Log"}:         {7, 21, unary(G.Log)},
	{"", "Erf"}:         {9, 21, lowerErf},
	{"", "Relu"}:        {7, 21, unary(reluNode)},
	{"", "LeakyRelu"}:   {7, 21, lowerLeakyRelu},
	{"", "PRelu"}:       {7, 21, lowerPRelu},
	{"", "Elu"}:         {7, 21, lowerElu},
	{"", "Sigmoid"}:     {7, 21, unary(G.Sigmoid)},
	{"", "HardSigmoid"}: {7, 21, lowerHardSigmoid},
	{"", "Tanh"}:        {7, 21, unary(G.Tanh)},
	{"", "Clip"}:        {7, 21, lowerClip},
	{"", "Where"}:       {9, 21, lowerWhere},
	{"", "Softmax"}:     {7, 21, lowerSoftmax},
	{"", "Identity"}:    {7, 21, lowerIdentity},
	{"", "Dropout"}:     {7, 21, lowerDropout},
	// lower_matmul.go
	{"", "Gemm"}:   {7, 21, lowerGemm},
	{"", "MatMul"}: {7, 21, lowerMatMul},
	// lower_shape.go
	{"", "Flatten"}:   {7, 21, lowerFlatten},
	{"", "Reshape"}:   {7, 21, lowerReshape},
	{"", "Constant"}:  {7, 21, lowerConstant},
	{"", "Concat"}:    {7, 21, lowerConcat},
	{"", "Transpose"}: {7, 21, lowerTranspose},
	{"", "Squeeze"}:   {7, 21, lowerSqueeze},
	{"", "Unsqueeze"}: {7, 21, lowerUnsqueeze},
	{"", "Shape"}:     {7, 21, lowerShape},
	{"", "Gather"}:    {7, 21, lowerGather},
	{"", "Slice"}:     {7, 21, lowerSlice},
	{"", "Expand"}:    {8, 21, lowerExpand},
	// lower_const.go: evaluated while building (Cast also passes float data through)
	{"", "ConstantOfShape"}: {9, 21, lowerConstantOfShape},
	{"", "Cast"}:            {7, 21, lowerCast},
	// lower_reduce.go
	{"", "ReduceMean"}: {7, 21, lowerReduceMean},
	// lower_conv.go
	{"", "Conv"}: {7, 21, lowerConv},
	// lower_pool.go
	{"", "MaxPool"}:           {7, 21, lowerMaxPool},
	{"", "AveragePool"}:       {7, 21, lowerAveragePool},
	{"", "GlobalAveragePool"}: {7, 21, lowerGlobalAveragePool},
	// lower_norm.go
	{"", "BatchNormalization"}: {7, 21, lowerBatchNormalization},
	{"", "LayerNormalization"}: {17, 21, lowerLayerNormalization},
	// lower_pad.go
	{"", "Pad"}: {7, 21, lowerPad},
}
