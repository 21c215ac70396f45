package reference

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/tensor"
)

func readModel(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readNpy(t *testing.T, path string) tensor.Tensor {
	t.Helper()
	a, err := npy.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return tensor.Tensor{Shape: a.Shape, Data: a.Data}
}

// rowsOf returns the first n rows of a [N, ...] tensor.
func rowsOf(x tensor.Tensor, n int) tensor.Tensor {
	row := len(x.Data) / int(x.Shape[0])
	shape := append([]int64{int64(n)}, x.Shape[1:]...)
	return tensor.Tensor{Shape: shape, Data: x.Data[:n*row]}
}

func TestRunMLP(t *testing.T) {
	model := readModel(t, filepath.Join("testdata", "mlp.onnx"))
	x := readNpy(t, filepath.Join("testdata", "mlp_input.npy"))
	want := readNpy(t, filepath.Join("testdata", "mlp_expected.npy"))
	// The batch dim is symbolic; every batch size must work, including 1 and the 4 features' width.
	for _, n := range []int{7, 1, 4} {
		got, err := Run(model, rowsOf(x, n))
		if err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		w := rowsOf(want, n)
		if !slices.Equal(got.Shape, w.Shape) {
			t.Errorf("%d rows: shape %v, want %v", n, got.Shape, w.Shape)
		}
		testkit.CloseTo(t, fmt.Sprintf("%d rows vs numpy", n), got.Data, w.Data, 1e-6, 0)
	}
	// The caller's input is copied, not computed on in place.
	before := slices.Clone(x.Data)
	if _, err := Run(model, x); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before, x.Data) {
		t.Error("Run changed its input")
	}
}

func TestRunAllTwoOutputs(t *testing.T) {
	// y = x + 1 and z = relu(x), from the runtime package's fixtures.
	model := readModel(t, filepath.Join("..", "..", "ort", "testdata", "add.onnx"))
	x := tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{-1, 0, 1, 2, -3, 4}}
	out, err := RunAll(model, []tensor.Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("got %d outputs, want 2", len(out))
	}
	if want := []float32{0, 1, 2, 3, -2, 5}; !slices.Equal(out[0].Data, want) {
		t.Errorf("y = %v, want %v", out[0].Data, want)
	}
	if want := []float32{0, 0, 1, 2, 0, 4}; !slices.Equal(out[1].Data, want) {
		t.Errorf("z = %v, want %v", out[1].Data, want)
	}
	if _, err := Run(model, x); err == nil || !strings.Contains(err.Error(), "use RunAll") {
		t.Errorf("Run on two outputs: got %v", err)
	}
}

