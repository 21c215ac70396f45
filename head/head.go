package head

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// Kind is what the values of an output are.
type Kind string

// The kinds of output.
const (
	// Probability is a sigmoid probability of the positive class per row.
	Probability Kind = "probability"
	// Logit is a raw logit per row (a model trained with BCEWithLogitsLoss): positive when > 0.
	Logit Kind = "logit"
	// Softmax is one probability per class per row.
	Softmax Kind = "softmax"
	// Logits is one raw logit per class per row (a model trained with CrossEntropyLoss).
	Logits Kind = "logits"
)

// MetaKey is the metadata key under which an exported model records its head (JSON).
const MetaKey = "fairbinn.head"

// Head is the meaning of one model output.
type Head struct {
	Output string `json:"output"`
	Kind   Kind   `json:"kind"`
	// Classes is 1 for one value per row, else the number of classes.
	Classes int `json:"classes"`
	// Positive is the index of the positive class of a two-class Softmax or Logits head (a K-class head
	// has none: its decision is the most probable class).
	Positive int `json:"positive_class"`
}

func (h Head) String() string {
	if h.Classes == 1 {
		return fmt.Sprintf("%s %s per row", h.Output, h.Kind)
	}
	if h.Classes > 2 {
		return fmt.Sprintf("%s %d-class %s", h.Output, h.Classes, h.Kind)
	}
	return fmt.Sprintf("%s %d-class %s, positive class %d", h.Output, h.Classes, h.Kind, h.Positive)
}

// Of returns the head of g's first output: the one recorded in its metadata (MetaKey), else Detect's.
func Of(g *ir.Graph) (Head, error) {
	if len(g.Outputs) == 0 {
		return Head{}, fault.Badf("the model has no output")
	}
	if raw, ok := g.Metadata[MetaKey]; ok {
		var h Head
		if err := json.Unmarshal([]byte(raw), &h); err != nil {
			return Head{}, fault.Badf("metadata %s: %v", MetaKey, err)
		}
		return h, h.check(g)
	}
	return Detect(g, g.Outputs[0].Name)
}

// Detect reads the head of the named output from the graph: its width (1, 2 or K columns) and the op
// that produces it (Sigmoid for a probability, Softmax for class probabilities, anything else a logit).
func Detect(g *ir.Graph, output string) (Head, error) {
	width, err := outputWidth(g, output)
	if err != nil {
		return Head{}, err
	}
	op := ""
	if p := g.Producers()[output]; p != nil {
		op = p.OpType
	}
	h := Head{Output: output, Classes: width}
	switch {
	case width == 1 && op == "Sigmoid":
		h.Kind = Probability
	case width == 1:
		h.Kind = Logit
	case op == "Softmax":
		h.Kind, h.Positive = Softmax, 1
	default:
		h.Kind, h.Positive = Logits, 1
	}
	return h, nil
}

// With returns h with its kind (and, for two-class heads, positive class) overridden by a user who knows
// better than the graph, checked against the output's width.
func (h Head) With(kind Kind, positive int, g *ir.Graph) (Head, error) {
	if kind != "" {
		h.Kind = kind
	}
	if h.Classes > 1 {
		h.Positive = positive
	}
	return h, h.check(g)
}

// ParseKind parses a head kind.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case Probability, Logit, Softmax, Logits:
		return k, nil
	}
	return "", fault.Badf("head %q: want probability, logit, softmax or logits", s)
}

func (h Head) check(g *ir.Graph) error {
	width, err := outputWidth(g, h.Output)
	if err != nil {
		return err
	}
	one := h.Kind == Probability || h.Kind == Logit
	switch {
	case h.Kind != Probability && h.Kind != Logit && h.Kind != Softmax && h.Kind != Logits:
		return fault.Badf("head kind %q: want probability, logit, softmax or logits", h.Kind)
	case one != (width == 1):
		return fault.Badf("output %q has %d value(s) per row; a %s head has %s", h.Output, width, h.Kind,
			map[bool]string{true: "one", false: "one per class"}[one])
	case h.Classes != width:
		return fault.Badf("output %q has %d value(s) per row, the head says %d", h.Output, width, h.Classes)
	case !one && (h.Positive < 0 || h.Positive >= width):
		return fault.Badf("positive class %d: output %q has classes 0 to %d", h.Positive, h.Output, width-1)
	}
	return nil
}

// Binary reports whether the head decides between two classes: one value per row, or two classes.
func (h Head) Binary() bool { return h.Classes <= 2 }

// Probabilities turns the output for rows rows into P(positive class) per row, or for a K-class head into
// P(class k) for k = 0..K−1, row after row (the softmax of logits).
func (h Head) Probabilities(out tensor.Tensor) ([]float32, error) {
	rows := out.Rows()
	if len(out.Shape) == 1 {
		rows = len(out.Data)
	}
	if rows*h.Classes != len(out.Data) {
		return nil, fault.Badf("output %q has %d values for %d rows; the head (%s) wants %d per row", h.Output, len(out.Data), rows, h.Kind, h.Classes)
	}
	if h.Classes > 2 {
		p := make([]float32, len(out.Data))
		for r := range rows {
			row, dst := out.Data[r*h.Classes:(r+1)*h.Classes], p[r*h.Classes:(r+1)*h.Classes]
			if h.Kind == Softmax {
				copy(dst, row)
				continue
			}
			softmax(row, dst)
		}
		return p, nil
	}
	p := make([]float32, rows)
	for r := range rows {
		switch h.Kind {
		case Probability:
			p[r] = out.Data[r]
		case Logit:
			p[r] = sigmoid(out.Data[r])
		case Softmax:
			p[r] = out.Data[r*2+h.Positive]
		case Logits:
			// softmax of two logits: σ(z_pos − z_other).
			p[r] = sigmoid(out.Data[r*2+h.Positive] - out.Data[r*2+1-h.Positive])
		}
	}
	return p, nil
}

// Labels turns the output into a decision per row: the class with the largest value for a K-class
// head, else 1 when P(positive) ≥ 0.5 (a logit ≥ 0), as fairness.Decisions decides.
func (h Head) Labels(out tensor.Tensor) []int {
	rows := out.Rows()
	if len(out.Shape) == 1 {
		rows = len(out.Data)
	}
	p, err := h.Probabilities(out)
	if err != nil {
		return make([]int, rows)
	}
	return fairness.Decisions(p, rows)
}

func sigmoid(z float32) float32 { return float32(1 / (1 + math.Exp(-float64(z)))) }

// outputWidth is the number of values per row of an output: 1 for [N] or [N, 1], else the static last
// dim of a 2-D output.
func outputWidth(g *ir.Graph, name string) (int, error) {
	var shape ir.Shape
	for _, v := range g.Outputs {
		if v.Name == name {
			shape = v.Shape
		}
	}
	if shape == nil {
		if inferred, err := ir.InferShapes(g); err == nil {
			shape = inferred[name]
		}
	}
	switch {
	case len(shape) == 1:
		return 1, nil
	case len(shape) == 2 && shape[1].IsStatic():
		return int(shape[1].Value), nil
	}
	return 0, fault.Badf("output %q has shape %s; fairbinn scores outputs of shape [N], [N, 1] or [N, K]", name, shape)
}

// softmax writes softmax(z) into dst, computed in float64 from the largest logit (stable).
func softmax(z, dst []float32) {
	top := z[0]
	for _, v := range z {
		top = max(top, v)
	}
	sum := 0.0
	for _, v := range z {
		sum += math.Exp(float64(v - top))
	}
	for j, v := range z {
		dst[j] = float32(math.Exp(float64(v-top)) / sum)
	}
}
