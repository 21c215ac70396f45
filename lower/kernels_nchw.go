package lower

// Float32 kernels for the NCHW ops (Conv, pooling, BatchNormalization). Pooling and BatchNormalization
// sum in float64; Conv accumulates in float32 inside the GEMM, as onnxruntime's MLAS does. Inputs are
// checked by the lowering; the kernels assume the shapes fit their geometry.

import (
	"math"

	"gonum.org/v1/gonum/blas"

	fblas "github.com/fairbinn/fairbinn-go/internal/blas"
)

// sgemm computes the convolutions' products: OpenBLAS in a cgo build, as every other product of the
// training loop and the forward pass, else gonum's.
var sgemm = fblas.Default

// negInf pads MaxPool: a window that only covers padding yields -inf, as the ONNX spec's -inf padding does.
var negInf = float32(math.Inf(-1))

// convGeom is a window plus the weights' layout.
type convGeom struct {
	window
	m     int // output channels
	group int
}

func (g *convGeom) kernelSize() int { return g.k[0] * g.k[1] * g.k[2] }

// forEachTap calls f for every kernel tap (kd, kh, kw flattened as tap) with, per axis, the range of output
// positions it touches and the input position of output 0. im2col and col2im both walk the window this
// way, so they stay each other's adjoint.
func (w *window) forEachTap(f func(tap int, lo, hi, off [maxSpatial]int)) {
	tap := 0
	for kd := 0; kd < w.k[0]; kd++ {
		for kh := 0; kh < w.k[1]; kh++ {
			for kw := 0; kw < w.k[2]; kw++ {
				var lo, hi, off [maxSpatial]int
				for a, k := range [maxSpatial]int{kd, kh, kw} {
					lo[a], hi[a] = w.validOut(a, k)
					off[a] = k*w.d[a] - w.padB[a]
				}
				f(tap, lo, hi, off)
				tap++
			}
		}
	}
}

// Conv runs as im2col plus a float32 GEMM per image and group (gonum's Sgemm, which blocks and runs in
// parallel): a direct loop nest was an order of magnitude slower on backbone-sized layers. The column
// matrix of one image and group is [cg·kernel, outPlane].

// im2col fills col with the taps of the cg channels starting at xp; taps in the padding are zero.
func (g *convGeom) im2col(xp, col []float32) {
	inPlane, outPlane, ks := g.inPlane(), g.outPlane(), g.kernelSize()
	clear(col)
	for ci := 0; ci < g.c/g.group; ci++ {
		plane := xp[ci*inPlane : (ci+1)*inPlane]
		g.forEachTap(func(tap int, lo, hi, off [maxSpatial]int) {
			row := col[(ci*ks+tap)*outPlane : (ci*ks+tap+1)*outPlane]
			for od := lo[0]; od < hi[0]; od++ {
				id := od*g.s[0] + off[0]
				for oh := lo[1]; oh < hi[1]; oh++ {
					ih := oh*g.s[1] + off[1]
					src := plane[(id*g.in[1]+ih)*g.in[2]:]
					dst := row[(od*g.out[1]+oh)*g.out[2]:]
					for ow := lo[2]; ow < hi[2]; ow++ {
						dst[ow] = src[ow*g.s[2]+off[2]]
					}
				}
			}
		})
	}
}

// col2im adds the taps of col back onto the cg channels starting at dxp: the adjoint of im2col.
func (g *convGeom) col2im(col, dxp []float32) {
	inPlane, outPlane, ks := g.inPlane(), g.outPlane(), g.kernelSize()
	for ci := 0; ci < g.c/g.group; ci++ {
		plane := dxp[ci*inPlane : (ci+1)*inPlane]
		g.forEachTap(func(tap int, lo, hi, off [maxSpatial]int) {
			row := col[(ci*ks+tap)*outPlane : (ci*ks+tap+1)*outPlane]
			for od := lo[0]; od < hi[0]; od++ {
				id := od*g.s[0] + off[0]
				for oh := lo[1]; oh < hi[1]; oh++ {
					ih := oh*g.s[1] + off[1]
					dst := plane[(id*g.in[1]+ih)*g.in[2]:]
					src := row[(od*g.out[1]+oh)*g.out[2]:]
					for ow := lo[2]; ow < hi[2]; ow++ {
						dst[ow*g.s[2]+off[2]] += src[ow]
					}
				}
			}
		})
	}
}

