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

// Adam's update of element j in float32, each operation rounded to float32, as the Go loop computes it.
static inline void fairbinn_adam1(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long j,
	float b1, float b2, float c1, float c2, float stepSize, float sqrtBC2, float eps) {
	m[j] = b1 * m[j] + c1 * g[j];
	v[j] = b2 * v[j] + c2 * g[j] * g[j];
	p[j] -= stepSize * m[j] / (__builtin_sqrtf(v[j]) / sqrtBC2 + eps);
}

#ifdef __SSE2__
// rnd rounds two doubles to float32 and back: an operation on float32 values done in double and
// rounded so gives the float32 operation's result, bit for bit (the double result of +, −, ×, ÷ and √ of
// float32 operands rounds to the correctly rounded float32 result, subnormal results included), and
// takes no slow path for subnormal numbers, which are normal doubles.
static inline __m128d rnd(__m128d x) { return _mm_cvtps_pd(_mm_cvtpd_ps(x)); }

// fairbinn_adam4d updates elements j..j+3 through doubles, for the lanes whose numbers are or could
// become subnormal: a float32 operation with a subnormal operand or result takes a microcode assist
// of a hundred cycles or more, and in a long run the first moment of a weight whose input is almost
// always zero decays through the subnormal range.
static inline void fairbinn_adam4d(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long j,
	float b1, float b2, float c1, float c2, float stepSize, float sqrtBC2, float eps) {
	__m128d B1 = _mm_set1_pd(b1), B2 = _mm_set1_pd(b2), C1 = _mm_set1_pd(c1), C2 = _mm_set1_pd(c2);
	__m128d S = _mm_set1_pd(stepSize), Q = _mm_set1_pd(sqrtBC2), E = _mm_set1_pd(eps);
	for (long h = j; h < j + 4; h += 2) {
		__m128d P = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)(p + h))));
		__m128d G = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)(g + h))));
		__m128d M = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)(m + h))));
		__m128d V = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)(v + h))));
		M = rnd(_mm_add_pd(rnd(_mm_mul_pd(B1, M)), rnd(_mm_mul_pd(C1, G))));
		V = rnd(_mm_add_pd(rnd(_mm_mul_pd(B2, V)), rnd(_mm_mul_pd(rnd(_mm_mul_pd(C2, G)), G))));
		__m128d den = rnd(_mm_add_pd(rnd(_mm_div_pd(rnd(_mm_sqrt_pd(V)), Q)), E));
		P = rnd(_mm_sub_pd(P, rnd(_mm_div_pd(rnd(_mm_mul_pd(S, M)), den))));
		_mm_storel_pi((__m64 *)(m + h), _mm_cvtpd_ps(M));
		_mm_storel_pi((__m64 *)(v + h), _mm_cvtpd_ps(V));
		_mm_storel_pi((__m64 *)(p + h), _mm_cvtpd_ps(P));
	}
}

// tiny: per lane, x is not zero and below lo in magnitude (lo a positive normal float32), by comparing
// the bits of |x| − 1 with those of lo − 1 as unsigned numbers (signed, with the top bit flipped); lo1
// holds lo's bits less 1 so flipped. A NaN is not tiny.
static inline __m128i tiny(__m128 x, __m128i lo1) {
	__m128i bias = _mm_set1_epi32((int)0x80000000u);
	__m128i a = _mm_sub_epi32(_mm_and_si128(_mm_castps_si128(x), _mm_set1_epi32(0x7fffffff)), _mm_set1_epi32(1));
	return _mm_cmplt_epi32(_mm_xor_si128(a, bias), lo1);
}
#endif

static void fairbinn_adam(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long n,
	float b1, float b2, float stepSize, float sqrtBC2, float eps) {
	float c1 = 1 - b1, c2 = 1 - b2;
	long j = 0;
#ifdef __SSE2__
	// Four lanes at a time in float32 with the square-root and division instructions (which the
	// compiler does not vectorize itself while sqrtf may set errno), unless a moment or the gradient of
	// a lane is tiny but not zero: its update would take subnormal numbers (a first moment decaying
	// without gradients goes through them), and those lanes go through doubles (fairbinn_adam4d).
	// Both give the same numbers: the choice only avoids the slow path of subnormal float32 arithmetic.
	__m128 vb1 = _mm_set1_ps(b1), vb2 = _mm_set1_ps(b2), vc1 = _mm_set1_ps(c1), vc2 = _mm_set1_ps(c2);
	__m128 vstep = _mm_set1_ps(stepSize), vbc2 = _mm_set1_ps(sqrtBC2), veps = _mm_set1_ps(eps);
	// The bounds: below 2^-100 a moment's products with the betas and the step size come near the
	// subnormal numbers (2^-126), below 2^-50 the gradient's square does. They are the bits of 2^-100
	// and 2^-50, less 1, biased as tiny takes them.
	__m128i lo100 = _mm_set1_epi32((int)((0x0d800000u - 1u) ^ 0x80000000u));
	__m128i lo50 = _mm_set1_epi32((int)((0x26800000u - 1u) ^ 0x80000000u));
	for (; j + 4 <= n; j += 4) {
		__m128 pj = _mm_loadu_ps(p + j), gj = _mm_loadu_ps(g + j), mj = _mm_loadu_ps(m + j), vj = _mm_loadu_ps(v + j);
		__m128i small = _mm_or_si128(_mm_or_si128(tiny(mj, lo100), tiny(vj, lo100)), tiny(gj, lo50));
		if (_mm_movemask_epi8(small) != 0) {
			fairbinn_adam4d(p, g, m, v, j, b1, b2, c1, c2, stepSize, sqrtBC2, eps);
			continue;
		}
		mj = _mm_add_ps(_mm_mul_ps(vb1, mj), _mm_mul_ps(vc1, gj));
		vj = _mm_add_ps(_mm_mul_ps(vb2, vj), _mm_mul_ps(_mm_mul_ps(vc2, gj), gj));
		__m128 den = _mm_add_ps(_mm_div_ps(_mm_sqrt_ps(vj), vbc2), veps);
		_mm_storeu_ps(m + j, mj);
		_mm_storeu_ps(v + j, vj);
		_mm_storeu_ps(p + j, _mm_sub_ps(pj, _mm_div_ps(_mm_mul_ps(vstep, mj), den)));
	}
#endif
	for (; j < n; j++) {
		fairbinn_adam1(p, g, m, v, j, b1, b2, c1, c2, stepSize, sqrtBC2, eps);
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
