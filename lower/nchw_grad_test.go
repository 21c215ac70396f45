package lower_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// distinct returns n values 0.05 apart in random order, so that a finite difference of 1e-3 never changes
// which element of a MaxPool window is the largest.
func distinct(rng *rand.Rand, n int64) []float32 {
	out := make([]float32, n)
	for i, p := range rng.Perm(int(n)) {
		out[i] = float32(p)*0.05 - float32(n)*0.025
	}
	return out
}

// checkGradients compares the symbolic gradients of cost = Σ coef·y with respect to every graph input
// and every float initializer of rank 1 or more against central finite differences of the forward pass
// with step eps.
func checkGradients(t *testing.T, model []byte, inputs []tensor.Tensor, eps float32) {
	t.Helper()
	g, err := importer.Read(model, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	batch := 1
	if len(inputs) > 0 && len(inputs[0].Shape) > 0 {
		batch = int(inputs[0].Shape[0])
	}
	l, err := lower.Lower(g, lower.Options{Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	y := l.Outputs[0]
	coef := nchwRandom(rng, int64(y.Shape().TotalSize()), false)
	cn := G.NewTensor(l.Graph, gt.Float32, y.Dims(), G.WithName("coef"), G.WithShape(y.Shape()...),
		G.WithValue(gt.New(gt.WithShape(y.Shape()...), gt.WithBacking(coef))))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, cn))))

	// The data of each wrt node: the input arrays (re-bound before each run) and the parameters' own
	// backing slices (changed in place).
	wrt := append(G.Nodes{}, l.Inputs...)
	data := make([][]float32, 0, len(wrt))
	names := append([]string{}, l.InputNames...)
	for _, in := range inputs {
		data = append(data, in.Data)
	}
	var params []string
	for name, p := range l.Params {
		if !p.IsScalar() { // a rank-0 initializer has no backing slice to move (and training leaves it)
			params = append(params, name)
		}
	}
	sort.Strings(params)
	for _, name := range params {
		p := l.Params[name]
		wrt = append(wrt, p)
		data = append(data, p.Value().Data().([]float32))
		names = append(names, name)
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	// Read y and each gradient as they are computed: the tape machine reuses the memory of values that
	// no later op reads (it computes the cost's product in place in y, for instance), so after the run a
	// node's Value may hold something else.
	var yVal G.Value
	G.Read(y, &yVal)
	gradVals := make([]G.Value, len(grads))
	for i, gr := range grads {
		G.Read(gr, &gradVals[i])
	}

	run := func() float64 {
		t.Helper()
		for i, n := range l.Inputs {
			var v G.Value
			if len(inputs[i].Shape) == 0 {
				v = G.NewF32(data[i][0])
			} else {
				v = gt.New(gt.WithShape(n.Shape()...), gt.WithBacking(data[i]))
			}
			if err := G.Let(n, v); err != nil {
				t.Fatal(err)
			}
		}
		vm := G.NewTapeMachine(l.Graph)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range yVal.Data().([]float32) {
			s += float64(coef[i]) * float64(v)
		}
		return s
	}
	run()
	analytic := make([][]float32, len(grads))
	for i := range grads {
		switch v := gradVals[i].Data().(type) {
		case []float32:
			analytic[i] = append([]float32(nil), v[:len(data[i])]...)
		case float32:
			analytic[i] = []float32{v}
		}
	}
	for i := range wrt {
		idx := rng.Perm(len(data[i]))
		if len(idx) > 16 {
			idx = idx[:16]
		}
		moved := false
		for _, j := range idx {
			save := data[i][j]
			data[i][j] = save + eps
			hi, up := run(), data[i][j]
			data[i][j] = save - eps
			lo, down := run(), data[i][j]
			data[i][j] = save
			fd := (hi - lo) / float64(up-down)
			moved = moved || fd != 0
			if an := float64(analytic[i][j]); math.Abs(an-fd) > 2e-3+1e-2*math.Abs(fd) {
				t.Errorf("d cost / d %s[%d]: symbolic %.6g, finite difference %.6g", names[i], j, an, fd)
			}
		}
		if !moved {
			t.Errorf("cost does not depend on %s: the finite differences are all zero", names[i])
		}
	}
}

