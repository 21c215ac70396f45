//go:build cgo

package ort_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
)

func openModel(t *testing.T, name string, opts ort.Options) *ort.Session {
	t.Helper()
	testkit.RequireORT(t)
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.Open(b, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// rows returns an [n, 3] tensor whose values are distinct and include negatives, so relu is exercised.
func rows(n int) tensor.Tensor {
	data := make([]float32, n*3)
	for i := range data {
		data[i] = float32(i) - float32(len(data))/2
	}
	return tensor.Tensor{Shape: []int64{int64(n), 3}, Data: data}
}

func plusOne(x []float32) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = v + 1
	}
	return out
}

func relu(x []float32) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = max(v, 0)
	}
	return out
}

// equalTensor compares exactly: x+1 and relu are exact in float32.
func equalTensor(t *testing.T, what string, got tensor.Tensor, shape []int64, data []float32) {
	t.Helper()
	if !slices.Equal(got.Shape, shape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape, shape)
	}
	if !slices.Equal(got.Data, data) {
		t.Errorf("%s: data %v, want %v", what, got.Data, data)
	}
}

func TestInitConcurrent(t *testing.T) {
	testkit.RequireORT(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = ort.Init() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Init #%d: %v", i, err)
		}
	}
}

func TestSessionInfo(t *testing.T) {
	s := openModel(t, "add.onnx", ort.Options{})
	want := []ort.IOInfo{{Name: "x", Shape: []int64{-1, 3}}}
	if got := s.Inputs(); !slices.EqualFunc(got, want, equalInfo) {
		t.Errorf("Inputs() = %v, want %v", got, want)
	}
	want = []ort.IOInfo{{Name: "y", Shape: []int64{-1, 3}}, {Name: "z", Shape: []int64{-1, 3}}}
	if got := s.Outputs(); !slices.EqualFunc(got, want, equalInfo) {
		t.Errorf("Outputs() = %v, want %v", got, want)
	}
	// The returned slices are copies.
	s.Inputs()[0].Shape[1] = 99
	if got := s.Inputs()[0].Shape[1]; got != 3 {
		t.Errorf("Inputs() shares its shape: dim 1 became %d", got)
	}
}

func equalInfo(a, b ort.IOInfo) bool { return a.Name == b.Name && slices.Equal(a.Shape, b.Shape) }

func TestRun(t *testing.T) {
	for _, threads := range []int{0, 1, 2} {
		s := openModel(t, "add.onnx", ort.Options{Threads: threads})
		for _, n := range []int{1, 4} {
			in := rows(n)
			out, err := s.Run([]tensor.Tensor{in})
			if err != nil {
				t.Fatalf("threads %d, %d rows: %v", threads, n, err)
			}
			if len(out) != 2 {
				t.Fatalf("got %d outputs, want 2", len(out))
			}
			equalTensor(t, "y", out[0], in.Shape, plusOne(in.Data))
			equalTensor(t, "z", out[1], in.Shape, relu(in.Data))
		}
	}
}

func TestRunConcurrent(t *testing.T) {
	s := openModel(t, "add.onnx", ort.Options{Threads: 1})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			in := rows(g + 1)
			out, err := s.Run([]tensor.Tensor{in})
			if err != nil {
				t.Errorf("goroutine %d: %v", g, err)
				return
			}
			equalTensor(t, "y", out[0], in.Shape, plusOne(in.Data))
		})
	}
	wg.Wait()
}

