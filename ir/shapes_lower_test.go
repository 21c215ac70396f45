package ir_test

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
)

// testdataModels lists every .onnx file under a testdata folder of the module: the backbones in
// testdata/models, the bad inputs in testdata/bad and the fixtures of other packages.
func testdataModels(t testing.TB) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".onnx") && slices.Contains(strings.Split(filepath.ToSlash(path), "/"), "testdata") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no .onnx file under a testdata folder")
	}
	sort.Strings(paths)
	return paths
}

// loweredShapes returns the shape of every float tensor the Go forward pass computes, from the graph
// lowered for two batch sizes: a dim that follows the batch size is the symbolic batch dim, a dim that
// stays put is static, and a dim that changes otherwise is unknown. Lowering checks every op's shapes
// with concrete sizes, which makes it the oracle of ir.InferShapes.
func loweredShapes(g *ir.Graph) (map[string]ir.Shape, error) {
	batchName := ""
	for _, v := range g.RealInputs() {
		for _, d := range v.Shape {
			if d.Param != "" && batchName == "" {
				batchName = d.Param
			}
		}
	}
	const b1, b2 = 2, 3
	l1, err := lower.Lower(g, lower.Options{Batch: b1})
	if err != nil {
		return nil, err
	}
	l2 := l1
	if batchName != "" {
		if l2, err = lower.Lower(g, lower.Options{Batch: b2}); err != nil {
			return nil, err
		}
	}
	out := map[string]ir.Shape{}
	for name, n1 := range l1.Values {
		n2, ok := l2.Values[name]
		if !ok {
			continue
		}
		s1, s2 := n1.Shape(), n2.Shape()
		if len(s1) != len(s2) {
			return nil, fmt.Errorf("tensor %q changes rank with the batch size", name)
		}
		shape := make(ir.Shape, len(s1))
		for i := range s1 {
			switch {
			case s1[i] == s2[i]:
				shape[i] = ir.Fixed(int64(s1[i]))
			case s1[i] == b1 && s2[i] == b2:
				shape[i] = ir.Symbolic(batchName)
			default:
				shape[i] = ir.Dim{} // depends on the batch size in another way
			}
		}
		out[name] = shape
	}
	return out, nil
}

// compareWithLower checks that ir.InferShapes gives every tensor of the lowered graph (loweredShapes)
// the same shape. It returns how many tensors it compared.
func compareWithLower(t *testing.T, g *ir.Graph, got map[string]ir.Shape) int {
	t.Helper()
	want, err := loweredShapes(g)
	if err != nil {
		return 0
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: no shape, the lowered graph has %v", name, want[name])
		case s.String() != want[name].String():
			t.Errorf("%s: shape %v, the lowered graph has %v", name, s, want[name])
		}
	}
	return len(names)
}

// TestInferShapesMatchesLower compares the shapes ir.InferShapes infers with those of the lowered graph,
// on every testdata model that imports.
func TestInferShapesMatchesLower(t *testing.T) {
	compared := 0
	for _, path := range testdataModels(t) {
		t.Run(strings.TrimPrefix(filepath.ToSlash(path), "../"), func(t *testing.T) {
			g, err := importer.ReadFile(path, importer.Options{})
			if err != nil {
				t.Skipf("does not import: %v", err)
			}
			got, err := ir.InferShapes(g)
			_, lowerErr := loweredShapes(g)
			switch {
			case errors.Is(lowerErr, ir.ErrShapeMismatch):
				// Shapes that do not fit are found by both.
				if !errors.Is(err, ir.ErrShapeMismatch) {
					t.Fatalf("error %v; lowering fails with %v", err, lowerErr)
				}
				return
			case err != nil:
				t.Fatalf("ir.InferShapes: %v (lowering: %v)", err, lowerErr)
			case lowerErr != nil:
				// An op the Go forward pass does not run: shape inference leaves its outputs out and
				// still infers what comes before.
				t.Logf("lowering: %v", lowerErr)
				if !errors.Is(lowerErr, ir.ErrUnsupportedOp) {
					t.Errorf("lowering fails with %v, neither a shape mismatch nor an unsupported op", lowerErr)
				}
				for _, v := range g.RealInputs() {
					if _, ok := got[v.Name]; v.Shape != nil && !ok {
						t.Errorf("graph input %s has no shape", v.Name)
					}
				}
				return
			}
			compared += compareWithLower(t, g, got)
		})
	}
	if compared == 0 {
		t.Error("no tensor compared")
	}
	t.Logf("compared %d tensors", compared)
}

