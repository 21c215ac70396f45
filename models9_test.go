package fairbinn_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/tensor"
	"github.com/fairbinn/fairbinn-go/train"
)

// models9 are the PyTorch exports of testdata/gen/make_heads.py, each with its inputs, PyTorch's outputs
// and a small data set.
var models9 = []struct{ name string }{
	{"lstm"}, {"transformer"}, {"mlp_layernorm"}, {"embed_two_inputs"}, {"raw_logit"}, {"two_class"},
	{"four_class"}, {"two_outputs"}, {"keras_style"}, {"opset9_mlp"}, {"einsum_mlp"}, {"residual_mlp"},
}

// model9 loads testdata/models9/NAME/model.onnx and returns it with its folder.
func model9(t *testing.T, name string) (*fairbinn.Model, string) {
	t.Helper()
	dir := filepath.Join("testdata", "models9", name)
	m, err := fairbinn.Load(testkit.Fixture(t, filepath.Join(dir, "model.onnx")))
	if err != nil {
		t.Fatal(err)
	}
	return m, dir
}

// modelInputs reads a model's inputs from its inputs.npz in the model's input order.
func modelInputs(t *testing.T, m *fairbinn.Model, dir string) []tensor.Tensor {
	t.Helper()
	arrays, err := npy.ReadNPZ(testkit.Fixture(t, filepath.Join(dir, "inputs.npz")))
	if err != nil {
		t.Fatal(err)
	}
	var in []tensor.Tensor
	for _, v := range m.Graph.RealInputs() {
		k := slices.IndexFunc(arrays, func(a npy.Named) bool { return a.Name == v.Name })
		if k < 0 {
			t.Fatalf("inputs.npz has no %q", v.Name)
		}
		in = append(in, arrays[k].Tensor)
	}
	return in
}

