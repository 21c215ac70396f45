package lower_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// models9 lists every model of testdata/models9 (README.md there) and whether the Go forward pass runs
// it. A model it does not run names, in unsupported, what its lowering must fail on: the test fails if
// that changes either way, so a model cannot drop out of the table unnoticed.
var models9 = []struct {
	name string
	// output is the graph output compared with expected_<output>.npy.
	output string
	// unsupported is a fragment of the error the model must fail with; empty when it runs.
	unsupported string
}{
	{name: "mlp_layernorm", output: "prob"},
	{name: "opset9_mlp", output: "prob"},
	{name: "keras_style", output: "prob"},
	{name: "raw_logit", output: "logits"},
	{name: "two_class", output: "logits"},
	{name: "four_class", output: "logits"},
	{name: "two_outputs", output: "prob"}, // the first of its two outputs
	{name: "transformer", output: "prob"},
	{name: "lstm", output: "prob", unsupported: "unsupported op: LSTM"},
	{name: "einsum_mlp", output: "prob", unsupported: "unsupported op: Einsum"},
	{name: "residual_mlp", output: "prob"},
	// Its int64 codes are a graph input, and the Go forward pass takes float32 inputs only (see
	// TestModels9EmbeddingWithKnownCodes for the same model with the codes known while building).
	{name: "embed_two_inputs", output: "prob", unsupported: `graph input "codes" has element type int64`},
}

// models9Abs and models9Rel are the agreement wanted with PyTorch's outputs: 1e-5 absolute or 1e-4
// relative.
const models9Abs, models9Rel = 1e-5, 1e-4

func models9Dir(name string) string { return filepath.Join("..", "testdata", "models9", name) }

// TestModels9 runs each model of testdata/models9 that has one float input through the Go forward pass
// (lower.Forward in chunks of 5 rows, so the last chunk is smaller; the first output for a model with
// two) and compares with PyTorch's expected output.
func TestModels9(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "testdata", "models9"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !slices.ContainsFunc(models9, func(m struct{ name, output, unsupported string }) bool { return m.name == e.Name() }) {
			t.Errorf("testdata/models9/%s is not in the models9 table", e.Name())
		}
	}
	for _, m := range models9 {
		t.Run(m.name, func(t *testing.T) {
			dir := models9Dir(m.name)
			g, err := importer.ReadFile(testkit.Fixture(t, filepath.Join(dir, "model.onnx")), importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := npy.Read(filepath.Join(dir, "expected_"+m.output+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			if g.Outputs[0].Name != m.output {
				t.Fatalf("first output is %q, want %q", g.Outputs[0].Name, m.output)
			}
			ins := g.RealInputs()
			if len(g.Outputs) > 1 {
				g.Outputs = g.Outputs[:1] // Forward runs one output
			}
			var got tensor.Tensor
			if len(ins) == 1 {
				x, rerr := npy.Read(filepath.Join(dir, "input_"+ins[0].Name+".npy"))
				if rerr != nil {
					t.Fatal(rerr)
				}
				got, err = lower.Forward(g, tensor.Tensor{Shape: x.Shape, Data: x.Data}, 5)
			} else if _, err = lower.Lower(g, lower.Options{Batch: int(want.Shape[0])}); err == nil {
				err = fmt.Errorf("lowers, but Forward takes one input, not %d", len(ins))
			}
			if err == nil && m.unsupported != "" {
				t.Fatalf("runs, but the table says it fails with %q: update the table", m.unsupported)
			}
			if m.unsupported != "" {
				switch {
				case !errors.Is(err, ir.ErrUnsupportedOp):
					t.Fatalf("error %v, want an unsupported op", err)
				case !strings.Contains(err.Error(), m.unsupported):
					t.Fatalf("error %q does not mention %q", err, m.unsupported)
				}
				t.Logf("not run by the Go forward pass: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Shape, want.Shape) {
				t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
			}
			testkit.CloseTo(t, m.output, got.Data, want.Data, models9Abs, models9Rel)
		})
	}
}

// TestModels9EmbeddingWithKnownCodes runs embed_two_inputs with its int64 codes known while building
// (lower.Options.ConstInputs): the Gathers then read the embedding tables, trainable float initializers,
// at indices known when the graph is built, and the output must match PyTorch's.
func TestModels9EmbeddingWithKnownCodes(t *testing.T) {
	dir := models9Dir("embed_two_inputs")
	g, err := importer.ReadFile(testkit.Fixture(t, filepath.Join(dir, "model.onnx")), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	codes, err := npy.Read(filepath.Join(dir, "input_codes.npy"))
	if err != nil {
		t.Fatal(err)
	}
	num, err := npy.Read(filepath.Join(dir, "input_num.npy"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := npy.Read(filepath.Join(dir, "expected_prob.npy"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]*ir.Tensor{"codes": {Name: "codes", DType: ir.Int64, Dims: codes.Shape, Int: codes.Ints}}
	l, err := lower.Lower(g, lower.Options{Batch: int(num.Shape[0]), ConstInputs: known})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"emb0.weight", "emb1.weight"} {
		if l.Params[name] == nil {
			t.Errorf("embedding table %s is not a trainable parameter", name)
		}
	}
	got, err := l.Run([]tensor.Tensor{{Shape: num.Shape, Data: num.Data}})
	if err != nil {
		t.Fatal(err)
	}
	testkit.CloseTo(t, "prob", got[0].Data, want.Data, models9Abs, models9Rel)
}

// TestModels9Gradients checks, against finite differences, the gradients of the models whose heads use
// the ops a fairness layer must train through (LayerNormalization, GELU's Erf, SiLU; attention's Slice,
// batched MatMul, Softmax and ReduceMean) with respect to the input and every parameter, on two rows.
func TestModels9Gradients(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the finite differences over whole models")
	}
	for _, name := range []string{"mlp_layernorm", "transformer", "opset9_mlp"} {
		t.Run(name, func(t *testing.T) {
			dir := models9Dir(name)
			model, err := os.ReadFile(testkit.Fixture(t, filepath.Join(dir, "model.onnx")))
			if err != nil {
				t.Fatal(err)
			}
			x, err := npy.Read(filepath.Join(dir, "input_input.npy"))
			if err != nil {
				t.Fatal(err)
			}
			rows := x.Shape[0]
			x.Shape[0] = 2
			x.Data = x.Data[:len(x.Data)/int(rows)*2]
			checkGradients(t, model, []tensor.Tensor{{Shape: x.Shape, Data: x.Data}}, 1e-3)
		})
	}
}