// TestInferShapesNodeCases runs shape inference on every ONNX backend node test and checks the shapes of
// the graph outputs against the expected outputs of the first data set, and against the shapes of the
// lowered graph where the Go forward pass lowers the case.
func TestInferShapesNodeCases(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in short mode")
	}
	dir := testkit.ExternalDir(t, onnxtest.Dir(), "ONNX node tests: install libonnx-testdata or set "+onnxtest.EnvDir)
	cases, err := onnxtest.Cases(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var tally struct{ cases, skipped, outputs, inferred, lowered, constOutputs, constInferred int }
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			tally.cases++
			model, sets, err := c.Load()
			if err != nil {
				tally.skipped++
				t.Skip(err)
			}
			g, err := importer.Read(model, importer.Options{})
			if err != nil {
				tally.skipped++
				t.Skipf("does not import: %v", err)
			}
			got, err := ir.InferShapes(g)
			if err != nil {
				t.Fatalf("ir.InferShapes of a valid model: %v", err)
			}
			checkOutputs := func(what string, got map[string]ir.Shape) (inferred int) {
				for i, v := range g.Outputs {
					want := sets[0].Outputs[i].Dims
					s, ok := got[v.Name]
					if !ok {
						continue
					}
					if len(s) != len(want) {
						t.Errorf("%soutput %s: shape %v, the expected output has dims %v", what, v.Name, s, want)
						continue
					}
					static := true
					for d, dim := range s {
						switch {
						case !dim.IsStatic():
							static = false
						case dim.Value != want[d]:
							t.Errorf("%soutput %s: shape %v, the expected output has dims %v", what, v.Name, s, want)
						}
					}
					if static {
						inferred++
					}
				}
				return inferred
			}
			tally.outputs += len(g.Outputs)
			tally.inferred += checkOutputs("", got)
			if compareWithLower(t, g, got) > 0 {
				tally.lowered++
			}

			// Integer inputs (shapes, axes, pads, indices) given as initializers: their values now decide
			// the output shapes.
			consts := 0
			for i, v := range g.RealInputs() {
				if in := sets[0].Inputs[i]; in.DType != ir.Float32 && in.Int != nil {
					in.Name = v.Name
					g.Initializers[v.Name] = in
					g.InitOrder = append(g.InitOrder, v.Name)
					consts++
				}
			}
			if consts == 0 {
				return
			}
			if got, err = ir.InferShapes(g); err != nil {
				t.Fatalf("ir.InferShapes with the integer inputs known: %v", err)
			}
			tally.constOutputs += len(g.Outputs)
			tally.constInferred += checkOutputs("integer inputs known: ", got)
		})
	}
	t.Logf("%d node cases (%d skipped): %d outputs, %d of them with every dim inferred; %d cases also lowered; "+
		"with the integer inputs known, %d of %d outputs with every dim inferred",
		tally.cases, tally.skipped, tally.outputs, tally.inferred, tally.lowered, tally.constInferred, tally.constOutputs)
}

// TestInferShapesPerturbedNodeCases runs shape inference on the ONNX node tests with input shapes,
// integer inputs and integer attributes replaced at random by awkward values (0, 1, -1, huge, symbolic,
// unknown): it may fail, but must not panic or allocate without bound.
func TestInferShapesPerturbedNodeCases(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in short mode")
	}
	dir := testkit.ExternalDir(t, onnxtest.Dir(), "ONNX node tests: install libonnx-testdata or set "+onnxtest.EnvDir)
	cases, err := onnxtest.Cases(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	dims := []ir.Dim{ir.Fixed(0), ir.Fixed(1), ir.Fixed(2), ir.Fixed(3), ir.Fixed(7), ir.Fixed(math.MaxInt64),
		ir.Fixed(-3), ir.Symbolic("batch"), ir.Symbolic("n"), {}}
	values := []int64{0, 1, -1, 2, -2, 3, 5, 1 << 40, math.MaxInt64, math.MinInt64}
	pick := func() int64 { return values[rng.IntN(len(values))] }
	const rounds = 20
	for _, c := range cases {
		model, sets, err := c.Load()
		if err != nil {
			continue
		}
		for range rounds {
			g, err := importer.Read(model, importer.Options{})
			if err != nil {
				break
			}
			for i, v := range g.RealInputs() {
				if in := sets[0].Inputs[i]; in.Int != nil && rng.IntN(3) == 0 {
					k := &ir.Tensor{Name: v.Name, DType: in.DType, Dims: in.Dims, Int: slices.Clone(in.Int)}
					for j := range k.Int {
						if rng.IntN(2) == 0 {
							k.Int[j] = pick()
						}
					}
					g.Initializers[v.Name] = k
					continue
				}
				rank := len(v.Shape)
				if rng.IntN(3) == 0 {
					rank = rng.IntN(5)
				}
				v.Shape = make(ir.Shape, rank)
				for j := range v.Shape {
					v.Shape[j] = dims[rng.IntN(len(dims))]
				}
				if rng.IntN(10) == 0 {
					v.Shape = nil
				}
			}
			for _, n := range g.Nodes {
				for name, a := range n.Attrs {
					if rng.IntN(3) != 0 {
						continue
					}
					switch a.Type {
					case ir.AttrInt:
						a.Int = pick()
					case ir.AttrInts:
						a.Ints = slices.Clone(a.Ints)
						for j := range a.Ints {
							if rng.IntN(2) == 0 {
								a.Ints[j] = pick()
							}
						}
						if len(a.Ints) > 0 && rng.IntN(5) == 0 {
							a.Ints = a.Ints[1:]
						}
					case ir.AttrString:
						a.String = []string{"SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "wrap", "x"}[rng.IntN(6)]
					}
					n.Attrs[name] = a
				}
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s: panic: %v", c.Name, r)
					}
				}()
				if _, err := ir.InferShapes(g); err != nil {
					var ne *ir.NodeError
					if !errors.As(err, &ne) {
						t.Errorf("%s: error %v is not attributed to a node", c.Name, err)
					}
				}
			}()
		}
	}
}

// FuzzInferShapes checks that shape inference returns (or fails) on whatever the importer accepts,
// without panicking.
func FuzzInferShapes(f *testing.F) {
	for _, path := range testdataModels(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := importer.Read(data, importer.Options{})
		if err != nil {
			return
		}
		shapes, err := ir.InferShapes(g)
		if err != nil {
			var ne *ir.NodeError
			if !errors.As(err, &ne) {
				t.Fatalf("error %v is not attributed to a node", err)
			}
			return
		}
		for name, s := range shapes {
			if s == nil {
				t.Fatalf("%s: nil shape in the result", name)
			}
		}
		_ = fmt.Sprint(shapes)
	})
}
