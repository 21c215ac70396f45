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
	Seconds  float64 `json:"seconds"`
	RowsPerS float64 `json:"rows_per_second"`
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
}

// Trainer fine-tunes one model on one data set.
type Trainer struct {
	cfg    Config
	model  *ir.Graph
	head   head.Head
	data   *dataset.Data
	groups int

	leader, follower []string
	leaderOpt        *Optimizer // for lagrangian and erm: the only optimiser, over leader ∪ follower
	followerOpt      *Optimizer
	stages           []*stage
	pcg              *rand.PCG
	carried          [][]float32 // reference: the follower's gradients on the leader's parameters

	epoch   int // epochs done
	history []Epoch
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
	t := &Trainer{cfg: cfg, model: m, data: data, groups: len(data.GroupNames)}
	if t.groups < 2 {
		return nil, fault.Badf("training needs two or more sensitive groups, the data has %d", t.groups)
	}
	if data.Train.Rows < cfg.Batch {
		return nil, fault.Badf("the training split has %d rows, fewer than one batch of %d", data.Train.Rows, cfg.Batch)
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
	spec := methodTable[cfg.Method]
	if err := t.addStages(spec.stages(t.leader, t.follower, cfg.Eta)...); err != nil {
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
		st, err := newStage(t.model, t.head, spec, t.cfg.Batch, t.groups, t.cfg.Fairness)
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
	used := ancestors(m, m.Outputs[0].Name)
	var out []string
	for _, name := range m.InitOrder {
		t := m.Initializers[name]
		if t == nil || fair[name] || (t.DType != ir.Float32 && t.DType != ir.Float64) || len(t.Dims) == 0 || !used[name] {
			continue
		}
		if which == LeaderAfter && !after[name] {
			continue
		}
		if !readByNode(m, name) || isRunningStat(m, name) {
			continue
		}
		out = append(out, name)
	}
	return out, nil
}

// isRunningStat reports whether a tensor is a BatchNormalization running mean or variance: statistics,
// not parameters, so no optimiser touches them.
func isRunningStat(m *ir.Graph, name string) bool {
	for _, n := range m.Nodes {
		if n.OpType == "BatchNormalization" && len(n.Inputs) >= 5 && (n.Inputs[3] == name || n.Inputs[4] == name) {
			return true
		}
	}
	return false
}

func readByNode(m *ir.Graph, name string) bool {
	for _, n := range m.Nodes {
		if slices.Contains(n.Inputs, name) {
			return true
		}
	}
	return false
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
	batches := t.data.Train.Rows / t.cfg.Batch
	if t.epoch == 0 && t.cfg.Select.Rule != SelectLast {
		// The starting model (the backbone, with identity fairness layers) is a candidate too: selection
		// may keep it when no epoch does better under the rule.
		val, err := t.Evaluate(t.data.Val)
		if err != nil {
			return nil, fmt.Errorf("validation before training: %w", err)
		}
		t.consider(Epoch{ValAcc: val.Accuracy, ValDP: val.DP, ValEO: val.EO, ValEOpp: val.EOpp}, t.cfg.Fairness.Gap(val))
	}
	for t.epoch < t.cfg.Epochs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t.applyDecay()
		epochStart := time.Now()
		var accSum, fairSum float64
		n := 0
		for b := range t.data.Train.Batches(rng, t.cfg.Batch) {
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
			ValAcc: val.Accuracy, ValDP: val.DP, ValEO: val.EO, ValEOpp: val.EOpp,
			Seconds: secs, RowsPerS: float64(batches*t.cfg.Batch) / secs,
		}
		if math.IsNaN(e.AccLoss) || math.IsNaN(e.FairLoss) {
			return nil, fmt.Errorf("epoch %d: the loss is NaN; lower the learning rates or eta", t.epoch)
		}
		t.history = append(t.history, e)
		t.consider(e, t.cfg.Fairness.Gap(val))
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
		Leader: t.leader, Follower: t.follower, DroppedRows: t.data.Train.Rows % t.cfg.Batch,
	}
	if t.best != nil && t.cfg.Select.Rule != SelectLast {
		t.restore(t.best.Params)
		res.SelectedEpoch = t.best.Epoch
	}
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
	return scalarOf(st.accVal), scalarOf(st.fairVal), nil
}

// consider keeps a snapshot of the parameters when the epoch is the best so far under the selection rule.
// Scores compare lexicographically, higher is better.
func (t *Trainer) consider(e Epoch, gap float64) {
	var score [2]float64
	switch t.cfg.Select.Rule {
	case SelectLast:
		return
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
	return fairness.Compute(prob, s.Y, s.Group, t.data.GroupNames), nil
}

// Probabilities runs the model on every row of a split with the Go forward pass and returns
// P(positive) per row, as the model's head says to read its output.
func Probabilities(m *ir.Graph, s *dataset.Split) ([]float32, error) {
	h, err := head.Of(m)
	if err != nil {
		return nil, err
	}
	out, err := lower.Forward(m, s.Features(0), EvalBatch)
	if err != nil {
		return nil, err
	}
	return h.Probabilities(out)
}
