package npy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"

	npyio "codeberg.org/sbinet/npyio/npy"

	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// ErrUnsupported reports a valid .npy file this package does not handle: a dtype other than float32 or
// float64, or Fortran order.
var ErrUnsupported = errors.New("unsupported .npy file")

// ErrCorrupt reports a file that is not a well-formed .npy file: a bad header, or data that is shorter or
// longer than the shape says.
var ErrCorrupt = errors.New("corrupt .npy file")

// elemType is a dtype Read accepts.
type elemType struct {
	size  int
	dtype tensor.DType
}

// dtypes maps the header's descr to how the data is decoded. npyio honours the byte order itself.
var dtypes = map[string]elemType{
	"<f4": {4, tensor.Float32}, ">f4": {4, tensor.Float32},
	"<f8": {8, tensor.Float64}, ">f8": {8, tensor.Float64},
	"<i8": {8, tensor.Int64}, ">i8": {8, tensor.Int64},
	"<i4": {4, tensor.Int32}, ">i4": {4, tensor.Int32},
	"|b1": {1, tensor.Bool},
}

// Read reads a .npy file into an Array.
func Read(path string) (tensor.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return tensor.Tensor{}, err // already names the file
	}
	a, err := decode(b)
	if err != nil {
		return tensor.Tensor{}, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// decode parses a whole .npy file held in memory. Holding it all lets the data size be checked against the
// shape before anything is allocated from the header's claims.
func decode(b []byte) (a tensor.Tensor, err error) {
	if err := checkHeaderLength(b); err != nil {
		return tensor.Tensor{}, err
	}
	br := bytes.NewReader(b)
	r, err := newReader(br)
	if err != nil {
		return tensor.Tensor{}, err
	}
	hdr := r.Header.Descr
	descr := strings.Trim(hdr.Type, `'"`)
	et, ok := dtypes[descr]
	if !ok {
		return tensor.Tensor{}, fmt.Errorf("%w: dtype %s is not supported, want float32, float64, int64, int32 or bool",
			ErrUnsupported, describe(descr))
	}
	if hdr.Fortran && !vectorLike(hdr.Shape) {
		return tensor.Tensor{}, fmt.Errorf("%w: Fortran-ordered array of shape %v; save it in C order (numpy.ascontiguousarray)",
			ErrUnsupported, hdr.Shape)
	}
	shape := make([]int64, len(hdr.Shape))
	n := 1
	for i, d := range hdr.Shape {
		if d < 0 {
			return tensor.Tensor{}, fmt.Errorf("%w: shape %v has a negative dim", ErrCorrupt, hdr.Shape)
		}
		if d != 0 && n > math.MaxInt/et.size/d {
			return tensor.Tensor{}, fmt.Errorf("%w: shape %v is too large", ErrCorrupt, hdr.Shape)
		}
		n *= d
		shape[i] = int64(d)
	}
	if want, have := n*et.size, br.Len(); want != have {
		what := "truncated"
		if have > want {
			what = "trailing bytes after the data"
		}
		return tensor.Tensor{}, fmt.Errorf("%w: %s: shape %v of %s needs %d data bytes, file has %d",
			ErrCorrupt, what, hdr.Shape, descr, want, have)
	}

	out := tensor.Tensor{Shape: shape}
	switch et.dtype {
	case tensor.Float32:
		out.Data = make([]float32, n)
		err = readData(r, &out.Data)
	case tensor.Float64:
		// Models compute in float32: a float64 array is narrowed (a float64 model input is widened again).
		out.Data = make([]float32, n)
		wide := make([]float64, n)
		if err = readData(r, &wide); err == nil {
			err = narrow(out.Data, wide)
		}
	case tensor.Int64:
		out.DType, out.Ints = tensor.Int64, make([]int64, n)
		err = readData(r, &out.Ints)
	case tensor.Int32:
		out.DType, out.Ints = tensor.Int64, make([]int64, n)
		small := make([]int32, n)
		if err = readData(r, &small); err == nil {
			for i, v := range small {
				out.Ints[i] = int64(v)
			}
		}
	case tensor.Bool:
		out.DType, out.Ints = tensor.Bool, make([]int64, n)
		b := make([]bool, n)
		if err = readData(r, &b); err == nil {
			for i, v := range b {
				if v {
					out.Ints[i] = 1
				}
			}
		}
	}
	if err != nil {
		return tensor.Tensor{}, err
	}
	return out, nil
}

// checkHeaderLength rejects a header length beyond the end of the file before npyio allocates a buffer of
// that size (a version 2 header may claim up to 4 GiB), and a header without its final newline, on which
// npyio would panic.
func checkHeaderLength(b []byte) error {
	const magic = len(npyio.Magic)
	if len(b) < magic+2 || !bytes.Equal(b[:magic], npyio.Magic[:]) {
		return fmt.Errorf("%w: not a .npy file (no \\x93NUMPY magic)", ErrCorrupt)
	}
	var start, length int
	switch major := b[magic]; major {
	case 1:
		start = magic + 4
		if len(b) >= start {
			length = int(b[magic+2]) | int(b[magic+3])<<8
		}
	case 2:
		start = magic + 6
		if len(b) >= start {
			length = int(b[magic+2]) | int(b[magic+3])<<8 | int(b[magic+4])<<16 | int(b[magic+5])<<24
		}
	default:
		return fmt.Errorf("%w: format version %d.%d is not supported", ErrUnsupported, major, b[magic+1])
	}
	if len(b) < start || length > len(b)-start {
		return fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	if length == 0 || b[start+length-1] != '\n' {
		return fmt.Errorf("%w: header does not end with a newline", ErrCorrupt)
	}
	return nil
}

// newReader parses the header. npyio slices the header text by position and panics on some malformed
// headers (no newline, keys out of order), so a panic here means a corrupt file, not a bug of ours.
func newReader(r io.Reader) (rd *npyio.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, fmt.Errorf("%w: unreadable header: %v", ErrCorrupt, p)
		}
	}()
	rd, err = npyio.NewReader(r)
	if err != nil {
		if errors.Is(err, npyio.ErrInvalidNumPyFormat) {
			return nil, fmt.Errorf("%w: not a .npy file (no \\x93NUMPY magic)", ErrCorrupt)
		}
		return nil, fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	return rd, nil
}

// readData decodes exactly len(*dst) elements; the size check in decode guarantees they are all there.
func readData[T float32 | float64 | int64 | int32 | bool](r *npyio.Reader, dst *[]T) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: data: %v", ErrCorrupt, p)
		}
	}()
	if len(*dst) == 0 {
		return nil // npyio would otherwise allocate from the header instead of filling dst
	}
	if err := r.Read(dst); err != nil {
		return fmt.Errorf("%w: data: %w", ErrCorrupt, err)
	}
	return nil
}

