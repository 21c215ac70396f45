package fairness

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Loss is the signature shared by the fairness losses: prob is the predicted probability of the positive
// class, a node of shape [batch] or [batch, 1]; label the 0/1 label node of the same shape (the fairness
// losses take the per-label group membership from the masks, which Set builds from the same labels, and
// accept a nil label); masks the batch's group inputs. The result is a scalar node.
type Loss func(prob, label *G.Node, masks *GroupMasks) (*G.Node, error)

// GroupMasks are the per-batch inputs that tell the fairness losses which rows belong to which group. They
// are created once with the graph, for a fixed batch size and number of groups, and given each batch's
// values with Set before the machine runs.
//
// Each input is a [groups, batch] contrast matrix D: for a set of rows S (all rows, the rows of label 1, or
// the rows of label 0), n = |S| and n_g = |S ∩ group g|,
//
//	D[g, i] = [i ∈ S ∩ g] / n_g − [n_g > 0] · [i ∈ S] / n
//
// so that (D·p)_g = mean_g p − mean p over S when group g has rows in S, and exactly 0 when it has none: a
// group absent from the batch contributes nothing, and no division by zero can occur. Row counts are taken on
// the host, where the batch's groups and labels are known.
//
// For a K-class head (Classes = K > 1) the losses take P(class k) per row, a [batch, K] node, and the labels
// are class indices: All is as above, and Pos and Neg are [K·groups, batch], block k the contrast matrix of
// the rows of class k and of the rows of another class (one vs the rest), of which Select keeps column k of
// the product: ((Pos·P) ⊙ Select) holds the gaps of P(class k) within the rows of class k.
type GroupMasks struct {
	Batch, Groups, Classes int
	// All, Pos and Neg are the contrast matrices over all rows, the rows of label 1 and the rows of label 0.
	All, Pos, Neg *G.Node
	// Select is the constant [K·groups, K] block selector of a K-class head's masks (nil for one class).
	Select *G.Node

	dt            tensor.Dtype
	all, pos, neg *tensor.Dense
}

// NewGroupMasks adds the mask inputs of a fairness loss to g: batch rows, groups sensitive groups, element
// type dt (tensor.Float32 or tensor.Float64). name prefixes the input names, which must be unique in the
// graph. The inputs start as zeros (every loss 0) until Set is called.
func NewGroupMasks(g *G.ExprGraph, dt tensor.Dtype, batch, groups int, name string) (*GroupMasks, error) {
	return NewClassMasks(g, dt, batch, groups, 1, name)
}

// NewClassMasks is NewGroupMasks for a head of classes classes (1: one probability per row).
func NewClassMasks(g *G.ExprGraph, dt tensor.Dtype, batch, groups, classes int, name string) (*GroupMasks, error) {
	if batch < 1 || groups < 1 || classes < 1 {
		return nil, fmt.Errorf("group masks %q: batch %d, groups %d and classes %d must be positive", name, batch, groups, classes)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("group masks %q: element type %v: want float32 or float64", name, dt)
	}
	m := &GroupMasks{Batch: batch, Groups: groups, Classes: classes, dt: dt}
	for _, in := range []struct {
		suffix string
		rows   int
		node   **G.Node
		val    **tensor.Dense
	}{{"all", groups, &m.All, &m.all}, {"pos", classes * groups, &m.Pos, &m.pos}, {"neg", classes * groups, &m.Neg, &m.neg}} {
		*in.val = tensor.New(tensor.WithShape(in.rows, batch), tensor.Of(dt))
		*in.node = G.NewMatrix(g, dt, G.WithShape(in.rows, batch), G.WithName(name+"."+in.suffix))
		if err := G.Let(*in.node, *in.val); err != nil {
			return nil, fmt.Errorf("group masks %q: %w", name, err)
		}
	}
	if classes > 1 {
		sel := tensor.New(tensor.WithShape(classes*groups, classes), tensor.Of(dt))
		for k := range classes {
			for gr := range groups {
				if err := sel.SetAt(oneOf(dt), k*groups+gr, k); err != nil {
					return nil, fmt.Errorf("group masks %q: %w", name, err)
				}
			}
		}
		m.Select = G.NewMatrix(g, dt, G.WithShape(classes*groups, classes), G.WithName(name+".select"), G.WithValue(sel))
	}
	return m, nil
}

