package exporter_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
)

const modelsDir = "../testdata/models"

var allowAll = importer.Options{}

// testModels returns the names of the folders of testdata/models.
func testModels(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(modelsDir, "*", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no models in testdata/models")
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(filepath.Dir(p)))
	}
	return names
}

// hasExternalData reports whether the model file stores a tensor outside itself.
func hasExternalData(t *testing.T, data []byte) bool {
	t.Helper()
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(data, mp); err != nil {
		t.Fatal(err)
	}
	for _, tp := range mp.GetGraph().GetInitializer() {
		if tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(tp.GetExternalData()) > 0 {
			return true
		}
	}
	return false
}

func TestRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the loop over every backbone")
	}
	for _, name := range testModels(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(modelsDir, name, "model.onnx")
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			external := hasExternalData(t, src)
			g1, err := importer.ReadFile(path, allowAll)
			if err != nil {
				t.Fatal(err)
			}
			out, err := exporter.Marshal(g1)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := exporter.Marshal(g1); err != nil || !bytes.Equal(again, out) {
				t.Errorf("a second Marshal of the same graph gives other bytes (err %v)", err)
			}
			// Read, not ReadFile: the exported bytes must stand alone, external data included.
			g2, err := importer.Read(out, allowAll)
			if err != nil {
				t.Fatalf("the exported model does not import: %v", err)
			}
			compareGraphs(t, g1, g2)

			if external {
				checkInline(t, out)
			} else {
				out2, err := exporter.Marshal(g2)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out, out2) {
					t.Errorf("export → import → export changes the bytes (%d, then %d bytes)", len(out), len(out2))
				}
				checkInitializerBytes(t, src, out, g1.InitOrder)
				// Go's deterministic serialisation writes fields in the order Python's protobuf does, so
				// an untouched model comes out as the very bytes it was read from.
				if !bytes.Equal(out, src) {
					t.Errorf("an untouched model exports as %d bytes that differ from its %d source bytes", len(out), len(src))
				}
			}

			file := filepath.Join(t.TempDir(), "model.onnx")
			if err := exporter.WriteFile(file, g1); err != nil {
				t.Fatal(err)
			}
			written, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(written, out) {
				t.Error("WriteFile wrote other bytes than Marshal returns")
			}
			// The temporary folder holds no weights.bin: an external tensor must have been written inline
			// for the checker to pass.
			testkit.OnnxChecker(t, file)
		})
	}
}

// checkInline checks that no tensor of the exported model refers to external data.
func checkInline(t *testing.T, data []byte) {
	t.Helper()
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(data, mp); err != nil {
		t.Fatal(err)
	}
	for _, tp := range mp.GetGraph().GetInitializer() {
		if tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(tp.GetExternalData()) > 0 {
			t.Errorf("initializer %q still refers to external data %v", tp.GetName(), tp.GetExternalData())
		}
		if len(tp.GetRawData()) == 0 {
			t.Errorf("initializer %q has no inline data", tp.GetName())
		}
	}
}

// Field numbers of onnx-ml.proto used to find the raw bytes of the initializers.
const (
	modelGraphField       = 7 // ModelProto.graph
	graphInitializerField = 5 // GraphProto.initializer
	tensorNameField       = 8 // TensorProto.name
)

// lengthDelimited returns the payloads of the length-delimited fields of msg with the given number,
// in order, as they are in the bytes.
func lengthDelimited(t *testing.T, msg []byte, num protowire.Number) [][]byte {
	t.Helper()
	var out [][]byte
	for len(msg) > 0 {
		n, typ, l := protowire.ConsumeTag(msg)
		if l < 0 {
			t.Fatalf("bad protobuf: %v", protowire.ParseError(l))
		}
		msg = msg[l:]
		if n == num && typ == protowire.BytesType {
			v, l := protowire.ConsumeBytes(msg)
			if l < 0 {
				t.Fatalf("bad protobuf: %v", protowire.ParseError(l))
			}
			out = append(out, v)
			msg = msg[l:]
			continue
		}
		l = protowire.ConsumeFieldValue(n, typ, msg)
		if l < 0 {
			t.Fatalf("bad protobuf: %v", protowire.ParseError(l))
		}
		msg = msg[l:]
	}
	return out
}

