package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
)

// EvalBatch is the number of rows per run when evaluating a split.
const EvalBatch = 2048

// Epoch is one line of the training history.
type Epoch struct {
	Epoch    int     `json:"epoch"`
	AccLoss  float64 `json:"acc_loss"`  // mean L_acc over the epoch's batches
	FairLoss float64 `json:"fair_loss"` // mean L_fair (without η)
	ValAcc   float64 `json:"val_accuracy"`
	ValDP    float64 `json:"val_dp"`
	ValEO    float64 `json:"val_eo"`
	ValEOpp  float64 `json:"val_eopp"`
	ValFPR   float64 `json:"val_fpr"`
	Seconds  float64 `json:"seconds"`
	RowsPerS float64 `json:"rows_per_second"`
	// Multipliers are the constrained method's λ_k at the end of the epoch, one per constraint of
	// Config.Constraints; ConstraintValues each constraint's gap on the validation split (any method with
	// constraints).
	Multipliers      []float64 `json:"multipliers,omitempty"`
	ConstraintValues []float64 `json:"constraint_values,omitempty"`
}

// ValGap is the epoch's validation gap of criterion c.
func (e Epoch) ValGap(c fairness.Criterion) float64 {
	return fairness.ByCriterion(c, e.ValDP, e.ValEO, e.ValEOpp, e.ValFPR)
}

// Hooks are called during training; an error stops it and is returned wrapped with the hook's name.
type Hooks struct {
	OnEpoch func(e Epoch, total int) error
}

// Result is what Train returns: the history and the selected epoch; the model's initializers hold the
// selected parameters when Train returns.
type Result struct {
	History       []Epoch `json:"history"`
	SelectedEpoch int     `json:"selected_epoch"` // 0 means the model before training
	TrainSeconds  float64 `json:"train_seconds"`
	// Leader and Follower name the parameters each side trained.
	Leader   []string `json:"leader_params"`
	Follower []string `json:"follower_params"`
	// DroppedRows is the number of training rows left out of each epoch: the last partial batch, a
	// different set every epoch since the rows are reshuffled.
	DroppedRows int `json:"dropped_rows_per_epoch"`
	// HeldOutRows is the number of training rows the constrained method kept out of every gradient step to
	// measure its multipliers' gaps on (Config.MultiplierHoldout); 0 when it measured them on the
	// validation split, and for the other methods.
	HeldOutRows int `json:"held_out_rows"`
	// Met reports whether the selected model meets every constraint of Config.Constraints on the
	// validation split (true when there are none). Under SelectConstraints it is false exactly when no
	// candidate, the starting model included, met them all: the caller should then refuse the model.
	Met bool `json:"constraints_met"`
	// Constraints reports each constraint: its value at the selected epoch and the best (smallest) value
	// any candidate reached, with that candidate's epoch.
	Constraints []ConstraintResult `json:"constraints,omitempty"`
}

// ConstraintResult is one constraint's outcome on the validation split.
type ConstraintResult struct {
	Constraint fairness.Constraint `json:"constraint"`
	Selected   float64             `json:"selected_value"` // at the selected epoch
	Best       float64             `json:"best_value"`     // the smallest over the candidates
	BestEpoch  int                 `json:"best_epoch"`     // where it was reached first (0: the starting model)
	Met        bool                `json:"met"`            // Selected ≤ the limit
}

// Trainer fine-tunes one model on one data set.
type Trainer struct {
	cfg    Config
	model  *ir.Graph
	origin string // valuesIdentity of the model before training: which backbone a checkpoint belongs to
	head   head.Head
	data   *dataset.Data
	groups int

	leader, follower []string
	leaderOpt        *Optimizer // for lagrangian, erm and constrained: the only optimiser, over leader ∪ follower
	followerOpt      *Optimizer
	stages           []*stage
	pcg              *rand.PCG
	carried          [][]float32 // reference: the follower's gradients on the leader's parameters

	// train holds the rows of the gradient steps: the training split, less the held-out multiplier rows.
	train *dataset.Split
	// The constrained method's multipliers, one per constraint, and the rows their gaps are measured on
	// (held out of train, or the validation split); measure measures them (a test may replace it).
	lambda  []float64
	mrows   *dataset.Split
	measure func(*Trainer) ([]float64, error)
	steps   int64 // gradient steps done

	epoch   int // epochs done
	history []Epoch
	start   *Epoch // the starting model's validation record, when it was evaluated
	best    *snapshot
}

