package lower

import "github.com/fairbinn/fairbinn-go/ir"
import "fmt"

// maxSpatial is the number of spatial axes the NCHW kernels handle. Inputs with fewer spatial axes are
// given leading unit axes (size 1, kernel 1, stride 1, no padding), so one kernel serves 1-D, 2-D and 3-D.
const maxSpatial = 3

// window is the geometry of a sliding window (Conv, MaxPool, AveragePool) over an N×C×spatial tensor.
type window struct {
	rank          int // number of real spatial axes (1 to maxSpatial)
	n, c          int // batch and input channels
	in, out       [maxSpatial]int
	k, s, d       [maxSpatial]int // kernel, stride, dilation
	padB, padE    [maxSpatial]int // padding at the begin and at the end of each axis
	countIncluded bool            // AveragePool's count_include_pad
}

func (w *window) String() string {
	return fmt.Sprintf("n=%d c=%d in=%v out=%v k=%v s=%v d=%v pads=%v/%v incl=%t",
		w.n, w.c, w.in[maxSpatial-w.rank:], w.out[maxSpatial-w.rank:], w.k[maxSpatial-w.rank:],
		w.s[maxSpatial-w.rank:], w.d[maxSpatial-w.rank:], w.padB[maxSpatial-w.rank:], w.padE[maxSpatial-w.rank:],
		w.countIncluded)
}

func (w *window) inPlane() int  { return w.in[0] * w.in[1] * w.in[2] }
func (w *window) outPlane() int { return w.out[0] * w.out[1] * w.out[2] }

// outShape is the output shape for a given number of output channels.
func (w *window) outShape(channels int) []int {
	s := []int{w.n, channels}
	return append(s, w.out[maxSpatial-w.rank:]...)
}