// initializerBytes maps each initializer name to the bytes of its TensorProto in the model file.
func initializerBytes(t *testing.T, model []byte) (map[string][]byte, []string) {
	t.Helper()
	graphs := lengthDelimited(t, model, modelGraphField)
	if len(graphs) != 1 {
		t.Fatalf("%d graph fields", len(graphs))
	}
	m := map[string][]byte{}
	var order []string
	for _, tb := range lengthDelimited(t, graphs[0], graphInitializerField) {
		names := lengthDelimited(t, tb, tensorNameField)
		if len(names) != 1 {
			t.Fatalf("initializer with %d names", len(names))
		}
		m[string(names[0])] = tb
		order = append(order, string(names[0]))
	}
	return m, order
}

// checkInitializerBytes checks that each named initializer is stored in out with exactly the bytes it
// has in src, and that out holds the initializers in the order given.
func checkInitializerBytes(t *testing.T, src, out []byte, names []string) {
	t.Helper()
	srcInit, _ := initializerBytes(t, src)
	outInit, order := initializerBytes(t, out)
	if !slices.Equal(order, names) {
		t.Errorf("exported initializers %q, want %q", order, names)
	}
	for _, name := range names {
		s, ok := srcInit[name]
		if !ok {
			continue // not from the source (inserted)
		}
		if !bytes.Equal(s, outInit[name]) {
			t.Errorf("initializer %q: exported TensorProto (%d bytes) differs from the source file's (%d bytes)", name, len(outInit[name]), len(s))
		}
	}
}

// compareGraphs checks that b holds what a holds: graph fields, nodes, initializers, inputs, outputs.
func compareGraphs(t *testing.T, a, b *ir.Graph) {
	t.Helper()
	if a.Name != b.Name || a.Opset != b.Opset || a.Producer != b.Producer || a.ProducerVer != b.ProducerVer || a.IRVersion != b.IRVersion {
		t.Errorf("graph fields: %q opset %d %q %q IR %d, then %q opset %d %q %q IR %d", a.Name, a.Opset, a.Producer, a.ProducerVer,
			a.IRVersion, b.Name, b.Opset, b.Producer, b.ProducerVer, b.IRVersion)
	}
	if fmt.Sprint(a.OtherOpsets) != fmt.Sprint(b.OtherOpsets) {
		t.Errorf("other opsets %v, then %v", a.OtherOpsets, b.OtherOpsets)
	}
	if !slices.Equal(a.MetaOrder, b.MetaOrder) {
		t.Errorf("metadata keys %q, then %q", a.MetaOrder, b.MetaOrder)
	}
	for _, k := range a.MetaOrder {
		if a.Metadata[k] != b.Metadata[k] {
			t.Errorf("metadata %q changed", k)
		}
	}
	compareValues(t, "input", a.Inputs, b.Inputs)
	compareValues(t, "output", a.Outputs, b.Outputs)
	if len(a.Nodes) != len(b.Nodes) {
		t.Fatalf("%d nodes, then %d", len(a.Nodes), len(b.Nodes))
	}
	for i := range a.Nodes {
		compareNodes(t, a.Nodes[i], b.Nodes[i])
	}
	if !slices.Equal(a.InitOrder, b.InitOrder) {
		t.Fatalf("initializers %q, then %q", a.InitOrder, b.InitOrder)
	}
	if len(a.Initializers) != len(b.Initializers) {
		t.Errorf("%d initializers, then %d", len(a.Initializers), len(b.Initializers))
	}
	for _, name := range a.InitOrder {
		compareTensors(t, "initializer "+name, a.Initializers[name], b.Initializers[name])
	}
}

func compareValues(t *testing.T, what string, a, b []*ir.Value) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%d graph %ss, then %d", len(a), what, len(b))
		return
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].DType != b[i].DType || !slices.Equal(a[i].Shape, b[i].Shape) || (a[i].Shape == nil) != (b[i].Shape == nil) {
			t.Errorf("graph %s %d: %q %s %v, then %q %s %v", what, i, a[i].Name, a[i].DType, a[i].Shape, b[i].Name, b[i].DType, b[i].Shape)
		}
	}
}

