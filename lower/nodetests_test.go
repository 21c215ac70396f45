package lower_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/onnxtest"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// nodeOpCases names the ONNX backend node tests of each op of the lowering table: the folder-name
// prefixes, and prefixes of folders that share them but test another op. Folders ending in _expanded test
// the op's function body (ReduceMax, Exp, ...), not the op, and are left out for every op.
var nodeOpCases = map[string]struct{ prefixes, exclude []string }{
	"Add":       {prefixes: []string{"test_add"}},
	"Sub":       {prefixes: []string{"test_sub"}},
	"Mul":       {prefixes: []string{"test_mul"}},
	"Div":       {prefixes: []string{"test_div"}},
	"Relu":      {prefixes: []string{"test_relu"}},
	"LeakyRelu": {prefixes: []string{"test_leakyrelu"}},
	"Sigmoid":   {prefixes: []string{"test_sigmoid"}},
	"Tanh":      {prefixes: []string{"test_tanh"}},
	"Softmax":   {prefixes: []string{"test_softmax"}, exclude: []string{"test_softmax_cross_entropy"}},
	"Identity":  {prefixes: []string{"test_identity"}},
	"Dropout":   {prefixes: []string{"test_dropout", "test_training_dropout"}},

	"Pow":         {prefixes: []string{"test_pow"}},
	"Sqrt":        {prefixes: []string{"test_sqrt"}},
	"Neg":         {prefixes: []string{"test_neg"}},
	"Exp":         {prefixes: []string{"test_exp"}, exclude: []string{"test_expand"}},
	"Log":         {prefixes: []string{"test_log"}, exclude: []string{"test_logsoftmax"}},
	"Erf":         {prefixes: []string{"test_erf"}},
	"PRelu":       {prefixes: []string{"test_prelu"}},
	"Elu":         {prefixes: []string{"test_elu"}},
	"HardSigmoid": {prefixes: []string{"test_hardsigmoid"}},
	"Clip":        {prefixes: []string{"test_clip"}},
	"Where":       {prefixes: []string{"test_where"}},
	"Expand":      {prefixes: []string{"test_expand"}},
	"ReduceMean":  {prefixes: []string{"test_reduce_mean"}},

	"LayerNormalization": {prefixes: []string{"test_layer_normalization"}},

	"Gemm":   {prefixes: []string{"test_gemm"}},
	"MatMul": {prefixes: []string{"test_matmul"}, exclude: []string{"test_matmulinteger"}},

	"Flatten":   {prefixes: []string{"test_flatten"}},
	"Reshape":   {prefixes: []string{"test_reshape"}},
	"Constant":  {prefixes: []string{"test_constant"}, exclude: []string{"test_constant_pad", "test_constantofshape"}},
	"Concat":    {prefixes: []string{"test_concat"}},
	"Transpose": {prefixes: []string{"test_transpose"}},
	"Squeeze":   {prefixes: []string{"test_squeeze"}},
	"Unsqueeze": {prefixes: []string{"test_unsqueeze"}},
	"Shape":     {prefixes: []string{"test_shape"}},
	"Gather":    {prefixes: []string{"test_gather"}, exclude: []string{"test_gather_elements", "test_gathernd"}},

	"ConstantOfShape": {prefixes: []string{"test_constantofshape"}},
	"Cast":            {prefixes: []string{"test_cast"}, exclude: []string{"test_castlike"}},
	"Slice":           {prefixes: []string{"test_slice"}},

	"Conv":               {prefixes: []string{"test_conv_", "test_basic_conv_"}},
	"MaxPool":            {prefixes: []string{"test_maxpool"}},
	"AveragePool":        {prefixes: []string{"test_averagepool"}},
	"GlobalAveragePool":  {prefixes: []string{"test_globalaveragepool"}},
	"BatchNormalization": {prefixes: []string{"test_batchnorm"}},
	"Pad":                {prefixes: []string{"test_constant_pad", "test_edge_pad", "test_reflect_pad"}},
}

// nodeTolerance is the agreement wanted with the reference outputs: absolute for values up to 1 in
// magnitude, relative beyond.
const nodeTolerance = 1e-5

// nodeTally counts the outcomes of one op's cases.
type nodeTally struct {
	passed, skipped, failed int
	skips                   []string // "case: reason"
}