// narrow converts float64 to float32. Rounding to float32 precision is expected (models compute in
// float32), but a finite value that becomes infinite would change predictions silently, so it is an error.
func narrow(dst []float32, src []float64) error {
	for i, v := range src {
		f := float32(v)
		if math.IsInf(float64(f), 0) && !math.IsInf(v, 0) {
			return fmt.Errorf("float64 value %g at flat index %d does not fit in float32", v, i)
		}
		dst[i] = f
	}
	return nil
}

// vectorLike reports whether Fortran and C order lay the data out identically: at most one dim above 1.
func vectorLike(shape []int) bool {
	big := 0
	for _, d := range shape {
		if d > 1 {
			big++
		}
	}
	return big <= 1
}

// describe adds the numpy name to a descr so users who never see "<i8" recognise it as int64.
func describe(descr string) string {
	sized := map[byte]string{'f': "float", 'i': "int", 'u': "uint", 'c': "complex"}
	other := map[byte]string{'b': "bool", 'U': "str", 'S': "bytes", 'O': "object", 'M': "datetime64", 'm': "timedelta64"}
	if len(descr) >= 2 {
		if name, ok := sized[descr[1]]; ok {
			if size, err := strconv.Atoi(descr[2:]); err == nil {
				return fmt.Sprintf("'%s' (%s%d)", descr, name, size*8)
			}
		}
		if name, ok := other[descr[1]]; ok {
			return fmt.Sprintf("'%s' (%s)", descr, name)
		}
	}
	return "'" + descr + "'"
}

