package blas

import "math"

// The elementwise float32 kernels of a training step: Relu and its gradient, a bias added to every row of
// a matrix and its gradient (the column sums), and Adam's update. Each computes, element by element,
// exactly the float32 operations of its pure-Go version below, in the same order, so that both give the
// same bits; a cgo build runs them as C loops the compiler vectorizes (without fused multiply-adds or
// approximate divisions and square roots, so the numbers stay those of the Go code), and FAIRBINN_BLAS=gonum
// or a build without cgo runs the Go loops.

// Relu sets y[i] = x[i]·(x[i] ≥ 0 ? 1 : 0), gorgonia's x ⊙ (x ≥ 0): x itself where x ≥ 0, −0 for a
// negative x, NaN for −∞ and NaN. y must be at least as long as x.
func Relu(y, x []float32) {
	y = y[:len(x)]
	if len(x) == 0 {
		return
	}
	if vecC() {
		reluC(y, x)
		return
	}
	reluGo(y, x)
}

// ReluGrad sets dx[i] = (x[i] ≥ 0 ? 1 : 0)·dy[i], the gradient of Relu at x given the output's gradient
// dy. dx and dy must be at least as long as x.
func ReluGrad(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	if len(x) == 0 {
		return
	}
	if vecC() {
		reluGradC(dx, x, dy)
		return
	}
	reluGradGo(dx, x, dy)
}

// AddRows adds c[:n] to every n-element row of y: y[r·n+j] += c[j]. len(y) must be a multiple of n.
func AddRows(y, c []float32, n int) {
	if n <= 0 || len(y) == 0 {
		return
	}
	c = c[:n]
	if len(y)%n != 0 {
		panic("blas: AddRows: len(y) is not a multiple of n")
	}
	if vecC() {
		addRowsC(y, c, n)
		return
	}
	addRowsGo(y, c, n)
}

// SumRows sets d[j] to the sum of column j of the m×n matrix a, adding the rows in order to a zero:
// ((0 + a[0][j]) + a[1][j]) + …, the gradient of a bias added to every row.
func SumRows(d, a []float32, m, n int) {
	d = d[:n]
	a = a[:m*n]
	if n == 0 {
		return
	}
	if vecC() && m > 0 {
		sumRowsC(d, a, m, n)
		return
	}
	sumRowsGo(d, a, m, n)
}

// Adam applies one step of torch.optim.Adam to p, given the gradient g and the moments m and v (updated
// in place): m ← b1·m + (1−b1)·g, v ← b2·v + (1−b2)·g·g, p ← p − stepSize·m / (√v / sqrtBC2 + eps), with
// stepSize = lr / (1 − b1ᵗ) and sqrtBC2 = √(1 − b2ᵗ), all in float32. g, m and v must be at least as long
// as p.
func Adam(p, g, m, v []float32, b1, b2, stepSize, sqrtBC2, eps float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if len(p) == 0 {
		return
	}
	if vecC() {
		adamC(p, g, m, v, b1, b2, stepSize, sqrtBC2, eps)
		return
	}
	adamGo(p, g, m, v, b1, b2, stepSize, sqrtBC2, eps)
}

func reluGo(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		// A select on the bits rather than on the float, so that the compiler emits a conditional move:
		// the signs of activations are as good as random, and a branch on them is mispredicted half the
		// time.
		one := uint32(0)
		if v >= 0 {
			one = 0x3f800000 // 1
		}
		y[i] = v * math.Float32frombits(one)
	}
}

func reluGradGo(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		one := uint32(0)
		if v >= 0 {
			one = 0x3f800000
		}
		dx[i] = math.Float32frombits(one) * dy[i]
	}
}

func addRowsGo(y, c []float32, n int) {
	c = c[:n]
	for r := 0; r+n <= len(y); r += n {
		row := y[r : r+n]
		for j, v := range c {
			row[j] += v
		}
	}
}

func sumRowsGo(d, a []float32, m, n int) {
	d = d[:n]
	clear(d)
	for r := range m {
		row := a[r*n : (r+1)*n]
		for j := range d {
			d[j] += row[j]
		}
	}
}

func adamGo(p, g, m, v []float32, b1, b2, stepSize, sqrtBC2, eps float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j := range p {
		m[j] = b1*m[j] + (1-b1)*g[j]
		v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
		p[j] -= stepSize * m[j] / (float32(math.Sqrt(float64(v[j])))/sqrtBC2 + eps)
	}
}
