package testkit

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// Float is an element type CloseTo compares.
type Float interface{ ~float32 | ~float64 }

// CloseTo checks got against want element by element and reports, with t.Errorf, the elements off
// tolerance. An element matches when |got − want| ≤ max(absTol, relTol·|want|): with absTol = relTol = tol
// that is tol absolute for values up to 1 in magnitude and relative beyond; with relTol = 0 it is purely
// absolute. A NaN in want needs a NaN in got, an infinity the same infinity, and a NaN in got where want
// is a number never matches. A length mismatch is reported alone. CloseTo returns whether every element
// matched.
func CloseTo[F Float](t testing.TB, what string, got, want []F, absTol, relTol float64) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return false
	}
	const shown = 5
	var (
		bad   int
		first strings.Builder
		worst float64 // largest |got − want| among the elements off tolerance
	)
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if within(g, w, absTol, relTol) {
			continue
		}
		if d := math.Abs(g - w); bad == 0 || d > worst || math.IsNaN(d) {
			worst = d
		}
		if bad < shown {
			fmt.Fprintf(&first, "\n\telement %d: got %g, want %g", i, g, w)
		}
		bad++
	}
	if bad == 0 {
		return true
	}
	if len(want) == 1 {
		t.Errorf("%s: got %g, want %g within max(%g, %g·|want|)", what, float64(got[0]), float64(want[0]), absTol, relTol)
		return false
	}
	more := ""
	if bad > shown {
		more = "\n\t..."
	}
	t.Errorf("%s: %d of %d values off tolerance max(%g, %g·|want|), largest difference %.3g:%s%s",
		what, bad, len(want), absTol, relTol, worst, first.String(), more)
	return false
}

// within is CloseTo's rule for one element.
func within(got, want, absTol, relTol float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= math.Max(absTol, relTol*math.Abs(want))
}
