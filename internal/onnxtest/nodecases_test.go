package onnxtest

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
)

func marshal(t *testing.T, tp *onnxpb.TensorProto) []byte {
	t.Helper()
	b, err := proto.Marshal(tp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dtype(d onnxpb.TensorProto_DataType) *int32 { return proto.Int32(int32(d)) }

func TestDecodeTensor(t *testing.T) {
	rawF := make([]byte, 8)
	binary.LittleEndian.PutUint32(rawF, math.Float32bits(1.5))
	binary.LittleEndian.PutUint32(rawF[4:], math.Float32bits(-2))
	rawI := make([]byte, 16)
	binary.LittleEndian.PutUint64(rawI, 7)
	binary.LittleEndian.PutUint64(rawI[8:], uint64(1<<64-3)) // -3
	for _, c := range []struct {
		name  string
		tp    *onnxpb.TensorProto
		float []float32
		ints  []int64
		dims  []int64
	}{
		{"float_raw", &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_FLOAT), RawData: rawF}, []float32{1.5, -2}, nil, []int64{2}},
		{"float_data", &onnxpb.TensorProto{Dims: []int64{1, 2}, DataType: dtype(onnxpb.TensorProto_FLOAT), FloatData: []float32{3, 4}}, []float32{3, 4}, nil, []int64{1, 2}},
		{"float_scalar", &onnxpb.TensorProto{DataType: dtype(onnxpb.TensorProto_FLOAT), FloatData: []float32{5}}, []float32{5}, nil, []int64{}},
		{"int64_raw", &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_INT64), RawData: rawI}, nil, []int64{7, -3}, []int64{2}},
		{"int64_data", &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_INT64), Int64Data: []int64{-1, 9}}, nil, []int64{-1, 9}, []int64{2}},
		{"int32_raw", &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_INT32), RawData: []byte{5, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff}}, nil, []int64{5, -2}, []int64{2}},
		{"int32_data", &onnxpb.TensorProto{Dims: []int64{1}, DataType: dtype(onnxpb.TensorProto_INT32), Int32Data: []int32{-7}}, nil, []int64{-7}, []int64{1}},
		{"bool_raw", &onnxpb.TensorProto{Dims: []int64{3}, DataType: dtype(onnxpb.TensorProto_BOOL), RawData: []byte{1, 0, 1}}, nil, []int64{1, 0, 1}, []int64{3}},
		{"bool_int32_data", &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_BOOL), Int32Data: []int32{0, 1}}, nil, []int64{0, 1}, []int64{2}},
		{"empty", &onnxpb.TensorProto{Dims: []int64{0, 3}, DataType: dtype(onnxpb.TensorProto_FLOAT)}, []float32{}, nil, []int64{0, 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeTensor(marshal(t, c.tp))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Dims, c.dims) || !slices.Equal(got.Float, c.float) || !slices.Equal(got.Int, c.ints) {
				t.Errorf("got dims %v float %v int %v", got.Dims, got.Float, got.Int)
			}
			if (c.float != nil) != (got.Float != nil) {
				t.Errorf("Float is %v, want float data %t", got.Float, c.float != nil)
			}
		})
	}

	if _, err := DecodeTensor(marshal(t, &onnxpb.TensorProto{Dims: []int64{1}, DataType: dtype(onnxpb.TensorProto_DOUBLE), DoubleData: []float64{1}})); !errors.Is(err, ErrUnsupported) {
		t.Errorf("double: error %v, want ErrUnsupported", err)
	}
	if _, err := DecodeTensor(marshal(t, &onnxpb.TensorProto{Dims: []int64{3}, DataType: dtype(onnxpb.TensorProto_FLOAT), FloatData: []float32{1}})); err == nil {
		t.Error("3 dims with 1 value: no error")
	}
}