func TestNodeCases(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the ONNX backend node tests")
	}
	dir := testkit.ExternalDir(t, onnxtest.Dir(), "ONNX node tests: install libonnx-testdata or set "+onnxtest.EnvDir)
	for _, op := range lower.SupportedOps() {
		if _, ok := nodeOpCases[op]; !ok {
			t.Errorf("op %s of the lowering table has no entry in nodeOpCases", op)
		}
	}
	tallies := map[string]*nodeTally{}
	ops := make([]string, 0, len(nodeOpCases))
	for op := range nodeOpCases {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		spec := nodeOpCases[op]
		cases, err := onnxtest.Cases(dir, spec.prefixes)
		if err != nil {
			t.Fatal(err)
		}
		tally := &nodeTally{}
		tallies[op] = tally
		t.Run(op, func(t *testing.T) {
			for _, c := range cases {
				if strings.HasSuffix(c.Name, "_expanded") || slices.ContainsFunc(spec.exclude, func(p string) bool { return strings.HasPrefix(c.Name, p) }) {
					continue
				}
				t.Run(c.Name, func(t *testing.T) {
					defer func() {
						switch {
						case t.Failed():
							tally.failed++
						case t.Skipped():
							tally.skipped++
						default:
							tally.passed++
						}
					}()
					if reason := runNodeCase(t, c); reason != "" {
						tally.skips = append(tally.skips, c.Name+": "+reason)
						t.Skip(reason)
					}
				})
			}
		})
	}
	var sum strings.Builder
	var total nodeTally
	fmt.Fprintf(&sum, "ONNX node-test coverage (%s):\n", dir)
	fmt.Fprintf(&sum, "  %-20s %6s %7s %6s\n", "op", "passed", "skipped", "failed")
	for _, op := range ops {
		n := tallies[op]
		fmt.Fprintf(&sum, "  %-20s %6d %7d %6d\n", op, n.passed, n.skipped, n.failed)
		total.passed, total.skipped, total.failed = total.passed+n.passed, total.skipped+n.skipped, total.failed+n.failed
	}
	fmt.Fprintf(&sum, "  %-20s %6d %7d %6d\n", "total", total.passed, total.skipped, total.failed)
	for _, op := range ops {
		for _, s := range tallies[op].skips {
			fmt.Fprintf(&sum, "  skipped %s\n", s)
		}
	}
	t.Log(sum.String())
}

// runNodeCase imports, lowers and runs one case on each of its data sets and compares the outputs. It
// returns a reason to skip when the case needs something the Go forward pass does not support.
func runNodeCase(t *testing.T, c onnxtest.Case) (skip string) {
	t.Helper()
	model, sets, err := c.Load()
	if errors.Is(err, onnxtest.ErrUnsupported) {
		return strings.TrimPrefix(err.Error(), c.Name+": ")
	}
	if err != nil {
		t.Fatal(err)
	}
	opset, err := onnxtest.Opset(model)
	if err != nil {
		t.Fatal(err)
	}
	if opset < importer.MinOpset || opset > importer.MaxOpset {
		return fmt.Sprintf("opset %d is outside %d to %d", opset, importer.MinOpset, importer.MaxOpset)
	}
	g, err := importer.Read(model, importer.Options{})
	if err != nil {
		// The importer reports unsupported ops as a bad model; ask the lowering table which it was.
		if all, err2 := importer.Read(model, importer.Options{}); err2 == nil {
			if err3 := lower.CheckSupported(all); errors.Is(err3, ir.ErrUnsupportedOp) {
				return err3.Error()
			}
		}
		t.Fatal(err)
	}
	inputs := g.RealInputs()
	for _, set := range sets {
		consts := map[string]*ir.Tensor{}
		byName := map[string]*ir.Tensor{}
		for i, v := range inputs {
			in := set.Inputs[i]
			// Integer inputs (shapes, axes, indices) and float scalars (Dropout's ratio, Pad's value) play
			// the part of attributes: the lowering needs them while building.
			if in.DType != ir.Float32 || len(in.Dims) == 0 {
				consts[v.Name] = in
			}
			byName[v.Name] = in
		}
		l, err := lower.Lower(g, lower.Options{Batch: 1, ConstInputs: consts})
		if errors.Is(err, ir.ErrUnsupportedOp) {
			return err.Error()
		}
		if err != nil {
			t.Fatalf("%s: lower: %v", set.Name, err)
		}
		feeds := make([]tensor.Tensor, len(l.InputNames))
		for i, name := range l.InputNames {
			feeds[i] = tensor.Tensor{Shape: byName[name].Dims, Data: byName[name].Float}
		}
		got, err := l.Run(feeds)
		if err != nil {
			t.Fatalf("%s: run: %v", set.Name, err)
		}
		for i, want := range set.Outputs {
			nodeCompare(t, fmt.Sprintf("%s output %d (%s)", set.Name, i, g.Outputs[i].Name), got[i], want)
		}
	}
	return ""
}

// nodeCompare checks one output against the expected tensor (integer and bool outputs as float32)
// within nodeTolerance.
func nodeCompare(t *testing.T, what string, got tensor.Tensor, want *ir.Tensor) {
	t.Helper()
	if !slices.Equal(got.Shape, want.Dims) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape, want.Dims)
		return
	}
	g, w := make([]float64, len(got.Data)), make([]float64, len(got.Data))
	for i := range got.Data {
		g[i] = float64(got.Data[i])
		if want.Float != nil {
			w[i] = float64(want.Float[i])
		} else {
			w[i] = float64(want.Int[i])
		}
	}
	testkit.CloseTo(t, what, g, w, nodeTolerance, nodeTolerance)
}

// TestBackbonesForward runs the PyTorch-exported test backbones through the Go forward pass, in chunks
// that leave a smaller last chunk, and compares with PyTorch's outputs.
func TestBackbonesForward(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the loop over every backbone")
	}
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "models", "*", "model.onnx"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no backbones in testdata/models (%v)", err)
	}
	for _, path := range dirs {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			g, err := importer.ReadFile(path, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			x, err := npy.Read(filepath.Join(dir, "input.npy"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := npy.Read(filepath.Join(dir, "expected.npy"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := lower.Forward(g, tensor.Tensor{Shape: x.Shape, Data: x.Data}, 100)
			if err != nil {
				t.Fatal(err)
			}
			nodeCompare(t, "output", got, &ir.Tensor{Dims: want.Shape, Float: want.Data})
		})
	}
}