func TestUnsupported(t *testing.T) {
	x := tensor.Tensor{Shape: []int64{2, 4}, Data: make([]float32, 8)}
	for _, tc := range []struct {
		file    string
		in      tensor.Tensor
		wantErr string
	}{
		{"add_twice.onnx", x, `node "double" (Add) takes "x" twice as input`},
		{"clip.onnx", x, "operator Clip not implemented"},
		{"gemm_1d.onnx", tensor.Tensor{Shape: []int64{4}, Data: make([]float32, 4)}, "panic: runtime error: index out of range"},
		{"unsqueeze.onnx", x, `output "y" came out with shape [2 4 1], the model declares [? 1 4]`},
		{"reused_output.onnx", x, `output "y" is also consumed inside the graph`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := RunAll(readModel(t, filepath.Join("testdata", tc.file)), []tensor.Tensor{tc.in})
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v, want ErrUnsupported", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "onnx-go cannot run this model: ") {
				t.Errorf("got %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestBadArguments(t *testing.T) {
	model := readModel(t, filepath.Join("testdata", "mlp.onnx"))
	for _, tc := range []struct {
		name    string
		model   []byte
		inputs  []tensor.Tensor
		wantErr string
		is      error
	}{
		{name: "short data", model: model, inputs: []tensor.Tensor{{Shape: []int64{2, 4}, Data: make([]float32, 7)}},
			wantErr: "input 0: shape [2 4] needs 8 values, got 7"},
		{name: "negative dim", model: model, inputs: []tensor.Tensor{{Shape: []int64{-1, 4}}},
			wantErr: "input 0: shape [-1 4]: dim 0 is negative"},
		{name: "two inputs", model: model, inputs: []tensor.Tensor{{Shape: []int64{1}, Data: []float32{1}}, {Shape: []int64{1}, Data: []float32{1}}},
			wantErr: "model has 1 inputs, got 2 tensors"},
		{name: "not a model", model: []byte("not a model"), inputs: []tensor.Tensor{{Shape: []int64{1}, Data: []float32{1}}},
			wantErr: "onnx-go cannot run this model: decode", is: ErrUnsupported},
		{name: "wrong width", model: model, inputs: []tensor.Tensor{{Shape: []int64{2, 3}, Data: make([]float32, 6)}},
			wantErr: `input "x": shape [2 3], the model declares [? 4]`},
		{name: "wrong rank", model: model, inputs: []tensor.Tensor{{Shape: []int64{8}, Data: make([]float32, 8)}},
			wantErr: `input "x": shape [8], the model declares [? 4]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RunAll(tc.model, tc.inputs)
			if err == nil {
				t.Fatal("RunAll succeeded")
			}
			t.Log(err)
			if tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %q, want it to contain %q", err, tc.wantErr)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want errors.Is %v", err, tc.is)
			}
		})
	}
}

func TestRunConcurrent(t *testing.T) {
	model := readModel(t, filepath.Join("testdata", "mlp.onnx"))
	x := readNpy(t, filepath.Join("testdata", "mlp_input.npy"))
	want := readNpy(t, filepath.Join("testdata", "mlp_expected.npy"))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := Run(model, x)
			if err != nil {
				t.Error(err)
				return
			}
			if !slices.Equal(got.Shape, want.Shape) {
				t.Errorf("shape %v, want %v", got.Shape, want.Shape)
			}
			testkit.CloseTo(t, "vs numpy", got.Data, want.Data, 1e-6, 0)
		})
	}
	wg.Wait()
}

// TestBackbones runs the PyTorch-exported backbones. onnx-go must reproduce PyTorch on adult_mlp, the
// toolkit's default backbone; on the others it may only fail cleanly, and the test logs how.
func TestBackbones(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the loop over every backbone")
	}
	dir := filepath.Join("..", "..", "testdata", "models")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustRun := map[string]bool{"adult_mlp": true}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			d := filepath.Join(dir, e.Name())
			x := readNpy(t, filepath.Join(d, "input.npy"))
			want := readNpy(t, filepath.Join(d, "expected.npy"))
			got, err := Run(readModel(t, filepath.Join(d, "model.onnx")), x)
			if err != nil {
				if mustRun[e.Name()] || !errors.Is(err, ErrUnsupported) {
					t.Fatal(err)
				}
				t.Logf("unsupported: %v", err)
				return
			}
			if !slices.Equal(got.Shape, want.Shape) {
				t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
			}
			testkit.CloseTo(t, "vs PyTorch", got.Data, want.Data, 1e-5, 0)
		})
	}
}

// FuzzRunAll runs arbitrary model bytes. Whatever they are, RunAll must leave its input unchanged and
// return either an error and no outputs, or no error and outputs that each hold as many values as their
// shape says; a model that runs must give the same outputs, bit for bit, when run again.
func FuzzRunAll(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.onnx"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	x := tensor.Tensor{Shape: []int64{2, 4}, Data: []float32{1, -2, 3, -4, 5, -6, 7, -8}}
	before := slices.Clone(x.Data)
	f.Fuzz(func(t *testing.T, model []byte) {
		outs, err := RunAll(model, []tensor.Tensor{x})
		if !slices.Equal(x.Data, before) {
			t.Fatalf("RunAll changed its input to %v", x.Data)
		}
		if err != nil {
			if outs != nil {
				t.Errorf("RunAll returned %d outputs with the error %v", len(outs), err)
			}
			return
		}
		for i, o := range outs {
			if err := o.Validate(); err != nil {
				t.Errorf("output %d: %v", i, err)
			}
		}
		again, err := RunAll(model, []tensor.Tensor{x})
		if err != nil {
			t.Fatalf("the model ran once, then failed: %v", err)
		}
		bits := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
		for i := range outs {
			if i >= len(again) || !slices.Equal(outs[i].Shape, again[i].Shape) || !slices.EqualFunc(outs[i].Data, again[i].Data, bits) {
				t.Fatalf("output %d differs between two runs", i)
			}
		}
		if len(again) != len(outs) {
			t.Fatalf("%d outputs, then %d", len(outs), len(again))
		}
	})
}
