package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/insert"
)

// A stage's plan computes only the subgraph its losses and wanted gradients need, with buffers reused
// from run to run; run after run it gives bit for bit what gorgonia's tape machine of the whole graph
// (every gradient G.Grad built) gives.
func TestStagePlanMatchesTapeMachine(t *testing.T) {
	data := synthData(400, 6, 5)
	var batches []dataset.Batch
	for b := range data.Train.Batches(rand.New(rand.NewPCG(1, 1)), 50) {
		batches = append(batches, b)
		if len(batches) == 3 {
			break
		}
	}
	for _, method := range Methods {
		t.Run(string(method), func(t *testing.T) {
			g := mlp(t, 6, 16, 9)
			for _, name := range insert.FairnessParams(g) {
				// Away from the identity, so that the fairness layer's gradients are not special.
				for i := range g.Initializers[name].Float {
					g.Initializers[name].Float[i] += 0.01 * float32(i%7)
				}
			}
			cfg := quickConfig(method, 100)
			tr, err := NewTrainer(g, data, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			for _, st := range tr.stages {
				if len(st.multipliers) > 0 {
					// Non-zero multipliers, so that the constraint terms take part in the gradients.
					if err := st.setMultipliers([]float64{3.5}); err != nil {
						t.Fatal(err)
					}
				}
				vm := G.NewTapeMachine(st.lowered.Graph)
				defer vm.Close()
				for i, batch := range batches {
					// The tape machine's G.Read statements write the losses into the stage.
					if err := st.bind(batch); err != nil {
						t.Fatal(err)
					}
					vm.Reset()
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}
					if err := st.readGradients(func(i int) G.Value { return st.grads[i].Value() }); err != nil {
						t.Fatal(err)
					}
					acc, fair := scalarOf(st.accVal), st.fairLoss()
					var grads [][]float32
					for _, g := range st.gradData {
						grads = append(grads, slices.Clone(g))
					}
					if err := st.run(batch); err != nil {
						t.Fatal(err)
					}
					if a, f := scalarOf(st.accVal), st.fairLoss(); a != acc || f != fair {
						t.Errorf("%s, batch %d: losses %v %v, tape machine %v %v", st.name, i, a, f, acc, fair)
					}
					for i, g := range st.gradData {
						for j := range g {
							if math.Float32bits(g[j]) != math.Float32bits(grads[i][j]) {
								t.Fatalf("%s: gradient of %s[%d] = %v, tape machine %v", st.name, st.wrt[i], j, g[j], grads[i][j])
							}
						}
					}
				}
			}
		})
	}
}