// groupSlices returns, for image n and group gi, the offsets of its input channels, its weights and its
// output channels, and the GEMM sizes: mg output channels, kk = cg·kernel rows of col, op output positions.
func (g *convGeom) groupSlices(n, gi int) (xOff, wOff, yOff, mg, kk, op int) {
	cg, ks := g.c/g.group, g.kernelSize()
	mg, kk, op = g.m/g.group, cg*ks, g.outPlane()
	return (n*g.c + gi*cg) * g.inPlane(), gi * mg * kk, (n*g.m + gi*mg) * op, mg, kk, op
}

// convForward computes y = conv(x, w) + b; b may be nil.
func convForward(g *convGeom, x, w, b, y []float32) {
	col := make([]float32, (g.c/g.group)*g.kernelSize()*g.outPlane())
	for n := 0; n < g.n; n++ {
		for gi := 0; gi < g.group; gi++ {
			xOff, wOff, yOff, mg, kk, op := g.groupSlices(n, gi)
			g.im2col(x[xOff:], col)
			sgemm.Sgemm(blas.NoTrans, blas.NoTrans, mg, op, kk, 1, w[wOff:], kk, col, op, 0, y[yOff:], op)
		}
		if b != nil {
			op := g.outPlane()
			for m := 0; m < g.m; m++ {
				for i := range y[(n*g.m+m)*op : (n*g.m+m+1)*op] {
					y[(n*g.m+m)*op+i] += b[m]
				}
			}
		}
	}
}

// convGradInput computes dx = col2im(wᵀ·dy).
func convGradInput(g *convGeom, w, dy, dx []float32) {
	clear(dx)
	col := make([]float32, (g.c/g.group)*g.kernelSize()*g.outPlane())
	for n := 0; n < g.n; n++ {
		for gi := 0; gi < g.group; gi++ {
			xOff, wOff, yOff, mg, kk, op := g.groupSlices(n, gi)
			sgemm.Sgemm(blas.Trans, blas.NoTrans, kk, op, mg, 1, w[wOff:], kk, dy[yOff:], op, 0, col, op)
			g.col2im(col, dx[xOff:])
		}
	}
}

// convGradWeight computes dw = Σ over images of dy·im2col(x)ᵀ.
func convGradWeight(g *convGeom, x, dy, dw []float32) {
	clear(dw)
	col := make([]float32, (g.c/g.group)*g.kernelSize()*g.outPlane())
	for n := 0; n < g.n; n++ {
		for gi := 0; gi < g.group; gi++ {
			xOff, wOff, yOff, mg, kk, op := g.groupSlices(n, gi)
			g.im2col(x[xOff:], col)
			sgemm.Sgemm(blas.NoTrans, blas.Trans, mg, kk, op, 1, dy[yOff:], op, col, op, 1, dw[wOff:], kk)
		}
	}
}

// channelSums computes db[c] = Σ dy over the batch and spatial axes, for tensors laid out [N, C, plane].
func channelSums(n, c, plane int, dy, db []float32) {
	for ch := 0; ch < c; ch++ {
		s := 0.0
		for b := 0; b < n; b++ {
			for _, v := range dy[(b*c+ch)*plane : (b*c+ch+1)*plane] {
				s += float64(v)
			}
		}
		db[ch] = float32(s)
	}
}

// poolWindow visits the taps of output position (od, oh, ow) that fall inside the input, calling f with
// their flat index in the input plane, and returns what AveragePool divides by.
func (w *window) poolWindow(od, oh, ow int, f func(i int)) (count int) {
	var lo, hi, start [maxSpatial]int
	count = 1
	for a, o := range [maxSpatial]int{od, oh, ow} {
		l, h, padded := w.validTaps(a, o)
		lo[a], hi[a], start[a] = l, h, o*w.s[a]-w.padB[a]
		if w.countIncluded {
			count *= padded
		} else {
			count *= h - l
		}
	}
	for kd := lo[0]; kd < hi[0]; kd++ {
		id := start[0] + kd*w.d[0]
		for kh := lo[1]; kh < hi[1]; kh++ {
			ih := start[1] + kh*w.d[1]
			base := (id*w.in[1] + ih) * w.in[2]
			for kw := lo[2]; kw < hi[2]; kw++ {
				f(base + start[2] + kw*w.d[2])
			}
		}
	}
	return count
}

