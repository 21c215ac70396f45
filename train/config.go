package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go/fairness"
)

// Training methods (say which one a number comes from).
const (
	// MethodBilevel is Algorithm 1 of the paper: a leader step on ∇θa L_acc, then a follower step on
	// ∇θf η·L_fair at the new θa. With Adam as the follower's optimiser, η > 0 only scales a gradient that
	// Adam normalises, so the follower's learning rate, not η, sets how hard it pushes.
	MethodBilevel = "bilevel"
	// MethodReference is the FairBiNN code's schedule: a follower step on ∇θf η·L_fair, then a leader step
	// on ∇θa (L_acc + η·L_fair) with the gradients of both backward passes accumulated, because that code
	// zeroes gradients once per batch. Learning rates decay ×0.5 (leader) and ×0.9 (follower) every 50
	// epochs.
	MethodReference = "reference"
	// MethodLagrangian is one optimiser over θa ∪ θf on L_acc + η·L_fair.
	MethodLagrangian = "lagrangian"
	// MethodERM is L_acc only, over θa ∪ θf: the baseline.
	MethodERM = "erm"
)

// Methods lists the training methods.
var Methods = []string{MethodBilevel, MethodReference, MethodLagrangian, MethodERM}

// Which backbone parameters the leader trains.
const (
	LeaderAll   = "all"   // every backbone parameter
	LeaderAfter = "after" // only the layers after the insertion position
	LeaderNone  = "none"  // none: the backbone is frozen
)

// Config is everything that determines a training run. The same Config, model and data give the same
// result, bit for bit.
type Config struct {
	Method      string             `json:"method"`
	Fairness    fairness.Criterion `json:"-"`
	FairnessStr string             `json:"fairness"`
	Eta         float64            `json:"eta"`
	AccLR       float64            `json:"acc_lr"`
	FairLR      float64            `json:"fair_lr"`
	AccOpt      string             `json:"acc_opt"`
	FairOpt     string             `json:"fair_opt"`
	// AccDecay and FairDecay multiply the learning rates every DecayEvery epochs (0: never).
	AccDecay    float64 `json:"acc_decay"`
	FairDecay   float64 `json:"fair_decay"`
	DecayEvery  int     `json:"decay_every"`
	TrainLeader string  `json:"train_leader"`
	Epochs      int     `json:"epochs"`
	Batch       int     `json:"batch"`
	Seed        uint64  `json:"seed"`
	Select      string  `json:"select"`
}

// DefaultMethod is the method used when none is given: the one with the best validation accuracy at a
// validation DP gap of at most 0.01 on Adult (README.md, "Choosing the defaults").
const DefaultMethod = MethodLagrangian

// DefaultConfig returns the default settings for a method. They were chosen on Adult's validation split
// (shipped backbone, fairness layer at position 2, five seeds): a large η or leader learning rate makes the
// per-batch DP loss flatten every prediction to one value, from which training does not recover, so the
// defaults are a moderate η with a leader learning rate of 1e-4 decaying ×0.7 per epoch, and selection of
// the most accurate epoch whose validation DP gap is at most 0.01. The reference method keeps the FairBiNN
// code's own schedule (×0.5 leader, ×0.9 follower every 50 epochs).
func DefaultConfig(method string) Config {
	c := Config{
		Method: method, Fairness: fairness.DP, FairnessStr: "dp", Eta: 20,
		AccLR: 1e-4, FairLR: 1e-5, AccOpt: OptAdam, FairOpt: OptAdam,
		AccDecay: 0.7, FairDecay: 1, DecayEvery: 1, TrainLeader: LeaderAll,
		Epochs: 15, Batch: 100, Seed: 1, Select: "val-acc-at-dp=0.01",
	}
	if method == MethodReference {
		c.AccDecay, c.FairDecay, c.DecayEvery = 0.5, 0.9, 50
	}
	return c
}

// selection is a parsed --select value.
type selection struct {
	kind  string  // "last", "val-acc-at-dp", "val-pareto"
	limit float64 // for val-acc-at-dp
}

func parseSelect(s string) (selection, error) {
	switch {
	case s == "last" || s == "":
		return selection{kind: "last"}, nil
	case s == "val-pareto":
		return selection{kind: "val-pareto"}, nil
	case strings.HasPrefix(s, "val-acc-at-dp="):
		v, err := strconv.ParseFloat(strings.TrimPrefix(s, "val-acc-at-dp="), 64)
		if err != nil || v < 0 || v > 1 || math.IsNaN(v) {
			return selection{}, fmt.Errorf("--select %q: want val-acc-at-dp=X with X in [0, 1]", s)
		}
		return selection{kind: "val-acc-at-dp", limit: v}, nil
	}
	return selection{}, fmt.Errorf("--select %q: want last, val-acc-at-dp=X or val-pareto", s)
}

// Validate checks the configuration and fills derived fields.
func (c *Config) Validate() error {
	known := false
	for _, m := range Methods {
		known = known || m == c.Method
	}
	if !known {
		return fmt.Errorf("--method %q: want bilevel, reference, lagrangian or erm", c.Method)
	}
	crit, err := fairness.ParseCriterion(c.FairnessStr)
	if err != nil {
		return err
	}
	c.Fairness = crit
	switch {
	case c.Eta < 0 || math.IsNaN(c.Eta) || math.IsInf(c.Eta, 0):
		return fmt.Errorf("--eta %v: want a finite value >= 0", c.Eta)
	case c.Epochs < 1:
		return fmt.Errorf("--epochs %d: want at least 1", c.Epochs)
	case c.Batch < 2:
		return fmt.Errorf("--batch %d: want at least 2", c.Batch)
	case c.TrainLeader != LeaderAll && c.TrainLeader != LeaderAfter && c.TrainLeader != LeaderNone:
		return fmt.Errorf("--train-leader %q: want all, after or none", c.TrainLeader)
	case c.DecayEvery < 0:
		return fmt.Errorf("decay period %d: want >= 0", c.DecayEvery)
	}
	for _, o := range []struct {
		flag string
		kind string
		lr   float64
	}{{"--acc-opt", c.AccOpt, c.AccLR}, {"--fair-opt", c.FairOpt, c.FairLR}} {
		if _, err := NewOptimizer(o.kind, o.lr, nil); err != nil {
			return fmt.Errorf("%s: %w", o.flag, err)
		}
	}
	_, err = parseSelect(c.Select)
	return err
}
