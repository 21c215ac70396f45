package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// A model whose ConstantOfShape asks for 4 TB is refused when onnxruntime cannot allocate it: exit 2,
// one line saying how much it asked for, and no output.
func TestPredictAllocationBomb(t *testing.T) {
	testkit.RequireORT(t)
	dir := t.TempDir()
	g := &ir.Graph{
		Name: "bomb", Opset: 13, Producer: "fairbinn-test",
		Inputs:       []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(1)}}},
		Outputs:      []*ir.Value{{Name: "y", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(1)}}},
		Initializers: map[string]*ir.Tensor{},
		Nodes: []*ir.Node{
			{Name: "big", OpType: "ConstantOfShape", Inputs: []string{"shape"}, Outputs: []string{"big"},
				Attrs: map[string]ir.Attr{"value": {Type: ir.AttrTensor, Tensor: &ir.Tensor{Name: "v", DType: ir.Float32, Dims: []int64{1}, Float: []float32{1}}}}},
			{Name: "sum", OpType: "ReduceSum", Inputs: []string{"big", "axes"}, Outputs: []string{"s"}, Attrs: map[string]ir.Attr{"keepdims": {Type: ir.AttrInt, Int: 0}}},
			{Name: "add", OpType: "Add", Inputs: []string{"x", "s"}, Outputs: []string{"y"}},
		},
	}
	for _, init := range []*ir.Tensor{
		{Name: "shape", DType: ir.Int64, Dims: []int64{2}, Int: []int64{1000000, 1000000}},
		{Name: "axes", DType: ir.Int64, Dims: []int64{2}, Int: []int64{0, 1}},
	} {
		if err := g.AddInitializer(init); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := exporter.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "bomb.onnx")
	if err := os.WriteFile(model, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "x.npy")
	if err := npy.Write(in, tensor.Tensor{Shape: []int64{2, 1}, Data: []float32{0, 0}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "y.npy")
	code, _, stderr := runCLI(t, "predict", "--model", model, "--input", in, "--output", out, "--runtime", "ort")
	if code != exitBadInput || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "could not allocate 4000.0 GB") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an output was written")
	}
}
