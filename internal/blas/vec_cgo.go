//go:build cgo

package blas

/*
#cgo CFLAGS: -O3
#cgo LDFLAGS: -lm

// Plain loops the compiler vectorizes. No contraction keeps a·b + c two roundings, as in Go, on targets
// with fused multiply-adds.
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

// x·(x ≥ 0 ? 1 : 0) and (x ≥ 0 ? 1 : 0)·dy. Written as plain C the compiler replaces x·1 by a branch to x,
// which is the same number but a mispredicted branch for every other element.
static void fairbinn_relu(float *restrict y, const float *restrict x, long n) {
	long i = 0;
#ifdef __SSE2__
	__m128 zero = _mm_setzero_ps(), ones = _mm_set1_ps(1);
	for (; i + 4 <= n; i += 4) {
		__m128 xi = _mm_loadu_ps(x + i);
		_mm_storeu_ps(y + i, _mm_mul_ps(xi, _mm_and_ps(_mm_cmpge_ps(xi, zero), ones)));
	}
#endif
	for (; i < n; i++) {
		float one = x[i] >= 0 ? 1.0f : 0.0f;
		y[i] = x[i] * one;
	}
}

static void fairbinn_relu_grad(float *restrict dx, const float *restrict x, const float *restrict dy, long n) {
	long i = 0;
#ifdef __SSE2__
	__m128 zero = _mm_setzero_ps(), ones = _mm_set1_ps(1);
	for (; i + 4 <= n; i += 4) {
		__m128 one = _mm_and_ps(_mm_cmpge_ps(_mm_loadu_ps(x + i), zero), ones);
		_mm_storeu_ps(dx + i, _mm_mul_ps(one, _mm_loadu_ps(dy + i)));
	}
#endif
	for (; i < n; i++) {
		float one = x[i] >= 0 ? 1.0f : 0.0f;
		dx[i] = one * dy[i];
	}
}

static void fairbinn_add_rows(float *restrict y, const float *restrict c, long rows, long n) {
	for (long r = 0; r < rows; r++) {
		float *restrict row = y + r * n;
		for (long j = 0; j < n; j++) {
			row[j] += c[j];
		}
	}
}

static void fairbinn_sum_rows(float *restrict d, const float *restrict a, long m, long n) {
	for (long j = 0; j < n; j++) {
		d[j] = 0;
	}
	for (long r = 0; r < m; r++) {
		const float *restrict row = a + r * n;
		for (long j = 0; j < n; j++) {
			d[j] += row[j];
		}
	}
}

static void fairbinn_adam(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long n,
	float b1, float b2, float stepSize, float sqrtBC2, float eps) {
	float c1 = 1 - b1, c2 = 1 - b2;
	long j = 0;
#ifdef __SSE2__
	// Four lanes at a time with the square-root and division instructions, which the compiler does not
	// vectorize itself while sqrtf may set errno.
	__m128 vb1 = _mm_set1_ps(b1), vb2 = _mm_set1_ps(b2), vc1 = _mm_set1_ps(c1), vc2 = _mm_set1_ps(c2);
	__m128 vstep = _mm_set1_ps(stepSize), vbc2 = _mm_set1_ps(sqrtBC2), veps = _mm_set1_ps(eps);
	for (; j + 4 <= n; j += 4) {
		__m128 gj = _mm_loadu_ps(g + j);
		__m128 mj = _mm_add_ps(_mm_mul_ps(vb1, _mm_loadu_ps(m + j)), _mm_mul_ps(vc1, gj));
		__m128 vj = _mm_add_ps(_mm_mul_ps(vb2, _mm_loadu_ps(v + j)), _mm_mul_ps(_mm_mul_ps(vc2, gj), gj));
		__m128 den = _mm_add_ps(_mm_div_ps(_mm_sqrt_ps(vj), vbc2), veps);
		_mm_storeu_ps(m + j, mj);
		_mm_storeu_ps(v + j, vj);
		_mm_storeu_ps(p + j, _mm_sub_ps(_mm_loadu_ps(p + j), _mm_div_ps(_mm_mul_ps(vstep, mj), den)));
	}
#endif
	for (; j < n; j++) {
		m[j] = b1 * m[j] + c1 * g[j];
		v[j] = b2 * v[j] + c2 * g[j] * g[j];
		p[j] -= stepSize * m[j] / (__builtin_sqrtf(v[j]) / sqrtBC2 + eps);
	}
}
*/
import "C"

// vecC reports whether the elementwise kernels run in C: always, unless FAIRBINN_BLAS=gonum.
func vecC() bool { return !pureGo }

func reluC(y, x []float32) {
	C.fairbinn_relu((*C.float)(&y[0]), (*C.float)(&x[0]), C.long(len(x)))
}

func reluGradC(dx, x, dy []float32) {
	C.fairbinn_relu_grad((*C.float)(&dx[0]), (*C.float)(&x[0]), (*C.float)(&dy[0]), C.long(len(x)))
}

func addRowsC(y, c []float32, n int) {
	C.fairbinn_add_rows((*C.float)(&y[0]), (*C.float)(&c[0]), C.long(len(y)/n), C.long(n))
}

func sumRowsC(d, a []float32, m, n int) {
	C.fairbinn_sum_rows((*C.float)(&d[0]), (*C.float)(&a[0]), C.long(m), C.long(n))
}

func adamC(p, g, m, v []float32, b1, b2, stepSize, sqrtBC2, eps float32) {
	C.fairbinn_adam((*C.float)(&p[0]), (*C.float)(&g[0]), (*C.float)(&m[0]), (*C.float)(&v[0]), C.long(len(p)),
		C.float(b1), C.float(b2), C.float(stepSize), C.float(sqrtBC2), C.float(eps))
}
