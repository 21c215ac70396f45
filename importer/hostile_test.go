package importer_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/ir"
)

// Hand-made models with content a model file must not be able to use against the importer: sizes that
// overflow, external data ranges larger than the file, names that would break the one-line error format.

func floatValue(name string, dims ...any) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		dp := &onnxpb.TensorShapeProto_Dimension{}
		switch d := d.(type) {
		case string:
			dp.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d}
		case int:
			dp.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}
		}
		shape.Dim = append(shape.Dim, dp)
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Shape: shape,
		}}},
	}
}

func floatTensor(name string, dims []int64, values ...float32) *onnxpb.TensorProto {
	raw := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return &onnxpb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), RawData: raw}
}

func externalTensor(name string, dims []int64, kv ...string) *onnxpb.TensorProto {
	tp := &onnxpb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
		DataLocation: onnxpb.TensorProto_EXTERNAL.Enum()}
	for i := 0; i+1 < len(kv); i += 2 {
		tp.ExternalData = append(tp.ExternalData, &onnxpb.StringStringEntryProto{Key: proto.String(kv[i]), Value: proto.String(kv[i+1])})
	}
	return tp
}

// tinyModel is y = x + c with x [batch, 2], opset 17.
func tinyModel(c *onnxpb.TensorProto) *onnxpb.ModelProto {
	return &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{
			Name:        proto.String("tiny"),
			Node:        []*onnxpb.NodeProto{{Name: proto.String("add"), OpType: proto.String("Add"), Input: []string{"x", "c"}, Output: []string{"y"}}},
			Initializer: []*onnxpb.TensorProto{c},
			Input:       []*onnxpb.ValueInfoProto{floatValue("x", "batch", 2)},
			Output:      []*onnxpb.ValueInfoProto{floatValue("y", "batch", 2)},
		},
	}
}

func marshal(t *testing.T, mp *onnxpb.ModelProto) []byte {
	t.Helper()
	data, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// writeModel writes mp as model.onnx in a new folder, with the given extra files, and returns its path.
func writeModel(t *testing.T, mp *onnxpb.ModelProto, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, marshal(t, mp), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantBad checks that err is a one-line bad-model error containing want.
func wantBad(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", want)
	}
	if !importer.IsBadModel(err) {
		t.Errorf("error %q does not wrap importer.ErrBadModel", err)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("error is not one line: %q", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}

func read(t *testing.T, data []byte) (g *ir.Graph, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Read panicked: %v", r)
		}
	}()
	return importer.Read(data, importer.Options{})
}

func TestReadTinyModel(t *testing.T) {
	g, err := read(t, marshal(t, tinyModel(floatTensor("c", []int64{2}, 1, 2))))
	if err != nil {
		t.Fatal(err)
	}
	if c := g.Initializers["c"]; c == nil || fmt.Sprint(c.Float) != "[1 2]" {
		t.Errorf("initializer c = %+v, want [1 2]", c)
	}
}

func TestReadOverflowingDims(t *testing.T) {
	huge := int64(1)<<62 + 1 // 4*huge wraps around to 4
	for _, tc := range []struct {
		name string
		c    *onnxpb.TensorProto
	}{
		{"float32 raw", floatTensor("c", []int64{huge}, 1)},
		{"float32 product wraps to 0", floatTensor("c", []int64{1 << 32, 1 << 32})},
		{"float64 raw", &onnxpb.TensorProto{Name: proto.String("c"), Dims: []int64{int64(1)<<61 + 1},
			DataType: proto.Int32(int32(onnxpb.TensorProto_DOUBLE)), RawData: make([]byte, 8)}},
		{"int32 raw", &onnxpb.TensorProto{Name: proto.String("c"), Dims: []int64{huge},
			DataType: proto.Int32(int32(onnxpb.TensorProto_INT32)), RawData: make([]byte, 4)}},
		{"int64 raw", &onnxpb.TensorProto{Name: proto.String("c"), Dims: []int64{int64(1)<<61 + 1},
			DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), RawData: make([]byte, 8)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := read(t, marshal(t, tinyModel(tc.c)))
			wantBad(t, err, `initializer "c"`)
			wantBad(t, err, "elements")
		})
	}
	// An empty dim makes an empty tensor whatever the others say.
	c := floatTensor("c", []int64{1 << 40, 0, 1 << 40})
	if _, err := read(t, marshal(t, tinyModel(c))); err != nil {
		t.Errorf("empty tensor with large dims: %v", err)
	}
	_, err := read(t, marshal(t, tinyModel(floatTensor("c", []int64{2, -1}, 1, 2))))
	wantBad(t, err, "negative dim -1")
}

