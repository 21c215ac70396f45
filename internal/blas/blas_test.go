package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// sgemmCase is one product with padded leading dimensions, so that strides are exercised too.
type sgemmCase struct {
	tA, tB      blas.Transpose
	m, n, k     int
	alpha, beta float32
	pad         int
}

func (c sgemmCase) operands(rng *rand.Rand) (a []float32, lda int, b []float32, ldb int, cc []float32, ldc int) {
	rowsA, colsA := c.m, c.k
	if c.tA != blas.NoTrans {
		rowsA, colsA = c.k, c.m
	}
	rowsB, colsB := c.k, c.n
	if c.tB != blas.NoTrans {
		rowsB, colsB = c.n, c.k
	}
	lda, ldb, ldc = max(1, colsA)+c.pad, max(1, colsB)+c.pad, max(1, c.n)+c.pad
	return randSlice(rng, rowsA*lda), lda, randSlice(rng, rowsB*ldb), ldb, randSlice(rng, c.m*ldc), ldc
}

func TestSgemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tA := range transposes {
		for _, tB := range transposes {
			for _, dims := range [][3]int{{1, 1, 1}, {3, 5, 7}, {100, 101, 101}, {101, 101, 100}, {100, 1, 101}, {64, 33, 0}, {0, 4, 4}, {257, 130, 65}} {
				for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {0, 0.5}} {
					for _, pad := range []int{0, 3} {
						c := sgemmCase{tA, tB, dims[0], dims[1], dims[2], ab[0], ab[1], pad}
						a, lda, b, ldb, want, ldc := c.operands(rng)
						got := append([]float32(nil), want...)
						gonum.Implementation{}.Sgemm(tA, tB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, want, ldc)
						Default.Sgemm(tA, tB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, got, ldc)
						for i := range want {
							// A float32 sum of k products: the two summation orders differ by rounding only.
							tol := 1e-5 * float64(c.k+1) * (1 + math.Abs(float64(want[i])))
							if d := math.Abs(float64(got[i] - want[i])); d > tol {
								t.Fatalf("%+v: element %d = %v, gonum gives %v", c, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// The same product repeated with the same thread count gives bit-identical results.
func TestSgemmDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	saved := Threads()
	defer SetThreads(saved)
	for _, c := range []sgemmCase{
		{blas.NoTrans, blas.Trans, 100, 101, 101, 1, 0, 0},
		{blas.Trans, blas.NoTrans, 101, 101, 100, 1, 1, 0},
		{blas.NoTrans, blas.NoTrans, 2048, 101, 101, 1, 0, 0},
		{blas.NoTrans, blas.NoTrans, 512, 512, 512, 1, 0, 0},
	} {
		a, lda, b, ldb, c0, ldc := c.operands(rng)
		for _, threads := range []int{1, 2} {
			SetThreads(threads)
			var first []float32
			for range 3 {
				got := append([]float32(nil), c0...)
				Default.Sgemm(c.tA, c.tB, c.m, c.n, c.k, c.alpha, a, lda, b, ldb, c.beta, got, ldc)
				if first == nil {
					first = got
					continue
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%+v with %d threads: element %d = %v, first run gave %v", c, threads, i, got[i], first[i])
					}
				}
			}
		}
	}
}

// Bad arguments panic with gonum's messages.
func TestSgemmPanicsLikeGonum(t *testing.T) {
	s := make([]float32, 16)
	for _, c := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
		a, b, c []float32
		lda     int
		ldb     int
		ldc     int
	}{
		{"transpose", 'x', blas.NoTrans, 2, 2, 2, s, s, s, 2, 2, 2},
		{"m", blas.NoTrans, blas.NoTrans, -1, 2, 2, s, s, s, 2, 2, 2},
		{"lda", blas.NoTrans, blas.NoTrans, 2, 2, 3, s, s, s, 2, 2, 2},
		{"ldb", blas.NoTrans, blas.Trans, 2, 2, 3, s, s, s, 3, 2, 2},
		{"ldc", blas.NoTrans, blas.NoTrans, 2, 3, 2, s, s, s, 2, 3, 2},
		{"short a", blas.NoTrans, blas.NoTrans, 4, 2, 4, s[:10], s, s, 4, 2, 2},
		{"short b", blas.Trans, blas.NoTrans, 2, 4, 4, s, s[:10], s, 2, 4, 4},
		{"short c", blas.NoTrans, blas.NoTrans, 4, 4, 2, s, s, s[:15], 2, 4, 4},
	} {
		catch := func(f func()) (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			f()
			return
		}
		want := catch(func() {
			gonum.Implementation{}.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1, c.a, c.lda, c.b, c.ldb, 0, c.c, c.ldc)
		})
		got := catch(func() { Default.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1, c.a, c.lda, c.b, c.ldb, 0, c.c, c.ldc) })
		if want == "<nil>" || got != want {
			t.Errorf("%s: panic %q, gonum's %q", c.name, got, want)
		}
	}
}
