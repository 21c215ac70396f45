package lower

// lowerings is the table of supported ops: one entry per op of the default ONNX domain, with the opset
// range whose semantics the lowering implements. The functions live in one file per op family.
var lowerings = map[opKey]lowering{
	// lower_elementwise.go
	{"", "Add"}:       {11, 21, lowerAdd},
	{"", "Sub"}:       {11, 21, lowerSub},
	{"", "Mul"}:       {11, 21, lowerMul},
	{"", "Div"}:       {11, 21, lowerDiv},
	{"", "Relu"}:      {11, 21, lowerRelu},
	{"", "LeakyRelu"}: {11, 21, lowerLeakyRelu},
	{"", "Sigmoid"}:   {11, 21, lowerSigmoid},
	{"", "Tanh"}:      {11, 21, lowerTanh},
	{"", "Softmax"}:   {11, 21, lowerSoftmax},
	{"", "Identity"}:  {11, 21, lowerIdentity},
	{"", "Dropout"}:   {11, 21, lowerDropout},
	// lower_matmul.go
	{"", "Gemm"}:   {11, 21, lowerGemm},
	{"", "MatMul"}: {11, 21, lowerMatMul},
	// lower_shape.go
	{"", "Flatten"}:   {11, 21, lowerFlatten},
	{"", "Reshape"}:   {11, 21, lowerReshape},
	{"", "Constant"}:  {11, 21, lowerConstant},
	{"", "Concat"}:    {11, 21, lowerConcat},
	{"", "Transpose"}: {11, 21, lowerTranspose},
	{"", "Squeeze"}:   {11, 21, lowerSqueeze},
	{"", "Unsqueeze"}: {11, 21, lowerUnsqueeze},
	{"", "Shape"}:     {11, 21, lowerShape},
	{"", "Gather"}:    {11, 21, lowerGather},
	// lower_const.go: evaluated while building, on constants only
	{"", "ConstantOfShape"}: {11, 21, lowerConstantOfShape},
	{"", "Cast"}:            {11, 21, lowerCast},
	{"", "Slice"}:           {11, 21, lowerSlice},
	// lower_conv.go
	{"", "Conv"}: {11, 21, lowerConv},
	// lower_pool.go
	{"", "MaxPool"}:           {11, 21, lowerMaxPool},
	{"", "AveragePool"}:       {11, 21, lowerAveragePool},
	{"", "GlobalAveragePool"}: {11, 21, lowerGlobalAveragePool},
	// lower_norm.go
	{"", "BatchNormalization"}: {11, 21, lowerBatchNormalization},
	// lower_pad.go
	{"", "Pad"}: {11, 21, lowerPad},
}
