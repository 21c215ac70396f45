package train

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
)

// stage is one gorgonia graph computing a cost and its gradient with respect to a set of parameters,
// built once and run once per batch.
type stage struct {
	name    string
	lowered *lower.Lowered
	x, y    *G.Node
	xv, yv  *tensor.Dense
	classes int // 1 for one probability per row, else the K of a K-class head
	masks   *fairness.GroupMasks
	// attrMasks are the masks of the sensitive attributes constraints name, by their index in
	// dataset.Data.Attributes (nil for the others).
	attrMasks []*fairness.GroupMasks
	wrt       []string
	grads     []*G.Node
	plan      *plan
	roots     G.Nodes // what the plan computes
	accVal    G.Value // L_acc of the last run
	fairVal   G.Value // L_fair of the last run (stages without constraint terms)
	gradData  [][]float32
	// The nodes of the losses and of the constraint losses.
	acc, fair *G.Node
	terms     []*G.Node
	// The constraint terms λ_k·L_k: the multipliers are scalar inputs, set before each run, and
	// constraintVal[k] is L_k of the last run.
	multipliers   []*G.Node
	constraintVal []G.Value
}

// stageSpec says what a stage optimises: accWeight·L_acc + fairWeight·L_fair + Σ_k λ_k·L_k, differentiated
// with respect to the named parameters. L_fair is the loss of the run's criterion; L_k that of
// constraints[k]'s criterion, weighted by a multiplier λ_k given before each run (setMultipliers). A stage
// with constraint terms has no L_fair term.
type stageSpec struct {
	name                  string
	accWeight, fairWeight float64
	constraints           []fairness.Constraint
	wrt                   []string
}

// newStage lowers the model for batches of `batch` rows and adds the losses and their gradients.
func newStage(m *ir.Graph, h head.Head, spec stageSpec, batch, groups int, attrs []dataset.Attribute, crit fairness.Criterion) (st *stage, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fault.Errorf(fault.Internal, "stage %s: gorgonia: %v", spec.name, r)
		}
	}()
	l, err := lower.Lower(m, lower.Options{Batch: batch})
	if err != nil {
		return nil, err
	}
	// The first output is the one trained and scored; the others are computed and exported as they are.
	if len(l.Inputs) != 1 || len(l.Outputs) < 1 {
		return nil, fmt.Errorf("training needs a model with one input and an output")
	}
	prob, logit, err := headNodes(m, l, h)
	if err != nil {
		return nil, err
	}
	st = &stage{name: spec.name, lowered: l, x: l.Inputs[0], wrt: spec.wrt}
	gr := l.Graph
	st.xv = tensor.New(tensor.WithShape(st.x.Shape()...), tensor.Of(tensor.Float32))
	// The labels: 0/1 per row, or one-hot rows for a K-class head.
	st.yv = tensor.New(tensor.WithShape(prob.Shape()...), tensor.Of(tensor.Float32))
	st.y = G.NewTensor(gr, tensor.Float32, prob.Shape().Dims(), G.WithShape(prob.Shape()...), G.WithName("fairbinn.label"))
	st.classes = 1
	if !h.Binary() {
		st.classes = h.Classes
	}
	if st.masks, err = fairness.NewClassMasks(gr, tensor.Float32, batch, groups, st.classes, "fairbinn.groups"); err != nil {
		return nil, err
	}

	// L_acc: binary cross-entropy, on the logit when there is one (stable, and PyTorch's BCEWithLogits),
	// else on the probability; for K classes, the cross-entropy.
	var acc *G.Node
	switch {
	case st.classes > 1 && logit != nil:
		acc, err = fairness.CrossEntropyWithLogits(logit, st.y)
	case st.classes > 1:
		acc, err = fairness.CrossEntropy(prob, st.y)
	case logit != nil:
		acc, err = fairness.BCEWithLogits(logit, st.y)
	default:
		acc, err = fairness.BCE(prob, st.y)
	}
	if err != nil {
		return nil, err
	}
	var fair *G.Node
	if len(spec.constraints) == 0 {
		if fair, err = crit.Loss()(prob, st.y, st.masks); err != nil {
			return nil, err
		}
	}
	G.Read(acc, &st.accVal)
	if fair != nil {
		G.Read(fair, &st.fairVal)
	}
	st.constraintVal = make([]G.Value, len(spec.constraints)) // G.Read keeps pointers into it: never grown
	var terms []*G.Node
	for k, c := range spec.constraints {
		masks := st.masks
		if a := slices.IndexFunc(attrs, func(at dataset.Attribute) bool { return at.Name == c.Attribute }); a >= 0 {
			// A constraint on one attribute of several: its loss is over that attribute's groups.
			if st.attrMasks == nil {
				st.attrMasks = make([]*fairness.GroupMasks, len(attrs))
			}
			if st.attrMasks[a] == nil {
				if st.attrMasks[a], err = fairness.NewClassMasks(gr, tensor.Float32, batch, len(attrs[a].Groups), st.classes, "fairbinn.groups."+attrs[a].Name); err != nil {
					return nil, err
				}
			}
			masks = st.attrMasks[a]
		}
		l, err := c.Criterion.Loss()(prob, st.y, masks)
		if err != nil {
			return nil, err
		}
		G.Read(l, &st.constraintVal[k])
		lam := G.NewScalar(gr, tensor.Float32, G.WithName(fmt.Sprintf("fairbinn.multiplier.%s.%d", spec.name, k)))
		if err := G.Let(lam, G.NewF32(0)); err != nil {
			return nil, err
		}
		st.multipliers = append(st.multipliers, lam)
		terms = append(terms, l)
	}

	var cost *G.Node
	add := func(term *G.Node, w float64) {
		if w == 0 {
			return
		}
		if w != 1 {
			term = G.Must(G.Mul(term, G.NewConstant(float32(w), G.WithName(fmt.Sprintf("fairbinn.weight.%s.%p", spec.name, term)))))
		}
		if cost == nil {
			cost = term
		} else {
			cost = G.Must(G.Add(cost, term))
		}
	}
	add(acc, spec.accWeight)
	if fair != nil {
		add(fair, spec.fairWeight)
	}
	for k, l := range terms {
		term := G.Must(G.Mul(l, st.multipliers[k]))
		if cost == nil {
			cost = term
		} else {
			cost = G.Must(G.Add(cost, term))
		}
	}
	if cost != nil && len(spec.wrt) > 0 {
		nodes := make([]*G.Node, len(spec.wrt))
		for i, name := range spec.wrt {
			if nodes[i] = l.Params[name]; nodes[i] == nil {
				return nil, fmt.Errorf("parameter %q is not in the lowered graph", name)
			}
		}
		if st.grads, err = G.Grad(cost, nodes...); err != nil {
			return nil, fmt.Errorf("stage %s: gradients: %w", spec.name, err)
		}
	}
	// The plan computes only what the stage reads: the losses and the wanted gradients. G.Grad also
	// builds the gradients of every other input of each differentiated op (the batch itself, frozen
	// parameters, the other side's parameters), which would otherwise be computed in every run for
	// nothing: in the Adult configuration a third of the backward pass. (The G.Read statements stay in
	// the graph, for a tape machine over it; the plan gives the values they would read.)
	roots := G.Nodes{acc}
	if fair != nil {
		roots = append(roots, fair)
	}
	roots = append(append(roots, st.grads...), terms...)
	st.roots = roots
	st.plan = newPlan(gr, roots)
	st.acc, st.fair, st.terms = acc, fair, terms
	return st, nil
}