func compareNodes(t *testing.T, a, b *ir.Node) {
	t.Helper()
	if a.Name != b.Name || a.OpType != b.OpType || a.Domain != b.Domain || !slices.Equal(a.Inputs, b.Inputs) || !slices.Equal(a.Outputs, b.Outputs) {
		t.Errorf("node %q %s/%s %q → %q, then %q %s/%s %q → %q", a.Name, a.Domain, a.OpType, a.Inputs, a.Outputs,
			b.Name, b.Domain, b.OpType, b.Inputs, b.Outputs)
	}
	if len(a.Attrs) != len(b.Attrs) {
		t.Errorf("%s: %d attributes, then %d", a, len(a.Attrs), len(b.Attrs))
	}
	for name, x := range a.Attrs {
		y, ok := b.Attrs[name]
		if !ok {
			t.Errorf("%s: attribute %q lost", a, name)
			continue
		}
		if x.Type != y.Type || math.Float32bits(x.Float) != math.Float32bits(y.Float) || x.Int != y.Int || x.String != y.String ||
			!slices.Equal(x.Floats, y.Floats) || !slices.Equal(x.Ints, y.Ints) || !slices.Equal(x.Strings, y.Strings) ||
			(x.Tensor == nil) != (y.Tensor == nil) {
			t.Errorf("%s: attribute %q %+v, then %+v", a, name, x, y)
		}
		if x.Tensor != nil && y.Tensor != nil {
			compareTensors(t, fmt.Sprintf("%s attribute %q", a, name), x.Tensor, y.Tensor)
		}
	}
}

func compareTensors(t *testing.T, what string, a, b *ir.Tensor) {
	t.Helper()
	if a == nil || b == nil {
		t.Errorf("%s: %v, then %v", what, a, b)
		return
	}
	if a.Name != b.Name || a.DType != b.DType || !slices.Equal(a.Dims, b.Dims) {
		t.Errorf("%s: %q %s %v, then %q %s %v", what, a.Name, a.DType, a.Dims, b.Name, b.DType, b.Dims)
	}
	if !slices.EqualFunc(a.Float, b.Float, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }) {
		t.Errorf("%s: float data changed", what)
	}
	if !slices.Equal(a.Int, b.Int) {
		t.Errorf("%s: integer data changed", what)
	}
}

// secondGemmPosition is insertion position 1 of adult_mlp: the input of its second Gemm.
var secondGemmPosition = insert.Position{Index: 1, Tensor: "/Relu_output_0", Width: 101, Activation: "Relu", NonNegative: true}

