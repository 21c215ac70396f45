package fairness_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/fairness"
)

func ExampleCompute() {
	prob := []float32{0.9, 0.4, 0.6, 0.1, 0.8, 0.7, 0.2, 0.3}
	label := []float32{1, 1, 0, 0, 1, 1, 0, 0}
	group := []int{0, 0, 0, 0, 1, 1, 1, 1}
	m := fairness.Compute(prob, label, group, []string{"Male", "Female"})
	fmt.Printf("accuracy %.2f dp %.2f eo %.2f eopp %.2f\n", m.Accuracy, m.DP, m.EO, m.EOpp)
	for _, r := range m.Groups {
		fmt.Printf("%-6s n=%d selection %.2f tpr %.2f fpr %.2f\n", r.Group, r.Size, r.SelectionRate, *r.TPR, *r.FPR)
	}
	// Output:
	// accuracy 0.75 dp 0.00 eo 0.50 eopp 0.50
	// Male   n=4 selection 0.50 tpr 0.50 fpr 0.50
	// Female n=4 selection 0.50 tpr 1.00 fpr 0.00
}

// The graph is built once for a batch size; each batch sets the probability input (here directly; in
// training it comes from the model) and the group masks, runs the machine and resets it.
func ExampleDPLoss() {
	const batch, groups = 4, 2
	g := G.NewGraph()
	prob := G.NewVector(g, tensor.Float32, G.WithShape(batch), G.WithName("prob"))
	masks, err := fairness.NewGroupMasks(g, tensor.Float32, batch, groups, "groups")
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, err := fairness.DPLoss(prob, nil, masks)
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for _, b := range []struct {
		prob  []float32
		group []int
	}{
		{[]float32{0.9, 0.5, 0.2, 0.4}, []int{0, 0, 1, 1}}, // group means 0.7 and 0.3 around 0.5
		{[]float32{0.9, 0.5, 0.2, 0.4}, []int{1, 1, 1, 1}}, // group 0 absent: no gap
	} {
		if err := G.Let(prob, tensor.New(tensor.WithShape(batch), tensor.WithBacking(b.prob))); err != nil {
			fmt.Println(err)
			return
		}
		if err := masks.Set(b.group, make([]float32, batch)); err != nil {
			fmt.Println(err)
			return
		}
		if err := vm.RunAll(); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("dp loss %.4f (plain Go %.4f)\n", loss.Value().Data(), fairness.DPLossValue(b.prob, b.group))
		vm.Reset()
	}
	// Output:
	// dp loss 0.0800 (plain Go 0.0800)
	// dp loss 0.0000 (plain Go 0.0000)
}
