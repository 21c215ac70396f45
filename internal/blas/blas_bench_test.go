package blas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkSgemm compares gonum's pure-Go Sgemm with this package's at the shapes of one Adult training
// step (batch 100, 101 features and hidden units): the forward product X·Wᵀ, the weight gradient
// dYᵀ·X and the input gradient dY·W, plus evaluation's 2048-row forward product. Both run in the same
// process, so the ratio holds whatever else the machine is doing. Each reports GFLOP/s.
func BenchmarkSgemm(b *testing.B) {
	shapes := []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{"fwd_100x101x101", blas.NoTrans, blas.Trans, 100, 101, 101},
		{"dW_101x101x100", blas.Trans, blas.NoTrans, 101, 101, 100},
		{"dX_100x101x101", blas.NoTrans, blas.NoTrans, 100, 101, 101},
		{"eval_2048x101x101", blas.NoTrans, blas.Trans, 2048, 101, 101},
	}
	impls := []struct {
		name    string
		impl    blas.Float32
		threads int
	}{{"gonum", gonum.Implementation{}, 0}, {Backend() + "_1thread", Default, 1}}
	if Backend() != "gonum" {
		impls = append(impls, struct {
			name    string
			impl    blas.Float32
			threads int
		}{Backend() + "_2threads", Default, 2})
	}
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range shapes {
		rowsA, colsA := s.m, s.k
		if s.tA != blas.NoTrans {
			rowsA, colsA = s.k, s.m
		}
		rowsB, colsB := s.k, s.n
		if s.tB != blas.NoTrans {
			rowsB, colsB = s.n, s.k
		}
		x, y, c := randSlice(rng, rowsA*colsA), randSlice(rng, rowsB*colsB), make([]float32, s.m*s.n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("%s/%s", s.name, im.name), func(b *testing.B) {
				SetThreads(im.threads)
				for range b.N {
					im.impl.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, x, colsA, y, colsB, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