// Write writes a to path as a C-order little-endian float32 (int64 for integer tensors) .npy file. The file appears whole or not at
// all: the data goes to a temporary file in the same folder, which is synced and then renamed over path.
func Write(path string, a tensor.Tensor) error {
	n := 1
	for i, d := range a.Shape {
		if d < 0 {
			return fmt.Errorf("%s: shape %v: dim %d is negative", path, a.Shape, i)
		}
		if d != 0 && int64(n) > math.MaxInt/4/d {
			return fmt.Errorf("%s: shape %v is too large", path, a.Shape)
		}
		n *= int(d)
	}
	if n != a.Len() {
		return fmt.Errorf("%s: shape %v needs %d values, got %d", path, a.Shape, n, a.Len())
	}

	var buf bytes.Buffer
	if err := encode(&buf, a); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// encode writes the .npy bytes of a. npyio takes the shape from the nesting of Go slices, so the flat data
// is viewed as nested slices (no copy). npyio cannot describe arrays with no elements (it loses the dims
// after a zero), so those get their header written here; they have no data to write.
func encode(w io.Writer, a tensor.Tensor) error {
	n := 1
	for _, d := range a.Shape {
		n *= int(d)
	}
	if n == 0 {
		return writeEmpty(w, a.Shape)
	}
	var v any
	switch {
	case a.DType.IsInt() && len(a.Shape) == 0:
		v = a.Ints[0]
	case a.DType.IsInt():
		v = nest(a.Ints, a.Shape).Interface()
	case len(a.Shape) == 0:
		v = a.Data[0]
	default:
		v = nest(a.Data, a.Shape).Interface()
	}
	return npyio.Write(w, v)
}

// nest returns data as a value of type [][]...[]T with one slice level per dim of shape.
func nest[T float32 | int64](data []T, shape []int64) reflect.Value {
	if len(shape) == 1 {
		return reflect.ValueOf(data)
	}
	inner := nest(data[:0], shape[1:]).Type()
	rows := int(shape[0])
	out := reflect.MakeSlice(reflect.SliceOf(inner), rows, rows)
	step := len(data) / rows
	for i := range rows {
		out.Index(i).Set(nest(data[i*step:(i+1)*step], shape[1:]))
	}
	return out
}

// writeEmpty writes the version 1.0 header numpy itself writes for an array with no elements: the header
// dict padded with spaces and a newline to a multiple of 64 bytes.
func writeEmpty(w io.Writer, shape []int64) error {
	var dims string
	switch len(shape) {
	case 1:
		dims = fmt.Sprintf("(%d,)", shape[0])
	default:
		parts := make([]string, len(shape))
		for i, d := range shape {
			parts[i] = fmt.Sprint(d)
		}
		dims = "(" + strings.Join(parts, ", ") + ")"
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", dims)
	const prefix = 10 // magic (6), version (2), header length (2)
	total := (prefix + len(dict) + 1 + 63) / 64 * 64
	header := dict + strings.Repeat(" ", total-prefix-len(dict)-1) + "\n"
	var buf bytes.Buffer
	buf.Write(npyio.Magic[:])
	buf.Write([]byte{1, 0, byte(len(header)), byte(len(header) >> 8)})
	buf.WriteString(header)
	_, err := w.Write(buf.Bytes())
	return err
}
