package train

import (
	"slices"
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
)

// A model that standardises its own input with exported buffers ((x − mu) / sd, as torch.onnx.export
// writes a register_buffer mean and std) keeps them fixed: the leader trains the weights, not the
// statistics.
func TestLeaderSkipsInputStatistics(t *testing.T) {
	g := mlp(t, 4, 8, 1)
	for _, name := range []string{"mu", "sd"} {
		if err := g.AddInitializer(&ir.Tensor{Name: name, DType: ir.Float32, Dims: []int64{4}, Float: []float32{1, 2, 3, 4}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range g.Nodes {
		for i, in := range n.Inputs {
			if in == "x" {
				n.Inputs[i] = "x_scaled"
			}
		}
	}
	g.Nodes = append([]*ir.Node{
		{Name: "shift", OpType: "Sub", Inputs: []string{"x", "mu"}, Outputs: []string{"x_shifted"}, Attrs: map[string]ir.Attr{}},
		{Name: "scale", OpType: "Div", Inputs: []string{"x_shifted", "sd"}, Outputs: []string{"x_scaled"}, Attrs: map[string]ir.Attr{}},
	}, g.Nodes...)
	params, err := leaderParams(g, LeaderAll)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(params, "mu") || slices.Contains(params, "sd") {
		t.Errorf("leader parameters %v include the input statistics mu or sd", params)
	}
	for _, want := range []string{"w0", "b0", "w2"} {
		if !slices.Contains(params, want) {
			t.Errorf("leader parameters %v lack the weight %s", params, want)
		}
	}
}
