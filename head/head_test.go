package head

import (
	"math"
	"testing"

	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// graph is an output of the given width produced by op.
func graph(op string, width int64) *ir.Graph {
	return &ir.Graph{
		Nodes:   []*ir.Node{{Name: "last", OpType: op, Inputs: []string{"z"}, Outputs: []string{"y"}}},
		Inputs:  []*ir.Value{{Name: "z", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(width)}}},
		Outputs: []*ir.Value{{Name: "y", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(width)}}},
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		op      string
		width   int64
		kind    Kind
		classes int
	}{
		{"Sigmoid", 1, Probability, 1},
		{"Gemm", 1, Logit, 1},
		{"Softmax", 2, Softmax, 2},
		{"Gemm", 2, Logits, 2},
		{"Gemm", 4, Logits, 4},
	} {
		h, err := Detect(graph(tc.op, tc.width), "y")
		if err != nil || h.Kind != tc.kind || h.Classes != tc.classes {
			t.Errorf("%s [N,%d]: %+v, %v; want %s with %d classes", tc.op, tc.width, h, err, tc.kind, tc.classes)
		}
	}
}

func TestProbabilities(t *testing.T) {
	sig := func(z float64) float32 { return float32(1 / (1 + math.Exp(-z))) }
	for _, tc := range []struct {
		name string
		h    Head
		out  tensor.Tensor
		want []float32
	}{
		{"probability", Head{Kind: Probability, Classes: 1}, tensor.Tensor{Shape: []int64{2, 1}, Data: []float32{0.2, 0.9}}, []float32{0.2, 0.9}},
		{"logit", Head{Kind: Logit, Classes: 1}, tensor.Tensor{Shape: []int64{2}, Data: []float32{0, 2}}, []float32{0.5, sig(2)}},
		{"softmax", Head{Kind: Softmax, Classes: 2, Positive: 1}, tensor.Tensor{Shape: []int64{1, 2}, Data: []float32{0.3, 0.7}}, []float32{0.7}},
		{"logits, positive 0", Head{Kind: Logits, Classes: 2, Positive: 0}, tensor.Tensor{Shape: []int64{1, 2}, Data: []float32{1, -1}}, []float32{sig(2)}},
	} {
		got, err := tc.h.Probabilities(tc.out)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i := range tc.want {
			if math.Abs(float64(got[i]-tc.want[i])) > 1e-6 {
				t.Errorf("%s: P = %v, want %v", tc.name, got, tc.want)
			}
		}
		if labels := tc.h.Labels(tc.out); len(labels) != len(tc.want) {
			t.Errorf("%s: %d labels for %d rows", tc.name, len(labels), len(tc.want))
		}
	}
	// A logit of 0.3 is a positive decision; taken for a probability it would not be.
	if l := (Head{Kind: Logit, Classes: 1}).Labels(tensor.Tensor{Shape: []int64{1}, Data: []float32{0.3}}); l[0] != 1 {
		t.Errorf("logit 0.3 decided %d, want 1", l[0])
	}
	// A K-class head gives each class's probability, row after row: the softmax of logits, a softmax as
	// it is; its decision is the most probable class.
	logits := tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{0, 1, 2, 3, 0, 0}}
	p, err := (Head{Kind: Logits, Classes: 3}).Probabilities(logits)
	if err != nil {
		t.Fatal(err)
	}
	e := []float64{math.Exp(0), math.Exp(1), math.Exp(2), math.Exp(3)}
	want := []float64{e[0] / (e[0] + e[1] + e[2]), e[1] / (e[0] + e[1] + e[2]), e[2] / (e[0] + e[1] + e[2]), e[3] / (e[3] + 2), 1 / (e[3] + 2), 1 / (e[3] + 2)}
	for i := range want {
		if math.Abs(float64(p[i])-want[i]) > 1e-6 {
			t.Fatalf("3-class logits: P = %v, want %v", p, want)
		}
	}
	if l := (Head{Kind: Logits, Classes: 3}).Labels(logits); l[0] != 2 || l[1] != 0 {
		t.Errorf("3-class decisions %v, want [2 0]", l)
	}
	soft := tensor.Tensor{Shape: []int64{1, 3}, Data: []float32{0.2, 0.5, 0.3}}
	if p, _ := (Head{Kind: Softmax, Classes: 3}).Probabilities(soft); len(p) != 3 || p[1] != 0.5 {
		t.Errorf("3-class softmax: P = %v, want it as it is", p)
	}
}

func TestWith(t *testing.T) {
	g := graph("Gemm", 2)
	h, _ := Detect(g, "y")
	if _, err := h.With(Probability, 1, g); err == nil {
		t.Error("a probability head on a [N, 2] output was accepted")
	}
	if _, err := h.With("", 2, g); err == nil {
		t.Error("positive class 2 of a two-class output was accepted")
	}
	if h2, err := h.With(Softmax, 0, g); err != nil || h2.Kind != Softmax || h2.Positive != 0 {
		t.Errorf("With(softmax, 0) = %+v, %v", h2, err)
	}
}