func TestInsertRoundTrip(t *testing.T) {
	path := filepath.Join(modelsDir, "adult_mlp", "model.onnx")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := importer.ReadFile(path, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := importer.ReadFile(path, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pos := secondGemmPosition
	switch positions, err := insert.Positions(g); {
	case errors.Is(err, ir.ErrUnsupportedOp):
		t.Logf("insert.Positions: %v; using position 1 as built by hand", err)
	case err != nil:
		t.Fatalf("insert.Positions: %v", err)
	case len(positions) == 0:
		t.Fatal("insert.Positions: no position")
	default:
		if positions[0] != secondGemmPosition {
			t.Errorf("position 1 = %+v, want %+v", positions[0], secondGemmPosition)
		}
		pos = positions[0]
	}
	if err := insert.Insert(g, pos, insert.InsertOptions{Init: insert.InitIdentity}); err != nil {
		t.Fatal(err)
	}
	out, err := exporter.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := exporter.Marshal(g); err != nil || !bytes.Equal(again, out) {
		t.Errorf("a second Marshal of the same graph gives other bytes (err %v)", err)
	}
	back, err := importer.Read(out, importer.Options{})
	if err != nil {
		t.Fatalf("the exported model does not import: %v", err)
	}
	compareGraphs(t, g, back)

	// The new nodes sit after the producer of the position and the Gemm that read it now reads them.
	const (
		w, b    = insert.FairPrefix + "1.weight", insert.FairPrefix + "1.bias"
		lin, re = insert.FairPrefix + "1.linear", insert.FairPrefix + "1.relu"
	)
	want := []*ir.Node{
		orig.Nodes[0], orig.Nodes[1],
		{Name: lin, OpType: "Gemm", Inputs: []string{"/Relu_output_0", w, b}, Outputs: []string{lin},
			Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}},
		{Name: re, OpType: "Relu", Inputs: []string{lin}, Outputs: []string{re}, Attrs: map[string]ir.Attr{}},
	}
	fc2 := *orig.Nodes[2]
	fc2.Inputs = append([]string{re}, fc2.Inputs[1:]...)
	want = append(want, &fc2)
	want = append(want, orig.Nodes[3:]...)
	if len(back.Nodes) != len(want) {
		t.Fatalf("%d nodes after insertion, want %d", len(back.Nodes), len(want))
	}
	for i := range want {
		compareNodes(t, want[i], back.Nodes[i])
	}
	if fc2.Name != "/fc2/Gemm" {
		t.Errorf("third node of adult_mlp is %q, want /fc2/Gemm", fc2.Name)
	}

	// Initializers: the source ones, with their exact bytes, then the identity weight and zero bias.
	wantInit := append(slices.Clone(orig.InitOrder), w, b)
	if !slices.Equal(back.InitOrder, wantInit) {
		t.Fatalf("initializers %q, want %q", back.InitOrder, wantInit)
	}
	for _, name := range orig.InitOrder {
		compareTensors(t, name, orig.Initializers[name], back.Initializers[name])
	}
	checkInitializerBytes(t, src, out, wantInit)
	wt, bt := back.Initializers[w], back.Initializers[b]
	if wt.DType != ir.Float32 || !slices.Equal(wt.Dims, []int64{101, 101}) || bt.DType != ir.Float32 || !slices.Equal(bt.Dims, []int64{101}) {
		t.Fatalf("fairness parameters %s %v and %s %v, want float32 [101 101] and [101]", wt.DType, wt.Dims, bt.DType, bt.Dims)
	}
	for i, v := range wt.Float {
		want := float32(0)
		if i/101 == i%101 {
			want = 1
		}
		if v != want {
			t.Fatalf("%s[%d, %d] = %v, want %v (the identity)", w, i/101, i%101, v, want)
		}
	}
	for i, v := range bt.Float {
		if v != 0 {
			t.Fatalf("%s[%d] = %v, want 0", b, i, v)
		}
	}
	if got := insert.FairnessParams(back); !slices.Equal(got, []string{w, b}) {
		t.Errorf("FairnessParams %q, want %q", got, []string{w, b})
	}

	// Everything else is as imported.
	if back.Opset != orig.Opset || back.Metadata["fairbinn.encoding"] != orig.Metadata["fairbinn.encoding"] || !slices.Equal(back.MetaOrder, orig.MetaOrder) {
		t.Error("opset or metadata changed")
	}
	compareValues(t, "input", orig.Inputs, back.Inputs)
	compareValues(t, "output", orig.Outputs, back.Outputs)

	file := filepath.Join(t.TempDir(), "fair.onnx")
	if err := exporter.WriteFile(file, g); err != nil {
		t.Fatal(err)
	}
	fromFile, err := importer.ReadFile(file, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	compareGraphs(t, back, fromFile)
	testkit.OnnxChecker(t, file)
}

func TestWriteFileLeavesNoTemporaryFile(t *testing.T) {
	g, err := importer.ReadFile(filepath.Join(modelsDir, "adult_mlp", "model.onnx"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := exporter.WriteFile(filepath.Join(dir, "out.onnx"), g); err != nil {
		t.Fatal(err)
	}
	// A folder that does not exist: an error naming the path, nothing written.
	bad := filepath.Join(dir, "missing", "out.onnx")
	if err := exporter.WriteFile(bad, g); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("WriteFile into a missing folder: %v; want an error naming %s", err, bad)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"out.onnx"}) {
		t.Errorf("folder holds %q, want only out.onnx", names)
	}
}

// TestExternalDataInline exports a model whose tensors of several element types, a Constant's value
// among them, are stored in an external file: the exported model must hold their exact bytes inline.
func TestExternalDataInline(t *testing.T) {
	dir := t.TempDir()
	// float64 values that float32 cannot hold exactly, int8, float16 (1.0, -2.0) and float32 for the
	// Constant, packed in one file.
	var data []byte
	f64 := []float64{0.1, -1.0 / 3}
	for _, v := range f64 {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(v))
	}
	data = append(data, 0x7f, 0x80, 0x01)
	data = append(data, 0x00, 0x3c, 0x00, 0xc0)
	data = binary.LittleEndian.AppendUint32(data, math.Float32bits(0.5))
	data = binary.LittleEndian.AppendUint32(data, math.Float32bits(-0.25))
	if err := os.WriteFile(filepath.Join(dir, "data.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	ext := func(name string, dt onnxpb.TensorProto_DataType, dims []int64, offset, length int) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{
			Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(dt)),
			DataLocation: onnxpb.TensorProto_EXTERNAL.Enum(),
			ExternalData: []*onnxpb.StringStringEntryProto{
				{Key: proto.String("location"), Value: proto.String("data.bin")},
				{Key: proto.String("offset"), Value: proto.String(fmt.Sprint(offset))},
				{Key: proto.String("length"), Value: proto.String(fmt.Sprint(length))},
			},
		}
	}
	value := func(name string, elem onnxpb.TensorProto_DataType, dims ...any) *onnxpb.ValueInfoProto {
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
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(elem)), Shape: shape}}}}
	}
	inits := []*onnxpb.TensorProto{
		ext("f64", onnxpb.TensorProto_DOUBLE, []int64{2}, 0, 16),
		ext("i8", onnxpb.TensorProto_INT8, []int64{3}, 16, 3),
		ext("f16", onnxpb.TensorProto_FLOAT16, []int64{2}, 19, 4),
	}
	mp := &onnxpb.ModelProto{
		IrVersion:    proto.Int64(8),
		ProducerName: proto.String("test"),
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{
			Name: proto.String("external"),
			Node: []*onnxpb.NodeProto{
				{Name: proto.String("k"), OpType: proto.String("Constant"), Output: []string{"k"}, Attribute: []*onnxpb.AttributeProto{{
					Name: proto.String("value"), Type: onnxpb.AttributeProto_TENSOR.Enum(), T: ext("", onnxpb.TensorProto_FLOAT, []int64{2}, 23, 8)}}},
				{Name: proto.String("add"), OpType: proto.String("Add"), Input: []string{"x", "k"}, Output: []string{"y"}},
			},
			Initializer: inits,
			Input:       []*onnxpb.ValueInfoProto{value("x", onnxpb.TensorProto_FLOAT, "batch", 2)},
			Output:      []*onnxpb.ValueInfoProto{value("y", onnxpb.TensorProto_FLOAT, "batch", 2)},
		},
	}
	src, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.OnnxChecker(t, path)

	g, err := importer.ReadFile(path, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exporter.Marshal(g)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	checkInline(t, out)
	back, err := importer.Read(out, importer.Options{})
	if err != nil {
		t.Fatalf("the exported model does not import on its own: %v", err)
	}
	compareGraphs(t, g, back)

	exported := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(out, exported); err != nil {
		t.Fatal(err)
	}
	wantRaw := map[string][]byte{"f64": data[0:16], "i8": data[16:19], "f16": data[19:23]}
	for _, tp := range exported.GetGraph().GetInitializer() {
		if want := wantRaw[tp.GetName()]; !bytes.Equal(tp.GetRawData(), want) || tp.GetDataType() != initDType(inits, tp.GetName()) {
			t.Errorf("initializer %q: type %d raw %x, want type %d raw %x", tp.GetName(), tp.GetDataType(), tp.GetRawData(),
				initDType(inits, tp.GetName()), want)
		}
	}
	kt := exported.GetGraph().GetNode()[0].GetAttribute()[0].GetT()
	if kt.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(kt.GetExternalData()) > 0 || !bytes.Equal(kt.GetRawData(), data[23:31]) {
		t.Errorf("Constant value exported as %v, want the 8 bytes inline", kt)
	}
	file := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.OnnxChecker(t, file)
}

func initDType(inits []*onnxpb.TensorProto, name string) int32 {
	for _, tp := range inits {
		if tp.GetName() == name {
			return tp.GetDataType()
		}
	}
	return -1
}
