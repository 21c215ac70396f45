package fairness

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The K-class metrics are, class by class, the binary metrics of "ŷ = k" against "y = k" (one vs the
// rest), and each gap is the largest over the classes.
func TestComputeClassesOneVsRest(t *testing.T) {
	const n, k = 400, 4
	rng := rand.New(rand.NewPCG(1, 2))
	prob, label, group := make([]float32, n*k), make([]float32, n), make([]int, n)
	for i := range n {
		for c := range k {
			prob[i*k+c] = rng.Float32()
		}
		label[i], group[i] = float32(rng.IntN(k)), rng.IntN(3)
	}
	m := Compute(prob, label, group, []string{"a", "b", "c"})
	if m.Classes != k || len(m.Groups) != 3*k {
		t.Fatalf("classes %d, %d table rows; want %d and %d", m.Classes, len(m.Groups), k, 3*k)
	}
	pred := Argmax(prob, k)
	right := 0
	var dp, eo, eopp, fpr float64
	for c := range k {
		pc, yc := make([]float32, n), make([]float32, n)
		for i := range n {
			if pred[i] == c {
				pc[i] = 1
			}
			if int(label[i]) == c {
				yc[i] = 1
			}
		}
		b := Compute(pc, yc, group, nil)
		dp, eo, eopp, fpr = max(dp, b.DP), max(eo, b.EO), max(eopp, b.EOpp), max(fpr, FPRGap(b.Groups))
		for g, row := range b.Groups {
			got := m.Groups[g*k+c]
			if *got.Class != c || got.SelectionRate != row.SelectionRate || *got.TPR != *row.TPR || got.Positives != row.Positives {
				t.Errorf("group %d class %d: row %+v, one vs rest %+v", g, c, got, row)
			}
		}
	}
	for i := range n {
		if pred[i] == int(label[i]) {
			right++
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"accuracy", m.Accuracy, float64(right) / n}, {"dp", m.DP, dp}, {"eo", m.EO, eo}, {"eopp", m.EOpp, eopp}, {"fpr", FPRGap(m.Groups), fpr}} {
		if c.got != c.want {
			t.Errorf("%s %v, want %v", c.name, c.got, c.want)
		}
	}
}

// A hand-counted case: two groups, three classes.
func TestComputeClassesByHand(t *testing.T) {
	// Decisions 0 1 2 | 0 0 1; labels 0 1 1 | 0 2 1; groups a a a | b b b.
	prob := []float32{.9, .05, .05, .1, .8, .1, .2, .2, .6, .7, .2, .1, .5, .3, .2, .1, .6, .3}
	m := Compute(prob, []float32{0, 1, 1, 0, 2, 1}, []int{0, 0, 0, 1, 1, 1}, []string{"a", "b"})
	// P(ŷ=0|a) = 1/3, P(ŷ=0|b) = 2/3: the DP gap of class 0 is 1/3 (classes 1 and 2: 0 and 1/3).
	if math.Abs(m.DP-1.0/3) > 1e-12 || m.Accuracy != 4.0/6 {
		t.Fatalf("dp %v accuracy %v; want 1/3 and 4/6", m.DP, m.Accuracy)
	}
	// Class 2: a has no row of class 2 (TPR undefined); FPR of ŷ=2 is 1/3 in a and 0 in b.
	if r := m.Groups[2]; r.Group != "a, class 2" || r.TPR != nil || math.Abs(*r.FPR-1.0/3) > 1e-12 || r.Accuracy != 2.0/3 {
		t.Fatalf("row %+v", r)
	}
}

// The K-class fairness loss is Σ_k Σ_g (mean_g P_k − mean P_k)² over all rows (DP), and within the rows
// of class k and of the other classes (EO); the cross-entropy is PyTorch's.
func TestClassLosses(t *testing.T) {
	const batch, groups, k = 12, 2, 3
	rng := rand.New(rand.NewPCG(3, 4))
	z, group, label := make([]float64, batch*k), make([]int, batch), make([]float32, batch)
	for i := range batch {
		for c := range k {
			z[i*k+c] = rng.NormFloat64()
		}
		group[i], label[i] = i%groups, float32(rng.IntN(k))
	}
	p := make([]float64, batch*k)
	for i := range batch {
		s := 0.0
		for c := range k {
			s += math.Exp(z[i*k+c])
		}
		for c := range k {
			p[i*k+c] = math.Exp(z[i*k+c]) / s
		}
	}
	gapSq := func(in func(i, c int) bool) float64 {
		total := 0.0
		for c := range k {
			sum, n := 0.0, 0
			gs, gn := make([]float64, groups), make([]int, groups)
			for i := range batch {
				if in(i, c) {
					sum += p[i*k+c]
					n++
					gs[group[i]] += p[i*k+c]
					gn[group[i]]++
				}
			}
			for g := range groups {
				if gn[g] > 0 {
					total += math.Pow(gs[g]/float64(gn[g])-sum/float64(n), 2)
				}
			}
		}
		return total
	}
	wantDP := gapSq(func(int, int) bool { return true })
	wantEO := gapSq(func(i, c int) bool { return int(label[i]) == c }) + gapSq(func(i, c int) bool { return int(label[i]) != c })
	wantCE := 0.0
	for i := range batch {
		wantCE -= math.Log(p[i*k+int(label[i])]) / batch
	}

	g := G.NewGraph()
	zn := G.NewMatrix(g, tensor.Float64, G.WithShape(batch, k), G.WithName("z"), G.WithValue(tensor.New(tensor.WithShape(batch, k), tensor.WithBacking(z))))
	onehot := make([]float64, batch*k)
	for i := range batch {
		onehot[i*k+int(label[i])] = 1
	}
	yn := G.NewMatrix(g, tensor.Float64, G.WithShape(batch, k), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(batch, k), tensor.WithBacking(onehot))))
	masks, err := NewClassMasks(g, tensor.Float64, batch, groups, k, "groups")
	if err != nil {
		t.Fatal(err)
	}
	if err := masks.Set(group, label); err != nil {
		t.Fatal(err)
	}
	pn := G.Must(G.SoftMax(zn, 1))
	dp, err := DPLoss(pn, nil, masks)
	if err != nil {
		t.Fatal(err)
	}
	eo, err := EOLoss(pn, nil, masks)
	if err != nil {
		t.Fatal(err)
	}
	ce, err := CrossEntropyWithLogits(zn, yn)
	if err != nil {
		t.Fatal(err)
	}
	ceP, err := CrossEntropy(pn, yn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(G.Must(G.Add(ce, dp)), zn); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  G.Value
		want float64
	}{{"dp", dp.Value(), wantDP}, {"eo", eo.Value(), wantEO}, {"cross-entropy", ce.Value(), wantCE}, {"cross-entropy of probabilities", ceP.Value(), wantCE}} {
		if got := c.got.Data().(float64); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s %v, want %v", c.name, got, c.want)
		}
	}
	// The gradient of the cross-entropy with respect to the logits: (softmax − onehot) / batch.
	ceOnly := G.NewGraph()
	z2 := G.NewMatrix(ceOnly, tensor.Float64, G.WithShape(batch, k), G.WithName("z"), G.WithValue(tensor.New(tensor.WithShape(batch, k), tensor.WithBacking(slices.Clone(z)))))
	y2 := G.NewMatrix(ceOnly, tensor.Float64, G.WithShape(batch, k), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(batch, k), tensor.WithBacking(onehot))))
	ce2, err := CrossEntropyWithLogits(z2, y2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(ce2, z2); err != nil {
		t.Fatal(err)
	}
	vm2 := G.NewTapeMachine(ceOnly)
	defer vm2.Close()
	if err := vm2.RunAll(); err != nil {
		t.Fatal(err)
	}
	grad, err := z2.Grad()
	if err != nil {
		t.Fatal(err)
	}
	for i, got := range grad.Data().([]float64) {
		if want := (p[i] - onehot[i]) / batch; math.Abs(got-want) > 1e-9 {
			t.Fatalf("cross-entropy gradient [%d] %v, want %v", i, got, want)
		}
	}
}
