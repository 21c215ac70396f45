package train

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
)

// Method is a training method: which losses are minimised over which parameters, in which order, per
// mini-batch. The method table below is the one place that says what each method does and which
// settings it reads.
type Method string

// The training methods (say which one a number comes from).
const (
	// MethodPaper is Algorithm 1 of the paper, as published: a leader step on ∇θa L_acc, then a follower
	// step on ∇θf η·L_fair at the new θa. With Adam as the follower's optimiser, η > 0 only scales a
	// gradient that Adam normalises, so the follower's learning rate, not η, sets how hard it pushes. Its
	// follower minimises L_fair alone, whose best response is a constant prediction: on Adult it reaches the
	// constant classifier at every η > 0 (as the same run in PyTorch does). MethodBilevel is the game that
	// does not collapse.
	MethodPaper Method = "bilevel-paper"
	// MethodReference is the FairBiNN code's schedule: a follower step on ∇θf η·L_fair, then a leader step
	// on ∇θa (L_acc + η·L_fair) with the gradients of both backward passes accumulated, because that code
	// zeroes gradients once per batch. Learning rates decay ×0.5 (leader) and ×0.9 (follower) every 50
	// epochs.
	MethodReference Method = "reference"
	// MethodLagrangian is one optimiser over θa ∪ θf on L_acc + η·L_fair.
	MethodLagrangian Method = "lagrangian"
	// MethodERM is L_acc only, over θa ∪ θf: the baseline.
	MethodERM Method = "erm"
	// MethodConstrained is one optimiser over θa ∪ θf on L_acc + Σ_k λ_k·L_fair_k, one term per constraint
	// of Config.Constraints (L_fair_k the differentiable loss of constraint k's criterion), with multipliers
	// λ_k ≥ 0 that adapt instead of a fixed η: every MultiplierEvery steps the trainer measures each
	// constraint's gap, thresholded as Compute measures it, on rows no gradient step uses (see
	// Config.MultiplierHoldout), and takes a projected dual-ascent step λ_k ← max(0, λ_k +
	// MultiplierLR·(gap_k − (1 − MultiplierMargin)·limit_k)). The model player minimises the differentiable proxy, the
	// multipliers answer to the constraint itself, as in the proxy-Lagrangian of Cotter, Jiang and
	// Sridharan (2019, TFCO), with additive rather than multiplicative multiplier updates and one
	// deterministic model (the selected epoch) rather than a stochastic mixture of iterates.
	MethodConstrained Method = "constrained"
	// MethodBilevel is the bilevel game that does not collapse: Algorithm 1's follower (a step on
	// ∇θf η·L_fair), led by an accuracy step whose gradient loses, when the two conflict, the component
	// that would raise L_fair: g ← g − min(0, ⟨g, f⟩)/‖f‖² · f, with g = ∇θa L_acc and f = ∇θa L_fair
	// (a projection as in PCGrad). The leader so never trades fairness for accuracy, and the follower's
	// best response is no longer a constant the leader undoes. Of the candidates measured (a trust region
	// on the follower, SGD, residual and unrolled followers all collapsed or never reached DP ≤ 0.01), it is
	// the one that works; it was called bilevel-projected before, which ParseMethod still accepts.
	MethodBilevel Method = "bilevel"
)

// Methods lists the training methods in the order the documentation gives them.
var Methods = []Method{MethodBilevel, MethodPaper, MethodReference, MethodLagrangian, MethodERM, MethodConstrained}

// methodSpec is one row of the method table.
type methodSpec struct {
	// usesEta: η weights L_fair in some stage. A method without it runs once whatever η is.
	usesEta bool
	// follower: the fairness layers have an optimiser of their own (FairLR, FairOpt, FairDecay); without
	// it one optimiser (AccLR, AccOpt, AccDecay) trains θa ∪ θf together.
	follower bool
	// schedule is the method's default learning-rate decay.
	schedule struct {
		accDecay, fairDecay float64
		every               int
	}
	// constrained: the method trains on Config.Constraints with adaptive multipliers, and needs at least
	// one constraint.
	constrained bool
	// stages lists the gradient computations of one step, given the leader's and the follower's
	// parameters and the configuration (η, the constraints).
	stages func(leader, follower []string, cfg Config) []stageSpec
	// step runs one mini-batch and returns the stage whose losses are reported.
	step func(t *Trainer, b dataset.Batch) (*stage, error)
}

var (
	defaultSchedule = struct {
		accDecay, fairDecay float64
		every               int
	}{0.7, 1, 1}
	referenceSchedule = struct {
		accDecay, fairDecay float64
		every               int
	}{0.5, 0.9, 50}
)