// headNodes returns the nodes of P(positive) and, when the graph has it, of its logit, one per row:
// the output itself for a probability or a logit head (σ(logit) for the probability of a logit head), and
// for a two-class head the positive column (softmax) or the difference of the two logits, taken with a
// constant [2, 1] matrix so that no view of the output is involved. For a K-class head they are the
// [batch, K] class probabilities and logits: the softmax of a logits output, or a softmax output and the
// Softmax's input when the graph has it.
func headNodes(m *ir.Graph, l *lower.Lowered, h head.Head) (prob, logit *G.Node, err error) {
	k := slices.IndexFunc(m.Outputs, func(v *ir.Value) bool { return v.Name == h.Output })
	if k < 0 || k >= len(l.Outputs) {
		return nil, nil, fmt.Errorf("the model has no output %q", h.Output)
	}
	out := l.Outputs[k]
	s := out.Shape()
	if h.Classes == 1 {
		if !(len(s) == 2 && s[1] == 1) && len(s) != 1 {
			return nil, nil, fmt.Errorf("training needs one value per row; the model's output has shape %v", s)
		}
		if h.Kind == head.Logit {
			return G.Must(G.Sigmoid(out)), out, nil
		}
		// A probability: train on the Sigmoid's input when the graph has it.
		if p := m.Producers()[h.Output]; p != nil && p.OpType == "Sigmoid" {
			if z := l.Values[p.Inputs[0]]; z != nil && z.Shape().Eq(out.Shape()) {
				return out, z, nil
			}
		}
		return out, nil, nil
	}
	if len(s) != 2 || s[1] != h.Classes {
		return nil, nil, fmt.Errorf("a %d-class head needs an output of shape [N, %d], not %v", h.Classes, h.Classes, s)
	}
	if h.Classes > 2 {
		if h.Kind == head.Logits {
			return G.Must(G.SoftMax(out, 1)), out, nil
		}
		if p := m.Producers()[h.Output]; p != nil && p.OpType == "Softmax" {
			if z := l.Values[p.Inputs[0]]; z != nil && z.Shape().Eq(out.Shape()) {
				return out, z, nil
			}
		}
		return out, nil, nil
	}
	w := []float32{0, 0}
	w[h.Positive] = 1
	if h.Kind == head.Logits {
		w[1-h.Positive] = -1
	}
	sel := G.NewMatrix(l.Graph, tensor.Float32, G.WithShape(2, 1), G.WithName("fairbinn.head.select"),
		G.WithValue(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking(w))))
	v := G.Must(G.Mul(out, sel))
	if h.Kind == head.Logits {
		return G.Must(G.Sigmoid(v)), v, nil
	}
	return v, nil, nil
}

