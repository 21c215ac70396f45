package fairbinn_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// A long graph is verified in onnxruntime and the Go forward pass, both linear in its nodes; onnx-go,
// whose graph building is quadratic, is left out with the reason instead of running for minutes.
func TestVerifyLongChain(t *testing.T) {
	testkit.RequireORT(t)
	g := &ir.Graph{
		Opset: 17, Producer: "fairbinn-test",
		Inputs:       []*ir.Value{{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(8)}}},
		Initializers: map[string]*ir.Tensor{},
	}
	prev := "x"
	for i := range 10000 {
		out := fmt.Sprintf("r%d", i)
		g.Nodes = append(g.Nodes, &ir.Node{Name: out, OpType: "Relu", Inputs: []string{prev}, Outputs: []string{out}})
		prev = out
	}
	g.Outputs = []*ir.Value{{Name: prev, DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(8)}}}
	raw, err := exporter.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "chain10k.onnx")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := fairbinn.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := fairbinn.RandomInput(m, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	rep, err := fairbinn.VerifyAll(m, []tensor.Tensor{in}, 1e-5, fairbinn.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("verify of 10,000 nodes: %v", time.Since(t0))
	if !rep.OK || rep.Runtimes["go"] != "ok" || rep.Runtimes["ort"] != "ok" || !strings.HasPrefix(rep.Runtimes["onnx-go"], "not run: 10000 nodes") {
		t.Errorf("verify: %+v", rep)
	}
}
