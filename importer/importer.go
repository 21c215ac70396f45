package importer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/models"
)

// Options tunes what the importer accepts.
type Options struct {
	// AllowUnsupportedOps imports graphs with ops the Go forward pass cannot run (inspect uses it); the
	// graph can then be inspected and exported but not lowered.
	AllowUnsupportedOps bool
}

// ReadFile imports the ONNX model at path. External tensor data is read from files inside the model's
// folder only. Errors start with the file name.
func ReadFile(path string, opts Options) (*models.Graph, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g, err := decode(data, filepath.Dir(path), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// Read imports a model from bytes. A model that refers to external data cannot be read this way.
func Read(data []byte, opts Options) (*models.Graph, error) {
	return decode(data, "", opts)
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadModel, fmt.Sprintf(format, args...))
}

func decode(data []byte, dir string, opts Options) (*models.Graph, error) {
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(data, mp); err != nil {
		return nil, bad("not an ONNX model (protobuf decoding failed: %v)", err)
	}
	gp := mp.GetGraph()
	if gp == nil || (len(gp.GetNode()) == 0 && len(gp.GetOutput()) == 0) {
		return nil, bad("not an ONNX model (no graph)")
	}
	g := &models.Graph{
		Name:         gp.GetName(),
		Producer:     mp.GetProducerName(),
		ProducerVer:  mp.GetProducerVersion(),
		IRVersion:    mp.GetIrVersion(),
		Initializers: map[string]*models.Tensor{},
		OtherOpsets:  map[string]int64{},
		Source:       mp,
	}
	for _, op := range mp.GetOpsetImport() {
		if d := op.GetDomain(); d == "" || d == "ai.onnx" {
			g.Opset = op.GetVersion()
		} else {
			g.OtherOpsets[d] = op.GetVersion()
		}
	}
	if g.Opset == 0 {
		return nil, bad("no opset import for the default ONNX domain")
	}
	if g.Opset < MinOpset || g.Opset > MaxOpset {
		return nil, bad("unsupported opset %d (supported: %d to %d)", g.Opset, MinOpset, MaxOpset)
	}
	for _, kv := range mp.GetMetadataProps() {
		g.SetMetadata(kv.GetKey(), kv.GetValue())
	}
	for _, tp := range gp.GetInitializer() {
		t, err := decodeTensor(tp, dir)
		if err != nil {
			return nil, fmt.Errorf("initializer %q: %w", tp.GetName(), err)
		}
		if _, dup := g.Initializers[t.Name]; dup {
			return nil, bad("initializer %q defined twice", t.Name)
		}
		g.Initializers[t.Name] = t
		g.InitOrder = append(g.InitOrder, t.Name)
	}
	if len(gp.GetSparseInitializer()) > 0 {
		return nil, bad("sparse initializers are not supported")
	}
	for _, vi := range gp.GetInput() {
		g.Inputs = append(g.Inputs, decodeValue(vi))
	}
	for _, vi := range gp.GetOutput() {
		g.Outputs = append(g.Outputs, decodeValue(vi))
	}
	if len(g.Outputs) == 0 {
		return nil, bad("graph has no output")
	}
	nodes := make([]*models.Node, 0, len(gp.GetNode()))
	for i, np := range gp.GetNode() {
		n, err := decodeNode(np, i, dir)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	sorted, err := topoSort(g, nodes)
	if err != nil {
		return nil, err
	}
	g.Nodes = sorted
	if !opts.AllowUnsupportedOps {
		if err := models.CheckSupported(g); err != nil {
			return nil, bad("%v", err)
		}
	}
	return g, nil
}

func decodeValue(vi *onnxpb.ValueInfoProto) *models.Value {
	v := &models.Value{Name: vi.GetName(), Source: vi}
	tt := vi.GetType().GetTensorType()
	if tt == nil {
		return v
	}
	v.DType = models.DType(tt.GetElemType())
	if tt.GetShape() == nil {
		return v
	}
	v.Shape = models.Shape{}
	for _, d := range tt.GetShape().GetDim() {
		switch {
		case d.GetDimParam() != "":
			v.Shape = append(v.Shape, models.Symbolic(d.GetDimParam()))
		case d.GetValue() != nil:
			if _, ok := d.GetValue().(*onnxpb.TensorShapeProto_Dimension_DimValue); ok {
				v.Shape = append(v.Shape, models.Fixed(d.GetDimValue()))
				continue
			}
			v.Shape = append(v.Shape, models.Dim{})
		default:
			v.Shape = append(v.Shape, models.Dim{})
		}
	}
	return v
}

func decodeNode(np *onnxpb.NodeProto, index int, dir string) (*models.Node, error) {
	n := &models.Node{
		Name:    np.GetName(),
		OpType:  np.GetOpType(),
		Domain:  np.GetDomain(),
		Inputs:  append([]string(nil), np.GetInput()...),
		Outputs: append([]string(nil), np.GetOutput()...),
		Attrs:   map[string]models.Attr{},
		Source:  np,
	}
	if n.Domain == "ai.onnx" {
		n.Domain = ""
	}
	if n.Name == "" {
		n.Name = fmt.Sprintf("%s_%d", n.OpType, index)
	}
	for _, ap := range np.GetAttribute() {
		a := models.Attr{Type: models.AttrType(ap.GetType())}
		switch ap.GetType() {
		case onnxpb.AttributeProto_FLOAT:
			a.Float = ap.GetF()
		case onnxpb.AttributeProto_INT:
			a.Int = ap.GetI()
		case onnxpb.AttributeProto_STRING:
			a.String = string(ap.GetS())
		case onnxpb.AttributeProto_FLOATS:
			a.Floats = ap.GetFloats()
		case onnxpb.AttributeProto_INTS:
			a.Ints = ap.GetInts()
		case onnxpb.AttributeProto_STRINGS:
			for _, s := range ap.GetStrings() {
				a.Strings = append(a.Strings, string(s))
			}
		case onnxpb.AttributeProto_TENSOR:
			t, err := decodeTensor(ap.GetT(), dir)
			if err != nil {
				return nil, fmt.Errorf("%s: attribute %q: %w", n, ap.GetName(), err)
			}
			a.Tensor = t
		}
		n.Attrs[ap.GetName()] = a
	}
	return n, nil
}

// decodeTensor turns a TensorProto into a models.Tensor, checking that the data matches the dims and
// holds no NaN or Inf.
func decodeTensor(tp *onnxpb.TensorProto, dir string) (*models.Tensor, error) {
	t := &models.Tensor{Name: tp.GetName(), DType: models.DType(tp.GetDataType()), Dims: tp.GetDims(), Source: tp}
	for _, d := range t.Dims {
		if d < 0 {
			return nil, bad("negative dim %d in %v", d, t.Dims)
		}
	}
	want := t.Len()
	raw := tp.GetRawData()
	if tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		var err error
		if raw, err = readExternal(tp, dir); err != nil {
			return nil, err
		}
	}
	hasRaw := tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || tp.RawData != nil
	var got int64
	switch t.DType {
	case models.Float32:
		if hasRaw {
			if int64(len(raw)) != want*4 {
				return nil, bad("dims %v want %d float32 values, raw data holds %d bytes", t.Dims, want, len(raw))
			}
			t.Float = make([]float32, want)
			for i := range t.Float {
				t.Float[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		} else {
			t.Float = tp.GetFloatData()
		}
		got = int64(len(t.Float))
	case models.Float64:
		if hasRaw {
			if int64(len(raw)) != want*8 {
				return nil, bad("dims %v want %d float64 values, raw data holds %d bytes", t.Dims, want, len(raw))
			}
			t.Float = make([]float32, want)
			for i := range t.Float {
				t.Float[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
			}
		} else {
			for _, v := range tp.GetDoubleData() {
				t.Float = append(t.Float, float32(v))
			}
		}
		got = int64(len(t.Float))
	case models.Int64:
		if hasRaw {
			if int64(len(raw)) != want*8 {
				return nil, bad("dims %v want %d int64 values, raw data holds %d bytes", t.Dims, want, len(raw))
			}
			t.Int = make([]int64, want)
			for i := range t.Int {
				t.Int[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		} else {
			t.Int = tp.GetInt64Data()
		}
		got = int64(len(t.Int))
	case models.Int32, models.Int8, models.Uint8, models.Bool:
		size := map[models.DType]int64{models.Int32: 4, models.Int8: 1, models.Uint8: 1, models.Bool: 1}[t.DType]
		if hasRaw {
			if int64(len(raw)) != want*size {
				return nil, bad("dims %v want %d %s values, raw data holds %d bytes", t.Dims, want, t.DType, len(raw))
			}
			t.Int = make([]int64, want)
			for i := range t.Int {
				switch t.DType {
				case models.Int32:
					t.Int[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
				case models.Int8:
					t.Int[i] = int64(int8(raw[i]))
				default:
					t.Int[i] = int64(raw[i])
				}
			}
		} else {
			for _, v := range tp.GetInt32Data() {
				t.Int = append(t.Int, int64(v))
			}
		}
		got = int64(len(t.Int))
	default:
		// Other types (strings, float16, ...) are carried through to export untouched; no op the Go
		// forward pass supports reads them.
		return t, nil
	}
	if got != want {
		return nil, bad("dims %v want %d values, the tensor holds %d", t.Dims, want, got)
	}
	for i, v := range t.Float {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, bad("value %d is %v (weights must be finite)", i, v)
		}
	}
	return t, nil
}

// readExternal reads the bytes of an externally stored tensor. The location must name a file inside the
// model's folder: a model must not make the importer read arbitrary files.
func readExternal(tp *onnxpb.TensorProto, dir string) ([]byte, error) {
	var location string
	var offset, length int64 = 0, -1
	for _, kv := range tp.GetExternalData() {
		var err error
		switch kv.GetKey() {
		case "location":
			location = kv.GetValue()
		case "offset":
			offset, err = strconv.ParseInt(kv.GetValue(), 10, 64)
		case "length":
			length, err = strconv.ParseInt(kv.GetValue(), 10, 64)
		}
		if err != nil {
			return nil, bad("external data %s %q is not an integer", kv.GetKey(), kv.GetValue())
		}
	}
	if location == "" {
		return nil, bad("external data without a location")
	}
	if dir == "" {
		return nil, bad("external data %q cannot be read when the model is not read from a file", location)
	}
	if !filepath.IsLocal(location) {
		return nil, bad("external data path %q leaves the model's folder", location)
	}
	path := filepath.Join(dir, location)
	// A symlink inside the folder may still point outside it.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		realDir, _ := filepath.EvalSymlinks(dir)
		if rel, err := filepath.Rel(realDir, real); err != nil || !filepath.IsLocal(rel) {
			return nil, bad("external data path %q leaves the model's folder", location)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, bad("external data: %v", err)
	}
	defer f.Close()
	if offset < 0 {
		return nil, bad("external data offset %d is negative", offset)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, bad("external data %q: %v", location, err)
	}
	if length < 0 {
		return io.ReadAll(f)
	}
	buf := make([]byte, length)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, bad("external data %q: want %d bytes at offset %d: %v", location, length, offset, err)
	}
	return buf, nil
}

// topoSort orders the nodes so each comes after the producers of its inputs, keeping file order where
// the graph allows (stable), and reports dangling inputs and cycles.
func topoSort(g *models.Graph, nodes []*models.Node) ([]*models.Node, error) {
	available := map[string]bool{"": true}
	for _, v := range g.Inputs {
		available[v.Name] = true
	}
	for name := range g.Initializers {
		available[name] = true
	}
	producer := map[string]int{}
	for i, n := range nodes {
		for _, o := range n.Outputs {
			if o == "" {
				continue
			}
			if available[o] {
				return nil, bad("%s: output %q is also a graph input or initializer", n, o)
			}
			if j, dup := producer[o]; dup {
				return nil, bad("%s: output %q is already produced by %s", n, o, nodes[j])
			}
			producer[o] = i
		}
	}
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if _, ok := producer[in]; !ok && !available[in] {
				return nil, bad("%s: input %q is produced by no node and is not a graph input or initializer", n, in)
			}
		}
	}
	for _, v := range g.Outputs {
		if _, ok := producer[v.Name]; !ok && !available[v.Name] {
			return nil, bad("graph output %q is produced by no node", v.Name)
		}
	}
	// Kahn's algorithm, always taking the lowest file index that is ready.
	indeg := make([]int, len(nodes))
	users := make([][]int, len(nodes))
	for i, n := range nodes {
		seen := map[int]bool{}
		for _, in := range n.Inputs {
			if j, ok := producer[in]; ok && !seen[j] {
				seen[j] = true
				indeg[i]++
				users[j] = append(users[j], i)
			}
		}
	}
	var ready []int
	for i := range nodes {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	out := make([]*models.Node, 0, len(nodes))
	for len(ready) > 0 {
		sort.Ints(ready)
		i := ready[0]
		ready = ready[1:]
		out = append(out, nodes[i])
		for _, u := range users[i] {
			if indeg[u]--; indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) != len(nodes) {
		var stuck []string
		for i, n := range nodes {
			if indeg[i] > 0 {
				stuck = append(stuck, fmt.Sprintf("%q", n.Name))
			}
		}
		if len(stuck) > 5 {
			stuck = append(stuck[:5], "...")
		}
		return nil, bad("graph has a cycle through nodes %s", strings.Join(stuck, ", "))
	}
	return out, nil
}

// IsBadModel reports whether err is about the content of a model file.
func IsBadModel(err error) bool { return errors.Is(err, ErrBadModel) }
