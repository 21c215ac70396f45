package ir

import (
	"fmt"
	"sort"
)

// DType is a tensor element type. Its values are those of ONNX's TensorProto.DataType.
type DType int32

// The element types the IR knows by name. Others are carried through as their ONNX number.
const (
	Undefined DType = 0
	Float32   DType = 1
	Uint8     DType = 2
	Int8      DType = 3
	Int32     DType = 6
	Int64     DType = 7
	String    DType = 8
	Bool      DType = 9
	Float16   DType = 10
	Float64   DType = 11
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Uint8:
		return "uint8"
	case Int8:
		return "int8"
	case Int32:
		return "int32"
	case Int64:
		return "int64"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Float16:
		return "float16"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("dtype(%d)", int32(d))
}

// Dim is one dimension of a shape: a fixed size, or a symbolic name such as "batch" (Param set, Value 0),
// or unknown (both zero-valued, Known false).
type Dim struct {
	Value int64
	Param string
	Known bool
}

// Fixed returns a dimension of the given size.
func Fixed(n int64) Dim { return Dim{Value: n, Known: true} }

// Symbolic returns a named dimension whose size is set at run time.
func Symbolic(name string) Dim { return Dim{Param: name, Known: true} }

// IsStatic reports whether the dimension has a fixed size.
func (d Dim) IsStatic() bool { return d.Known && d.Param == "" }

func (d Dim) String() string {
	switch {
	case !d.Known:
		return "?"
	case d.Param != "":
		return d.Param
	}
	return fmt.Sprint(d.Value)
}

// Shape is a tensor shape; nil means the rank is unknown.
type Shape []Dim

func (s Shape) String() string {
	out := "["
	for i, d := range s {
		if i > 0 {
			out += ", "
		}
		out += d.String()
	}
	return out + "]"
}

// Value describes a named tensor flowing through the graph (a graph input, output or intermediate).
type Value struct {
	Name  string
	DType DType
	Shape Shape
	// Source is the protobuf this value came from (opaque to this package).
	Source any
}

// Tensor is a constant tensor: an initializer or an attribute value. Float data is held as float32 and
// integer data as int64, whatever width the file used; DType says what the file used.
// An imported float32 tensor's Float may share memory with the raw data of its Source, so the model is
// held once: code that changes the values in place must set Changed, as for any other change.
type Tensor struct {
	Name    string
	DType   DType
	Dims    []int64
	Float   []float32
	Int     []int64
	Source  any  // the protobuf it came from, if any
	Changed bool // set when the data differs from Source, so the exporter rewrites it
}

// Len returns the number of elements the dims describe.
func (t *Tensor) Len() int64 { return NumElements(t.Dims) }

// NumElements returns the number of elements of a tensor with the given dims.
func NumElements(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}

// AttrType is the kind of value an attribute holds. Its values are those of ONNX's AttributeProto.AttributeType.
type AttrType int32

// Attribute kinds.
const (
	AttrFloat   AttrType = 1
	AttrInt     AttrType = 2
	AttrString  AttrType = 3
	AttrTensor  AttrType = 4
	AttrGraph   AttrType = 5
	AttrFloats  AttrType = 6
	AttrInts    AttrType = 7
	AttrStrings AttrType = 8
)

func (a AttrType) String() string {
	switch a {
	case AttrFloat:
		return "FLOAT"
	case AttrInt:
		return "INT"
	case AttrString:
		return "STRING"
	case AttrTensor:
		return "TENSOR"
	case AttrGraph:
		return "GRAPH"
	case AttrFloats:
		return "FLOATS"
	case AttrInts:
		return "INTS"
	case AttrStrings:
		return "STRINGS"
	}
	return fmt.Sprintf("type(%d)", int32(a))
}

// Attr is one node attribute.
type Attr struct {
	Type    AttrType
	Float   float32
	Int     int64
	String  string
	Floats  []float32
	Ints    []int64
	Strings []string
	Tensor  *Tensor
}

// Node is one operator application.
type Node struct {
	Name    string
	OpType  string
	Domain  string // "" is the default ONNX domain
	Inputs  []string
	Outputs []string
	Attrs   map[string]Attr
	// Source is the protobuf this node came from; nil for nodes created by Insert.
	Source any
}

func (n *Node) String() string {
	return fmt.Sprintf("node %q (op %s)", n.Name, n.OpType)
}

