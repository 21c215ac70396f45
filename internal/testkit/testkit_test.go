package testkit

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures and skips instead of acting on them; Fatalf and Skip end
// the goroutine as the real ones do.
type recorder struct {
	testing.TB
	failed, skipped bool
	log             []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.log = append(r.log, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skip(args ...any) {
	r.skipped = true
	r.log = append(r.log, fmt.Sprint(args...))
	runtime.Goexit()
}

// record runs f on a recorder in its own goroutine, so that Fatalf and Skip end only f.
func record(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestCloseTo(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name           string
		got, want      []float64
		absTol, relTol float64
		ok             bool
	}{
		{"equal", []float64{1, -2, 0}, []float64{1, -2, 0}, 0, 0, true},
		{"absolute up to 1", []float64{0.5 + 1e-5}, []float64{0.5}, 1e-5, 1e-5, true},
		{"absolute exceeded", []float64{0.5 + 2e-5}, []float64{0.5}, 1e-5, 1e-5, false},
		{"relative beyond 1", []float64{1000.009}, []float64{1000}, 1e-5, 1e-5, true},
		{"relative exceeded", []float64{1000.02}, []float64{1000}, 1e-5, 1e-5, false},
		{"absolute only", []float64{1000.009}, []float64{1000}, 1e-5, 0, false},
		{"nan wanted and got", []float64{nan}, []float64{nan}, 1e-5, 0, true},
		{"nan wanted", []float64{0}, []float64{nan}, 1e-5, 0, false},
		{"nan got", []float64{nan}, []float64{0}, 1e-5, 0, false},
		{"same infinity", []float64{inf}, []float64{inf}, 0, 0, true},
		{"other infinity", []float64{-inf}, []float64{inf}, 0, 0, false},
		{"infinity got", []float64{inf}, []float64{1}, 1, 1, false},
		{"lengths", []float64{1}, []float64{1, 2}, 1, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ok bool
			r := record(t, func(tb testing.TB) { ok = CloseTo(tb, "x", tc.got, tc.want, tc.absTol, tc.relTol) })
			if ok != tc.ok || r.failed == ok {
				t.Errorf("CloseTo = %v, failed %v; want %v (log %q)", ok, r.failed, tc.ok, r.log)
			}
		})
	}
}

func TestCloseToReport(t *testing.T) {
	got, want := make([]float32, 20), make([]float32, 20)
	for i := range got {
		got[i] = float32(i) / 10 // elements 2.. differ by more than 0.1
	}
	r := record(t, func(tb testing.TB) { CloseTo(tb, "out", got, want, 0.15, 0) })
	if len(r.log) != 1 {
		t.Fatalf("log %q, want one report", r.log)
	}
	for _, s := range []string{"out: 18 of 20 values off tolerance", "largest difference 1.9", "element 2: got 0.2", "element 6:", "..."} {
		if !strings.Contains(r.log[0], s) {
			t.Errorf("report lacks %q:\n%s", s, r.log[0])
		}
	}
	if strings.Contains(r.log[0], "element 7:") {
		t.Errorf("report lists more than 5 elements:\n%s", r.log[0])
	}
}

func TestCloseToReportOneValue(t *testing.T) {
	r := record(t, func(tb testing.TB) { CloseTo(tb, "DP", []float64{0.3}, []float64{0.25}, 1e-12, 0) })
	if want := "DP: got 0.3, want 0.25 within max(1e-12, 0·|want|)"; len(r.log) != 1 || r.log[0] != want {
		t.Errorf("log %q, want %q", r.log, want)
	}
}

func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		ci              string
		failed, skipped bool
	}{{"true", true, false}, {"", false, true}, {"1", false, true}} {
		t.Setenv("CI", tc.ci)
		r := record(t, func(tb testing.TB) { Unavailable(tb, "libfoo missing: %v", os.ErrNotExist) })
		if r.failed != tc.failed || r.skipped != tc.skipped || len(r.log) != 1 || !strings.Contains(r.log[0], "libfoo missing: file does not exist") {
			t.Errorf("CI=%q: failed %v skipped %v log %q; want failed %v skipped %v", tc.ci, r.failed, r.skipped, r.log, tc.failed, tc.skipped)
		}
	}
}

func TestExternalDir(t *testing.T) {
	t.Setenv("CI", "")
	dir := t.TempDir()
	if r := record(t, func(tb testing.TB) { ExternalDir(tb, dir, "install it") }); r.failed || r.skipped {
		t.Errorf("existing folder: %q", r.log)
	}
	missing := filepath.Join(dir, "absent")
	if r := record(t, func(tb testing.TB) { ExternalDir(tb, missing, "install it") }); !r.skipped || !strings.Contains(r.log[0], "install it") {
		t.Errorf("missing folder outside CI: skipped %v, log %q", r.skipped, r.log)
	}
	t.Setenv("CI", "true")
	if r := record(t, func(tb testing.TB) { ExternalDir(tb, missing, "install it") }); !r.failed {
		t.Errorf("missing folder in CI: not a failure (log %q)", r.log)
	}
}

func TestFixture(t *testing.T) {
	t.Setenv("CI", "")
	if r := record(t, func(tb testing.TB) { Fixture(tb, "doc.go") }); r.failed || r.skipped {
		t.Errorf("present file: %q", r.log)
	}
	r := record(t, func(tb testing.TB) { Fixture(tb, filepath.Join("testdata", "absent.onnx")) })
	if !r.failed || r.skipped {
		t.Errorf("missing file outside CI: failed %v, skipped %v; want a failure", r.failed, r.skipped)
	}
}

func TestOnnxChecker(t *testing.T) {
	OnnxChecker(t, Fixture(t, filepath.Join("..", "..", "ort", "testdata", "add.onnx")))
	bad := filepath.Join(t.TempDir(), "bad.onnx")
	if err := os.WriteFile(bad, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := record(t, func(tb testing.TB) { OnnxChecker(tb, bad) }); !r.failed || !strings.Contains(r.log[0], "onnx.checker rejects "+bad) {
		t.Errorf("a file that is no model: failed %v, log %q", r.failed, r.log)
	}
}
