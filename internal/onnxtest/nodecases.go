package onnxtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/ir"
)

// EnvDir names the environment variable that overrides DefaultDir.
const EnvDir = "ONNX_NODE_TESTS_DIR"

// DefaultDir is where Debian's libonnx-testdata installs the node tests.
const DefaultDir = "/usr/share/libonnx-testdata/data/node"

// ErrUnsupported is wrapped when a case holds values this package does not convert (element types other
// than float32, int64, int32 and bool; optional or sequence values).
var ErrUnsupported = errors.New("unsupported test value")

// Dir returns the node-test folder: $ONNX_NODE_TESTS_DIR if set, else DefaultDir.
func Dir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return DefaultDir
}

// Case is one node test: a folder holding model.onnx and test_data_set_N folders.
type Case struct {
	Name string // the folder name, such as "test_gemm_default_vector_bias"
	Dir  string
}

// DataSet is one test_data_set_N: the inputs in the order of the graph inputs that are not initializers,
// and the expected outputs in the order of the graph outputs.
type DataSet struct {
	Name    string
	Inputs  []*ir.Tensor
	Outputs []*ir.Tensor
}

// Cases lists, sorted by name, the cases in dir whose name starts with one of the prefixes (all cases when
// prefixes is empty).
func Cases(dir string, prefixes []string) ([]Case, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		if len(prefixes) > 0 && !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		out = append(out, Case{Name: name, Dir: filepath.Join(dir, name)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Load reads the case's model bytes and its data sets, sorted by name.
func (c Case) Load() (model []byte, sets []DataSet, err error) {
	if model, err = os.ReadFile(filepath.Join(c.Dir, "model.onnx")); err != nil {
		return nil, nil, err
	}
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(model, mp); err != nil {
		return nil, nil, fmt.Errorf("%s: model.onnx: %w", c.Name, err)
	}
	nIn, nOut, err := tensorIO(mp.GetGraph())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	dirs, err := filepath.Glob(filepath.Join(c.Dir, "test_data_set_*"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		set := DataSet{Name: filepath.Base(d)}
		if set.Inputs, err = readTensors(d, "input", nIn); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		if set.Outputs, err = readTensors(d, "output", nOut); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		sets = append(sets, set)
	}
	if len(sets) == 0 {
		return nil, nil, fmt.Errorf("%s: no test_data_set_* folder", c.Name)
	}
	return model, sets, nil
}

// Opset returns the version of the default ONNX domain that a model imports.
func Opset(model []byte) (int64, error) {
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(model, mp); err != nil {
		return 0, err
	}
	for _, op := range mp.GetOpsetImport() {
		if d := op.GetDomain(); d == "" || d == "ai.onnx" {
			return op.GetVersion(), nil
		}
	}
	return 0, errors.New("no opset import for the default ONNX domain")
}

// tensorIO counts the graph inputs that are not initializers and the outputs, checking that all are
// tensors: optional and sequence values are stored as other protos than TensorProto.
func tensorIO(g *onnxpb.GraphProto) (nIn, nOut int, err error) {
	inits := map[string]bool{}
	for _, t := range g.GetInitializer() {
		inits[t.GetName()] = true
	}
	check := func(v *onnxpb.ValueInfoProto) error {
		if v.GetType().GetTensorType() == nil {
			return fmt.Errorf("%w: %q is not a tensor", ErrUnsupported, v.GetName())
		}
		return nil
	}
	for _, v := range g.GetInput() {
		if inits[v.GetName()] {
			continue
		}
		if err := check(v); err != nil {
			return 0, 0, err
		}
		nIn++
	}
	for _, v := range g.GetOutput() {
		if err := check(v); err != nil {
			return 0, 0, err
		}
		nOut++
	}
	return nIn, nOut, nil
}

func readTensors(dir, kind string, n int) ([]*ir.Tensor, error) {
	files, err := filepath.Glob(filepath.Join(dir, kind+"_*.pb"))
	if err != nil {
		return nil, err
	}
	if len(files) != n {
		return nil, fmt.Errorf("%s: %d %s files for %d graph %ss", filepath.Base(dir), len(files), kind, n, kind)
	}
	out := make([]*ir.Tensor, n)
	for i := range out {
		path := filepath.Join(dir, fmt.Sprintf("%s_%d.pb", kind, i))
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if out[i], err = DecodeTensor(data); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", filepath.Base(dir), filepath.Base(path), err)
		}
	}
	return out, nil
}

// DecodeTensor converts a serialized TensorProto holding float32, int64, int32 or bool data to a
// ir.Tensor (integers and bools, as 0/1, in Int).
func DecodeTensor(data []byte) (*ir.Tensor, error) {
	tp := &onnxpb.TensorProto{}
	if err := proto.Unmarshal(data, tp); err != nil {
		return nil, err
	}
	t := &ir.Tensor{Name: tp.GetName(), DType: ir.DType(tp.GetDataType()), Dims: tp.GetDims()}
	if t.Dims == nil {
		t.Dims = []int64{}
	}
	n := t.Len()
	raw := tp.GetRawData()
	switch t.DType {
	case ir.Float32:
		if raw != nil {
			if int64(len(raw)) != 4*n {
				return nil, fmt.Errorf("dims %v want %d float32 values, raw data holds %d bytes", t.Dims, n, len(raw))
			}
			t.Float = make([]float32, n)
			for i := range t.Float {
				t.Float[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		} else {
			t.Float = slices.Clone(tp.GetFloatData())
		}
		if int64(len(t.Float)) != n {
			return nil, fmt.Errorf("dims %v want %d values, the tensor holds %d", t.Dims, n, len(t.Float))
		}
		if t.Float == nil {
			t.Float = []float32{}
		}
	case ir.Int64, ir.Int32, ir.Bool:
		size := map[ir.DType]int64{ir.Int64: 8, ir.Int32: 4, ir.Bool: 1}[t.DType]
		switch {
		case raw != nil:
			if int64(len(raw)) != size*n {
				return nil, fmt.Errorf("dims %v want %d %s values, raw data holds %d bytes", t.Dims, n, t.DType, len(raw))
			}
			t.Int = make([]int64, n)
			for i := range t.Int {
				switch size {
				case 8:
					t.Int[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
				case 4:
					t.Int[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
				default:
					t.Int[i] = int64(raw[i])
				}
			}
		case t.DType == ir.Int64:
			t.Int = slices.Clone(tp.GetInt64Data())
		default:
			for _, v := range tp.GetInt32Data() {
				t.Int = append(t.Int, int64(v))
			}
		}
		if int64(len(t.Int)) != n {
			return nil, fmt.Errorf("dims %v want %d values, the tensor holds %d", t.Dims, n, len(t.Int))
		}
		if t.Int == nil {
			t.Int = []int64{}
		}
	default:
		return nil, fmt.Errorf("%w: element type %s", ErrUnsupported, t.DType)
	}
	return t, nil
}