// forEachOut calls f for every output position of every (batch, channel) plane, with the input plane's and
// the output's offsets.
func (w *window) forEachOut(f func(xoff, yi, od, oh, ow int)) {
	inPlane, outPlane := w.inPlane(), w.outPlane()
	for p := 0; p < w.n*w.c; p++ {
		yi := p * outPlane
		for od := 0; od < w.out[0]; od++ {
			for oh := 0; oh < w.out[1]; oh++ {
				for ow := 0; ow < w.out[2]; ow++ {
					f(p*inPlane, yi, od, oh, ow)
					yi++
				}
			}
		}
	}
}

// maxPoolForward computes the window maxima; padding never wins, as with -inf padding.
func maxPoolForward(w *window, x, y []float32) {
	w.forEachOut(func(xoff, yi, od, oh, ow int) {
		best := negInf
		w.poolWindow(od, oh, ow, func(i int) {
			if v := x[xoff+i]; v > best {
				best = v
			}
		})
		y[yi] = best
	})
}

// maxPoolGrad routes each dy to the first maximum of its window.
func maxPoolGrad(w *window, x, dy, dx []float32) {
	clear(dx)
	w.forEachOut(func(xoff, yi, od, oh, ow int) {
		best, at := negInf, -1
		w.poolWindow(od, oh, ow, func(i int) {
			if v := x[xoff+i]; v > best || at < 0 {
				best, at = v, i
			}
		})
		if at >= 0 {
			dx[xoff+at] += dy[yi]
		}
	})
}

// avgPoolForward computes the window means, dividing by the taps inside the input, or inside the padded
// input with count_include_pad.
func avgPoolForward(w *window, x, y []float32) {
	w.forEachOut(func(xoff, yi, od, oh, ow int) {
		s := 0.0
		count := w.poolWindow(od, oh, ow, func(i int) { s += float64(x[xoff+i]) })
		y[yi] = float32(s / float64(count))
	})
}

// avgPoolGrad spreads each dy evenly over the input taps of its window.
func avgPoolGrad(w *window, dy, dx []float32) {
	acc := make([]float64, len(dx))
	var idx []int
	w.forEachOut(func(xoff, yi, od, oh, ow int) {
		idx = idx[:0]
		count := w.poolWindow(od, oh, ow, func(i int) { idx = append(idx, xoff+i) })
		g := float64(dy[yi]) / float64(count)
		for _, i := range idx {
			acc[i] += g
		}
	})
	for i, v := range acc {
		dx[i] = float32(v)
	}
}

// bnGeom is the layout of BatchNormalization's input: n×c planes of plane elements.
type bnGeom struct {
	n, c, plane int
	eps         float64
}

// bnForward computes y = scale·(x−mean)/√(var+ε) + bias per channel.
func bnForward(g bnGeom, x, scale, bias, mean, variance, y []float32) {
	for ch := 0; ch < g.c; ch++ {
		a := float64(scale[ch]) / math.Sqrt(float64(variance[ch])+g.eps)
		mu, b := float64(mean[ch]), float64(bias[ch])
		for n := 0; n < g.n; n++ {
			off := (n*g.c + ch) * g.plane
			for i, v := range x[off : off+g.plane] {
				y[off+i] = float32((float64(v)-mu)*a + b)
			}
		}
	}
}

// bnGrad computes the gradient of input which (0 x, 1 scale, 2 bias, 3 mean, 4 var) from dy.
func bnGrad(g bnGeom, which int, x, scale, mean, variance, dy, out []float32) {
	for ch := 0; ch < g.c; ch++ {
		inv := 1 / math.Sqrt(float64(variance[ch])+g.eps)
		sc, mu := float64(scale[ch]), float64(mean[ch])
		var sumDy, sumDyXc float64
		for n := 0; n < g.n; n++ {
			off := (n*g.c + ch) * g.plane
			for i, d := range dy[off : off+g.plane] {
				if which == 0 {
					out[off+i] = float32(float64(d) * sc * inv)
					continue
				}
				sumDy += float64(d)
				sumDyXc += float64(d) * (float64(x[off+i]) - mu)
			}
		}
		switch which {
		case 1:
			out[ch] = float32(sumDyXc * inv)
		case 2:
			out[ch] = float32(sumDy)
		case 3:
			out[ch] = float32(-sumDy * sc * inv)
		case 4:
			out[ch] = float32(-0.5 * sumDyXc * sc * inv * inv * inv)
		}
	}
}
