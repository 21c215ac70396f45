package bench

import (
	"math/rand/v2"
	"time"

	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/fairbinn/fairbinn-go/internal/blas"
)

// gemmRound is the length of one GEMM timing round (tests shorten it).
var gemmRound = 100 * time.Millisecond

// measureGEMM times Sgemm at the shapes of one training step (batch 100, 101 units): gonum's pure Go,
// and this build's BLAS with one and two threads. The floor is one core's rate of this build's BLAS.
func measureGEMM() GEMM {
	shapes := []struct {
		name    string
		tA, tB  gblas.Transpose
		m, n, k int
		step    bool
	}{
		{"forward X·Wᵀ 100×101×101", gblas.NoTrans, gblas.Trans, 100, 101, 101, true},
		{"weight gradient dYᵀ·X 101×101×100", gblas.Trans, gblas.NoTrans, 101, 101, 100, true},
		{"input gradient dY·W 100×101×101", gblas.NoTrans, gblas.NoTrans, 100, 101, 101, true},
		{"evaluation X·Wᵀ 2048×101×101", gblas.NoTrans, gblas.Trans, 2048, 101, 101, false},
	}
	rate := func(impl gblas.Float32, tA, tB gblas.Transpose, m, n, k int) float64 {
		rng := rand.New(rand.NewPCG(5, 6))
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range a {
			a[i] = rng.Float32()
		}
		for i := range b {
			b[i] = rng.Float32()
		}
		lda, ldb := k, n
		if tA != gblas.NoTrans {
			lda = m
		}
		if tB != gblas.NoTrans {
			ldb = k
		}
		impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
		best := 0.0
		for range 3 { // the best of three 0.1 s rounds
			calls, t := 0, time.Now()
			for time.Since(t) < gemmRound {
				impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
				calls++
			}
			best = max(best, 2*float64(m*n*k)*float64(calls)/time.Since(t).Seconds()/1e9)
		}
		return best
	}
	var out GEMM
	saved := blas.Threads()
	defer blas.SetThreads(saved)
	var floor1 float64
	for _, s := range shapes {
		r := GEMMShape{Name: s.name, M: s.m, N: s.n, K: s.k, Backend: blas.Backend(), TrainStep: s.step}
		r.Gonum = rate(gonum.Implementation{}, s.tA, s.tB, s.m, s.n, s.k)
		blas.SetThreads(1)
		r.BLAS1 = rate(blas.Default, s.tA, s.tB, s.m, s.n, s.k)
		if blas.Backend() != "gonum" {
			blas.SetThreads(2)
			r.BLAS2 = rate(blas.Default, s.tA, s.tB, s.m, s.n, s.k)
		}
		if s.step {
			floor1 += r.BLAS1 / 3
		}
		out.Shapes = append(out.Shapes, r)
	}
	out.FloorGFLOPs = floor1
	return out
}