func TestRunErrors(t *testing.T) {
	s := openModel(t, "add.onnx", ort.Options{})
	for _, tc := range []struct {
		name    string
		inputs  []tensor.Tensor
		wantErr string
	}{
		{name: "wrong width", inputs: []tensor.Tensor{{Shape: []int64{2, 4}, Data: make([]float32, 8)}},
			wantErr: `input "x": dim 1 is 4, model wants 3`},
		{name: "short data", inputs: []tensor.Tensor{{Shape: []int64{2, 3}, Data: make([]float32, 5)}},
			wantErr: `input "x": shape [2 3] needs 6 values, got 5`},
		{name: "too many inputs", inputs: []tensor.Tensor{rows(1), rows(1)},
			wantErr: "model has 1 inputs (x), got 2 tensors"},
		{name: "no inputs", wantErr: "model has 1 inputs (x), got 0 tensors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Run(tc.inputs)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestRunBatched(t *testing.T) {
	s := openModel(t, "add_static.onnx", ort.Options{})
	in := rows(6)
	out, err := ort.RunBatched(s, in, 4) // the static batch of 2 overrides 4
	if err != nil {
		t.Fatal(err)
	}
	equalTensor(t, "static batch", out, in.Shape, plusOne(in.Data))

	if _, err := ort.RunBatched(s, rows(5), 2); err == nil || !strings.Contains(err.Error(), "5 rows do not split into the model's static batch of 2") {
		t.Errorf("5 rows, static batch 2: got %v", err)
	}
}

func TestRunBatchedDynamic(t *testing.T) {
	// add.onnx has two outputs; RunBatched serves single-output models, so check it refuses.
	two := openModel(t, "add.onnx", ort.Options{})
	if _, err := ort.RunBatched(two, rows(3), 2); err == nil || !strings.Contains(err.Error(), "one input and one output") {
		t.Fatalf("two outputs: got %v", err)
	}

	s := openModel(t, "relu.onnx", ort.Options{})
	for _, tc := range []struct{ n, batch int }{{7, 3}, {7, 7}, {7, 100}, {1, 1}, {10, 5}} {
		in := rows(tc.n)
		out, err := ort.RunBatched(s, in, tc.batch)
		if err != nil {
			t.Fatalf("%d rows in batches of %d: %v", tc.n, tc.batch, err)
		}
		equalTensor(t, "relu", out, in.Shape, relu(in.Data))
	}

	out, err := ort.RunBatched(s, tensor.Tensor{Shape: []int64{0, 3}}, 4)
	if err != nil {
		t.Fatalf("no rows: %v", err)
	}
	equalTensor(t, "no rows", out, []int64{0, 3}, nil)

	for _, tc := range []struct {
		name    string
		in      tensor.Tensor
		batch   int
		wantErr string
	}{
		{name: "zero batch", in: rows(2), batch: 0, wantErr: "batch size 0: must be at least 1"},
		{name: "wrong width", in: tensor.Tensor{Shape: []int64{4, 2}, Data: make([]float32, 8)}, batch: 3,
			wantErr: `rows 0 to 2: input "x": dim 1 is 2, model wants 3`},
		{name: "short data", in: tensor.Tensor{Shape: []int64{4, 3}, Data: make([]float32, 11)}, batch: 3,
			wantErr: `input "x": shape [4 3] needs 12 values, got 11`},
		{name: "scalar", in: tensor.Tensor{Data: []float32{1}}, batch: 3, wantErr: "scalar input has no batch dim"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ort.RunBatched(s, tc.in, tc.batch)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	testkit.RequireORT(t)
	b, err := os.ReadFile(filepath.Join("testdata", "int64.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		model   []byte
		opts    ort.Options
		wantErr string
	}{
		{name: "not onnx", model: []byte("not a model"), wantErr: "onnxruntime cannot load the model"},
		{name: "empty", model: nil, wantErr: "onnxruntime cannot load the model"},
		{name: "negative threads", model: b, opts: ort.Options{Threads: -1}, wantErr: "threads -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ort.Open(tc.model, tc.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, tc.wantErr)
			}
			if errors.Is(err, ort.ErrRuntimeUnavailable) {
				t.Errorf("a bad model is not a missing runtime: %v", err)
			}
		})
	}
}

// An int64 model input takes integer values, and an int64 output gives them back (int64.onnx is the
// identity on int64[batch]).
func TestRunInt64(t *testing.T) {
	s := openModel(t, "int64.onnx", ort.Options{})
	defer s.Close()
	if got := s.Inputs()[0].DType; got != tensor.Int64 {
		t.Fatalf("input dtype %s, want int64", got)
	}
	in := tensor.Tensor{Shape: []int64{3}, DType: tensor.Int64, Ints: []int64{-5, 0, 1 << 40}}
	out, err := s.Run([]tensor.Tensor{in})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].DType != tensor.Int64 || !slices.Equal(out[0].Ints, in.Ints) {
		t.Errorf("identity of %v gave %+v", in.Ints, out[0])
	}
	if _, err := s.Run([]tensor.Tensor{{Shape: []int64{1}, Data: []float32{1}}}); err == nil || !strings.Contains(err.Error(), "wants int64") {
		t.Errorf("float values for an int64 input: %v", err)
	}
}

func TestClose(t *testing.T) {
	s := openModel(t, "add.onnx", ort.Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Run([]tensor.Tensor{rows(1)}); err == nil || !strings.Contains(err.Error(), "closed session") {
		t.Errorf("Run after Close: got %v", err)
	}
}

// TestOpenWithoutLibrary checks what a user without the library sees. Init runs once per process, so each
// case re-runs this test binary in a child process with ONNXRUNTIME_LIB pointing at a missing or broken file.
func TestOpenWithoutLibrary(t *testing.T) {
	if os.Getenv("RUNTIME_TEST_CHILD") == "1" {
		_, err := ort.Open([]byte("unused"), ort.Options{})
		if !errors.Is(err, ort.ErrRuntimeUnavailable) {
			fmt.Printf("want ErrRuntimeUnavailable, got %v\n", err)
			os.Exit(3)
		}
		if err2 := ort.Init(); err2 == nil || err2.Error() != err.Error() {
			fmt.Printf("second Init gave %v, want the first error again\n", err2)
			os.Exit(3)
		}
		fmt.Printf("child error: %v\n", err)
		return
	}
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.so")
	if err := os.WriteFile(garbage, []byte("not an ELF file"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, lib, wantIn string }{
		{name: "missing", lib: filepath.Join(dir, "libonnxruntime.so.1"), wantIn: "no such file"},
		{name: "not a library", lib: garbage, wantIn: "load " + garbage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestOpenWithoutLibrary$", "-test.v")
			cmd.Env = append(os.Environ(), "RUNTIME_TEST_CHILD=1", ort.LibraryEnv+"="+tc.lib)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child failed: %v\n%s", err, out)
			}
			for _, want := range []string{"child error: onnxruntime unavailable", tc.wantIn, ort.InstallHint} {
				if !strings.Contains(string(out), want) {
					t.Errorf("child output does not contain %q:\n%s", want, out)
				}
			}
		})
	}
}
