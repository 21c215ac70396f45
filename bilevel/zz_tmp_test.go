package bilevel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/internal/blas"
)

func TestZZBackends(t *testing.T) {
	tr := adultTrainer(t, MethodBilevel)
	rng := rand.New(rand.NewPCG(1, 2))
	for b := range tr.data.Train.Batches(rng, 100) {
		var res [][][]float32
		var losses []float64
		for _, impl := range []G.BLAS{gonum.Implementation{}, blas.Default} {
			G.Use(impl)
			st := tr.stages[0]
			if err := st.run(b); err != nil {
				t.Fatal(err)
			}
			losses = append(losses, scalarOf(st.accVal))
			var gs [][]float32
			for _, g := range st.gradData {
				gs = append(gs, slices.Clone(g))
			}
			res = append(res, gs)
		}
		G.Use(blas.Default)
		t.Logf("losses %v", losses)
		for i := range res[0] {
			md := 0.0
			for j := range res[0][i] {
				md = max(md, math.Abs(float64(res[0][i][j]-res[1][i][j])))
			}
			t.Logf("grad %s maxdiff %g", tr.stages[0].wrt[i], md)
		}
		break
	}
}
