package lower_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// reluChain is x → Relu → Relu → … (n nodes) on an input of shape [batch, 8].
func reluChain(n int) *ir.Graph {
	g := &ir.Graph{
		Opset:        17,
		Inputs:       []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(8)}}},
		Initializers: map[string]*ir.Tensor{},
	}
	prev := "x"
	for i := range n {
		out := fmt.Sprintf("r%d", i)
		g.Nodes = append(g.Nodes, &ir.Node{Name: out, OpType: "Relu", Inputs: []string{prev}, Outputs: []string{out}})
		prev = out
	}
	g.Outputs = []*ir.Value{{Name: prev, DType: ir.Float32}}
	return g
}

// chainInput is rows rows of 8 values of both signs.
func chainInput(rows int) tensor.Tensor {
	x := tensor.Tensor{Shape: []int64{int64(rows), 8}, Data: make([]float32, rows*8)}
	for i := range x.Data {
		x.Data[i] = float32(i%7) - 3
	}
	return x
}

// tapeRun computes l's outputs with gorgonia's tape machine, as Run did before it evaluated the nodes
// itself: the reference Run must match bit for bit.
func tapeRun(l *lower.Lowered, inputs []tensor.Tensor) (outs []tensor.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	// Each output is read as it is computed: the tape machine reuses the memory of values no later op
	// reads, so after the run an output node's Value may hold another value.
	reads := make([]G.Value, len(l.Outputs))
	for i, o := range l.Outputs {
		G.Read(o, &reads[i])
	}
	for i, in := range inputs {
		var v G.Value
		if len(in.Shape) == 0 {
			v = G.NewF32(in.Data[0])
		} else {
			v = gt.New(gt.WithShape(l.Inputs[i].Shape()...), gt.WithBacking(slices.Clone(in.Data)))
		}
		if err := G.Let(l.Inputs[i], v); err != nil {
			return nil, err
		}
	}
	vm := G.NewTapeMachine(l.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, err
	}
	for i, v := range reads {
		var out tensor.Tensor
		switch v := v.(type) {
		case *G.F32:
			out = tensor.Tensor{Shape: []int64{}, Data: []float32{float32(*v)}}
		case gt.Tensor:
			for _, d := range v.Shape() {
				out.Shape = append(out.Shape, int64(d))
			}
			switch {
			case slices.Contains(v.Shape(), 0):
				out.Data = []float32{} // no elements (Data would panic)
			case v.Shape().IsScalar():
				out.Data = []float32{v.Data().(float32)}
			default:
				out.Data = slices.Clone(v.Data().([]float32)[:v.Shape().TotalSize()])
			}
		default:
			return nil, fmt.Errorf("output %d holds %T", i, v)
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// checkSameAsTape lowers g twice, computes one with Run and the other with the tape machine, and checks
// that every output is the same, shape and bits.
func checkSameAsTape(t *testing.T, g *ir.Graph, opts lower.Options, inputs []tensor.Tensor) {
	t.Helper()
	lRun, err := lower.Lower(g, opts)
	if err != nil {
		t.Fatal(err)
	}
	lTape, err := lower.Lower(g, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := lRun.Run(inputs)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want, err := tapeRun(lTape, inputs)
	if err != nil {
		t.Fatalf("tape machine: %v", err)
	}
	for i := range want {
		if !slices.Equal(got[i].Shape, want[i].Shape) {
			t.Errorf("output %d: shape %v, tape machine %v", i, got[i].Shape, want[i].Shape)
			continue
		}
		if len(got[i].Data) != len(want[i].Data) {
			t.Errorf("output %d: %d values, tape machine %d", i, len(got[i].Data), len(want[i].Data))
			continue
		}
		for j := range want[i].Data {
			if math.Float32bits(got[i].Data[j]) != math.Float32bits(want[i].Data[j]) {
				t.Errorf("output %d [%d]: %v, tape machine %v", i, j, got[i].Data[j], want[i].Data[j])
				break
			}
		}
	}
}

// TestRunMatchesTapeMachine checks that Run, which evaluates the nodes itself, gives bit for bit what
// gorgonia's tape machine gives: on the test backbones, the models9 models that Forward runs, a model
// whose outputs other nodes read, a Relu chain, and every ONNX backend node test that the Go forward
// pass runs.
func TestRunMatchesTapeMachine(t *testing.T) {
	readModel := func(t *testing.T, path string) *ir.Graph {
		t.Helper()
		g, err := importer.ReadFile(testkit.Fixture(t, path), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	readInput := func(t *testing.T, path string) tensor.Tensor {
		t.Helper()
		x, err := npy.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		return tensor.Tensor{Shape: x.Shape, Data: x.Data}
	}
	backbones, err := filepath.Glob(filepath.Join("..", "testdata", "models", "*", "model.onnx"))
	if err != nil || len(backbones) == 0 {
		t.Fatalf("no backbones in testdata/models (%v)", err)
	}
	for _, path := range backbones {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			x := readInput(t, filepath.Join(dir, "input.npy"))
			checkSameAsTape(t, readModel(t, path), lower.Options{Batch: int(x.Shape[0])}, []tensor.Tensor{x})
		})
	}
	for _, m := range models9 {
		if m.unsupported != "" {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			g := readModel(t, filepath.Join(models9Dir(m.name), "model.onnx"))
			x := readInput(t, filepath.Join(models9Dir(m.name), "input_"+g.RealInputs()[0].Name+".npy"))
			checkSameAsTape(t, g, lower.Options{Batch: int(x.Shape[0])}, []tensor.Tensor{x})
		})
	}
	t.Run("outputs_read_by_other_nodes", func(t *testing.T) {
		m := onnxtest.Model{Opset: 13, Inputs: []onnxtest.Input{ortIn("x", 2, 3)},
			Nodes: []onnxtest.Node{
				ortNode("Relu", []string{"x"}, "r", nil),
				ortNode("Sigmoid", []string{"r"}, "s", nil),
				ortNode("Add", []string{"s", "r"}, "y", nil),
			},
			Outputs: []string{"r", "y", "s", "r"}}
		model, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		g, err := importer.Read(model, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{-1, 2, -3, 4, -5, 6}}
		checkSameAsTape(t, g, lower.Options{}, []tensor.Tensor{x})
	})
	t.Run("relu_chain", func(t *testing.T) {
		checkSameAsTape(t, reluChain(300), lower.Options{Batch: 3}, []tensor.Tensor{chainInput(3)})
	})
	t.Run("node_tests", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short: skips the ONNX backend node tests")
		}
		dir := testkit.ExternalDir(t, onnxtest.Dir(), "ONNX node tests: install libonnx-testdata or set "+onnxtest.EnvDir)
		compared := 0
		for _, op := range lower.SupportedOps() {
			spec := nodeOpCases[op]
			cases, err := onnxtest.Cases(dir, spec.prefixes)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				if strings.HasSuffix(c.Name, "_expanded") || slices.ContainsFunc(spec.exclude, func(p string) bool { return strings.HasPrefix(c.Name, p) }) {
					continue
				}
				t.Run(c.Name, func(t *testing.T) {
					if compareNodeCase(t, c) {
						compared++
					}
				})
			}
		}
		// TestNodeCases passes 220 of them; a change that made most of them skip here would go unseen.
		if compared < 200 {
			t.Errorf("compared %d node tests, want at least 200", compared)
		}
	})
}

