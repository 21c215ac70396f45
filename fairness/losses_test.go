package fairness

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// harness is a graph p = sigmoid(z), loss(p, y, masks), with the loss's gradient with respect to z. It is
// built once and run for many batches, as training does.
type harness struct {
	dt     tensor.Dtype
	batch  int
	z, y   *G.Node
	loss   *G.Node
	grad   *G.Node
	masks  *GroupMasks
	vm     G.VM
	column bool // z and y are [batch, 1]
}

func newHarness(t *testing.T, dt tensor.Dtype, batch, groups int, column bool,
	build func(z, p, y *G.Node, m *GroupMasks) (*G.Node, error)) *harness {
	t.Helper()
	g := G.NewGraph()
	h := &harness{dt: dt, batch: batch, column: column}
	if column {
		h.z = G.NewMatrix(g, dt, G.WithShape(batch, 1), G.WithName("z"))
		h.y = G.NewMatrix(g, dt, G.WithShape(batch, 1), G.WithName("y"))
	} else {
		h.z = G.NewVector(g, dt, G.WithShape(batch), G.WithName("z"))
		h.y = G.NewVector(g, dt, G.WithShape(batch), G.WithName("y"))
	}
	p, err := G.Sigmoid(h.z)
	if err != nil {
		t.Fatal(err)
	}
	if h.masks, err = NewGroupMasks(g, dt, batch, groups, "groups"); err != nil {
		t.Fatal(err)
	}
	if h.loss, err = build(h.z, p, h.y, h.masks); err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(h.loss, h.z)
	if err != nil {
		t.Fatal(err)
	}
	h.grad = grads[0]
	h.vm = G.NewTapeMachine(g)
	t.Cleanup(func() { h.vm.Close() })
	return h
}

// fair adapts a Loss to the harness, which also offers the logits.
func fair(l Loss) func(z, p, y *G.Node, m *GroupMasks) (*G.Node, error) {
	return func(_, p, y *G.Node, m *GroupMasks) (*G.Node, error) { return l(p, y, m) }
}

