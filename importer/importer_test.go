package importer_test

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
)

const (
	badDir    = "../testdata/bad"
	modelsDir = "../testdata/models"
)

// badCase is one file of testdata/bad (written by testdata/gen/make_bad_models.py).
type badCase struct {
	file string
	// want is a substring of the importer's error.
	want string
	// lowerFails marks the one file that imports and fails in lower.Lower instead.
	lowerFails bool
}

var badCases = []badCase{
	{file: "truncated.onnx", want: "not an ONNX model (protobuf decoding failed"},
	{file: "not_onnx.onnx", want: "not an ONNX model (protobuf decoding failed"},
	{file: "empty.onnx", want: "not an ONNX model (no graph)"},
	{file: "unknown_op.onnx", want: `node "/Relu" (op FooBar): unsupported op: FooBar`},
	{file: "custom_domain.onnx", want: `node "/Relu" (op FastRelu): unsupported op: FastRelu in domain "com.example"`},
	{file: "missing_initializer.onnx", want: `node "/fc1/Gemm" (op Gemm): input "fc1.weight_missing" is produced by no node`},
	{file: "wrong_size_initializer.onnx", want: `initializer "fc1.weight": bad model: dims [3 4] want 12 float32 values, raw data holds 40 bytes`},
	{file: "wrong_shape_initializer.onnx", want: "shape mismatch", lowerFails: true},
	{file: "nan_weights.onnx", want: `initializer "fc1.weight": bad model: value 6 is NaN`},
	{file: "inf_weights.onnx", want: `initializer "fc2.bias": bad model: value 0 is +Inf`},
	{file: "cycle.onnx", want: `graph has a cycle through nodes "/Relu", "/fc2/Gemm"`},
	{file: "dangling_input.onnx", want: `node "/Sigmoid" (op Sigmoid): input "/fc3/Gemm_output_0" is produced by no node`},
	{file: "opset_6.onnx", want: "unsupported opset 6 (supported: 7 to 21)"},
	{file: "opset_22.onnx", want: "unsupported opset 22 (supported: 7 to 21)"},
	{file: "no_output.onnx", want: "graph has no output"},
	{file: "no_graph.onnx", want: "not an ONNX model (no graph)"},
	{file: "external_escape.onnx", want: `external data path "../outside.bin" leaves the model's folder`},
	{file: "external_absolute.onnx", want: `external data path "/etc/passwd" leaves the model's folder`},
	{file: "external_missing.onnx", want: `external data "nothere.bin": no such file or directory`},
	{file: "external_short.onnx", want: `external data "short.bin": want 48 bytes at offset 0, the file holds 20 bytes`},
	{file: "duplicate_output.onnx", want: `node "/Relu" (op Relu): output "/fc1/Gemm_output_0" is already produced by node "/fc1/Gemm"`},
}

// readFile calls importer.ReadFile and turns a panic into a test failure.
func readFile(t *testing.T, path string, opts importer.Options) (g *ir.Graph, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("ReadFile(%s) panicked: %v", path, r)
		}
	}()
	return importer.ReadFile(path, opts)
}

func TestReadFileBad(t *testing.T) {
	for _, tc := range badCases {
		t.Run(strings.TrimSuffix(tc.file, ".onnx"), func(t *testing.T) {
			path := filepath.Join(badDir, tc.file)
			for _, opts := range []importer.Options{{}} {
				g, err := readFile(t, path, opts)
				if tc.lowerFails {
					if err != nil {
						t.Fatalf("ReadFile(%s, %+v): %v; want a graph (the error shows when lowering)", path, opts, err)
					}
					checkLowerShapeMismatch(t, g, "/fc1/Gemm")
					continue
				}
				if tc.file == "unknown_op.onnx" || tc.file == "custom_domain.onnx" {
					// Unsupported ops are allowed: the rest of the model is fine.
					if err != nil {
						t.Fatalf("ReadFile(%s, %+v): %v; want a graph", path, opts, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("ReadFile(%s, %+v) returned a graph; want an error containing %q", path, opts, tc.want)
				}
				checkOneLineError(t, err, path, tc.want)
				if !errors.Is(err, importer.ErrBadModel) || !importer.IsBadModel(err) {
					t.Errorf("ReadFile(%s): error %q does not wrap importer.ErrBadModel", path, err)
				}
				if g != nil {
					t.Errorf("ReadFile(%s) returned a graph with its error", path)
				}
			}
		})
	}
}

// checkOneLineError checks the importer's error style: one line, starting with the file's path and
// holding the expected substring.
func checkOneLineError(t *testing.T, err error, path, want string) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.HasPrefix(msg, path+": ") {
		t.Errorf("error %q does not start with the file name %q", msg, path)
	}
	if !strings.Contains(msg, filepath.Base(path)) {
		t.Errorf("error %q does not name the file %s", msg, filepath.Base(path))
	}
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not contain %q", msg, want)
	}
}

