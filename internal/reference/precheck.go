package reference

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers from onnx.proto. The model is scanned with protowire rather than the generated bindings in
// internal/onnxpb so that this package stays an independent reader of the bytes, like onnx-go itself.
const (
	modelGraphField         = 7
	graphNodeField          = 1
	graphInitializerField   = 5
	graphInputField         = 11
	graphOutputField        = 12
	valueInfoNameField      = 1
	valueInfoTypeField      = 2
	typeTensorField         = 1
	tensorTypeShapeField    = 2
	shapeDimField           = 1
	dimValueField           = 1
	nodeInputField          = 1
	nodeNameField           = 3
	nodeOpTypeField         = 4
	tensorNameField         = 8
	tensorDataLocationField = 14
	dataLocationExternal    = 1
)

// precheck rejects models with features onnx-go v0.5.0 gets silently wrong or reports without saying why:
//   - a node that takes the same tensor twice (Add(x, x), Concat(x, x)): onnx-go stores inputs as edges of
//     a simple graph, which keeps one edge per pair of nodes, so the operator sees one input fewer;
//   - initializers stored in external files, which onnx-go cannot read ("No data found").
//
// Bytes that are not a valid model pass; decoding them is onnx-go's job and its error is reported then.
func precheck(model []byte) error {
	for _, graph := range fields(model, modelGraphField) {
		for _, node := range fields(graph, graphNodeField) {
			seen := make(map[string]bool)
			for _, in := range fields(node, nodeInputField) {
				name := string(in)
				if name != "" && seen[name] {
					return fmt.Errorf("%w: node %q (%s) takes %q twice as input, which onnx-go silently drops",
						ErrUnsupported, str(node, nodeNameField), str(node, nodeOpTypeField), name)
				}
				seen[name] = true
			}
		}
		for _, init := range fields(graph, graphInitializerField) {
			if loc, _ := varint(init, tensorDataLocationField); loc == dataLocationExternal {
				return fmt.Errorf("%w: initializer %q is stored in an external file, which onnx-go cannot read",
					ErrUnsupported, str(init, tensorNameField))
			}
		}
	}
	return nil
}

// declaredShapes returns the shapes the model declares for its graph inputs or outputs (field), by name,
// with -1 for a symbolic or unknown dim; a value without a declared shape is absent. onnx-go keeps only the
// static dims, so these come from the bytes.
func declaredShapes(model []byte, field protowire.Number) map[string][]int64 {
	out := make(map[string][]int64)
	for _, graph := range fields(model, modelGraphField) {
		for _, vi := range fields(graph, field) {
			for _, typ := range fields(vi, valueInfoTypeField) {
				for _, tt := range fields(typ, typeTensorField) {
					shapes := fields(tt, tensorTypeShapeField)
					if len(shapes) == 0 {
						continue
					}
					shape := []int64{}
					for _, dim := range fields(shapes[len(shapes)-1], shapeDimField) {
						if v, ok := varint(dim, dimValueField); ok {
							shape = append(shape, int64(v))
						} else {
							shape = append(shape, -1)
						}
					}
					out[str(vi, valueInfoNameField)] = shape
				}
			}
		}
	}
	return out
}

// checkDeclared compares a tensor's shape with the declared one: rank and static dims. onnx-go checks
// neither: gorgonnx's Gemm computes garbage from an input of the wrong width, and some operators return
// results of the wrong shape without an error (Unsqueeze on a non-leading axis, Reshape with -1 on a batch
// of one).
func checkDeclared(got, declared []int64) error {
	mismatch := len(got) != len(declared)
	for i := 0; !mismatch && i < len(got); i++ {
		mismatch = declared[i] >= 0 && got[i] != declared[i]
	}
	if mismatch {
		return fmt.Errorf("shape %v, the model declares %s", got, formatShape(declared))
	}
	return nil
}

// formatShape prints symbolic dims as "?".
func formatShape(shape []int64) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = strconv.FormatInt(d, 10)
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// fields returns the contents of every length-delimited field num in msg, in order; nothing if msg is
// malformed.
func fields(msg []byte, num protowire.Number) [][]byte {
	var out [][]byte
	for len(msg) > 0 {
		n, typ, l := protowire.ConsumeTag(msg)
		if l < 0 {
			return nil
		}
		msg = msg[l:]
		if typ == protowire.BytesType && n == num {
			v, l := protowire.ConsumeBytes(msg)
			if l < 0 {
				return nil
			}
			out = append(out, v)
			msg = msg[l:]
			continue
		}
		l = protowire.ConsumeFieldValue(n, typ, msg)
		if l < 0 {
			return nil
		}
		msg = msg[l:]
	}
	return out
}

// str returns the last occurrence of string field num (protobuf's rule for repeated scalars), or "".
func str(msg []byte, num protowire.Number) string {
	all := fields(msg, num)
	if len(all) == 0 {
		return ""
	}
	return string(all[len(all)-1])
}

// varint returns the last value of varint field num in msg, and whether there was one.
func varint(msg []byte, num protowire.Number) (v uint64, found bool) {
	for len(msg) > 0 {
		n, typ, l := protowire.ConsumeTag(msg)
		if l < 0 {
			return 0, false
		}
		msg = msg[l:]
		if typ == protowire.VarintType && n == num {
			x, l := protowire.ConsumeVarint(msg)
			if l < 0 {
				return 0, false
			}
			v, found = x, true
			msg = msg[l:]
			continue
		}
		l = protowire.ConsumeFieldValue(n, typ, msg)
		if l < 0 {
			return 0, false
		}
		msg = msg[l:]
	}
	return v, found
}

// errLostMessage replaces a typed nil error. Several gorgonnx operators shadow err with a failed type
// assertion to *onnx.ErrNotImplemented and return that typed nil: non-nil as an error, but without the
// original message, and printing "<nil>".
var errLostMessage = errors.New("an operator failed and onnx-go lost its message (typically a broadcast it cannot do)")

// unwrapNil returns err, or errLostMessage when err is an interface holding a nil pointer.
func unwrapNil(err error) error {
	if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
		return errLostMessage
	}
	return err
}
