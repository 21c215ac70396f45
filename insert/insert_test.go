package insert_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ir"
)

func adult(t *testing.T) *ir.Graph {
	t.Helper()
	g, err := importer.ReadFile("../testdata/models/adult_mlp/model.onnx", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Insert wires Gemm (+ Relu after a Relu) layers between the position's producer and its readers; with
// identity init their weights are the identity, and the new parameters carry FairPrefix.
func TestInsert(t *testing.T) {
	g := adult(t)
	positions, err := insert.Positions(g)
	if err != nil {
		t.Fatal(err)
	}
	pos, err := insert.FindPosition(positions, "2")
	if err != nil {
		t.Fatal(err)
	}
	nodes := len(g.Nodes)
	if err := insert.Insert(g, pos, insert.InsertOptions{Layers: 2}); err != nil {
		t.Fatal(err)
	}
	if got := len(g.Nodes) - nodes; got != 4 {
		t.Errorf("2 layers after a Relu added %d nodes, want 4 (Gemm + Relu each)", got)
	}
	params := insert.FairnessParams(g)
	if want := []string{"fairbinn.fair1.weight", "fairbinn.fair1.bias", "fairbinn.fair2.weight", "fairbinn.fair2.bias"}; !slices.Equal(params, want) {
		t.Errorf("fairness parameters %v, want %v", params, want)
	}
	w := g.Initializers["fairbinn.fair1.weight"]
	for i := range pos.Width {
		for j := range pos.Width {
			want := float32(0)
			if i == j {
				want = 1
			}
			if w.Float[i*pos.Width+j] != want {
				t.Fatalf("identity weight [%d,%d] = %v", i, j, w.Float[i*pos.Width+j])
			}
		}
	}
	// The old readers of the position now read the last inserted layer.
	for _, n := range g.Nodes {
		if slices.Contains(n.Inputs, pos.Tensor) && !slices.Contains(params, n.Inputs[1]) && n.OpType != "Gemm" {
			t.Errorf("node %q still reads %s", n.Name, pos.Tensor)
		}
	}
	if err := insert.Insert(g, pos, insert.InsertOptions{}); err == nil {
		t.Error("a second insertion into a model with fairness layers succeeded")
	}
}

func TestInsertRefuses(t *testing.T) {
	g := adult(t)
	positions, _ := insert.Positions(g)
	for _, tc := range []struct {
		name string
		pos  insert.Position
		opts insert.InsertOptions
	}{
		{"17 layers", positions[0], insert.InsertOptions{Layers: 17}},
		{"negative layers", positions[0], insert.InsertOptions{Layers: -1}},
		{"unknown init", positions[0], insert.InsertOptions{Init: "zeros"}},
		{"no producer", insert.Position{Tensor: "input", Width: 101}, insert.InsertOptions{}},
		{"graph output", insert.Position{Tensor: g.Outputs[0].Name, Width: 1}, insert.InsertOptions{}},
	} {
		if err := insert.Insert(adult(t), tc.pos, tc.opts); err == nil {
			t.Errorf("%s: Insert succeeded", tc.name)
		}
	}
	if _, err := insert.FindPosition(positions, "9"); !errors.Is(err, insert.ErrBadPosition) {
		t.Errorf("position 9 of 3: %v, want ErrBadPosition", err)
	}
	if _, err := insert.FindPosition(positions, "name:nope"); !errors.Is(err, insert.ErrBadPosition) {
		t.Errorf("name:nope: %v, want ErrBadPosition", err)
	}
	if p, err := insert.FindPosition(positions, "name:"+positions[1].Tensor); err != nil || p.Index != 2 {
		t.Errorf("name of position 2: %+v, %v", p, err)
	}
}

// Node names play no part in finding positions: a graph whose nodes all have the same (empty) name has
// the same positions.
func TestPositionsDuplicateNodeNames(t *testing.T) {
	g := adult(t)
	for _, n := range g.Nodes {
		n.Name = ""
	}
	positions, err := insert.Positions(g)
	if err != nil || len(positions) != 3 {
		t.Errorf("positions of a graph without node names: %d, %v; want 3", len(positions), err)
	}
}