func TestNCHWGradients(t *testing.T) {
	ints := func(v ...int64) []int64 { return v }
	rng := rand.New(rand.NewPCG(9, 9))
	cases := []nchwCase{
		{name: "conv_2d_group_asymmetric_dilated", op: "Conv", opset: 13, args: convArgs(ints(2, 4, 6, 5), ints(6, 2, 3, 2), true),
			attrs: map[string]any{"group": 2, "pads": ints(1, 0, 2, 1), "strides": ints(2, 1), "dilations": ints(1, 2)}},
		{name: "conv_1d_same_lower", op: "Conv", opset: 13, args: convArgs(ints(2, 3, 8), ints(2, 3, 3), false),
			attrs: map[string]any{"auto_pad": "SAME_LOWER", "strides": ints(2)}},
		{name: "maxpool_ceil_dilated_pads", op: "MaxPool", opset: 12,
			args:  []nchwArg{{name: "x", shape: ints(1, 2, 7, 6), data: distinct(rng, 84)}},
			attrs: map[string]any{"kernel_shape": ints(2, 3), "dilations": ints(2, 1), "strides": ints(2, 2), "pads": ints(1, 0, 0, 1), "ceil_mode": 1}},
		{name: "avgpool_ceil_include_pad", op: "AveragePool", opset: 11, args: []nchwArg{{name: "x", shape: ints(2, 2, 5, 6)}},
			attrs: map[string]any{"kernel_shape": ints(3, 2), "strides": ints(2, 2), "pads": ints(1, 1, 0, 1), "ceil_mode": 1, "count_include_pad": 1}},
		{name: "avgpool_exclude_pad", op: "AveragePool", opset: 11, args: []nchwArg{{name: "x", shape: ints(1, 2, 5, 5)}},
			attrs: map[string]any{"kernel_shape": ints(3, 3), "pads": ints(1, 1, 1, 1)}},
		{name: "global_avgpool", op: "GlobalAveragePool", opset: 13, args: []nchwArg{{name: "x", shape: ints(2, 3, 4, 3)}}},
		{name: "batchnorm_4d", op: "BatchNormalization", opset: 15, args: bnArgs(2, 3, 2, 4)},
		{name: "batchnorm_2d", op: "BatchNormalization", opset: 15, args: bnArgs(5, 2)},
		{name: "pad_constant_value_input", op: "Pad", opset: 13,
			args: []nchwArg{{name: "x", shape: ints(1, 2, 3, 3)}, {name: "pads", shape: ints(8), ints: ints(0, 0, 1, -1, 0, 0, 2, 1)}, {name: "value", shape: []int64{}}}},
		{name: "pad_reflect", op: "Pad", opset: 13, attrs: map[string]any{"mode": "reflect"},
			args: []nchwArg{{name: "x", shape: ints(2, 4, 3)}, {name: "pads", shape: ints(6), ints: ints(0, 2, 1, 0, 3, 2)}}},
		{name: "pad_edge", op: "Pad", opset: 13, attrs: map[string]any{"mode": "edge"},
			args: []nchwArg{{name: "x", shape: ints(2, 3)}, {name: "pads", shape: ints(4), ints: ints(1, 2, 0, 3)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model, inputs := c.build(3)
			checkGradients(t, model, inputs, 1e-3)
		})
	}
}

// TestNCHWBackboneGradients checks the gradients of a whole exported CNN (Conv, BatchNormalization,
// MaxPool, Pad, AveragePool, then the dense head) with respect to all its parameters, as training the
// backbone's layers needs.
func TestNCHWBackboneGradients(t *testing.T) {
	dir := filepath.Join("..", "testdata", "models", "cnn_small")
	model, err := os.ReadFile(testkit.Fixture(t, filepath.Join(dir, "model.onnx")))
	if err != nil {
		t.Fatal(err)
	}
	in, err := npy.Read(filepath.Join(dir, "input.npy"))
	if err != nil {
		t.Fatal(err)
	}
	rows := in.Shape[0]
	in.Shape[0] = 2
	n := len(in.Data) / int(rows) * 2
	// A step of 1e-3 moves some of the many ReLU and MaxPool kinks downstream of conv1 and 1e-5 drowns in
	// float32 rounding; 1e-4 sits between the two for this (fixed) input.
	checkGradients(t, model, []tensor.Tensor{{Shape: in.Shape, Data: in.Data[:n]}}, 1e-4)
}