var methodTable = map[Method]methodSpec{
	MethodPaper: {usesEta: true, follower: true, schedule: defaultSchedule, step: stepPaper,
		stages: func(leader, follower []string, cfg Config) []stageSpec {
			return []stageSpec{
				{name: "leader", accWeight: 1, wrt: leader},
				{name: "follower", fairWeight: cfg.Eta, wrt: follower}}
		}},
	MethodBilevel: {usesEta: true, follower: true, schedule: defaultSchedule, step: stepProjected,
		stages: func(leader, follower []string, cfg Config) []stageSpec {
			return []stageSpec{
				{name: "leader", accWeight: 1, wrt: leader},
				{name: "leader-fairness", fairWeight: 1, wrt: leader},
				{name: "follower", fairWeight: cfg.Eta, wrt: follower}}
		}},
	MethodReference: {usesEta: true, follower: true, schedule: referenceSchedule, step: stepReference,
		stages: func(leader, follower []string, cfg Config) []stageSpec {
			return []stageSpec{
				{name: "follower", fairWeight: cfg.Eta, wrt: append(slices.Clone(leader), follower...)},
				{name: "leader", accWeight: 1, fairWeight: cfg.Eta, wrt: leader}}
		}},
	MethodLagrangian: {usesEta: true, schedule: defaultSchedule, step: stepJoint,
		stages: func(leader, follower []string, cfg Config) []stageSpec {
			return []stageSpec{{name: "joint", accWeight: 1, fairWeight: cfg.Eta, wrt: append(slices.Clone(leader), follower...)}}
		}},
	MethodERM: {schedule: defaultSchedule, step: stepJoint,
		stages: func(leader, follower []string, _ Config) []stageSpec {
			return []stageSpec{{name: "joint", accWeight: 1, wrt: append(slices.Clone(leader), follower...)}}
		}},
	MethodConstrained: {constrained: true, schedule: defaultSchedule, step: stepConstrained,
		stages: func(leader, follower []string, cfg Config) []stageSpec {
			return []stageSpec{{name: "joint", accWeight: 1, constraints: cfg.Constraints.List(), wrt: append(slices.Clone(leader), follower...)}}
		}},
}

// ParseMethod parses a method name.
func ParseMethod(s string) (Method, error) {
	if s == "bilevel-projected" {
		return MethodBilevel, nil // its name before it became bilevel
	}
	if _, ok := methodTable[Method(s)]; !ok {
		return "", fmt.Errorf("method %q: want %s", s, joinMethods())
	}
	return Method(s), nil
}

// MethodNames lists the method names.
func MethodNames() []string {
	out := make([]string, len(Methods))
	for i, m := range Methods {
		out[i] = string(m)
	}
	return out
}

