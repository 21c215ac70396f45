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

// geometry resolves a window read by ir.ParseWindow against an input shape [N, C, spatial...].
func geometry(ws ir.Window, x []int) (*window, error) {
	rank := len(x) - 2
	if rank < 1 || rank > maxSpatial || rank != len(ws.Kernel) {
		return nil, fmt.Errorf("%w: input shape %v: want N, C and %d spatial axes (1 to %d supported)", ir.ErrUnsupportedOp, x, len(ws.Kernel), maxSpatial)
	}
	w := &window{rank: rank, n: x[0], c: x[1]}
	for a := range maxSpatial {
		w.in[a], w.out[a], w.k[a], w.s[a], w.d[a] = 1, 1, 1, 1, 1
	}
	off := maxSpatial - rank
	for i := range rank {
		a := off + i
		out, padB, padE, err := ws.Axis(i, int64(x[2+i]))
		if err != nil {
			return nil, err
		}
		w.in[a], w.k[a], w.s[a], w.d[a] = x[2+i], int(ws.Kernel[i]), int(ws.Strides[i]), int(ws.Dilations[i])
		w.out[a], w.padB[a], w.padE[a] = int(out), int(padB), int(padE)
	}
	return w, nil
}