// snapshot is a copy of every trainable parameter at the end of an epoch.
type snapshot struct {
	Epoch  int                  `json:"epoch"`
	Score  [2]float64           `json:"score"`
	Params map[string][]float32 `json:"params"`
}

// NewTrainer prepares training: it splits the parameters into leader and follower sets and builds the
// stage graphs once.
func NewTrainer(m *ir.Graph, data *dataset.Data, cfg Config) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Trainer{cfg: cfg, model: m, data: data, groups: len(data.GroupNames), train: data.Train, measure: measureGaps, origin: valuesIdentity(m)}
	if t.groups < 2 {
		return nil, fault.Badf("training needs two or more sensitive groups, the data has %d", t.groups)
	}
	spec := methodTable[cfg.Method]
	if spec.constrained {
		t.lambda = make([]float64, cfg.Constraints.Len())
		t.mrows = data.Val
		if cfg.MultiplierHoldout > 0 {
			t.train, t.mrows = holdOut(data.Train, cfg.MultiplierHoldout, cfg.Seed)
			if t.mrows.Rows == 0 {
				return nil, fault.Badf("multiplier holdout %g of %d training rows is no row", cfg.MultiplierHoldout, data.Train.Rows)
			}
		}
	}
	if t.train.Rows < cfg.Batch {
		return nil, fault.Badf("the training split has %d rows, fewer than one batch of %d", t.train.Rows, cfg.Batch)
	}
	var err error
	if t.head, err = head.Of(m); err != nil {
		return nil, err
	}
	t.follower = insert.FairnessParams(m)
	if len(t.follower) == 0 {
		return nil, fault.Badf("the model has no fairness layers; insert them first")
	}
	if t.leader, err = leaderParams(m, cfg.TrainLeader); err != nil {
		return nil, err
	}
	if err := t.addStages(spec.stages(t.leader, t.follower, cfg)...); err != nil {
		t.Close()
		return nil, err
	}
	if spec.follower {
		if t.leaderOpt, err = NewOptimizer(cfg.AccOpt, cfg.AccLR, t.sizes(t.leader)); err == nil {
			t.followerOpt, err = NewOptimizer(cfg.FairOpt, cfg.FairLR, t.sizes(t.follower))
		}
	} else {
		t.leaderOpt, err = NewOptimizer(cfg.AccOpt, cfg.AccLR, t.sizes(append(slices.Clone(t.leader), t.follower...)))
	}
	if err != nil {
		t.Close()
		return nil, err
	}
	t.pcg = rand.NewPCG(cfg.Seed, 0x62696c6576656c) // "bilevel"
	return t, nil
}

func (t *Trainer) addStages(specs ...stageSpec) error {
	for _, spec := range specs {
		st, err := newStage(t.model, t.head, spec, t.cfg.Batch, t.groups, t.data.Attributes, t.cfg.Fairness)
		if err != nil {
			return err
		}
		t.stages = append(t.stages, st)
	}
	return nil
}

// Close releases the gorgonia machines.
func (t *Trainer) Close() {
	for _, st := range t.stages {
		st.close()
	}
}

// leaderParams lists the backbone's float parameters the leader trains, in file order.
// ancestors is the set of tensors the named tensor is computed from (itself included).
func ancestors(m *ir.Graph, tensor string) map[string]bool {
	producers := m.Producers()
	seen := map[string]bool{}
	stack := []string{tensor}
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		if p := producers[name]; p != nil {
			stack = append(stack, p.Inputs...)
		}
	}
	return seen
}

func leaderParams(m *ir.Graph, which LeaderParams) ([]string, error) {
	if which == LeaderNone {
		return nil, nil
	}
	fair := map[string]bool{}
	for _, name := range insert.FairnessParams(m) {
		fair[name] = true
	}
	after := map[string]bool{}
	if which == LeaderAfter {
		// Parameters read by nodes that come after the first fairness node in topological order.
		seen := false
		for _, n := range m.Nodes {
			for _, in := range n.Inputs {
				if fair[in] {
					seen = true
				}
			}
			if seen {
				for _, in := range n.Inputs {
					after[in] = true
				}
			}
		}
	}
	// Only what the trained (first) output depends on: another head's parameters get no gradient.
	h, err := head.Of(m)
	if err != nil {
		return nil, err
	}
	used := ancestors(m, h.Output)
	read, stats := readAndStatistics(m)
	var out []string
	for _, name := range m.InitOrder {
		t := m.Initializers[name]
		if t == nil || fair[name] || (t.DType != ir.Float32 && t.DType != ir.Float64) || len(t.Dims) == 0 || !used[name] {
			continue
		}
		if which == LeaderAfter && !after[name] {
			continue
		}
		if !read[name] || stats[name] {
			continue
		}
		out = append(out, name)
	}
	return out, nil
}