func oneOf(dt tensor.Dtype) any {
	if dt == tensor.Float32 {
		return float32(1)
	}
	return float64(1)
}

// Set fills the masks for one batch: group[i] is the group id of row i and label[i] its label (1 when
// ≥ 0.5; for K classes, the class index). Fewer rows than Batch are allowed: the remaining rows are padding and belong to no group, so the
// losses ignore them; so do rows of group id -1 (a group left out of the fairness gaps).
func (m *GroupMasks) Set(group []int, label []float32) error {
	if len(group) != len(label) {
		return fmt.Errorf("group masks: %d group ids but %d labels", len(group), len(label))
	}
	if len(group) > m.Batch {
		return fmt.Errorf("group masks: %d rows for a batch of %d", len(group), m.Batch)
	}
	for i, g := range group {
		if g < -1 || g >= m.Groups {
			return fmt.Errorf("group masks: row %d: group id %d outside [-1, %d)", i, g, m.Groups)
		}
	}
	all := make([]float64, m.Groups*m.Batch)
	pos := make([]float64, m.Classes*m.Groups*m.Batch)
	neg := make([]float64, m.Classes*m.Groups*m.Batch)
	contrast(all, m.Groups, m.Batch, group, func(int) bool { return true })
	if m.Classes == 1 {
		contrast(pos, m.Groups, m.Batch, group, func(i int) bool { return label[i] >= 0.5 })
		contrast(neg, m.Groups, m.Batch, group, func(i int) bool { return label[i] < 0.5 })
	}
	for k := 0; m.Classes > 1 && k < m.Classes; k++ {
		block := m.Groups * m.Batch
		contrast(pos[k*block:(k+1)*block], m.Groups, m.Batch, group, func(i int) bool { return int(label[i]) == k })
		contrast(neg[k*block:(k+1)*block], m.Groups, m.Batch, group, func(i int) bool { return int(label[i]) != k })
	}
	for _, in := range []struct {
		node *G.Node
		val  *tensor.Dense
		src  []float64
	}{{m.All, m.all, all}, {m.Pos, m.pos, pos}, {m.Neg, m.neg, neg}} {
		switch m.dt {
		case tensor.Float32:
			dst := in.val.Float32s()
			for i, v := range in.src {
				dst[i] = float32(v)
			}
		default:
			copy(in.val.Float64s(), in.src)
		}
		if err := G.Let(in.node, in.val); err != nil {
			return fmt.Errorf("group masks: %w", err)
		}
	}
	return nil
}

// contrast writes the [groups, batch] contrast matrix (see GroupMasks) of the rows selected by in.
func contrast(d []float64, groups, batch int, group []int, in func(i int) bool) {
	count := make([]int, groups)
	total := 0
	for i, g := range group {
		if in(i) && g >= 0 {
			count[g]++
			total++
		}
	}
	for i, g := range group {
		if !in(i) || g < 0 { // a negative id: in no group (left out of the gaps)
			continue
		}
		d[g*batch+i] += 1 / float64(count[g])
		for h, c := range count {
			if c > 0 {
				d[h*batch+i] -= 1 / float64(total)
			}
		}
	}
}

// checkProb checks that prob is a [batch] vector or a [batch, 1] column matching the masks, and returns it.
func checkProb(prob *G.Node, batch, classes int) (*G.Node, error) {
	s := prob.Shape()
	if classes > 1 {
		if len(s) == 2 && s[0] == batch && s[1] == classes {
			return prob, nil
		}
		return nil, fmt.Errorf("probability node %q has shape %v, want [%d %d]", prob.Name(), s, batch, classes)
	}
	switch {
	case len(s) == 1 && s[0] == batch:
		return prob, nil
	case len(s) == 2 && s[0] == batch && s[1] == 1:
		// Kept as a [batch, 1] matrix: D·p is then a [groups, 1] product. A G.Reshape here would share
		// memory with the model's output, which gorgonia's tape machine may overwrite in place.
		return prob, nil
	}
	return nil, fmt.Errorf("probability node %q has shape %v, want [%d] or [%d 1]", prob.Name(), s, batch, batch)
}

// gapTerm is Σ_g ((D·p)_g)²: the sum over groups of the squared gap between the group's mean probability
// and the overall mean; for K classes, of the gaps (D·P) ⊙ sel keeps (all of them when sel is nil).
func gapTerm(d, p, sel *G.Node) (*G.Node, error) {
	dp, err := G.Mul(d, p)
	if err != nil {
		return nil, err
	}
	if sel != nil {
		if dp, err = G.HadamardProd(dp, sel); err != nil {
			return nil, err
		}
	}
	sq, err := G.Square(dp)
	if err != nil {
		return nil, err
	}
	return G.Sum(sq)
}