// Every architecture: positions are listed, onnxruntime matches PyTorch, identity insertion leaves the
// outputs unchanged (and passes onnx.checker), and fine-tuning for 2 epochs on its data exports a model
// whose onnxruntime output matches onnxruntime prefix + Go suffix.
func TestArchitectures(t *testing.T) {
	testkit.RequireORT(t)
	for _, tc := range models9 {
		t.Run(tc.name, func(t *testing.T) {
			m, dir := model9(t, tc.name)
			info, err := fairbinn.Inspect(m)
			if err != nil || len(info.Positions) == 0 {
				t.Fatalf("inspect: %d positions, %v", len(info.Positions), err)
			}
			in := modelInputs(t, m, dir)
			outs, err := m.RunAll(fairbinn.ORT, in, fairbinn.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range m.Graph.Outputs {
				want, err := npy.Read(testkit.Fixture(t, filepath.Join(dir, "expected_"+v.Name+".npy")))
				if err != nil {
					t.Fatal(err)
				}
				testkit.CloseTo(t, "onnxruntime "+v.Name+" vs PyTorch", outs[k].Data, want.Data, 1e-5, 1e-4)
				if k == 0 {
					// The Go forward pass, or onnxruntime up to a position and Go after it.
					goOut, err := m.RunAll(fairbinn.Go, in, fairbinn.RunOptions{})
					if err != nil {
						t.Fatalf("--runtime go: %v", err)
					}
					testkit.CloseTo(t, "Go forward pass "+v.Name+" vs PyTorch", goOut[0].Data, want.Data, 1e-5, 1e-4)
				}
			}

			// Identity insertion at the last position: the outputs do not change.
			pos := info.Positions[len(info.Positions)-1]
			ins := filepath.Join(t.TempDir(), "inserted.onnx")
			if _, err := fairbinn.InsertFile(m, "name:"+pos.Tensor, insert.InsertOptions{}, ins); err != nil {
				t.Fatal(err)
			}
			testkit.OnnxChecker(t, ins)
			mi, err := fairbinn.Load(ins)
			if err != nil {
				t.Fatal(err)
			}
			outsIns, err := mi.RunAll(fairbinn.ORT, in, fairbinn.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for k := range outs {
				testkit.CloseTo(t, "after identity insertion", outsIns[k].Data, outs[k].Data, 1e-5, 0)
			}

			if testing.Short() {
				return
			}
			backbone, err := fairbinn.Load(filepath.Join(dir, "model.onnx"))
			if err != nil {
				t.Fatal(err)
			}
			data, err := fairbinn.LoadData(backbone, fairbinn.DataOptions{Spec: "npz:" + filepath.Join(dir, "data.npz"), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			cfg := train.DefaultConfig(train.DefaultMethod)
			cfg.Epochs, cfg.Batch = 2, 50
			// The last epoch is exported, so that parity is checked on trained weights (the most accurate
			// epoch of two may be the starting model).
			cfg.Select = train.Selection{Rule: train.SelectLast}
			out := filepath.Join(t.TempDir(), "fair.onnx")
			res, err := fairbinn.FineTune(context.Background(), backbone, data, fairbinn.Options{Position: "name:" + pos.Tensor, Train: &cfg, Out: out})
			if err != nil {
				t.Fatal(err)
			}
			if p := res.Report.Parity; !p.OK || p.MaxAbsDiff > 1e-5 {
				t.Errorf("parity of the export: %+v", p)
			}
			// The reported test metrics are those of the exported file in onnxruntime.
			exported, err := fairbinn.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := fairbinn.Eval(exported, data, fairbinn.EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ev.Metrics.Accuracy, res.Report.After.Test.Accuracy; got != want {
				t.Errorf("onnxruntime test accuracy %v, reported %v", got, want)
			}
			if got, want := ev.Metrics.DP, res.Report.After.Test.DP; got != want {
				t.Errorf("onnxruntime test DP %v, reported %v", got, want)
			}
			if tc.name == "four_class" {
				// The backbone's test metrics as PyTorch measured them (testdata/models9/README.md): 100
				// of 120 rows right, 62 of 73 in group 0 and 38 of 47 in group 1.
				ev, err := fairbinn.Eval(backbone, data, fairbinn.EvalOptions{})
				if err != nil {
					t.Fatal(err)
				}
				m := ev.Metrics
				if m.Classes != 4 || m.Accuracy != 100.0/120 || m.Groups[0].Accuracy != 62.0/73 || m.Groups[4].Accuracy != 38.0/47 {
					t.Errorf("four_class backbone: %d classes, accuracy %v, groups %+v", m.Classes, m.Accuracy, m.Groups)
				}
				// The same rows as CSV files, the label column holding the class index: the same figures.
				csvData := fourClassCSV(t, dir)
				cd, err := fairbinn.LoadData(backbone, fairbinn.DataOptions{Spec: "csv:" + csvData[0], ValFile: csvData[1], TestFile: csvData[2],
					Label: "grade", Sensitive: []string{"group"}, Drop: []string{"group"}, Encoding: fairbinn.EncodingNone})
				if err != nil {
					t.Fatal(err)
				}
				cev, err := fairbinn.Eval(backbone, cd, fairbinn.EvalOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if cev.Metrics.Accuracy != m.Accuracy || cev.Metrics.DP != m.DP || cev.Metrics.EO != m.EO {
					t.Errorf("CSV: accuracy %v DP %v EO %v; npz: %v %v %v", cev.Metrics.Accuracy, cev.Metrics.DP, cev.Metrics.EO, m.Accuracy, m.DP, m.EO)
				}
				// A binary model cannot be scored on class indices.
				two, err := fairbinn.Load(filepath.Join("testdata", "models9", "two_class", "model.onnx"))
				if err != nil {
					t.Fatal(err)
				}
				_, err = fairbinn.LoadData(two, fairbinn.DataOptions{Spec: "npz:" + filepath.Join(dir, "data.npz"), Seed: 1})
				if err == nil || !strings.Contains(err.Error(), "want 0 or 1 (the head is binary)") {
					t.Errorf("class indices for a binary head: %v", err)
				}
			}
			if _, err := os.Stat(out); err != nil {
				t.Error(err)
			}
			testkit.OnnxChecker(t, out)
		})
	}
}

// A width shape inference cannot compute (after Einsum) is measured by one onnxruntime run, and the
// position it makes is listed, with the frozen prefix to train at it.
func TestMeasuredWidth(t *testing.T) {
	testkit.RequireORT(t)
	m, err := fairbinn.Load(testkit.Fixture(t, "testdata/models9/einsum_mlp/model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := fairbinn.Inspect(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Positions) != 2 || info.Positions[0].Width != 32 || !slices.Equal(info.Measured, []string{"/Relu_output_0"}) || info.Unmeasured != "" {
		t.Errorf("positions %+v, measured %q (%s)", info.Positions, info.Measured, info.Unmeasured)
	}
	if info.Training[0] != "onnxruntime prefix + Go" {
		t.Errorf("position 1 trains %q", info.Training[0])
	}
}

// A position that a connection skips (the transformer's attention reshape, whose later nodes also read a
// shape computed before it) cannot be frozen: inspect says so, and training there on tensor data fails
// with a bad-input error naming the node, writing nothing.
func TestSkippedPosition(t *testing.T) {
	testkit.RequireORT(t)
	m, dir := model9(t, "transformer")
	info, err := fairbinn.Inspect(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.Training[0], "no: cannot cut") || info.Training[1] != "onnxruntime prefix + Go" {
		t.Errorf("trained in: %q", info.Training)
	}
	data, err := fairbinn.LoadData(m, fairbinn.DataOptions{Spec: "npz:" + filepath.Join(dir, "data.npz"), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.DefaultConfig(train.DefaultMethod)
	cfg.Epochs = 1
	out := filepath.Join(t.TempDir(), "fair.onnx")
	_, err = fairbinn.FineTune(context.Background(), m, data, fairbinn.Options{Position: "1", Train: &cfg, Out: out})
	if err == nil || fault.Of(err) != fault.BadInput || !strings.Contains(err.Error(), "Unsqueeze_11") {
		t.Fatalf("training at a skipped position: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was written (%v)", out, err)
	}
}

// fourClassCSV writes the rows of the four-class data set as train, validation and test CSV files
// (x0..x9, the class index in "grade", the group as "a" or "b"), as its split array assigns them.
func fourClassCSV(t *testing.T, dir string) [3]string {
	t.Helper()
	arrays, err := npy.ReadNPZ(filepath.Join(dir, "data.npz"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]tensor.Tensor{}
	for _, a := range arrays {
		byName[a.Name] = a.Tensor
	}
	x, label, group, split := byName["input"], byName["label"], byName["group"], byName["split"]
	var files [3]string
	var text [3]strings.Builder
	for k := range text {
		text[k].WriteString("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,grade,group\n")
	}
	for i := range label.Ints {
		b := &text[split.Ints[i]]
		for _, v := range x.Data[i*10 : (i+1)*10] {
			b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32) + ",")
		}
		fmt.Fprintf(b, "%d,%s\n", label.Ints[i], []string{"a", "b"}[group.Ints[i]])
	}
	for k, name := range []string{"train", "val", "test"} {
		files[k] = filepath.Join(t.TempDir(), name+".csv")
		if err := os.WriteFile(files[k], []byte(text[k].String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// A skip connection across the position (the residual MLP's Add after its third ReLU also reads the
// first) is handed on with a frozen prefix: the prefix gives both activations, cached side by side, and
// the exported model matches onnxruntime prefix + Go suffix after training.
func TestFrozenPrefixAcrossSkip(t *testing.T) {
	testkit.RequireORT(t)
	m, dir := model9(t, "residual_mlp")
	info, err := fairbinn.Inspect(m)
	if err != nil || len(info.Positions) != 3 || info.Positions[1].Tensor != "/Relu_1_output_0" || info.Training[1] != "Go" {
		t.Fatalf("positions %+v, trained in %q (%v)", info.Positions, info.Training, err)
	}
	data, err := fairbinn.LoadData(m, fairbinn.DataOptions{Spec: "npz:" + filepath.Join(dir, "data.npz"), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.DefaultConfig(train.DefaultMethod)
	cfg.Epochs, cfg.Batch, cfg.AccLR = 2, 50, 1e-2
	cfg.TrainLeader = train.LeaderAfter
	cfg.Select = train.Selection{Rule: train.SelectLast}
	out := filepath.Join(t.TempDir(), "fair.onnx")
	res, err := fairbinn.FineTune(context.Background(), m, data, fairbinn.Options{Position: "2", Train: &cfg, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Report.Prefix
	if p == nil || !slices.Equal(p.Across, []string{"/Relu_output_0"}) || p.CacheBytes != 600*(16+16)*4 {
		t.Fatalf("prefix %+v; want /Relu_output_0 handed across and 600 rows of 32 floats cached", p)
	}
	if q := res.Report.Parity; !q.OK || q.MaxAbsDiff > 1e-5 {
		t.Errorf("parity of the export: %+v", q)
	}
	testkit.OnnxChecker(t, out)
	// The layers after the position were trained: the export differs from the backbone.
	exported, err := fairbinn.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	in := modelInputs(t, m, dir)
	before, err := m.RunAll(fairbinn.ORT, in, fairbinn.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after, err := exported.RunAll(fairbinn.ORT, in, fairbinn.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(before[0].Data, after[0].Data) {
		t.Error("training changed nothing")
	}
}
