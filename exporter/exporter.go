package exporter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/ir"
)

// Marshal returns the ONNX bytes of g. The same graph always gives the same bytes.
func Marshal(g *ir.Graph) ([]byte, error) {
	mp, err := toProto(g)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeModel(&buf, mp); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes g to path atomically: the file appears whole or not at all. The bytes are those of
// Marshal, written as they are made rather than gathered in memory first.
func WriteFile(path string, g *ir.Graph) error {
	mp, err := toProto(g)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return fsutil.WriteAtomic(path, 0o644, func(w io.Writer) error { return writeModel(w, mp) })
}

// Field numbers where writeModel splices the initializers in.
const (
	modelGraphField       = 7
	graphInitializerField = 5
	tensorRawDataField    = 9
)

var deterministic = proto.MarshalOptions{Deterministic: true}

// writeModel writes the bytes proto.MarshalOptions{Deterministic: true}.Marshal(mp) would return,
// without building them whole: the model and its graph are marshaled without the initializers, whose
// fields are then written in their place (a message's known fields come in field-number order, its
// unknown fields last), and each initializer's raw_data is written from where it lies.
func writeModel(w io.Writer, mp *onnxpb.ModelProto) error {
	gp := mp.GetGraph()
	if gp == nil {
		b, err := deterministic.Marshal(mp)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	// Copies without the large parts, so mp itself is left as it is.
	mpHead := shallowCopy(mp)
	mpHead.Graph = nil
	mb, err := deterministic.Marshal(mpHead)
	if err != nil {
		return err
	}
	gpHead := shallowCopy(gp)
	gpHead.Initializer = nil
	gb, err := deterministic.Marshal(gpHead)
	if err != nil {
		return err
	}
	type piece struct {
		head, raw, tail []byte
		hasRaw          bool
		size            int // of the TensorProto
	}
	pieces := make([]piece, len(gp.Initializer))
	graphSize := len(gb)
	for i, tp := range gp.Initializer {
		p := &pieces[i]
		if tp.RawData == nil {
			if p.head, err = deterministic.Marshal(tp); err != nil {
				return err
			}
			p.size = len(p.head)
		} else {
			t := shallowCopy(tp)
			t.RawData = nil
			b, err := deterministic.Marshal(t)
			if err != nil {
				return err
			}
			p.head, p.tail = splitFields(b, len(t.ProtoReflect().GetUnknown()), tensorRawDataField)
			p.raw, p.hasRaw = tp.RawData, true
			p.size = len(b) + protowire.SizeTag(tensorRawDataField) + protowire.SizeBytes(len(p.raw))
		}
		graphSize += protowire.SizeTag(graphInitializerField) + protowire.SizeBytes(p.size)
	}
	mHead, mTail := splitFields(mb, len(mpHead.ProtoReflect().GetUnknown()), modelGraphField)
	gHead, gTail := splitFields(gb, len(gpHead.ProtoReflect().GetUnknown()), graphInitializerField)
	var key []byte
	out := func(parts ...[]byte) error {
		for _, b := range parts {
			if len(b) == 0 {
				continue
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	key = protowire.AppendVarint(protowire.AppendTag(nil, modelGraphField, protowire.BytesType), uint64(graphSize))
	if err := out(mHead, key, gHead); err != nil {
		return err
	}
	for i := range pieces {
		p := &pieces[i]
		key = protowire.AppendVarint(protowire.AppendTag(key[:0], graphInitializerField, protowire.BytesType), uint64(p.size))
		if err := out(key, p.head); err != nil {
			return err
		}
		if p.hasRaw {
			key = protowire.AppendVarint(protowire.AppendTag(key[:0], tensorRawDataField, protowire.BytesType), uint64(len(p.raw)))
			if err := out(key, p.raw, p.tail); err != nil {
				return err
			}
		}
	}
	return out(gTail, mTail)
}

// splitFields splits a message's marshaled bytes, whose last unknown bytes are its unknown fields and
// whose known fields come in field-number order, where a field numbered num would go.
func splitFields(b []byte, unknown int, num protowire.Number) (head, tail []byte) {
	known := b[:len(b)-unknown]
	at := 0
	for at < len(known) {
		n, _, size := protowire.ConsumeField(known[at:])
		if size < 0 || n > num {
			break
		}
		at += size
	}
	return b[:at], b[at:]
}

// shallowCopy returns a new message with the fields of m, sharing their values (lists and
// submessages): the caller must replace, not change, what it means to alter.
func shallowCopy[M proto.Message](m M) M {
	src := m.ProtoReflect()
	dst := src.New()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	if u := src.GetUnknown(); len(u) > 0 {
		dst.SetUnknown(u)
	}
	return dst.Interface().(M)
}

func toProto(g *ir.Graph) (*onnxpb.ModelProto, error) {
	var mp *onnxpb.ModelProto
	if src, ok := g.Source.(*onnxpb.ModelProto); ok && src != nil {
		// A shallow copy: the source's tensors are large and are written as they are. Every list the
		// export changes is replaced below, never written into.
		mp = shallowCopy(src)
		if mp.Graph != nil {
			mp.Graph = shallowCopy(mp.Graph)
		}
		ops := make([]*onnxpb.OperatorSetIdProto, len(mp.OpsetImport))
		for i, op := range mp.OpsetImport {
			ops[i] = proto.Clone(op).(*onnxpb.OperatorSetIdProto)
		}
		mp.OpsetImport = ops
	} else {
		irVersion := g.IRVersion
		if irVersion == 0 {
			irVersion = 8
		}
		mp = &onnxpb.ModelProto{
			IrVersion:    proto.Int64(irVersion),
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
	gp.Node = make([]*onnxpb.NodeProto, 0, len(g.Nodes))
	for _, n := range g.Nodes {
		var np *onnxpb.NodeProto
		if src, ok := n.Source.(*onnxpb.NodeProto); ok && src != nil {
			np = shallowCopy(src)
			np.Input = append([]string(nil), n.Inputs...)
			np.Output = append([]string(nil), n.Outputs...)
			np.Attribute = append([]*onnxpb.AttributeProto(nil), np.Attribute...)
			// A tensor attribute stored in an external file is written inline, as initializers are.
			for i, ap := range np.Attribute {
				if ap.GetT().GetDataLocation() != onnxpb.TensorProto_EXTERNAL {
					continue
				}
				ap = shallowCopy(ap)
				np.Attribute[i] = ap
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

	gp.Initializer = make([]*onnxpb.TensorProto, 0, len(g.InitOrder))
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

	mp.MetadataProps = nil
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
func tensorProto(t *ir.Tensor) (*onnxpb.TensorProto, error) {
	if src, ok := t.Source.(*onnxpb.TensorProto); ok && src != nil && !t.Changed && src.GetDataLocation() != onnxpb.TensorProto_EXTERNAL {
		return src, nil
	}
	tp := &onnxpb.TensorProto{Name: proto.String(t.Name), Dims: append([]int64(nil), t.Dims...), DataType: proto.Int32(int32(t.DType))}
	switch t.DType {
	case ir.Float32:
		if littleEndian && len(t.Float) > 0 {
			// The values' own memory is already raw_data's layout; the exporter only reads it.
			tp.RawData = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(t.Float))), 4*len(t.Float))
			break
		}
		raw := make([]byte, 4*len(t.Float))
		for i, v := range t.Float {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		tp.RawData = raw
	case ir.Float64:
		raw := make([]byte, 8*len(t.Float))
		for i, v := range t.Float {
			binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(float64(v)))
		}
		tp.RawData = raw
	case ir.Int64:
		raw := make([]byte, 8*len(t.Int))
		for i, v := range t.Int {
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
		}
		tp.RawData = raw
	case ir.Int32:
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

// littleEndian reports whether this machine stores numbers little-endian, as raw_data does.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

func nodeProto(n *ir.Node) (*onnxpb.NodeProto, error) {
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
		case ir.AttrFloat:
			ap.F = proto.Float32(a.Float)
		case ir.AttrInt:
			ap.I = proto.Int64(a.Int)
		case ir.AttrString:
			ap.S = []byte(a.String)
		case ir.AttrFloats:
			ap.Floats = a.Floats
		case ir.AttrInts:
			ap.Ints = a.Ints
		case ir.AttrTensor:
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

func valueProto(v *ir.Value) *onnxpb.ValueInfoProto {
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

func sortedKeys(m map[string]ir.Attr) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