func fairLoss(name string, prob *G.Node, masks *GroupMasks, ds ...*G.Node) (*G.Node, error) {
	if masks == nil {
		return nil, fmt.Errorf("%s loss: no group masks", name)
	}
	p, err := checkProb(prob, masks.Batch, masks.Classes)
	if err != nil {
		return nil, fmt.Errorf("%s loss: %w", name, err)
	}
	if p.Dtype() != masks.dt {
		return nil, fmt.Errorf("%s loss: probability is %v, masks are %v", name, p.Dtype(), masks.dt)
	}
	var total *G.Node
	err = catch(func() {
		for _, d := range ds {
			var sel *G.Node
			if d != masks.All {
				sel = masks.Select
			}
			t, err := gapTerm(d, p, sel)
			if err != nil {
				panic(err)
			}
			if total == nil {
				total = t
			} else if total, err = G.Add(total, t); err != nil {
				panic(err)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%s loss: %w", name, err)
	}
	return total, nil
}

// DPLoss is the demographic-parity loss Σ_g (mean_g p − mean p)², over the groups present in the batch.
func DPLoss(prob, _ *G.Node, masks *GroupMasks) (*G.Node, error) {
	if masks == nil {
		return nil, fmt.Errorf("dp loss: no group masks")
	}
	return fairLoss("dp", prob, masks, masks.All)
}

// EOLoss is the equalized-odds loss: the DP loss within the rows of label 1 plus the DP loss within the rows
// of label 0, Σ_y Σ_g (mean_{g,y} p − mean_y p)².
func EOLoss(prob, _ *G.Node, masks *GroupMasks) (*G.Node, error) {
	if masks == nil {
		return nil, fmt.Errorf("eo loss: no group masks")
	}
	return fairLoss("eo", prob, masks, masks.Pos, masks.Neg)
}

// EOppLoss is the equal-opportunity loss: the DP loss within the rows of label 1.
func EOppLoss(prob, _ *G.Node, masks *GroupMasks) (*G.Node, error) {
	if masks == nil {
		return nil, fmt.Errorf("eopp loss: no group masks")
	}
	return fairLoss("eopp", prob, masks, masks.Pos)
}

// FPRLoss is the false-positive-rate parity loss: the DP loss within the rows of label 0.
func FPRLoss(prob, _ *G.Node, masks *GroupMasks) (*G.Node, error) {
	if masks == nil {
		return nil, fmt.Errorf("fpr loss: no group masks")
	}
	return fairLoss("fpr", prob, masks, masks.Neg)
}

// bceEpsilon keeps BCE's logarithms finite: probabilities are clamped to [ε, 1−ε].
const bceEpsilon = 1e-7

func scalar(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

func checkPair(name string, a, b *G.Node) error {
	if !a.Shape().Eq(b.Shape()) {
		return fmt.Errorf("%s: shapes %v and %v differ", name, a.Shape(), b.Shape())
	}
	if a.Dtype() != b.Dtype() {
		return fmt.Errorf("%s: element types %v and %v differ", name, a.Dtype(), b.Dtype())
	}
	return nil
}

// BCE is the mean binary cross-entropy −mean(y·log p + (1−y)·log(1−p)) of probabilities prob against 0/1
// labels of the same shape. p is first clamped to [ε, 1−ε] with ε = 1e-7 (like torch.clamp: gradient 1
// inside, 0 outside), which keeps the loss and its gradient finite at p = 0 or 1 and leaves them unchanged
// elsewhere. gorgonia has no clamp op, so the clamp is built from Abs: max(a, b) = (a + b + |a − b|)/2.
// Prefer BCEWithLogits when the logit is available.
func BCE(prob, label *G.Node) (*G.Node, error) {
	if err := checkPair("bce", prob, label); err != nil {
		return nil, err
	}
	dt := prob.Dtype()
	must := func(n *G.Node, err error) *G.Node {
		if err != nil {
			panic(err)
		}
		return n
	}
	half, one := scalar(dt, 0.5), scalar(dt, 1)
	lo, hi := scalar(dt, bceEpsilon), scalar(dt, 1-bceEpsilon)
	var out *G.Node
	err := catch(func() {
		// max(p, lo), then min(·, hi) = (x + hi − |x − hi|)/2.
		p := must(G.HadamardProd(must(G.Add(must(G.Add(prob, lo)), must(G.Abs(must(G.Sub(prob, lo)))))), half))
		p = must(G.HadamardProd(must(G.Sub(must(G.Add(p, hi)), must(G.Abs(must(G.Sub(p, hi)))))), half))
		logP := must(G.Log(p))
		log1mP := must(G.Log(must(G.Sub(one, p))))
		ll := must(G.Add(must(G.HadamardProd(label, logP)), must(G.HadamardProd(must(G.Sub(one, label)), log1mP))))
		out = must(G.Neg(must(G.Mean(ll))))
	})
	if err != nil {
		return nil, fmt.Errorf("bce: %w", err)
	}
	return out, nil
}

// BCEWithLogits is the mean binary cross-entropy of the logits z (p = sigmoid(z)) against 0/1 labels,
// computed stably as mean(softplus(z) − y·z).
func BCEWithLogits(logit, label *G.Node) (*G.Node, error) {
	if err := checkPair("bce with logits", logit, label); err != nil {
		return nil, err
	}
	sp, err := G.Softplus(logit)
	if err != nil {
		return nil, fmt.Errorf("bce with logits: %w", err)
	}
	yz, err := G.HadamardProd(label, logit)
	if err != nil {
		return nil, fmt.Errorf("bce with logits: %w", err)
	}
	d, err := G.Sub(sp, yz)
	if err != nil {
		return nil, fmt.Errorf("bce with logits: %w", err)
	}
	m, err := G.Mean(d)
	if err != nil {
		return nil, fmt.Errorf("bce with logits: %w", err)
	}
	return m, nil
}

// BCELoss is BCE as a Loss (the masks are not used), so the accuracy and fairness objectives can be handled
// alike.
func BCELoss(prob, label *G.Node, _ *GroupMasks) (*G.Node, error) { return BCE(prob, label) }

// catch runs f, turning a panic (gorgonia panics on some graph-building misuse, and so does must) into an
// error.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	f()
	return nil
}

// CrossEntropyWithLogits is the mean cross-entropy of K-class logits z [batch, K] against one-hot labels
// y of the same shape, −mean_i Σ_k y_ik · log softmax(z_i)_k (PyTorch's CrossEntropyLoss). It is
// CrossEntropy of softmax(z): gorgonia's LogSoftMax and LogSumExp give wrong values (v0.9.18), and the
// clamp only changes rows whose label has a probability below ε.
func CrossEntropyWithLogits(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkPair("cross-entropy", logits, onehot); err != nil {
		return nil, err
	}
	p, err := G.SoftMax(logits, 1)
	if err != nil {
		return nil, fmt.Errorf("cross-entropy: %w", err)
	}
	return CrossEntropy(p, onehot)
}

// CrossEntropy is the mean cross-entropy of K-class probabilities P [batch, K] against one-hot labels,
// −mean_i Σ_k y_ik · log max(P_ik, ε) with ε as in BCE. Prefer CrossEntropyWithLogits when the logits
// are available.
func CrossEntropy(prob, onehot *G.Node) (*G.Node, error) {
	if err := checkPair("cross-entropy", prob, onehot); err != nil {
		return nil, err
	}
	dt := prob.Dtype()
	half, lo := scalar(dt, 0.5), scalar(dt, bceEpsilon)
	var out *G.Node
	err := catch(func() {
		// max(p, lo) = (p + lo + |p − lo|)/2.
		p := G.Must(G.HadamardProd(G.Must(G.Add(G.Must(G.Add(prob, lo)), G.Must(G.Abs(G.Must(G.Sub(prob, lo)))))), half))
		out = meanRowSum(G.Must(G.HadamardProd(onehot, G.Must(G.Log(p)))), prob)
	})
	if err != nil {
		return nil, fmt.Errorf("cross-entropy: %w", err)
	}
	return out, nil
}

// meanRowSum is −Σ t / rows of like: the negated mean over rows of each row's sum.
func meanRowSum(t, like *G.Node) *G.Node {
	rows := scalar(like.Dtype(), -1/float64(like.Shape()[0]))
	return G.Must(G.HadamardProd(G.Must(G.Sum(t)), rows))
}
