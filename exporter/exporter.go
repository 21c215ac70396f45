package exporter

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/models"
)

// Marshal returns the ONNX bytes of g. The same graph always gives the same bytes.
func Marshal(g *models.Graph) ([]byte, error) {
	mp, err := toProto(g)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(mp)
}

// WriteFile writes g to path atomically: the file appears whole or not at all.
func WriteFile(path string, g *models.Graph) error {
	data, err := Marshal(g)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, data, 0o644)
}

func toProto(g *models.Graph) (*onnxpb.ModelProto, error) {
	var mp *onnxpb.ModelProto
	if src, ok := g.Source.(*onnxpb.ModelProto); ok && src != nil {
		mp = proto.Clone(src).(*onnxpb.ModelProto)
	} else {
		mp = &onnxpb.ModelProto{
			IrVersion:    proto.Int64(8),
			ProducerName: proto.String(g.Producer),
			Graph:        &onnxpb.GraphProto{Name: proto.String(g.Name)},
		}
		for _, v := range g.Inputs {
			mp.Graph.Input = append(mp.Graph.Input, valueProto(v))
		}
		for _, v := range g.Outputs {
			mp.Graph.Output = append(mp.Graph.Output, valueProto(v))
		}
	}
	gp := mp.Graph
	if gp == nil {
		gp = &onnxpb.GraphProto{}
		mp.Graph = gp
	}

	// Nodes: the imported ones keep their protobuf (attributes, doc strings) with the IR's wiring, which
	// insertion may have changed; new ones are built from the IR.
	gp.Node = gp.Node[:0]
	for _, n := range g.Nodes {
		var np *onnxpb.NodeProto
		if src, ok := n.Source.(*onnxpb.NodeProto); ok && src != nil {
			np = proto.Clone(src).(*onnxpb.NodeProto)
			np.Input = append([]string(nil), n.Inputs...)
			np.Output = append([]string(nil), n.Outputs...)
			// A tensor attribute stored in an external file is written inline, as initializers are.
			for _, ap := range np.Attribute {
				if ap.GetT().GetDataLocation() != onnxpb.TensorProto_EXTERNAL {
					continue
				}
				a, ok := n.Attrs[ap.GetName()]
				if !ok || a.Tensor == nil {
					return nil, fmt.Errorf("node %q attribute %q: external tensor data was not imported", n.Name, ap.GetName())
				}
				tp, err := tensorProto(a.Tensor)
				if err != nil {
					return nil, fmt.Errorf("node %q attribute %q: %w", n.Name, ap.GetName(), err)
				}
				ap.T = tp
			}
		} else {
			var err error
			if np, err = nodeProto(n); err != nil {
				return nil, err
			}
		}
		gp.Node = append(gp.Node, np)
	}

	gp.Initializer = gp.Initializer[:0]
	for _, name := range g.InitOrder {
		t := g.Initializers[name]
		if t == nil {
			continue
		}
		tp, err := tensorProto(t)
		if err != nil {
			return nil, fmt.Errorf("initializer %q: %w", name, err)
		}
		gp.Initializer = append(gp.Initializer, tp)
	}

	// Opset of the default domain; other domains as imported.
	found := false
	for _, op := range mp.OpsetImport {
		if op.GetDomain() == "" || op.GetDomain() == "ai.onnx" {
			op.Version = proto.Int64(g.Opset)
			found = true
		}
	}
	if !found {
		mp.OpsetImport = append(mp.OpsetImport, &onnxpb.OperatorSetIdProto{Domain: proto.String(""), Version: proto.Int64(g.Opset)})
	}

	mp.MetadataProps = mp.MetadataProps[:0]
	for _, k := range g.MetaOrder {
		if v, ok := g.Metadata[k]; ok {
			mp.MetadataProps = append(mp.MetadataProps, &onnxpb.StringStringEntryProto{Key: proto.String(k), Value: proto.String(v)})
		}
	}
	return mp, nil
}

// tensorProto returns the protobuf of an initializer: the imported one when unchanged, so an untouched
// model keeps its exact bytes, else a new one with raw little-endian data. Externally stored tensors are
// written inline, since the exported file may live in another folder than the data.
func tensorProto(t *models.Tensor) (*onnxpb.TensorProto, error) {
	if src, ok := t.Source.(*onnxpb.TensorProto); ok && src != nil && !t.Changed && src.GetDataLocation() != onnxpb.TensorProto_EXTERNAL {
		return src, nil
	}
	tp := &onnxpb.TensorProto{Name: proto.String(t.Name), Dims: append([]int64(nil), t.Dims...), DataType: proto.Int32(int32(t.DType))}
	switch t.DType {
	case models.Float32:
		raw := make([]byte, 4*len(t.Float))
		for i, v := range t.Float {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		tp.RawData = raw
	case models.Float64:
		raw := make([]byte, 8*len(t.Float))
		for i, v := range t.Float {
			binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(float64(v)))
		}
		tp.RawData = raw
	case models.Int64:
		raw := make([]byte, 8*len(t.Int))
		for i, v := range t.Int {
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
		}
		tp.RawData = raw
	case models.Int32:
		raw := make([]byte, 4*len(t.Int))
		for i, v := range t.Int {
			binary.LittleEndian.PutUint32(raw[4*i:], uint32(int32(v)))
		}
		tp.RawData = raw
	default:
		return nil, fmt.Errorf("cannot write element type %s", t.DType)
	}
	return tp, nil
}

func nodeProto(n *models.Node) (*onnxpb.NodeProto, error) {
	np := &onnxpb.NodeProto{
		Name:   proto.String(n.Name),
		OpType: proto.String(n.OpType),
		Input:  append([]string(nil), n.Inputs...),
		Output: append([]string(nil), n.Outputs...),
	}
	if n.Domain != "" {
		np.Domain = proto.String(n.Domain)
	}
	for _, name := range sortedKeys(n.Attrs) {
		a := n.Attrs[name]
		ap := &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_AttributeType(a.Type).Enum()}
		switch a.Type {
		case models.AttrFloat:
			ap.F = proto.Float32(a.Float)
		case models.AttrInt:
			ap.I = proto.Int64(a.Int)
		case models.AttrString:
			ap.S = []byte(a.String)
		case models.AttrFloats:
			ap.Floats = a.Floats
		case models.AttrInts:
			ap.Ints = a.Ints
		case models.AttrTensor:
			tp, err := tensorProto(a.Tensor)
			if err != nil {
				return nil, fmt.Errorf("node %q attribute %q: %w", n.Name, name, err)
			}
			ap.T = tp
		default:
			return nil, fmt.Errorf("node %q attribute %q: cannot write attribute type %s", n.Name, name, a.Type)
		}
		np.Attribute = append(np.Attribute, ap)
	}
	return np, nil
}

func valueProto(v *models.Value) *onnxpb.ValueInfoProto {
	if src, ok := v.Source.(*onnxpb.ValueInfoProto); ok && src != nil {
		return src
	}
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range v.Shape {
		dp := &onnxpb.TensorShapeProto_Dimension{}
		switch {
		case d.Param != "":
			dp.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d.Param}
		case d.Known:
			dp.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d.Value}
		}
		shape.Dim = append(shape.Dim, dp)
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(v.Name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(v.DType)),
			Shape:    shape,
		}}},
	}
}

func sortedKeys(m map[string]models.Attr) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
