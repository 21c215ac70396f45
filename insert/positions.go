package insert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go/ir"
)

// Position is a place where fairness layers can be inserted: a 2-D [batch, width] activation that one
// layer with weights produces (directly or through an activation or reshape) and another layer with
// weights reads.
type Position struct {
	Index  int    `json:"index"` // 1-based, in graph order
	Tensor string `json:"tensor"`
	Width  int64  `json:"width"`
	// Activation is the op that last set the values of the tensor (Relu, Sigmoid, Tanh, Gemm, ...),
	// looking through ops that only move values (Reshape, Flatten, Dropout, ...).
	Activation string `json:"activation"`
	// NonNegative is true when Activation guarantees values ≥ 0, so an inserted ReLU layer initialised to
	// the identity computes the identity exactly.
	NonNegative bool `json:"non_negative"`
}

// layerOps are the ops with weights that positions sit between.
var layerOps = map[string]bool{"Gemm": true, "MatMul": true, "Conv": true, "Einsum": true}

// moveOps only move, select or average values; an activation seen through them still bounds the values.
var moveOps = map[string]bool{"Reshape": true, "Flatten": true, "Identity": true, "Dropout": true,
	"MaxPool": true, "AveragePool": true, "GlobalAveragePool": true, "Squeeze": true, "Unsqueeze": true,
	"Transpose": true}

// nonNegativeOps produce values ≥ 0.
var nonNegativeOps = map[string]bool{"Relu": true, "Sigmoid": true, "Softmax": true}

// Positions lists the insertion positions of g in graph order. Shapes come from ir.InferShapes, so a
// tensor after an op it does not know is no position, while the positions before it are still found; a
// graph whose shapes do not fit its ops returns that error.
func Positions(g *ir.Graph) ([]Position, error) {
	shapes, err := ir.InferShapes(g)
	if err != nil {
		return nil, err
	}
	producers := g.Producers()
	var out []Position
	for _, t := range candidates(g) {
		shape := shapes[t]
		if len(shape) != 2 || !shape[1].IsStatic() || shape[0].IsStatic() && hasSymbolicInput(g) {
			continue
		}
		act := activationOf(t, producers)
		out = append(out, Position{
			Index:       len(out) + 1,
			Tensor:      t,
			Width:       shape[1].Value,
			Activation:  act,
			NonNegative: nonNegativeOps[act],
		})
	}
	return out, nil
}

// Unmeasured lists the tensors that would be positions if their shape were known: shape inference could
// not compute it (they come after an op it does not know). Running the model once tells (see
// ir.Graph.Measured).
func Unmeasured(g *ir.Graph) ([]string, error) {
	shapes, err := ir.InferShapes(g)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range candidates(g) {
		if shapes[t] == nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// candidates are the tensors a position may be, in graph order: the data input of a Gemm or MatMul,
// made by a node (not a graph input or output) with a layer with weights below it.
func candidates(g *ir.Graph) []string {
	producers := g.Producers()
	isGraphOutput := map[string]bool{}
	for _, v := range g.Outputs {
		isGraphOutput[v.Name] = true
	}
	below := layerBelow(g)
	seen := map[string]bool{}
	var out []string
	for _, n := range g.Nodes {
		if !layerOps[n.OpType] || n.OpType == "Conv" || len(n.Inputs) == 0 {
			continue
		}
		t := n.Inputs[0]
		if seen[t] || isGraphOutput[t] || producers[t] == nil || !below[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func hasSymbolicInput(g *ir.Graph) bool {
	for _, v := range g.RealInputs() {
		for _, d := range v.Shape {
			if d.Param != "" {
				return true
			}
		}
	}
	return false
}

// layerBelow says, for every tensor, whether a layer with weights lies on some path to it: one pass in
// topological order, linear in nodes and edges (node names may repeat or be empty; they play no part).
func layerBelow(g *ir.Graph) map[string]bool {
	below := map[string]bool{}
	for _, n := range g.Nodes {
		has := layerOps[n.OpType]
		for _, in := range n.Inputs {
			has = has || below[in]
		}
		for _, o := range n.Outputs {
			below[o] = has
		}
	}
	return below
}

func activationOf(t string, producers map[string]*ir.Node) string {
	for p := producers[t]; p != nil; p = producers[p.Inputs[0]] {
		// A Pad with the default constant 0 keeps values non-negative too.
		mode, _ := p.AttrString("mode", "constant")
		value, _ := p.AttrFloat("value", 0)
		zeroPad := p.OpType == "Pad" && mode == "constant" && value == 0 && (len(p.Inputs) < 3 || p.Inputs[2] == "")
		if !moveOps[p.OpType] && !zeroPad || len(p.Inputs) == 0 {
			return p.OpType
		}
	}
	return ""
}

// FindPosition resolves a position given as "K" (1-based index) or "name:TENSOR".
func FindPosition(positions []Position, spec string) (Position, error) {
	if name, ok := strings.CutPrefix(spec, "name:"); ok {
		for _, p := range positions {
			if p.Tensor == name {
				return p, nil
			}
		}
		return Position{}, fmt.Errorf("%w: tensor %q is not an insertion position (%s)", ErrBadPosition, name, listPositions(positions))
	}
	k, err := strconv.Atoi(spec)
	if err != nil {
		return Position{}, fmt.Errorf("%w: %q is neither a number nor name:TENSOR", ErrBadPosition, spec)
	}
	if k < 1 || k > len(positions) {
		return Position{}, fmt.Errorf("%w: position %d is out of range (%s)", ErrBadPosition, k, listPositions(positions))
	}
	return positions[k-1], nil
}

func listPositions(positions []Position) string {
	if len(positions) == 0 {
		return "the model has no insertion position"
	}
	var parts []string
	for _, p := range positions {
		parts = append(parts, fmt.Sprintf("%d=%s", p.Index, p.Tensor))
	}
	return "positions: " + strings.Join(parts, ", ")
}
