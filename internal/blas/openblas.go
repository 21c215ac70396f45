//go:build cgo

package blas

/*
#cgo LDFLAGS: -lopenblas

// The two OpenBLAS entry points used, declared here rather than through cblas.h, whose folder differs
// between Debian's OpenBLAS flavours (openblas-pthread, openblas-openmp). The enums of cblas.h are ints;
// blasint is int in the LP64 builds Debian ships.
enum { fairbinnRowMajor = 101, fairbinnNoTrans = 111, fairbinnTrans = 112 };
void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a,
	int lda, const float *b, int ldb, float beta, float *c, int ldc);
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var backend = "openblas"

// Implementation is gonum's BLAS with Sgemm computed by OpenBLAS.
type Implementation struct{ gonum.Implementation }

// pureGo is set by FAIRBINN_BLAS=gonum: Sgemm is gonum's.
var pureGo bool

func selectBackend(name string) {
	if name == "gonum" {
		pureGo, backend = true, "gonum"
	}
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, op transposing when asked, like
// gonum's Sgemm: the same arguments, the same checks and panics, and the same quick returns.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if pureGo {
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if !checkSgemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		return
	}
	if (alpha == 0 || k == 0) && beta == 1 {
		return
	}
	var pa, pb *C.float
	if len(a) > 0 {
		pa = (*C.float)(&a[0])
	}
	if len(b) > 0 {
		pb = (*C.float)(&b[0])
	}
	C.cblas_sgemm(C.fairbinnRowMajor, cTrans(tA), cTrans(tB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		pa, C.int(lda), pb, C.int(ldb), C.float(beta), (*C.float)(&c[0]), C.int(ldc))
}

func cTrans(t blas.Transpose) C.int {
	if t == blas.NoTrans {
		return C.fairbinnNoTrans
	}
	return C.fairbinnTrans // real matrices: the conjugate transpose is the transpose
}

func threads() int {
	if pureGo {
		return runtime.GOMAXPROCS(0)
	}
	return int(C.openblas_get_num_threads())
}

func setThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