// readAndStatistics returns, in one pass over the nodes, the tensors some node reads and those among them
// that are statistics of the data rather than parameters, which no optimiser touches: a
// BatchNormalization running mean or variance, or a tensor the data are shifted by (Sub's second input)
// or divided by (Div's second input), which is how an exported model standardises its own input (PyTorch
// buffers become initializers, and ONNX does not mark them as constants).
func readAndStatistics(m *ir.Graph) (read, stats map[string]bool) {
	read, stats = map[string]bool{}, map[string]bool{}
	for _, n := range m.Nodes {
		for _, in := range n.Inputs {
			read[in] = true
		}
		switch {
		case n.OpType == "BatchNormalization" && len(n.Inputs) >= 5:
			stats[n.Inputs[3]], stats[n.Inputs[4]] = true, true
		case (n.OpType == "Sub" || n.OpType == "Div") && len(n.Inputs) == 2:
			stats[n.Inputs[1]] = true
		}
	}
	return read, stats
}

func (t *Trainer) sizes(names []string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = len(t.model.Initializers[n].Float)
	}
	return out
}

func (t *Trainer) params(names []string) [][]float32 {
	out := make([][]float32, len(names))
	for i, n := range names {
		out[i] = t.model.Initializers[n].Float
	}
	return out
}

// Train runs the remaining epochs, selects a model on the validation split and leaves the selected
// parameters in the model. save, when not nil, is called after every epoch (checkpoints).
func (t *Trainer) Train(ctx context.Context, hooks Hooks, save func(*Trainer) error) (*Result, error) {
	start := time.Now()
	rng := rand.New(t.pcg)
	batches := t.train.Rows / t.cfg.Batch
	cs := t.cfg.Constraints
	if t.epoch == 0 && (t.cfg.Select.Rule != SelectLast || cs.Len() > 0) {
		// The starting model (the backbone, with identity fairness layers) is a candidate too: selection
		// may keep it when no epoch does better under the rule.
		val, err := t.Evaluate(t.data.Val)
		if err != nil {
			return nil, fmt.Errorf("validation before training: %w", err)
		}
		t.start = &Epoch{ValAcc: val.Accuracy, ValDP: val.DP, ValEO: val.EO, ValEOpp: val.EOpp, ValFPR: fairness.FPRGap(val.Groups), Multipliers: t.multipliers()}
		if cs.Len() > 0 {
			t.start.ConstraintValues = cs.Values(val)
		}
		t.consider(*t.start, val)
	}
	for t.epoch < t.cfg.Epochs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t.applyDecay()
		epochStart := time.Now()
		var accSum, fairSum float64
		n := 0
		for b := range t.train.Batches(rng, t.cfg.Batch) {
			if b.Rows < t.cfg.Batch {
				continue // the last partial batch: see Result.DroppedRows
			}
			acc, fair, err := t.step(b)
			if err != nil {
				return nil, fmt.Errorf("epoch %d: %w", t.epoch+1, err)
			}
			accSum += acc
			fairSum += fair
			n++
		}
		t.epoch++
		secs := time.Since(epochStart).Seconds()
		val, err := t.Evaluate(t.data.Val)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: validation: %w", t.epoch, err)
		}
		e := Epoch{
			Epoch: t.epoch, AccLoss: accSum / float64(max(n, 1)), FairLoss: fairSum / float64(max(n, 1)),
			ValAcc: val.Accuracy, ValDP: val.DP, ValEO: val.EO, ValEOpp: val.EOpp, ValFPR: fairness.FPRGap(val.Groups),
			Seconds: secs, RowsPerS: float64(batches*t.cfg.Batch) / secs, Multipliers: t.multipliers(),
		}
		if cs.Len() > 0 {
			e.ConstraintValues = cs.Values(val)
		}
		if math.IsNaN(e.AccLoss) || math.IsNaN(e.FairLoss) {
			knob := "eta"
			if t.lambda != nil {
				knob = "the multiplier lr"
			}
			return nil, fmt.Errorf("epoch %d: the loss is NaN; lower the learning rates or %s", t.epoch, knob)
		}
		t.history = append(t.history, e)
		t.consider(e, val)
		if hooks.OnEpoch != nil {
			if err := hooks.OnEpoch(e, t.cfg.Epochs); err != nil {
				return nil, fmt.Errorf("progress hook: %w", err)
			}
		}
		if save != nil {
			if err := save(t); err != nil {
				return nil, fmt.Errorf("checkpoint: %w", err)
			}
		}
	}
	res := &Result{
		History: t.history, SelectedEpoch: t.epoch, TrainSeconds: time.Since(start).Seconds(),
		Leader: t.leader, Follower: t.follower, DroppedRows: t.train.Rows % t.cfg.Batch,
	}
	if t.mrows != nil && t.mrows != t.data.Val {
		res.HeldOutRows = t.mrows.Rows
	}
	if t.best != nil && t.cfg.Select.Rule != SelectLast {
		t.restore(t.best.Params)
		res.SelectedEpoch = t.best.Epoch
	}
	res.Met, res.Constraints = t.constraintResults(res.SelectedEpoch)
	for _, name := range t.trainable() {
		t.model.Initializers[name].Changed = true // the exporter writes the new values
	}
	return res, nil
}