func TestReadFileExternalRanges(t *testing.T) {
	data := make([]byte, 8) // two float32 zeros
	for _, tc := range []struct {
		name string
		kv   []string
		want string
	}{
		{"huge length", []string{"location", "data.bin", "length", "1152921504606846976"}, `external data "data.bin": want 1152921504606846976 bytes at offset 0, the file holds 8 bytes`},
		{"length past the end", []string{"location", "data.bin", "offset", "4", "length", "8"}, "want 8 bytes at offset 4, the file holds 8 bytes"},
		{"offset past the end", []string{"location", "data.bin", "offset", "1000"}, "offset 1000 is past the end of the file (8 bytes)"},
		{"negative length", []string{"location", "data.bin", "length", "-4"}, "external data length -4 is negative"},
		{"negative offset", []string{"location", "data.bin", "offset", "-4"}, "external data offset -4 is negative"},
		{"offset not a number", []string{"location", "data.bin", "offset", "four"}, `external data offset "four" is not an integer`},
		{"no location", []string{"offset", "0"}, "external data without a location"},
		{"folder", []string{"location", "."}, `external data "." is not a regular file`},
		{"missing", []string{"location", "gone.bin"}, `external data "gone.bin": no such file or directory`},
		{"newline in location", []string{"location", "a\nb.bin"}, `external data "a\nb.bin"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeModel(t, tinyModel(externalTensor("c", []int64{2}, tc.kv...)), map[string][]byte{"data.bin": data})
			_, err := importer.ReadFile(path, importer.Options{})
			wantBad(t, err, tc.want)
			if err != nil && strings.Contains(err.Error(), filepath.Dir(path)+string(filepath.Separator)+"data.bin") {
				t.Errorf("error %q names the joined path of the data file; want the location as the model gives it", err)
			}
		})
	}

	// The whole file, and a range of it.
	for _, kv := range [][]string{{"location", "data.bin"}, {"location", "data.bin", "offset", "0", "length", "8"}} {
		path := writeModel(t, tinyModel(externalTensor("c", []int64{2}, kv...)), map[string][]byte{"data.bin": data})
		if _, err := importer.ReadFile(path, importer.Options{}); err != nil {
			t.Errorf("external data %v: %v", kv, err)
		}
	}
}

func TestReadFileExternalSymlinkEscape(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.bin")
	if err := os.WriteFile(outside, make([]byte, 8), 0o644); err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, tinyModel(externalTensor("c", []int64{2}, "location", "link.bin")), nil)
	if err := os.Symlink(outside, filepath.Join(filepath.Dir(path), "link.bin")); err != nil {
		t.Skipf("cannot make a symlink: %v", err)
	}
	_, err := importer.ReadFile(path, importer.Options{})
	wantBad(t, err, `external data path "link.bin" leaves the model's folder`)
}

func TestReadBadOpType(t *testing.T) {
	for _, op := range []string{"", "Foo\nBar", "Foo Bar", "Add\x00"} {
		mp := tinyModel(floatTensor("c", []int64{2}, 1, 2))
		mp.Graph.Node[0].OpType = proto.String(op)
		for _, opts := range []importer.Options{{}} {
			_, err := importer.Read(marshal(t, mp), opts)
			wantBad(t, err, fmt.Sprintf("op type %q is not a valid op name", op))
		}
	}
}

// TestReadManyNodes checks the stable topological order on a large graph: 20,000 independent Constant
// nodes keep file order, and a chain written backwards is put in order.
func TestReadManyNodes(t *testing.T) {
	const n = 20000
	mp := tinyModel(floatTensor("c", []int64{2}, 1, 2))
	var consts, chain []*onnxpb.NodeProto
	for i := 0; i < n; i++ {
		consts = append(consts, &onnxpb.NodeProto{Name: proto.String(fmt.Sprintf("k%d", i)), OpType: proto.String("Constant"),
			Output: []string{fmt.Sprintf("k%d", i)}, Attribute: []*onnxpb.AttributeProto{{Name: proto.String("value"),
				Type: onnxpb.AttributeProto_TENSOR.Enum(), T: floatTensor("", nil, float32(i))}}})
	}
	// y = relu(relu(...relu(x + c))) with the Relus in reverse order in the file.
	prev := "y0"
	mp.Graph.Node[0].Output = []string{"y0"}
	for i := 1; i <= 100; i++ {
		out := fmt.Sprintf("y%d", i)
		if i == 100 {
			out = "y"
		}
		chain = append([]*onnxpb.NodeProto{{Name: proto.String(fmt.Sprintf("relu%d", i)), OpType: proto.String("Relu"),
			Input: []string{prev}, Output: []string{out}}}, chain...)
		prev = out
	}
	mp.Graph.Node = append(append(chain, mp.Graph.Node...), consts...)
	g, err := read(t, marshal(t, mp))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) != n+101 {
		t.Fatalf("%d nodes, want %d", len(g.Nodes), n+101)
	}
	checkTopological(t, g)
	// File order is relu100 ... relu1, add, k0 ... k19999. The lowest ready file index goes first: add
	// (the Relus wait for it), then each Relu as it becomes ready (its index is below the Constants'),
	// then the Constants in file order.
	if g.Nodes[0].Name != "add" {
		t.Errorf("first node %q, want add", g.Nodes[0].Name)
	}
	for i := 1; i <= 100; i++ {
		if want := fmt.Sprintf("relu%d", i); g.Nodes[i].Name != want {
			t.Fatalf("node %d is %q, want %q", i, g.Nodes[i].Name, want)
		}
	}
	for i := 0; i < n; i++ {
		if want := fmt.Sprintf("k%d", i); g.Nodes[101+i].Name != want {
			t.Fatalf("node %d is %q, want %q", 101+i, g.Nodes[101+i].Name, want)
		}
	}
}