// Graph is a whole model: the graph plus the model-level fields fairbinn reads or writes.
type Graph struct {
	Name         string
	Nodes        []*Node // in topological order
	Inputs       []*Value
	Outputs      []*Value
	Initializers map[string]*Tensor
	// InitOrder is the order of initializers in the source file; new ones are appended.
	InitOrder []string
	// Opset is the version of the default ONNX domain; OtherOpsets holds the other domains.
	Opset       int64
	OtherOpsets map[string]int64
	Producer    string
	ProducerVer string
	IRVersion   int64
	// Metadata is the model's metadata_props; MetaOrder keeps the key order for a stable export.
	Metadata  map[string]string
	MetaOrder []string
	// Source is the protobuf of the whole model (opaque here), used by the exporter to keep what the IR
	// does not model.
	Source any
	// Measured holds shapes of tensors that shape inference cannot compute (after an op it does not
	// know), measured by running the model; InferShapes takes them for those tensors and infers on
	// from them. They are not exported.
	Measured map[string]Shape
}

// SetMetadata sets a metadata_props entry, keeping the order keys were first set.
func (g *Graph) SetMetadata(key, value string) {
	if g.Metadata == nil {
		g.Metadata = map[string]string{}
	}
	if _, ok := g.Metadata[key]; !ok {
		g.MetaOrder = append(g.MetaOrder, key)
	}
	g.Metadata[key] = value
}

// AddInitializer adds a new initializer; it fails if the name is taken by any tensor of the graph.
func (g *Graph) AddInitializer(t *Tensor) error {
	if g.TensorNameUsed(t.Name) {
		return fmt.Errorf("tensor name %q already used in the graph", t.Name)
	}
	if g.Initializers == nil {
		g.Initializers = map[string]*Tensor{}
	}
	g.Initializers[t.Name] = t
	g.InitOrder = append(g.InitOrder, t.Name)
	return nil
}

// TensorNameUsed reports whether a name is used by any input, output, initializer or node output.
func (g *Graph) TensorNameUsed(name string) bool {
	if _, ok := g.Initializers[name]; ok {
		return true
	}
	for _, v := range g.Inputs {
		if v.Name == name {
			return true
		}
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o == name {
				return true
			}
		}
	}
	return false
}

// NodeNameUsed reports whether a node of the graph has that name.
func (g *Graph) NodeNameUsed(name string) bool {
	for _, n := range g.Nodes {
		if n.Name == name {
			return true
		}
	}
	return false
}

// Producers maps each tensor name to the node that produces it.
func (g *Graph) Producers() map[string]*Node {
	m := map[string]*Node{}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o != "" {
				m[o] = n
			}
		}
	}
	return m
}

// Consumers maps each tensor name to the nodes that read it, in graph order.
func (g *Graph) Consumers() map[string][]*Node {
	m := map[string][]*Node{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" {
				m[in] = append(m[in], n)
			}
		}
	}
	return m
}

// FloatType is the float type g computes in: Float64 when an input or an initializer is float64 (a
// model exported in double precision), else Float32. Tensors fairbinn adds to g take this type.
func FloatType(g *Graph) DType {
	for _, v := range g.Inputs {
		if v.DType == Float64 {
			return Float64
		}
	}
	for _, t := range g.Initializers {
		if t.DType == Float64 {
			return Float64
		}
	}
	return Float32
}

// RealInputs returns the graph inputs that are not also initializers (older exporters list initializers
// as inputs too).
func (g *Graph) RealInputs() []*Value {
	var out []*Value
	for _, v := range g.Inputs {
		if _, isInit := g.Initializers[v.Name]; !isInit {
			out = append(out, v)
		}
	}
	return out
}

// ParamCount returns the number of elements of all float initializers.
func (g *Graph) ParamCount() int64 {
	var n int64
	for _, t := range g.Initializers {
		if t.DType == Float32 || t.DType == Float64 || t.DType == Float16 {
			n += t.Len()
		}
	}
	return n
}

// OpCounts returns how many nodes use each op type, sorted by op type.
func (g *Graph) OpCounts() []OpCount {
	m := map[string]int{}
	for _, n := range g.Nodes {
		key := n.OpType
		if n.Domain != "" && n.Domain != "ai.onnx" {
			key = n.Domain + "." + n.OpType
		}
		m[key]++
	}
	out := make([]OpCount, 0, len(m))
	for k, v := range m {
		out = append(out, OpCount{OpType: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OpType < out[j].OpType })
	return out
}

// OpCount is one row of Graph.OpCounts.
type OpCount struct {
	OpType string `json:"op"`
	Count  int    `json:"count"`
}
