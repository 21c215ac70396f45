package importer

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/fairbinn/fairbinn-go/internal/onnxpb"
	"github.com/fairbinn/fairbinn-go/ir"
)

// Options tunes what the importer accepts. The importer checks that a file is a well-formed ONNX model; it
// does not check which ops fairbinn's Go forward pass implements (lower.CheckSupported does), because
// every valid model can be inspected, exported and run in onnxruntime.
type Options struct{}

// ReadFile imports the ONNX model at path. External tensor data is read from files inside the model's
// folder only. Errors start with the file name.
func ReadFile(path string, opts Options) (*ir.Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var g *ir.Graph
	if !fi.Mode().IsRegular() {
		// Not a plain file (a pipe, a device): read it whole, the size is not known in advance.
		var data []byte
		if data, err = io.ReadAll(f); err != nil {
			return nil, err
		}
		g, err = decode(bufio.NewReader(bytes.NewReader(data)), int64(len(data)), filepath.Dir(path), opts)
	} else {
		// The file is read as a stream: only the tensors' data is kept, not the file's bytes as well.
		g, err = decode(bufio.NewReaderSize(f, 1<<20), fi.Size(), filepath.Dir(path), opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// Read imports a model from bytes. A model that refers to external data cannot be read this way.
func Read(data []byte, opts Options) (*ir.Graph, error) {
	return decode(bufio.NewReader(bytes.NewReader(data)), int64(len(data)), "", opts)
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadModel, fmt.Sprintf(format, args...))
}

func decode(r *bufio.Reader, size int64, dir string, opts Options) (*ir.Graph, error) {
	mp, err := unmarshalModel(r, size)
	if err != nil {
		return nil, bad("not an ONNX model (protobuf decoding failed: %v)", err)
	}
	gp := mp.GetGraph()
	if gp == nil || (len(gp.GetNode()) == 0 && len(gp.GetOutput()) == 0) {
		return nil, bad("not an ONNX model (no graph)")
	}
	g := &ir.Graph{
		Name:         gp.GetName(),
		Producer:     mp.GetProducerName(),
		ProducerVer:  mp.GetProducerVersion(),
		IRVersion:    mp.GetIrVersion(),
		Initializers: map[string]*ir.Tensor{},
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
	nodes := make([]*ir.Node, 0, len(gp.GetNode()))
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
	return g, nil
}

func decodeValue(vi *onnxpb.ValueInfoProto) *ir.Value {
	v := &ir.Value{Name: vi.GetName(), Source: vi}
	tt := vi.GetType().GetTensorType()
	if tt == nil {
		return v
	}
	v.DType = ir.DType(tt.GetElemType())
	if tt.GetShape() == nil {
		return v
	}
	v.Shape = ir.Shape{}
	for _, d := range tt.GetShape().GetDim() {
		switch {
		case d.GetDimParam() != "":
			v.Shape = append(v.Shape, ir.Symbolic(d.GetDimParam()))
		case d.GetValue() != nil:
			if _, ok := d.GetValue().(*onnxpb.TensorShapeProto_Dimension_DimValue); ok {
				v.Shape = append(v.Shape, ir.Fixed(d.GetDimValue()))
				continue
			}
			v.Shape = append(v.Shape, ir.Dim{})
		default:
			v.Shape = append(v.Shape, ir.Dim{})
		}
	}
	return v
}

func validOpType(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r == ' ' || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func decodeNode(np *onnxpb.NodeProto, index int, dir string) (*ir.Node, error) {
	n := &ir.Node{
		Name:    np.GetName(),
		OpType:  np.GetOpType(),
		Domain:  np.GetDomain(),
		Inputs:  append([]string(nil), np.GetInput()...),
		Outputs: append([]string(nil), np.GetOutput()...),
		Attrs:   map[string]ir.Attr{},
		Source:  np,
	}
	if n.Domain == "ai.onnx" {
		n.Domain = ""
	}
	// Op types are printed unquoted in messages (node "x" (op T)); one that is empty or holds spaces or
	// control characters is no valid op and would break the one-line error format.
	if !validOpType(n.OpType) {
		return nil, bad("node %q (index %d): op type %q is not a valid op name", n.Name, index, n.OpType)
	}
	if n.Name == "" {
		n.Name = fmt.Sprintf("%s_%d", n.OpType, index)
	}
	for _, ap := range np.GetAttribute() {
		a := ir.Attr{Type: ir.AttrType(ap.GetType())}
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

// decodeTensor turns a TensorProto into a ir.Tensor, checking that the data matches the dims and
// holds no NaN or Inf.
func decodeTensor(tp *onnxpb.TensorProto, dir string) (*ir.Tensor, error) {
	t := &ir.Tensor{Name: tp.GetName(), DType: ir.DType(tp.GetDataType()), Dims: tp.GetDims(), Source: tp}
	want, err := elementCount(t.Dims)
	if err != nil {
		return nil, err
	}
	raw := tp.GetRawData()
	if tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		if raw, err = readExternal(tp, dir); err != nil {
			return nil, err
		}
		// The tensor's protobuf becomes a copy with the data inline: the exporter writes an unchanged
		// tensor from it byte for byte, whatever its element type (the IR keeps float64 data as float32
		// and does not hold float16 or other data at all), and the exported file stands alone.
		inline := proto.Clone(tp).(*onnxpb.TensorProto)
		inline.RawData = raw
		inline.ExternalData = nil
		inline.DataLocation = nil
		t.Source = inline
	}
	hasRaw := tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || tp.RawData != nil
	var got int64
	switch t.DType {
	case ir.Float32:
		if hasRaw {
			if int64(len(raw)) != want*4 {
				return nil, bad("dims %v want %d float32 values, raw data holds %d bytes", t.Dims, want, len(raw))
			}
			if t.Float = aliasFloat32(raw); t.Float == nil {
				t.Float = make([]float32, want)
				for i := range t.Float {
					t.Float[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
				}
			}
		} else {
			t.Float = tp.GetFloatData()
		}
		got = int64(len(t.Float))
	case ir.Float64:
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
	case ir.Int64:
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
	case ir.Int32, ir.Int8, ir.Uint8, ir.Bool:
		size := map[ir.DType]int64{ir.Int32: 4, ir.Int8: 1, ir.Uint8: 1, ir.Bool: 1}[t.DType]
		if hasRaw {
			if int64(len(raw)) != want*size {
				return nil, bad("dims %v want %d %s values, raw data holds %d bytes", t.Dims, want, t.DType, len(raw))
			}
			t.Int = make([]int64, want)
			for i := range t.Int {
				switch t.DType {
				case ir.Int32:
					t.Int[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
				case ir.Int8:
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

// maxElements bounds the number of elements of one tensor, so that byte sizes (up to 8 bytes an
// element here) cannot overflow an int64.
const maxElements = math.MaxInt64 / 16

// elementCount returns the number of elements the dims describe, rejecting negative dims and products
// that overflow (dims such as [2^32, 2^32] would otherwise wrap around to a small count).
func elementCount(dims []int64) (int64, error) {
	for _, d := range dims {
		if d < 0 {
			return 0, bad("negative dim %d in %v", d, dims)
		}
		if d == 0 {
			return 0, nil
		}
	}
	n := int64(1)
	for _, d := range dims {
		if n > maxElements/d {
			return 0, bad("dims %v describe more than %d elements", dims, int64(maxElements))
		}
		n *= d
	}
	return n, nil
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
			if err == nil && offset < 0 {
				return nil, bad("external data offset %d is negative", offset)
			}
		case "length":
			length, err = strconv.ParseInt(kv.GetValue(), 10, 64)
			if err == nil && length < 0 {
				return nil, bad("external data length %d is negative", length)
			}
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
	// Errors name the location as the model gives it (quoted), not the joined path.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, bad("external data %q: %v", location, pathErr(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, bad("external data %q is not a regular file", location)
	}
	// Check the range against the file's size before allocating: the length comes from the model.
	size := fi.Size()
	if length < 0 {
		if offset > size {
			return nil, bad("external data %q: offset %d is past the end of the file (%d bytes)", location, offset, size)
		}
		length = size - offset
	} else if offset > size || length > size-offset {
		return nil, bad("external data %q: want %d bytes at offset %d, the file holds %d bytes", location, length, offset, size)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, bad("external data %q: %v", location, pathErr(err))
	}
	defer f.Close()
	buf := make([]byte, length)
	if _, err := f.ReadAt(buf, offset); err != nil {
		return nil, bad("external data %q: want %d bytes at offset %d: %v", location, length, offset, pathErr(err))
	}
	return buf, nil
}

// pathErr drops the path from an *fs.PathError, leaving the reason.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// topoSort orders the nodes so each comes after the producers of its inputs, keeping file order where
// the graph allows (stable), and reports dangling inputs and cycles.
func topoSort(g *ir.Graph, nodes []*ir.Node) ([]*ir.Node, error) {
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
	// A min-heap of ready indices: sorting the ready list at every step made large graphs quadratic.
	ready := &indexHeap{}
	for i := range nodes {
		if indeg[i] == 0 {
			*ready = append(*ready, i)
		}
	}
	heap.Init(ready)
	out := make([]*ir.Node, 0, len(nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		out = append(out, nodes[i])
		for _, u := range users[i] {
			if indeg[u]--; indeg[u] == 0 {
				heap.Push(ready, u)
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

// indexHeap is a min-heap of node indices (container/heap).
type indexHeap []int

func (h indexHeap) Len() int           { return len(h) }
func (h indexHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h indexHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *indexHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *indexHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// IsBadModel reports whether err is about the content of a model file.
func IsBadModel(err error) bool { return errors.Is(err, ErrBadModel) }

// littleEndian reports whether this machine stores numbers little-endian, as raw_data does.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// aliasFloat32 returns raw as float32 values without copying, when the machine is little-endian and raw
// is aligned for float32; else nil. The tensor's data and its protobuf's raw_data then share memory, so
// the model is held once.
func aliasFloat32(raw []byte) []float32 {
	if !littleEndian || len(raw) == 0 || len(raw)%4 != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(raw)))%4 != 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw)/4)
}

// Field numbers read by unmarshalModel.
const (
	modelGraphField       = 7
	graphInitializerField = 5
	tensorRawDataField    = 9
)

// wireReader reads protobuf wire format from a stream, never past a limit.
type wireReader struct {
	r       *bufio.Reader
	n       int64    // bytes left
	scratch [10]byte // the bytes of the varint being read, when they are not kept
}

var errTruncated = errors.New("unexpected end of data")

func (w *wireReader) byte() (byte, error) {
	if w.n <= 0 {
		return 0, errTruncated
	}
	b, err := w.r.ReadByte()
	if err != nil {
		return 0, errTruncated
	}
	w.n--
	return b, nil
}

func (w *wireReader) varint() (uint64, error) {
	_, v, err := w.appendVarint(w.scratch[:0])
	return v, err
}

// appendVarint reads a variable-length integer and appends its bytes as they were to dst: an unknown
// field is kept byte for byte, as proto.Unmarshal keeps it, even where its encoding is not the shortest.
func (w *wireReader) appendVarint(dst []byte) ([]byte, uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := w.byte()
		if err != nil {
			return nil, 0, err
		}
		dst = append(dst, b)
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return dst, v, nil
		}
	}
	return nil, 0, errors.New("variable-length integer overflow")
}

func (w *wireReader) full(buf []byte) error {
	if int64(len(buf)) > w.n {
		return errTruncated
	}
	if _, err := io.ReadFull(w.r, buf); err != nil {
		return errTruncated
	}
	w.n -= int64(len(buf))
	return nil
}

// appendTag reads a field's key and appends its bytes as they were to dst.
func (w *wireReader) appendTag(dst []byte) ([]byte, protowire.Number, protowire.Type, error) {
	dst, v, err := w.appendVarint(dst)
	if err != nil {
		return nil, 0, 0, err
	}
	num, typ := protowire.DecodeTag(v)
	if num < protowire.MinValidNumber || num > protowire.MaxValidNumber {
		return nil, 0, 0, fmt.Errorf("invalid field number %d", num)
	}
	return dst, num, typ, nil
}

// length reads the length of a length-delimited field and checks it against what is left.
func (w *wireReader) length() (int64, error) {
	v, err := w.varint()
	if err != nil {
		return 0, err
	}
	if v > uint64(w.n) {
		return 0, errTruncated
	}
	return int64(v), nil
}

// appendValue appends the value of a field whose key was just read (and is already in dst) to dst.
func (w *wireReader) appendValue(dst []byte, num protowire.Number, typ protowire.Type) ([]byte, error) {
	return w.appendValueDepth(dst, num, typ, 0)
}

// maxGroupDepth bounds the nesting of groups, as proto.Unmarshal bounds recursion.
const maxGroupDepth = 10000

func (w *wireReader) appendValueDepth(dst []byte, num protowire.Number, typ protowire.Type, depth int) ([]byte, error) {
	switch typ {
	case protowire.VarintType:
		dst, _, err := w.appendVarint(dst)
		return dst, err
	case protowire.Fixed32Type, protowire.Fixed64Type:
		size := 4
		if typ == protowire.Fixed64Type {
			size = 8
		}
		dst = append(dst, make([]byte, size)...)
		return dst, w.full(dst[len(dst)-size:])
	case protowire.BytesType:
		dst, v, err := w.appendVarint(dst)
		if err != nil {
			return nil, err
		}
		if v > uint64(w.n) {
			return nil, errTruncated
		}
		n := int64(v)
		dst = append(dst, make([]byte, n)...)
		return dst, w.full(dst[int64(len(dst))-n:])
	case protowire.StartGroupType:
		if depth >= maxGroupDepth {
			return nil, errors.New("groups nested too deeply")
		}
		for {
			var n protowire.Number
			var t protowire.Type
			var err error
			if dst, n, t, err = w.appendTag(dst); err != nil {
				return nil, err
			}
			if t == protowire.EndGroupType {
				if n != num {
					return nil, errors.New("mismatching end group marker")
				}
				return dst, nil
			}
			if dst, err = w.appendValueDepth(dst, n, t, depth+1); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("invalid wire type %d", typ)
	}
}

// unmarshalModel decodes a ModelProto of size bytes from r, as proto.Unmarshal does, but reads the
// initializers' raw_data straight into memory aligned for float32 and keeps no other copy of it: the
// fields around them are gathered and decoded with proto.Unmarshal, and the initializers appended in
// file order (repeated graph fields merge, as the protobuf rules say).
func unmarshalModel(r *bufio.Reader, size int64) (*onnxpb.ModelProto, error) {
	w := &wireReader{r: r, n: size}
	var rest, graphRest []byte
	var inits []*onnxpb.TensorProto
	hasGraph := false
	for w.n > 0 {
		key, num, typ, err := w.appendTag(w.scratch[:0])
		if err != nil {
			return nil, err
		}
		if num != modelGraphField || typ != protowire.BytesType {
			rest = append(rest, key...)
			if rest, err = w.appendValue(rest, num, typ); err != nil {
				return nil, err
			}
			continue
		}
		n, err := w.length()
		if err != nil {
			return nil, err
		}
		hasGraph = true
		after := w.n - n
		w.n = n
		for w.n > 0 {
			key, num, typ, err := w.appendTag(w.scratch[:0])
			if err != nil {
				return nil, err
			}
			if num != graphInitializerField || typ != protowire.BytesType {
				graphRest = append(graphRest, key...)
				if graphRest, err = w.appendValue(graphRest, num, typ); err != nil {
					return nil, err
				}
				continue
			}
			tp, err := w.tensor()
			if err != nil {
				return nil, err
			}
			inits = append(inits, tp)
		}
		w.n = after
	}
	mp := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(rest, mp); err != nil {
		return nil, err
	}
	if hasGraph {
		gp := &onnxpb.GraphProto{}
		if err := proto.Unmarshal(graphRest, gp); err != nil {
			return nil, err
		}
		gp.Initializer = inits
		mp.Graph = gp
	}
	return mp, nil
}

// tensor decodes a length-delimited TensorProto, reading its raw_data into float32-aligned memory.
func (w *wireReader) tensor() (*onnxpb.TensorProto, error) {
	n, err := w.length()
	if err != nil {
		return nil, err
	}
	after := w.n - n
	w.n = n
	var rest, raw []byte
	for w.n > 0 {
		key, num, typ, err := w.appendTag(w.scratch[:0])
		if err != nil {
			return nil, err
		}
		if num != tensorRawDataField || typ != protowire.BytesType {
			rest = append(rest, key...)
			if rest, err = w.appendValue(rest, num, typ); err != nil {
				return nil, err
			}
			continue
		}
		size, err := w.length()
		if err != nil {
			return nil, err
		}
		// The last raw_data wins, as for any non-repeated field.
		buf := make([]float32, (size+3)/4)
		raw = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(buf))), size)
		if size == 0 {
			raw = []byte{}
		}
		if err := w.full(raw); err != nil {
			return nil, err
		}
	}
	w.n = after
	tp := &onnxpb.TensorProto{}
	if err := proto.Unmarshal(rest, tp); err != nil {
		return nil, err
	}
	if raw != nil {
		tp.RawData = raw
	}
	return tp, nil
}
