package onnxtest

import (
	"fmt"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/ir"
)

// Model describes a small ONNX model for a test, so that each test states its nodes and attributes in Go
// instead of shipping a binary fixture.
type Model struct {
	Opset   int64
	Inputs  []Input      // float32 graph inputs
	Inits   []*ir.Tensor // initializers: float32 (Float) or int64 (Int)
	Nodes   []Node
	Outputs []string // float32 graph outputs, with unknown shapes
}

// Input is a float32 graph input; a negative dim is the symbolic dim "batch".
type Input struct {
	Name  string
	Shape []int64
}

// Node is one node of the default domain. Attribute values are int, int64, float32, string, []int64,
// []float32 or *ir.Tensor.
type Node struct {
	Op      string
	Inputs  []string
	Outputs []string
	Attrs   map[string]any
}

// Bytes serializes the model.
func (m Model) Bytes() ([]byte, error) {
	g := &onnxpb.GraphProto{Name: proto.String("test")}
	for _, in := range m.Inputs {
		g.Input = append(g.Input, valueInfo(in.Name, in.Shape, true))
	}
	for _, t := range m.Inits {
		tp, err := tensorProto(t)
		if err != nil {
			return nil, err
		}
		g.Initializer = append(g.Initializer, tp)
	}
	for i, n := range m.Nodes {
		np := &onnxpb.NodeProto{Name: proto.String(fmt.Sprintf("%s_%d", n.Op, i)), OpType: proto.String(n.Op), Input: n.Inputs, Output: n.Outputs}
		names := make([]string, 0, len(n.Attrs))
		for k := range n.Attrs {
			names = append(names, k)
		}
		sort.Strings(names) // a stable byte output
		for _, k := range names {
			a, err := attrProto(k, n.Attrs[k])
			if err != nil {
				return nil, fmt.Errorf("node %d (%s): %w", i, n.Op, err)
			}
			np.Attribute = append(np.Attribute, a)
		}
		g.Node = append(g.Node, np)
	}
	for _, o := range m.Outputs {
		g.Output = append(g.Output, valueInfo(o, nil, false))
	}
	ir := int64(8)
	if m.Opset >= 19 {
		ir = 9
	}
	mp := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(ir),
		Graph:       g,
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(m.Opset)}},
	}
	return proto.Marshal(mp)
}

func valueInfo(name string, shape []int64, withShape bool) *onnxpb.ValueInfoProto {
	tt := &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT))}
	if withShape {
		tt.Shape = &onnxpb.TensorShapeProto{}
		for _, d := range shape {
			dim := &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d}}
			if d < 0 {
				dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}
			}
			tt.Shape.Dim = append(tt.Shape.Dim, dim)
		}
	}
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: tt}}}
}

func tensorProto(t *ir.Tensor) (*onnxpb.TensorProto, error) {
	tp := &onnxpb.TensorProto{Name: proto.String(t.Name), Dims: t.Dims}
	switch {
	case t.Float != nil:
		tp.DataType, tp.FloatData = proto.Int32(int32(onnxpb.TensorProto_FLOAT)), t.Float
	case t.Int != nil:
		tp.DataType, tp.Int64Data = proto.Int32(int32(onnxpb.TensorProto_INT64)), t.Int
	default:
		return nil, fmt.Errorf("tensor %q holds no float32 or int64 data", t.Name)
	}
	return tp, nil
}

func attrProto(name string, v any) (*onnxpb.AttributeProto, error) {
	a := &onnxpb.AttributeProto{Name: proto.String(name)}
	switch v := v.(type) {
	case int:
		a.Type, a.I = onnxpb.AttributeProto_INT.Enum(), proto.Int64(int64(v))
	case int64:
		a.Type, a.I = onnxpb.AttributeProto_INT.Enum(), proto.Int64(v)
	case float32:
		a.Type, a.F = onnxpb.AttributeProto_FLOAT.Enum(), proto.Float32(v)
	case string:
		a.Type, a.S = onnxpb.AttributeProto_STRING.Enum(), []byte(v)
	case []int64:
		a.Type, a.Ints = onnxpb.AttributeProto_INTS.Enum(), v
	case []float32:
		a.Type, a.Floats = onnxpb.AttributeProto_FLOATS.Enum(), v
	case *ir.Tensor:
		tp, err := tensorProto(v)
		if err != nil {
			return nil, err
		}
		a.Type, a.T = onnxpb.AttributeProto_TENSOR.Enum(), tp
	default:
		return nil, fmt.Errorf("attribute %q: unsupported type %T", name, v)
	}
	return a, nil
}
