package fairbinn

import (
	"fmt"
	"math"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/train"
)

// Thresholds says whether per-group decision thresholds are compiled into the exported model.
type Thresholds string

// The ways to use per-group thresholds.
const (
	// ThresholdsNone exports the fine-tuned model as it is.
	ThresholdsNone Thresholds = ""
	// ThresholdsOnly does not train: it fits per-group thresholds on the backbone's validation scores
	// and compiles them into the exported graph (post-processing, served by onnxruntime alone).
	ThresholdsOnly Thresholds = "only"
	// ThresholdsAfter fine-tunes, then fits thresholds on the fine-tuned model's validation scores and
	// compiles them in.
	ThresholdsAfter Thresholds = "after"
)

// groupColumns finds, for each group, the input column that is 1 for its rows: the one-hot features of
// the single sensitive column. The group without one (the encoding's reference category) gets -1. An
// error says why the attribute is not a model input.
func groupColumns(enc *dataset.Encoding, groups []string) ([]int, error) {
	if enc == nil {
		return nil, fault.Badf("per-group thresholds need the sensitive attribute as a model input, and this data has no encoding that says which input column it is; train attribute-blind instead (e.g. --constraint)")
	}
	if len(enc.Sensitive) != 1 {
		return nil, fault.Badf("per-group thresholds are compiled for one sensitive column, the encoding has %d", len(enc.Sensitive))
	}
	cols := make([]int, len(groups))
	missing := 0
	for g, name := range groups {
		cols[g] = -1
		for i, f := range enc.Features {
			if f.Column == enc.Sensitive[0] && f.Kind == dataset.OneHot && f.Value == name {
				cols[g] = i
			}
		}
		if cols[g] < 0 {
			missing++
		}
	}
	if missing > 1 || missing == len(groups) {
		return nil, fault.Badf("the sensitive column %q is not a model input (no one-hot feature for %d of its %d groups); train attribute-blind instead (e.g. --constraint)",
			enc.Sensitive[0], missing, len(groups))
	}
	return cols, nil
}

// compileThresholds makes g decide with per-group thresholds: the head's logit z becomes z − b(group),
// b = logit(threshold) read from the group's input column, so that the output, read as before (P ≥ 0.5,
// logit ≥ 0), gives the thresholded decision. onnxruntime alone serves it.
func compileThresholds(g *ir.Graph, h head.Head, th fairness.Thresholds, cols []int) error {
	if h.Kind != head.Probability && h.Kind != head.Logit {
		return fault.Badf("per-group thresholds are compiled for a one-column head (a probability or a logit), not %s", h)
	}
	input := g.RealInputs()[0].Name
	// b per group, a reference group (no column) as the constant.
	logit := func(t float64) float32 {
		const big = 40 // sigmoid(z − 40) < 0.5 for every z a model gives
		switch {
		case t >= 1:
			return big
		case t <= 0:
			return -big
		}
		return float32(math.Log(t / (1 - t)))
	}
	ref := float32(0)
	var idx []int64
	var w []float32
	for grp, c := range cols {
		if c < 0 {
			ref = logit(th.T[grp])
		}
	}
	for grp, c := range cols {
		if c >= 0 {
			idx = append(idx, int64(c))
			w = append(w, logit(th.T[grp])-ref)
		}
	}
	const p = "fairbinn.thresholds"
	for _, name := range []string{p + ".columns", p + ".selected", p + ".weights", p + ".reference", p + ".shift", p + ".shifted"} {
		if g.TensorNameUsed(name) || g.NodeNameUsed(name) {
			return fmt.Errorf("name %q already used in the graph", name)
		}
	}
	for _, t := range []*ir.Tensor{
		{Name: p + ".columns", DType: ir.Int64, Dims: []int64{int64(len(idx))}, Int: idx, Changed: true},
		{Name: p + ".weights", DType: ir.Float32, Dims: []int64{int64(len(w)), 1}, Float: w, Changed: true},
		{Name: p + ".reference", DType: ir.Float32, Dims: []int64{1}, Float: []float32{ref}, Changed: true},
	} {
		if err := g.AddInitializer(t); err != nil {
			return err
		}
	}
	// The logit: the Sigmoid's input for a probability head, the output itself for a logit head.
	producers := g.Producers()
	var z string
	var rewire func(shifted string)
	switch p0 := producers[h.Output]; {
	case h.Kind == head.Probability && p0 != nil && p0.OpType == "Sigmoid":
		z = p0.Inputs[0]
		rewire = func(shifted string) { p0.Inputs[0] = shifted }
	case h.Kind == head.Logit && p0 != nil:
		z = p + ".logit"
		for i, o := range p0.Outputs {
			if o == h.Output {
				p0.Outputs[i] = z
			}
		}
		rewire = func(shifted string) {}
	default:
		return fault.Badf("per-group thresholds need the output's logit: a Sigmoid before a probability output")
	}
	if shapes, err := ir.InferShapes(g); err == nil && len(shapes[z]) != 2 {
		return fault.Badf("per-group thresholds are compiled for a [N, 1] logit; %q has shape %s", z, shapes[z])
	}
	shifted := p + ".shifted"
	if h.Kind == head.Logit {
		shifted = h.Output
	}
	nodes := []*ir.Node{
		{Name: p + ".selected", OpType: "Gather", Inputs: []string{input, p + ".columns"}, Outputs: []string{p + ".selected"},
			Attrs: map[string]ir.Attr{"axis": {Type: ir.AttrInt, Int: 1}}},
		{Name: p + ".shift", OpType: "Gemm", Inputs: []string{p + ".selected", p + ".weights", p + ".reference"}, Outputs: []string{p + ".shift"},
			Attrs: map[string]ir.Attr{}},
		{Name: shifted, OpType: "Sub", Inputs: []string{z, p + ".shift"}, Outputs: []string{shifted}, Attrs: map[string]ir.Attr{}},
	}
	rewire(shifted)
	// The new nodes go just before the first reader of the shifted logit (or at the end).
	at := len(g.Nodes)
	for i, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in == shifted && i < at {
				at = i
			}
		}
	}
	g.Nodes = append(g.Nodes[:at], append(nodes, g.Nodes[at:]...)...)
	return nil
}

// fitAndCompile fits per-group thresholds on g's validation scores, for the first constraint (else the
// selection rule's limit), and compiles them into g.
func fitAndCompile(g *ir.Graph, data *dataset.Data, cfg train.Config, cols []int) (map[string]float64, error) {
	h, err := head.Of(g)
	if err != nil {
		return nil, err
	}
	val, err := train.Probabilities(g, data.Val)
	if err != nil {
		return nil, err
	}
	crit, limit := cfg.Fairness, baselineLimit(cfg)
	if cfg.Constraints.Len() > 0 {
		crit, limit = cfg.Constraints.At(0).Criterion, cfg.Constraints.At(0).Limit
	}
	th, err := fairness.FitThresholds(val, data.Val.Y, data.Val.Group, len(data.GroupNames), crit, limit)
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	if err := compileThresholds(g, h, th, cols); err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for grp, name := range data.GroupNames {
		out[name] = th.T[grp]
	}
	return out, nil
}