// checkLowerShapeMismatch checks that lowering g fails with ir.ErrShapeMismatch attributed to node.
func checkLowerShapeMismatch(t *testing.T, g *ir.Graph, node string) {
	t.Helper()
	_, err := lower.Lower(g, lower.Options{Batch: 2})
	if err == nil {
		t.Fatalf("lower.Lower succeeded; want %v in node %q", ir.ErrShapeMismatch, node)
	}
	if !errors.Is(err, ir.ErrShapeMismatch) {
		t.Errorf("lower.Lower: %v; want an error wrapping %v", err, ir.ErrShapeMismatch)
	}
	var ne *ir.NodeError
	if !errors.As(err, &ne) {
		t.Fatalf("lower.Lower: %v (%T) is not a *ir.NodeError", err, err)
	}
	if ne.Node != node || ne.OpType != "Gemm" {
		t.Errorf("lower.Lower: error names node %q (op %s); want %q (op Gemm)", ne.Node, ne.OpType, node)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("lower.Lower error is not one line: %q", err)
	}
}

// TestReadFileUnsupportedOp checks that a valid model with an op the Go forward pass lacks imports, and
// that lower.CheckSupported then reports ir.ErrUnsupportedOp (not a bad model), naming the node.
func TestReadFileUnsupportedOp(t *testing.T) {
	for _, file := range []string{"unknown_op.onnx", "custom_domain.onnx"} {
		g, err := importer.ReadFile(filepath.Join(badDir, file), importer.Options{})
		if err != nil {
			t.Fatalf("%s: %v; a valid model must import", file, err)
		}
		err = lower.CheckSupported(g)
		if importer.IsBadModel(err) {
			t.Errorf("%s: %v is reported as a bad model", file, err)
		}
		if !errors.Is(err, ir.ErrUnsupportedOp) {
			t.Errorf("%s: error %v does not wrap ir.ErrUnsupportedOp", file, err)
		}
		if err != nil && !strings.Contains(err.Error(), `"/Relu"`) {
			t.Errorf("%s: error %q does not name node \"/Relu\"", file, err)
		}
	}
}

// TestBadCorpusListed checks that the table above, the files in testdata/bad and the table in its
// README agree, so a case added to the generator is also tested.
func TestBadCorpusListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(badDir, "*.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, inTable []string
	for _, f := range files {
		onDisk = append(onDisk, filepath.Base(f))
	}
	want := map[string]string{}
	for _, tc := range badCases {
		inTable = append(inTable, tc.file)
		want[tc.file] = tc.want
	}
	sort.Strings(onDisk)
	sort.Strings(inTable)
	if !reflect.DeepEqual(onDisk, inTable) {
		t.Errorf("testdata/bad holds %v; the test table lists %v", onDisk, inTable)
	}

	readme, err := readmeTable(filepath.Join(badDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(readme) != len(want) {
		t.Errorf("README lists %d files; the test table %d", len(readme), len(want))
	}
	for file, sub := range readme {
		if w, ok := want[file]; !ok {
			t.Errorf("README lists %s, the test table does not", file)
		} else if w != sub {
			t.Errorf("%s: README says the error contains %q, the test table %q", file, sub, w)
		}
	}
}

// readmeTable parses the rows "| `file` | what | `substring` |" of testdata/bad/README.md.
func readmeTable(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "| `") || !strings.HasSuffix(line, "` |") {
			continue
		}
		file, _, _ := strings.Cut(strings.TrimPrefix(line, "| `"), "`")
		i := strings.LastIndex(line, "| `")
		out[file] = strings.TrimSuffix(line[i+len("| `"):], "` |")
	}
	return out, sc.Err()
}