// applyDecay sets the learning rates of the coming epoch.
func (t *Trainer) applyDecay() {
	if t.cfg.DecayEvery <= 0 {
		return
	}
	k := float64(t.epoch / t.cfg.DecayEvery)
	t.leaderOpt.LR = t.cfg.AccLR * math.Pow(t.cfg.AccDecay, k)
	if t.followerOpt != nil {
		t.followerOpt.LR = t.cfg.FairLR * math.Pow(t.cfg.FairDecay, k)
	}
}

// step runs one batch of the method and returns L_acc and L_fair as computed by the stage the method
// reports.
func (t *Trainer) step(b dataset.Batch) (acc, fair float64, err error) {
	st, err := methodTable[t.cfg.Method].step(t, b)
	if err != nil {
		return 0, 0, err
	}
	return scalarOf(st.accVal), st.fairLoss(), nil
}

// consider keeps a snapshot of the parameters when the epoch is the best so far under the selection rule.
// Scores compare lexicographically, higher is better.
func (t *Trainer) consider(e Epoch, val fairness.Metrics) {
	var score [2]float64
	gap := t.cfg.Fairness.Gap(val)
	switch t.cfg.Select.Rule {
	case SelectLast:
		return
	case SelectConstraints:
		// Epochs meeting every constraint beat every other; among those, accuracy decides; among the
		// others, the smaller total violation.
		if cs := t.cfg.Constraints; cs.Met(val) {
			score = [2]float64{1, e.ValAcc}
		} else {
			score = [2]float64{0, -cs.Violation(val)}
		}
	case SelectAccAtGap:
		// Epochs within the limit beat every epoch outside it; among those within, accuracy decides;
		// outside, the smaller gap.
		if gap <= t.cfg.Select.Limit {
			score = [2]float64{1, e.ValAcc}
		} else {
			score = [2]float64{0, -gap}
		}
	case SelectPareto:
		// The knee of the accuracy/fairness trade-off: accuracy minus the gap, both in [0, 1].
		score = [2]float64{e.ValAcc - gap, e.ValAcc}
	}
	if t.best != nil && !(score[0] > t.best.Score[0] || score[0] == t.best.Score[0] && score[1] > t.best.Score[1]) {
		return
	}
	t.best = &snapshot{Epoch: e.Epoch, Score: score, Params: t.copyParams()}
}

// multipliers returns a copy of the constrained method's multipliers (nil for other methods).
func (t *Trainer) multipliers() []float64 {
	if t.lambda == nil {
		return nil
	}
	return slices.Clone(t.lambda)
}

// measureGaps measures each constraint's gap on the multiplier rows with the Go forward pass.
func measureGaps(t *Trainer) ([]float64, error) {
	m, err := t.Evaluate(t.mrows)
	if err != nil {
		return nil, err
	}
	return t.cfg.Constraints.Values(m), nil
}

// constraintResults says whether the selected epoch meets every constraint, and reports each one over
// the candidates (the starting model when it was evaluated, and every epoch).
func (t *Trainer) constraintResults(selected int) (bool, []ConstraintResult) {
	cs := t.cfg.Constraints
	if cs.Len() == 0 {
		return true, nil
	}
	var candidates []Epoch
	if t.start != nil {
		candidates = append(candidates, *t.start)
	}
	candidates = append(candidates, t.history...)
	out := make([]ConstraintResult, cs.Len())
	met := true
	for k := range out {
		r := ConstraintResult{Constraint: cs.At(k), Best: math.Inf(1), Selected: math.NaN()}
		for _, e := range candidates {
			if k >= len(e.ConstraintValues) {
				continue
			}
			v := e.ConstraintValues[k]
			if v < r.Best {
				r.Best, r.BestEpoch = v, e.Epoch
			}
			if e.Epoch == selected {
				r.Selected = v
			}
		}
		r.Met = r.Selected <= r.Constraint.Limit // false for NaN
		met = met && r.Met
		out[k] = r
	}
	return met, out
}