func (h *harness) dense(v []float64) *tensor.Dense {
	shape := []int{h.batch}
	if h.column {
		shape = []int{h.batch, 1}
	}
	if h.dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i := range v {
			f[i] = float32(v[i])
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

func floats(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i := range d {
			out[i] = float64(d[i])
		}
		return out
	}
	panic("unexpected value type")
}

// eval runs one batch: z and y have h.batch entries; group (and the first len(group) labels) describe the
// real rows, the rest is padding.
func (h *harness) eval(t *testing.T, z, y []float64, group []int) (float64, []float64) {
	t.Helper()
	if err := G.Let(h.z, h.dense(z)); err != nil {
		t.Fatal(err)
	}
	if err := G.Let(h.y, h.dense(y)); err != nil {
		t.Fatal(err)
	}
	label := make([]float32, len(group))
	for i := range group {
		label[i] = float32(y[i])
	}
	if err := h.masks.Set(group, label); err != nil {
		t.Fatal(err)
	}
	defer h.vm.Reset()
	if err := h.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return floats(h.loss.Value())[0], floats(h.grad.Value())
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

type batchCase struct {
	name  string
	z, y  []float64
	group []int // shorter than z: padding rows follow
}

func batchCases(batch, groups int) []batchCase {
	rng := rand.New(rand.NewPCG(42, 1))
	random := func(n int, f func() float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = f()
		}
		return v
	}
	z := func() []float64 { return random(batch, func() float64 { return 2 * rng.NormFloat64() }) }
	y := func() []float64 { return random(batch, func() float64 { return float64(rng.IntN(2)) }) }
	all := make([]int, batch)
	for i := range all {
		all[i] = i % groups
	}
	missing := make([]int, batch) // group groups−1 absent
	for i := range missing {
		missing[i] = i % (groups - 1)
	}
	noPos := y()
	for i := range noPos {
		if all[i] == 0 {
			noPos[i] = 0 // group 0 has no positive rows
		} else if all[i] == 1 {
			noPos[i] = 1 // group 1 has no negative rows
		}
	}
	return []batchCase{
		{"all groups", z(), y(), all},
		{"a group absent", z(), y(), missing},
		{"group 0 without positives, group 1 without negatives", z(), noPos, all},
		{"padding", z(), y(), all[:batch-3]},
	}
}

func TestFairnessLossGradients(t *testing.T) {
	const batch, groups = 12, 3
	nonzero := 0
	for _, lc := range []struct {
		name  string
		loss  Loss
		value func(prob, label []float32, group []int) float64
	}{
		{"dp", DPLoss, func(p, _ []float32, g []int) float64 { return DPLossValue(p, g) }},
		{"eo", EOLoss, EOLossValue},
		{"eopp", EOppLoss, EOppLossValue},
		{"fpr", FPRLoss, FPRLossValue},
	} {
		for _, column := range []bool{false, true} {
			h64 := newHarness(t, tensor.Float64, batch, groups, column, fair(lc.loss))
			h32 := newHarness(t, tensor.Float32, batch, groups, column, fair(lc.loss))
			for _, bc := range batchCases(batch, groups) {
				name := lc.name + "/" + bc.name
				if column {
					name += "/[batch,1]"
				}
				t.Run(name, func(t *testing.T) {
					val, grad := h64.eval(t, bc.z, bc.y, bc.group)
					// The graph's value is the plain-Go one on the real rows.
					n := len(bc.group)
					prob := make([]float32, n)
					label := make([]float32, n)
					for i := range n {
						prob[i] = float32(sigmoid(bc.z[i]))
						label[i] = float32(bc.y[i])
					}
					want := lc.value(prob, label, bc.group)
					if math.Abs(val-want) > 1e-6 || math.IsNaN(val) {
						t.Errorf("loss %v, plain Go %v", val, want)
					}
					if want > 0 {
						nonzero++
					}
					// Central finite differences.
					const eps = 1e-6
					for i := range bc.z {
						zp := append([]float64(nil), bc.z...)
						zm := append([]float64(nil), bc.z...)
						zp[i] += eps
						zm[i] -= eps
						fp, _ := h64.eval(t, zp, bc.y, bc.group)
						fm, _ := h64.eval(t, zm, bc.y, bc.group)
						fd := (fp - fm) / (2 * eps)
						if math.Abs(fd-grad[i]) > 1e-7+1e-5*math.Abs(fd) {
							t.Errorf("d loss / d z[%d] = %v, finite difference %v", i, grad[i], fd)
						}
						if i >= n && grad[i] != 0 {
							t.Errorf("padding row %d has gradient %v", i, grad[i])
						}
					}
					// Running the machine again gives the same gradient (no accumulation across runs).
					if _, again := h64.eval(t, bc.z, bc.y, bc.group); !slices.Equal(again, grad) {
						t.Errorf("second run gradient %v, first %v", again, grad)
					}
					// float32 agrees with float64.
					val32, grad32 := h32.eval(t, bc.z, bc.y, bc.group)
					if math.Abs(val32-val) > 1e-6 {
						t.Errorf("float32 loss %v, float64 %v", val32, val)
					}
					for i := range grad {
						if math.Abs(grad32[i]-grad[i]) > 1e-5 {
							t.Errorf("float32 gradient %d: %v, float64 %v", i, grad32[i], grad[i])
						}
					}
				})
			}
		}
	}
	if nonzero < 20 {
		t.Errorf("only %d of 24 cases have a positive loss", nonzero)
	}
}

// TestFairnessLossHandValue checks the graph against the hand-worked DP case of TestLossValues, fed as
// probabilities through logits.
func TestFairnessLossHandValue(t *testing.T) {
	h := newHarness(t, tensor.Float64, 6, 3, false, fair(DPLoss))
	z := make([]float64, 6)
	for i, p := range []float64{0.9, 0.3, 0.6, 0.6, 0.1, 0.5} {
		z[i] = math.Log(p / (1 - p))
	}
	val, _ := h.eval(t, z, make([]float64, 6), []int{0, 0, 1, 1, 2, 2})
	if math.Abs(val-0.06) > 1e-12 {
		t.Errorf("dp loss %v, want 0.06", val)
	}
	// Before Set (masks all zero) and with a batch of one group, the loss is 0.
	val, grad := h.eval(t, z, make([]float64, 6), []int{1, 1, 1, 1, 1, 1})
	if val != 0 || grad[0] != 0 {
		t.Errorf("one group: loss %v gradient %v", val, grad)
	}
}

func TestBCE(t *testing.T) {
	const batch = 8
	rng := rand.New(rand.NewPCG(7, 0))
	z := make([]float64, batch)
	y := make([]float64, batch)
	for i := range z {
		z[i] = 3 * rng.NormFloat64()
		y[i] = float64(i % 2)
	}
	group := make([]int, batch)
	for _, lc := range []struct {
		name  string
		build func(z, p, y *G.Node, m *GroupMasks) (*G.Node, error)
	}{
		{"bce", fair(BCELoss)},
		{"bce with logits", func(z, _, y *G.Node, _ *GroupMasks) (*G.Node, error) { return BCEWithLogits(z, y) }},
	} {
		t.Run(lc.name, func(t *testing.T) {
			h := newHarness(t, tensor.Float64, batch, 1, false, lc.build)
			val, grad := h.eval(t, z, y, group)
			want := 0.0
			for i := range z {
				p := sigmoid(z[i])
				want -= (y[i]*math.Log(p) + (1-y[i])*math.Log(1-p)) / batch
				// d BCE / d z = (sigmoid(z) − y) / batch
				if g := (p - y[i]) / batch; math.Abs(grad[i]-g) > 1e-9 {
					t.Errorf("gradient %d: %v, want %v", i, grad[i], g)
				}
			}
			if math.Abs(val-want) > 1e-9 {
				t.Errorf("bce %v, want %v", val, want)
			}
		})
	}
	// Saturated probabilities stay finite.
	h := newHarness(t, tensor.Float64, 2, 1, false, fair(BCELoss))
	val, grad := h.eval(t, []float64{-800, 800}, []float64{1, 0}, []int{0, 0})
	if math.IsNaN(val) || math.IsInf(val, 0) || math.IsNaN(grad[0]) || math.IsInf(grad[0], 0) {
		t.Errorf("saturated bce %v gradient %v", val, grad)
	}
	if val < 15 {
		t.Errorf("saturated wrong predictions: bce %v, want about −log(1e-7) ≈ 16", val)
	}
}

func TestLossErrors(t *testing.T) {
	g := G.NewGraph()
	m, err := NewGroupMasks(g, tensor.Float32, 4, 2, "m")
	if err != nil {
		t.Fatal(err)
	}
	wrong := G.NewVector(g, tensor.Float32, G.WithShape(5), G.WithName("p5"))
	if _, err := DPLoss(wrong, nil, m); err == nil || !strings.Contains(err.Error(), "want [4] or [4 1]") {
		t.Errorf("wrong shape: %v", err)
	}
	p64 := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("p64"))
	if _, err := EOLoss(p64, nil, m); err == nil || !strings.Contains(err.Error(), "float64") {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := EOppLoss(p64, nil, nil); err == nil {
		t.Error("no masks: no error")
	}
	if err := m.Set([]int{0, 2}, []float32{1, 0}); err == nil || !strings.Contains(err.Error(), "group id 2") {
		t.Errorf("bad group id: %v", err)
	}
	if err := m.Set(make([]int, 5), make([]float32, 5)); err == nil {
		t.Error("too many rows: no error")
	}
	if err := m.Set(make([]int, 2), make([]float32, 3)); err == nil {
		t.Error("length mismatch: no error")
	}
	if _, err := NewGroupMasks(g, tensor.Int, 4, 2, "i"); err == nil {
		t.Error("int masks: no error")
	}
	p := G.NewVector(g, tensor.Float32, G.WithShape(4), G.WithName("p"))
	y := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("y3"))
	if _, err := BCE(p, y); err == nil {
		t.Error("bce shape mismatch: no error")
	}
}