func joinMethods() string {
	names := MethodNames()
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// UsesEta reports whether η changes what the method does; a sweep runs a method without it once.
func (m Method) UsesEta() bool { return methodTable[m].usesEta }

// UnusedSettings are the settings (Config's JSON names) the method does not read: η for a method
// without a fairness weight, the follower's optimiser settings for a method that trains the fairness
// layers with the leader's optimiser.
func (m Method) UnusedSettings() []string {
	spec := methodTable[m]
	var out []string
	if !spec.usesEta {
		out = append(out, "eta")
	}
	if !spec.follower {
		out = append(out, "fair_lr", "fair_opt", "fair_decay")
	}
	if !spec.constrained {
		out = append(out, "multiplier_lr", "multiplier_every", "multiplier_holdout", "multiplier_margin")
	}
	return out
}

// IsConstrained reports whether the method trains on Config.Constraints (and so needs one).
func (m Method) IsConstrained() bool { return methodTable[m].constrained }

// HasFollower reports whether the fairness layers have their own optimiser, learning rate and decay
// (the --fair-* settings); otherwise one optimiser trains every parameter.
func (m Method) HasFollower() bool { return methodTable[m].follower }

// stepPaper: the leader steps on L_acc, then the follower on η·L_fair at the new leader parameters.
func stepPaper(t *Trainer, b dataset.Batch) (*stage, error) {
	return leaderThenFollower(t, b, t.stages[0], t.stages[1], nil)
}

// stepProjected: the leader steps on ∇θa L_acc with the part that would raise L_fair removed when they
// conflict, then the follower on η·L_fair at the new leader parameters.
func stepProjected(t *Trainer, b dataset.Batch) (*stage, error) {
	leader, fair, follower := t.stages[0], t.stages[1], t.stages[2]
	return leaderThenFollower(t, b, leader, follower, func() error {
		if err := fair.run(b); err != nil {
			return err
		}
		removeConflict(leader.gradData, fair.gradData)
		return nil
	})
}

// leaderThenFollower runs the bilevel sequence: the leader's gradients (adjusted by adjust when it is
// not nil) and step, then the follower's gradients and step at the new leader parameters. With no leader
// parameters only the follower steps.
func leaderThenFollower(t *Trainer, b dataset.Batch, leader, follower *stage, adjust func() error) (*stage, error) {
	if len(t.leader) > 0 {
		if err := leader.run(b); err != nil {
			return nil, err
		}
		if adjust != nil {
			if err := adjust(); err != nil {
				return nil, err
			}
		}
		t.leaderOpt.Step(t.params(t.leader), leader.gradData)
	}
	if err := follower.run(b); err != nil {
		return nil, err
	}
	t.followerOpt.Step(t.params(t.follower), follower.gradData)
	if len(t.leader) == 0 {
		return follower, nil
	}
	return leader, nil
}

// removeConflict removes from g its component along f when a step along −g would raise the loss whose
// gradient is f: a step along −g changes that loss by −lr·⟨g, f⟩, a rise when ⟨g, f⟩ < 0.
func removeConflict(g, f [][]float32) {
	var dot, norm float64
	for i, gi := range g {
		for j, v := range gi {
			fv := float64(f[i][j])
			dot += float64(v) * fv
			norm += fv * fv
		}
	}
	if dot < 0 && norm > 0 {
		k := float32(dot / norm)
		for i, gi := range g {
			for j := range gi {
				gi[j] -= k * f[i][j]
			}
		}
	}
}

// stepReference: the follower steps on η·L_fair; its backward pass also leaves gradients on the leader's
// parameters, which the reference code accumulates with the leader's own before the leader steps.
func stepReference(t *Trainer, b dataset.Batch) (*stage, error) {
	follower, leader := t.stages[0], t.stages[1]
	if err := follower.run(b); err != nil {
		return nil, err
	}
	nl := len(t.leader)
	if len(t.carried) != nl {
		t.carried = make([][]float32, nl)
	}
	carried := t.carried
	for i := range nl {
		carried[i] = append(carried[i][:0], follower.gradData[i]...)
	}
	t.followerOpt.Step(t.params(t.follower), follower.gradData[nl:])
	if nl > 0 {
		if err := leader.run(b); err != nil {
			return nil, err
		}
		for i, g := range leader.gradData {
			for j := range g {
				carried[i][j] += g[j]
			}
		}
		t.leaderOpt.Step(t.params(t.leader), carried)
	}
	return follower, nil
}

// stepJoint: one optimiser over every trained parameter.
func stepJoint(t *Trainer, b dataset.Batch) (*stage, error) {
	joint := t.stages[0]
	if err := joint.run(b); err != nil {
		return nil, err
	}
	t.leaderOpt.Step(t.params(joint.wrt), joint.gradData)
	return joint, nil
}

// stepConstrained: one optimiser over every trained parameter on L_acc + Σ_k λ_k·L_fair_k, then, every
// MultiplierEvery steps, a dual-ascent step of the multipliers on the gaps measured on rows the gradient
// steps do not use.
func stepConstrained(t *Trainer, b dataset.Batch) (*stage, error) {
	joint := t.stages[0]
	if err := joint.setMultipliers(t.lambda); err != nil {
		return nil, err
	}
	if err := joint.run(b); err != nil {
		return nil, err
	}
	t.leaderOpt.Step(t.params(joint.wrt), joint.gradData)
	t.steps++
	if t.steps%int64(t.cfg.MultiplierEvery) == 0 {
		gaps, err := t.measure(t)
		if err != nil {
			return nil, fmt.Errorf("multiplier update: %w", err)
		}
		dualStep(t.lambda, t.cfg.Constraints, gaps, t.cfg.MultiplierLR, t.cfg.MultiplierMargin)
	}
	return joint, nil
}

// dualStep is projected dual ascent on the multipliers: λ_k ← max(0, λ_k + lr·(gap_k − target_k)), the
// target the limit less its margin share. A violated constraint raises its multiplier in proportion to
// the violation; a slack one lowers it, down to 0.
func dualStep(lambda []float64, cs fairness.Constraints, gaps []float64, lr, margin float64) {
	for k := range lambda {
		lambda[k] = max(0, lambda[k]+lr*(gaps[k]-(1-margin)*cs.At(k).Limit))
	}
}