// writeCase writes a node-test folder for a model with the given inputs and outputs.
func writeCase(t *testing.T, dir string, m Model, ins, outs []*onnxpb.TensorProto) {
	t.Helper()
	model, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	set := filepath.Join(dir, "test_data_set_0")
	if err := os.MkdirAll(set, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), model, 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(kind string, tps []*onnxpb.TensorProto) {
		for i, tp := range tps {
			if err := os.WriteFile(filepath.Join(set, kind+"_"+string(rune('0'+i))+".pb"), marshal(t, tp), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("input", ins)
	write("output", outs)
}

func TestCasesAndLoad(t *testing.T) {
	root := t.TempDir()
	relu := Model{Opset: 14, Inputs: []Input{{Name: "x", Shape: []int64{2}}},
		Inits:   []*ir.Tensor{{Name: "w", DType: ir.Float32, Dims: []int64{2}, Float: []float32{1, 1}}},
		Nodes:   []Node{{Op: "Relu", Inputs: []string{"x"}, Outputs: []string{"y"}}},
		Outputs: []string{"y"}}
	x := &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_FLOAT), FloatData: []float32{-1, 2}}
	y := &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_FLOAT), FloatData: []float32{0, 2}}
	writeCase(t, filepath.Join(root, "test_relu"), relu, []*onnxpb.TensorProto{x}, []*onnxpb.TensorProto{y})
	writeCase(t, filepath.Join(root, "test_relu_missing_output"), relu, []*onnxpb.TensorProto{x}, nil)
	d := &onnxpb.TensorProto{Dims: []int64{2}, DataType: dtype(onnxpb.TensorProto_DOUBLE), DoubleData: []float64{-1, 2}}
	writeCase(t, filepath.Join(root, "test_relu_double"), relu, []*onnxpb.TensorProto{d}, []*onnxpb.TensorProto{y})
	writeCase(t, filepath.Join(root, "test_sigmoid"), relu, []*onnxpb.TensorProto{x}, []*onnxpb.TensorProto{y})

	cases, err := Cases(root, []string{"test_relu"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cases {
		names = append(names, c.Name)
	}
	if want := []string{"test_relu", "test_relu_double", "test_relu_missing_output"}; !slices.Equal(names, want) {
		t.Fatalf("cases %v, want %v", names, want)
	}

	model, sets, err := cases[0].Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(model) == 0 || len(sets) != 1 || len(sets[0].Inputs) != 1 || len(sets[0].Outputs) != 1 {
		t.Fatalf("model of %d bytes, sets %+v", len(model), sets)
	}
	if !slices.Equal(sets[0].Outputs[0].Float, []float32{0, 2}) {
		t.Errorf("output %v", sets[0].Outputs[0].Float)
	}
	if opset, err := Opset(model); err != nil || opset != 14 {
		t.Errorf("Opset = %d, %v; want 14", opset, err)
	}
	if _, _, err := cases[1].Load(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("double input: error %v, want ErrUnsupported", err)
	}
	if _, _, err := cases[2].Load(); err == nil {
		t.Error("missing output file: no error")
	}

	all, err := Cases(root, nil)
	if err != nil || len(all) != 4 {
		t.Errorf("Cases with no prefixes: %d cases, %v", len(all), err)
	}
	if _, err := Cases(filepath.Join(root, "absent"), nil); err == nil {
		t.Error("missing folder: no error")
	}
}

func TestDir(t *testing.T) {
	t.Setenv(EnvDir, "")
	if Dir() != DefaultDir {
		t.Errorf("Dir() = %q, want %q", Dir(), DefaultDir)
	}
	t.Setenv(EnvDir, "/tmp/node")
	if Dir() != "/tmp/node" {
		t.Errorf("Dir() = %q with %s set", Dir(), EnvDir)
	}
}

// TestLoadInstalledCase reads one case of the installed corpus (libonnx-testdata, which CI installs).
func TestLoadInstalledCase(t *testing.T) {
	dir := testkit.ExternalDir(t, Dir(), "install libonnx-testdata or set "+EnvDir)
	cases, err := Cases(dir, []string{"test_gemm_default_vector_bias"})
	if err != nil || len(cases) == 0 {
		t.Fatalf("no case test_gemm_default_vector_bias in %s (%v)", dir, err)
	}
	_, sets, err := cases[0].Load()
	if err != nil {
		t.Fatal(err)
	}
	s := sets[0]
	if len(s.Inputs) != 3 || len(s.Outputs) != 1 || !slices.Equal(s.Outputs[0].Dims, []int64{2, 4}) {
		t.Errorf("inputs %d, outputs %d, output dims %v", len(s.Inputs), len(s.Outputs), s.Outputs[0].Dims)
	}
}
