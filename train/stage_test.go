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

// A stage's machine runs only the subgraph its losses and wanted gradients need; it gives bit for bit
// what the machine of the whole graph (every gradient G.Grad built) gives.
func TestStageSubgraphMatchesWholeGraph(t *testing.T) {
	data := synthData(400, 6, 5)
	var batch dataset.Batch
	for b := range data.Train.Batches(rand.New(rand.NewPCG(1, 1)), 50) {
		batch = b
		break
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
				if err := st.run(batch); err != nil {
					t.Fatal(err)
				}
				acc, fair := scalarOf(st.accVal), st.fairLoss()
				var grads [][]float32
				for _, g := range st.gradData {
					grads = append(grads, slices.Clone(g))
				}
				st.vm.Close()
				st.vm = G.NewTapeMachine(st.lowered.Graph)
				if err := st.run(batch); err != nil {
					t.Fatal(err)
				}
				if a, f := scalarOf(st.accVal), st.fairLoss(); a != acc || f != fair {
					t.Errorf("%s: losses %v %v, whole graph %v %v", st.name, acc, fair, a, f)
				}
				for i, g := range st.gradData {
					for j := range g {
						if math.Float32bits(g[j]) != math.Float32bits(grads[i][j]) {
							t.Fatalf("%s: gradient of %s[%d] = %v, whole graph %v", st.name, st.wrt[i], j, grads[i][j], g[j])
						}
					}
				}
			}
		})
	}
}