// holdOut splits s into the rows kept for training and a held-out fraction of them, drawn per (group,
// label) cell with a generator seeded by seed alone, so that every run with that seed holds out the same
// rows. Both keep the rows in their order in s.
func holdOut(s *dataset.Split, frac float64, seed uint64) (kept, held *dataset.Split) {
	rng := rand.New(rand.NewPCG(seed, 0x686f6c646f7574)) // "holdout"
	cells := map[[2]int][]int{}
	var keys [][2]int
	for i := range s.Rows {
		k := [2]int{s.Group[i], int(fairness.Binary(s.Y[i : i+1])[0])}
		if _, ok := cells[k]; !ok {
			keys = append(keys, k)
		}
		cells[k] = append(cells[k], i)
	}
	slices.SortFunc(keys, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	out := make([]bool, s.Rows)
	for _, k := range keys {
		rows := cells[k]
		n := int(math.Round(frac * float64(len(rows))))
		for _, j := range rng.Perm(len(rows))[:n] {
			out[rows[j]] = true
		}
	}
	var keepIdx, heldIdx []int
	for i, h := range out {
		if h {
			heldIdx = append(heldIdx, i)
		} else {
			keepIdx = append(keepIdx, i)
		}
	}
	return subset(s, keepIdx, s.Name), subset(s, heldIdx, s.Name+" (held out)")
}

// subset copies the rows at idx of s into a new split (features in X; Inputs are not carried).
func subset(s *dataset.Split, idx []int, name string) *dataset.Split {
	out := &dataset.Split{Name: name, File: s.File, Rows: len(idx), Cols: s.Cols,
		X: make([]float32, 0, len(idx)*s.Cols), Y: make([]float32, len(idx)), Group: make([]int, len(idx)), Row: make([]int, len(idx))}
	for range s.AttrGroups {
		out.AttrGroups = append(out.AttrGroups, make([]int, len(idx)))
	}
	for k, i := range idx {
		out.X = append(out.X, s.At(i)...)
		out.Y[k], out.Group[k] = s.Y[i], s.Group[i]
		for a, g := range s.AttrGroups {
			out.AttrGroups[a][k] = g[i]
		}
		if i < len(s.Row) {
			out.Row[k] = s.Row[i]
		}
	}
	return out
}

func (t *Trainer) trainable() []string { return append(slices.Clone(t.leader), t.follower...) }

func (t *Trainer) copyParams() map[string][]float32 {
	out := map[string][]float32{}
	for _, name := range t.trainable() {
		out[name] = slices.Clone(t.model.Initializers[name].Float)
	}
	return out
}

func (t *Trainer) restore(p map[string][]float32) {
	for name, v := range p {
		copy(t.model.Initializers[name].Float, v)
	}
}

// Evaluate computes the model's metrics on a split with the Go forward pass.
func (t *Trainer) Evaluate(s *dataset.Split) (fairness.Metrics, error) {
	prob, err := Probabilities(t.model, s)
	if err != nil {
		return fairness.Metrics{}, err
	}
	return SplitMetrics(prob, s, t.data), nil
}

// SplitMetrics computes the metrics of probabilities on a split of d: between d's groups, and, when d has
// several sensitive attributes, between the groups of each one (Metrics.Attributes), which constraints
// on an attribute limit.
func SplitMetrics(prob []float32, s *dataset.Split, d *dataset.Data) fairness.Metrics {
	m := fairness.Compute(prob, s.Y, s.Group, d.GroupNames)
	for a, attr := range d.Attributes {
		if a < len(s.AttrGroups) {
			m.Attributes = append(m.Attributes, fairness.AttributeMetrics{Attribute: attr.Name,
				Metrics: fairness.Compute(prob, s.Y, s.AttrGroups[a], attr.Groups)})
		}
	}
	return m
}

// Probabilities runs the model on every row of a split with the Go forward pass and returns
// P(positive) per row, as the model's head says to read its output.
func Probabilities(m *ir.Graph, s *dataset.Split) ([]float32, error) {
	h, err := head.Of(m)
	if err != nil {
		return nil, err
	}
	out, err := lower.ForwardOutput(m, h.Output, s.Features(0), EvalBatch)
	if err != nil {
		return nil, err
	}
	return h.Probabilities(out)
}