func TestReadFileMissing(t *testing.T) {
	path := filepath.Join(badDir, "does_not_exist.onnx")
	_, err := importer.ReadFile(path, importer.Options{})
	if err == nil {
		t.Fatal("no error for a missing file")
	}
	if importer.IsBadModel(err) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v: want an I/O error (os.ErrNotExist), not a bad model", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

// validModel is what testdata/models/README.md says about each backbone.
type validModel struct {
	name         string
	opset        int64
	input        string
	inShape      string
	output       string
	outShape     string
	ops          map[string]int
	metadataKeys []string
}

var validModels = []validModel{
	{
		name: "adult_mlp", opset: 17, input: "input", inShape: "[batch, 101]", output: "prob", outShape: "[batch, 1]",
		ops:          map[string]int{"Gemm": 4, "Relu": 3, "Sigmoid": 1},
		metadataKeys: []string{"fairbinn.encoding"},
	},
	{
		name: "adult_blind", opset: 17, input: "input", inShape: "[batch, 100]", output: "prob", outShape: "[batch, 1]",
		ops:          map[string]int{"Gemm": 4, "Relu": 3, "Sigmoid": 1},
		metadataKeys: []string{"fairbinn.encoding"},
	},
	{
		name: "law_school_mlp", opset: 17, input: "input", inShape: "[batch, 12]", output: "prob", outShape: "[batch, 1]",
		ops:          map[string]int{"Gemm": 4, "Relu": 3, "Sigmoid": 1},
		metadataKeys: []string{"fairbinn.encoding"},
	},
	{
		name: "credit_default_mlp", opset: 17, input: "input", inShape: "[batch, 23]", output: "prob", outShape: "[batch, 1]",
		ops:          map[string]int{"Gemm": 4, "Relu": 3, "Sigmoid": 1},
		metadataKeys: []string{"fairbinn.encoding"},
	},
	{
		name: "bank_marketing_mlp", opset: 17, input: "input", inShape: "[batch, 50]", output: "prob", outShape: "[batch, 1]",
		ops:          map[string]int{"Gemm": 4, "Relu": 3, "Sigmoid": 1},
		metadataKeys: []string{"fairbinn.encoding"},
	},
	{
		name: "cnn_small", opset: 13, input: "input", inShape: "[batch, 1, 24, 24]", output: "logits", outShape: "[batch, 2]",
		ops: map[string]int{"Conv": 2, "BatchNormalization": 1, "Relu": 3, "MaxPool": 1, "Constant": 5, "Pad": 1,
			"AveragePool": 1, "Shape": 1, "Gather": 1, "Unsqueeze": 2, "Concat": 1, "Reshape": 1, "Gemm": 2},
	},
	{
		name: "cnn_gap", opset: 13, input: "input", inShape: "[batch, 10, 10, 3]", output: "probs", outShape: "[batch, 2]",
		ops: map[string]int{"Transpose": 2, "Conv": 3, "Concat": 2, "BatchNormalization": 1, "Relu": 2, "Constant": 10,
			"ConstantOfShape": 1, "Reshape": 2, "Slice": 1, "Cast": 1, "Pad": 1, "GlobalAveragePool": 1, "Squeeze": 2,
			"Gemm": 1, "Softmax": 1},
	},
	{
		name: "mlp_bn_softmax", opset: 15, input: "input", inShape: "[batch, 20]", output: "probs", outShape: "[batch, 3]",
		ops: map[string]int{"Gemm": 3, "BatchNormalization": 1, "Relu": 1, "LeakyRelu": 1, "Softmax": 1},
	},
	{
		name: "mlp_static_ext", opset: 11, input: "input", inShape: "[16, 8]", output: "prob", outShape: "[16, 1]",
		ops: map[string]int{"MatMul": 1, "Add": 1, "Tanh": 1, "Gemm": 2, "Sigmoid": 2},
	},
}

func TestReadFileValid(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(modelsDir, "*", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(validModels) {
		t.Errorf("testdata/models holds %d models; the test knows %d", len(dirs), len(validModels))
	}
	for _, vm := range validModels {
		t.Run(vm.name, func(t *testing.T) {
			path := filepath.Join(modelsDir, vm.name, "model.onnx")
			g, err := readFile(t, path, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if g.Opset != vm.opset {
				t.Errorf("opset %d, want %d", g.Opset, vm.opset)
			}
			if g.Producer != "pytorch" || g.ProducerVer != "1.13.0" {
				t.Errorf("producer %q version %q, want pytorch 1.13.0", g.Producer, g.ProducerVer)
			}
			if g.IRVersion == 0 {
				t.Error("IR version not read")
			}
			checkValues(t, "input", g.RealInputs(), vm.input, vm.inShape)
			checkValues(t, "output", g.Outputs, vm.output, vm.outShape)
			for _, v := range append(g.RealInputs(), g.Outputs...) {
				if v.DType != ir.Float32 {
					t.Errorf("%s has element type %s, want float32", v.Name, v.DType)
				}
			}
			got := map[string]int{}
			for _, oc := range g.OpCounts() {
				got[oc.OpType] = oc.Count
			}
			if !reflect.DeepEqual(got, vm.ops) {
				t.Errorf("op counts %v, want %v", got, vm.ops)
			}
			if !reflect.DeepEqual(g.MetaOrder, vm.metadataKeys) {
				t.Errorf("metadata keys %q, want %q", g.MetaOrder, vm.metadataKeys)
			}
			checkTopological(t, g)
			for name, tensor := range g.Initializers {
				if int64(len(tensor.Float)+len(tensor.Int)) != tensor.Len() {
					t.Errorf("initializer %q: %d values for dims %v", name, len(tensor.Float)+len(tensor.Int), tensor.Dims)
				}
			}
		})
	}
}

func checkValues(t *testing.T, what string, vs []*ir.Value, name, shape string) {
	t.Helper()
	if len(vs) != 1 {
		t.Fatalf("%d graph %ss, want 1", len(vs), what)
	}
	if vs[0].Name != name || vs[0].Shape.String() != shape {
		t.Errorf("graph %s %q %s, want %q %s", what, vs[0].Name, vs[0].Shape, name, shape)
	}
	for _, d := range vs[0].Shape {
		if d.Param != "" && (d.Param != "batch" || !d.Known || d.IsStatic()) {
			t.Errorf("graph %s %q: symbolic dim %+v, want the known symbolic dim batch", what, name, d)
		}
	}
}

// checkTopological checks that every node comes after the producers of its inputs.
func checkTopological(t *testing.T, g *ir.Graph) {
	t.Helper()
	have := map[string]bool{"": true}
	for _, v := range g.Inputs {
		have[v.Name] = true
	}
	for name := range g.Initializers {
		have[name] = true
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if !have[in] {
				t.Errorf("%s reads %q before it is produced", n, in)
			}
		}
		for _, o := range n.Outputs {
			have[o] = true
		}
	}
}

func TestReadFileMetadata(t *testing.T) {
	g, err := importer.ReadFile(filepath.Join(modelsDir, "adult_mlp", "model.onnx"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enc, ok := g.Metadata["fairbinn.encoding"]
	if !ok {
		t.Fatal("adult_mlp has no fairbinn.encoding metadata")
	}
	var v any
	if err := json.Unmarshal([]byte(enc), &v); err != nil {
		t.Errorf("fairbinn.encoding is not JSON: %v", err)
	}
	if !strings.Contains(enc, "sex") {
		t.Errorf("fairbinn.encoding does not mention the sex column: %.200s", enc)
	}
}

// TestReadFileExternal checks that mlp_static_ext's weights come from weights.bin: the bytes of the
// file, in the order and at the offsets the model gives (every initializer is stored there, in file
// order, packed).
func TestReadFileExternal(t *testing.T) {
	dir := filepath.Join(modelsDir, "mlp_static_ext")
	g, err := importer.ReadFile(filepath.Join(dir, "model.onnx"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "weights.bin"))
	if err != nil {
		t.Fatal(err)
	}
	wantDims := map[string][]int64{
		"w1": {8, 12}, "b1": {12}, "fc2.weight": {6, 12}, "fc2.bias": {6}, "fc3.weight": {1, 6}, "fc3.bias": {1},
	}
	if len(g.InitOrder) != len(wantDims) {
		t.Fatalf("initializers %q, want %d", g.InitOrder, len(wantDims))
	}
	off := 0
	for _, name := range g.InitOrder {
		tensor := g.Initializers[name]
		if !reflect.DeepEqual(tensor.Dims, wantDims[name]) {
			t.Errorf("%s: dims %v, want %v", name, tensor.Dims, wantDims[name])
		}
		if tensor.DType != ir.Float32 || int64(len(tensor.Float)) != tensor.Len() {
			t.Fatalf("%s: %s with %d floats for dims %v", name, tensor.DType, len(tensor.Float), tensor.Dims)
		}
		for i, v := range tensor.Float {
			if off+4 > len(raw) {
				t.Fatalf("%s: weights.bin ends at value %d", name, i)
			}
			if want := math.Float32frombits(binary.LittleEndian.Uint32(raw[off:])); v != want {
				t.Fatalf("%s[%d] = %v, weights.bin holds %v", name, i, v, want)
			}
			off += 4
		}
	}
	if off != len(raw) {
		t.Errorf("the initializers cover %d of the %d bytes of weights.bin", off, len(raw))
	}

	// From bytes there is no folder to read weights.bin from.
	data, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = importer.Read(data, importer.Options{})
	if err == nil || !importer.IsBadModel(err) || !strings.Contains(err.Error(), "not read from a file") {
		t.Errorf("Read of a model with external data: %v; want a bad-model error saying it was not read from a file", err)
	}
}