// compareNodeCase runs checkSameAsTape on each data set of an ONNX backend node test, lowered as
// TestNodeCases lowers it, and reports whether it did: a case the Go forward pass does not run (which
// TestNodeCases reports) is left out.
func compareNodeCase(t *testing.T, c onnxtest.Case) bool {
	t.Helper()
	model, sets, err := c.Load()
	if err != nil {
		return false
	}
	if opset, err := onnxtest.Opset(model); err != nil || opset < importer.MinOpset || opset > importer.MaxOpset {
		return false
	}
	g, err := importer.Read(model, importer.Options{})
	if err != nil {
		return false
	}
	for _, set := range sets {
		consts := map[string]*ir.Tensor{}
		byName := map[string]*ir.Tensor{}
		for i, v := range g.RealInputs() {
			in := set.Inputs[i]
			if in.DType != ir.Float32 || len(in.Dims) == 0 {
				consts[v.Name] = in
			}
			byName[v.Name] = in
		}
		opts := lower.Options{Batch: 1, ConstInputs: consts}
		l, err := lower.Lower(g, opts)
		if errors.Is(err, ir.ErrUnsupportedOp) {
			return false
		}
		if err != nil {
			t.Fatalf("%s: lower: %v", set.Name, err)
		}
		feeds := make([]tensor.Tensor, len(l.InputNames))
		for i, name := range l.InputNames {
			feeds[i] = tensor.Tensor{Shape: byName[name].Dims, Data: byName[name].Float}
		}
		checkSameAsTape(t, g, opts, feeds)
	}
	return true
}

// BenchmarkForwardChain runs Relu chains of 1,000 and 10,000 nodes on 10 rows: the whole Forward
// (lowering, then running), and Run alone on the lowered graph. Both grow linearly with the chain.
func BenchmarkForwardChain(b *testing.B) {
	x := chainInput(10)
	for _, n := range []int{1_000, 10_000} {
		g := reluChain(n)
		b.Run(fmt.Sprintf("%d/forward", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := lower.Forward(g, x, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d/run", n), func(b *testing.B) {
			l, err := lower.Lower(g, lower.Options{Batch: 10})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := l.Run([]tensor.Tensor{x}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestForwardLongChain runs a 10,000-node chain, which the tape machine took seconds to compile, and
// checks the result: Relu of Relu is Relu.
func TestForwardLongChain(t *testing.T) {
	x := chainInput(4)
	got, err := lower.Forward(reluChain(10_000), x, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, len(x.Data))
	for i, v := range x.Data {
		want[i] = max(v, 0)
	}
	if !slices.Equal(got.Shape, x.Shape) || !slices.Equal(got.Data, want) {
		t.Errorf("got %v %v, want %v %v", got.Shape, got.Data, x.Shape, want)
	}
}
