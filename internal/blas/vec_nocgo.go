//go:build !cgo

package blas

// Without cgo the elementwise kernels are the Go loops of vec.go.

func vecC() bool { return false }

func reluC(y, x []float32)              { reluGo(y, x) }
func reluGradC(dx, x, dy []float32)     { reluGradGo(dx, x, dy) }
func addRowsC(y, c []float32, n int)    { addRowsGo(y, c, n) }
func sumRowsC(d, a []float32, m, n int) { sumRowsGo(d, a, m, n) }
func adamC(p, g, m, v []float32, b1, b2, stepSize, sqrtBC2, eps float32) {
	adamGo(p, g, m, v, b1, b2, stepSize, sqrtBC2, eps)
}