// run computes the stage on one batch (exactly the stage's batch size) and leaves the gradients in
// st.gradData, in the order of st.wrt.
func (st *stage) run(b dataset.Batch) (err error) {
	if err := st.bind(b); err != nil {
		return err
	}
	if err := st.plan.run(); err != nil {
		return fmt.Errorf("stage %s: %w", st.name, err)
	}
	st.accVal = st.plan.value(st.acc)
	if st.fair != nil {
		st.fairVal = st.plan.value(st.fair)
	}
	for k, l := range st.terms {
		st.constraintVal[k] = st.plan.value(l)
	}
	return st.readGradients(func(i int) G.Value { return st.plan.value(st.grads[i]) })
}

// bind gives the stage's inputs the batch's rows, labels and groups.
func (st *stage) bind(b dataset.Batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fault.Errorf(fault.Internal, "stage %s: gorgonia: %v", st.name, r)
		}
	}()
	copy(st.xv.Float32s(), b.X)
	if st.classes == 1 {
		copy(st.yv.Float32s(), b.Y)
	} else {
		// One-hot rows of the class indices.
		y := st.yv.Float32s()
		clear(y)
		for i, c := range b.Y {
			y[i*st.classes+int(c)] = 1
		}
	}
	if err := G.Let(st.x, st.xv); err != nil {
		return err
	}
	if err := G.Let(st.y, st.yv); err != nil {
		return err
	}
	for a, masks := range st.attrMasks {
		if masks != nil {
			if err := masks.Set(b.AttrGroups[a], b.Y); err != nil {
				return err
			}
		}
	}
	return st.masks.Set(b.Group, b.Y)
}

// readGradients points st.gradData at the gradients' values, value(i) being that of st.grads[i].
func (st *stage) readGradients(value func(i int) G.Value) error {
	if len(st.grads) == 0 {
		// A zero-weighted cost (η = 0) has a zero gradient: the optimiser gets zeros, as PyTorch's would.
		if len(st.gradData) != len(st.wrt) {
			st.gradData = st.gradData[:0]
			for _, name := range st.wrt {
				st.gradData = append(st.gradData, make([]float32, st.lowered.Params[name].Shape().TotalSize()))
			}
		}
		return nil
	}
	st.gradData = st.gradData[:0]
	for i := range st.grads {
		t, ok := value(i).(tensor.Tensor)
		if !ok {
			return fmt.Errorf("stage %s: gradient of %q is %T", st.name, st.wrt[i], value(i))
		}
		st.gradData = append(st.gradData, t.Data().([]float32))
	}
	return nil
}

func scalarOf(v G.Value) float64 {
	switch v := v.(type) {
	case *G.F32:
		return float64(*v)
	case *G.F64:
		return float64(*v)
	}
	return 0
}

// setMultipliers gives the constraint terms their weights for the next runs.
func (st *stage) setMultipliers(lambda []float64) error {
	if len(lambda) != len(st.multipliers) {
		return fmt.Errorf("stage %s: %d multipliers for %d constraint terms", st.name, len(lambda), len(st.multipliers))
	}
	for k, n := range st.multipliers {
		if err := G.Let(n, G.NewF32(float32(lambda[k]))); err != nil {
			return fmt.Errorf("stage %s: multiplier %d: %w", st.name, k, err)
		}
	}
	return nil
}

// fairLoss is the L_fair the stage reports: its criterion's loss, or the sum of its constraint losses
// (without the multipliers).
func (st *stage) fairLoss() float64 {
	if len(st.constraintVal) == 0 {
		return scalarOf(st.fairVal)
	}
	sum := 0.0
	for _, v := range st.constraintVal {
		sum += scalarOf(v)
	}
	return sum
}

func (st *stage) close() {}