// validOut returns the range [lo, hi) of output positions along axis a whose tap k falls inside the input.
func (w *window) validOut(a, k int) (lo, hi int) {
	off := k*w.d[a] - w.padB[a] // input position of output 0's tap k
	lo = 0
	if off < 0 {
		lo = (-off + w.s[a] - 1) / w.s[a]
	}
	hi = 0
	if w.in[a]-off > 0 {
		hi = (w.in[a] - off + w.s[a] - 1) / w.s[a]
	}
	hi = min(hi, w.out[a])
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// validTaps returns the range [lo, hi) of taps of output position o along axis a that fall inside the
// input, and how many taps fall inside the padded input (what count_include_pad divides by).
func (w *window) validTaps(a, o int) (lo, hi, padded int) {
	start := o*w.s[a] - w.padB[a]
	for k := 0; k < w.k[a]; k++ {
		p := start + k*w.d[a]
		if p >= -w.padB[a] && p < w.in[a]+w.padE[a] {
			padded++
		}
	}
	lo = 0
	if start < 0 {
		lo = (-start + w.d[a] - 1) / w.d[a]
	}
	hi = 0
	if w.in[a]-start > 0 {
		hi = (w.in[a] - start + w.d[a] - 1) / w.d[a]
	}
	hi = min(hi, w.k[a])
	if hi < lo {
		hi = lo
	}
	return lo, hi, padded
}

// windowSpec is what a Conv or pooling node says about its window, before the input shape is known.
type windowSpec struct {
	kernel    []int64
	strides   []int64
	dilations []int64
	pads      []int64
	autoPad   string
	ceil      bool
}

// readWindowSpec reads kernel_shape, strides, dilations, pads and auto_pad (and ceil_mode when pool is
// set) with their ONNX defaults. kernel is the kernel shape implied by the inputs (Conv's W), or nil.
func readWindowSpec(n *ir.Node, rank int, kernel []int64, pool bool) (windowSpec, error) {
	var ws windowSpec
	var err error
	if ws.kernel, err = n.AttrInts("kernel_shape", kernel); err != nil {
		return ws, err
	}
	switch {
	case ws.kernel == nil:
		return ws, fmt.Errorf("%w: attribute \"kernel_shape\" is required", ir.ErrBadAttribute)
	case kernel != nil && !equalInts(ws.kernel, kernel):
		return ws, fmt.Errorf("%w: attribute \"kernel_shape\" is %v but the weights have kernel %v", ir.ErrShapeMismatch, ws.kernel, kernel)
	}
	ones := make([]int64, rank)
	for i := range ones {
		ones[i] = 1
	}
	if ws.strides, err = n.AttrInts("strides", ones); err != nil {
		return ws, err
	}
	if ws.dilations, err = n.AttrInts("dilations", ones); err != nil {
		return ws, err
	}
	if ws.pads, err = n.AttrInts("pads", make([]int64, 2*rank)); err != nil {
		return ws, err
	}
	if ws.autoPad, err = n.AttrString("auto_pad", "NOTSET"); err != nil {
		return ws, err
	}
	if pool {
		c, err := n.AttrInt("ceil_mode", 0)
		if err != nil {
			return ws, err
		}
		ws.ceil = c != 0
	}
	for _, a := range []struct {
		name string
		v    []int64
		n    int
		min  int64
	}{{"kernel_shape", ws.kernel, rank, 1}, {"strides", ws.strides, rank, 1}, {"dilations", ws.dilations, rank, 1}, {"pads", ws.pads, 2 * rank, 0}} {
		if len(a.v) != a.n {
			return ws, fmt.Errorf("%w: attribute %q has %d values, want %d for %d spatial axes", ir.ErrBadAttribute, a.name, len(a.v), a.n, rank)
		}
		for _, v := range a.v {
			if v < a.min {
				return ws, fmt.Errorf("%w: attribute %q: value %d is below %d", ir.ErrBadAttribute, a.name, v, a.min)
			}
		}
	}
	switch ws.autoPad {
	case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER":
	default:
		return ws, fmt.Errorf("%w: attribute \"auto_pad\": unknown value %q", ir.ErrBadAttribute, ws.autoPad)
	}
	return ws, nil
}

// geometry resolves the spec against an input shape [N, C, spatial...], following onnxruntime's output
// size and auto_pad rules.
func (ws windowSpec) geometry(x []int) (*window, error) {
	rank := len(x) - 2
	if rank < 1 || rank > maxSpatial || rank != len(ws.kernel) {
		return nil, fmt.Errorf("%w: input shape %v: want N, C and %d spatial axes (1 to %d supported)", ir.ErrUnsupportedOp, x, len(ws.kernel), maxSpatial)
	}
	w := &window{rank: rank, n: x[0], c: x[1]}
	for a := range maxSpatial {
		w.in[a], w.out[a], w.k[a], w.s[a], w.d[a] = 1, 1, 1, 1, 1
	}
	off := maxSpatial - rank
	for i := range rank {
		a := off + i
		in, k, s, d := x[2+i], int(ws.kernel[i]), int(ws.strides[i]), int(ws.dilations[i])
		dk := (k-1)*d + 1
		w.in[a], w.k[a], w.s[a], w.d[a] = in, k, s, d
		var out int
		switch ws.autoPad {
		case "NOTSET", "VALID":
			if ws.autoPad == "NOTSET" {
				w.padB[a], w.padE[a] = int(ws.pads[i]), int(ws.pads[rank+i])
			}
			span := in + w.padB[a] + w.padE[a] - dk
			if span < 0 {
				return nil, fmt.Errorf("%w: axis %d: window of %d (dilated) does not fit the padded input of %d", ir.ErrShapeMismatch, 2+i, dk, in+w.padB[a]+w.padE[a])
			}
			out = span/s + 1
			if ws.ceil {
				out = (span+s-1)/s + 1
				// As onnxruntime and PyTorch do, the last window must start inside the input or the
				// begin padding.
				if (out-1)*s >= in+w.padB[a] {
					out--
				}
			}
		default: // SAME_UPPER, SAME_LOWER
			out = (in + s - 1) / s
			total := max(0, (out-1)*s+dk-in)
			if ws.autoPad == "SAME_LOWER" {
				w.padB[a] = (total + 1) / 2
			} else {
				w.padB[a] = total / 2
			}
			w.padE[a] = total - w.padB[a]
		}
		if out < 1 {
			return nil, fmt.Errorf("%w: axis %d: output would be empty", ir.ErrShapeMismatch, 2+i)
		}
		w.out[a] = out
	}
	return w, nil
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
