package insert

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
)

// FairPrefix starts the names of every tensor and node that Insert adds. Training tells the follower's
// parameters (the fairness layers) from the leader's (the backbone) by it, also after an export and a
// new import.
const FairPrefix = "fairbinn.fair"

// Fairness-layer initialisations.
const (
	InitIdentity = "identity"
	InitRandom   = "random"
)

// MaxLayers is the largest number of fairness layers Insert adds: each is a width × width matrix, and
// more than a few have never helped.
const MaxLayers = 16

// InsertOptions sets how many fairness layers to insert and how to initialise them.
type InsertOptions struct {
	Layers int    // number of fully connected layers (default 1)
	Init   string // InitIdentity (default) or InitRandom
	Seed   uint64 // for InitRandom
}

// Insert adds fully connected fairness layers of width pos.Width that read the tensor at pos and feed
// everything that read it before. Each layer is a Gemm (weight [width, width], bias [width]), followed by
// a ReLU when the values at the position are non-negative; identity-initialised layers then compute the
// identity exactly, so the model's outputs do not change. At a position whose values may be negative a
// ReLU would clip them, so the layers stay linear there.
func Insert(g *ir.Graph, pos Position, opts InsertOptions) error {
	if opts.Layers == 0 {
		opts.Layers = 1
	}
	if opts.Layers < 0 || opts.Layers > MaxLayers {
		return fault.Badf("%d fairness layers: want 1 to %d", opts.Layers, MaxLayers)
	}
	if opts.Init == "" {
		opts.Init = InitIdentity
	}
	if opts.Init != InitIdentity && opts.Init != InitRandom {
		return fmt.Errorf("fairness-layer init %q: want %s or %s", opts.Init, InitIdentity, InitRandom)
	}
	if len(FairnessParams(g)) > 0 {
		return fmt.Errorf("the model already has fairness layers (%s)", strings.Join(FairnessParams(g), ", "))
	}
	producer := g.Producers()[pos.Tensor]
	if producer == nil {
		return fmt.Errorf("%w: tensor %q is produced by no node", ErrBadPosition, pos.Tensor)
	}
	for _, v := range g.Outputs {
		if v.Name == pos.Tensor {
			return fmt.Errorf("%w: tensor %q is a graph output", ErrBadPosition, pos.Tensor)
		}
	}
	consumers := g.Consumers()[pos.Tensor]

	d := pos.Width
	dtype := ir.FloatType(g)
	rng := rand.New(rand.NewPCG(opts.Seed, 0x66616972)) // "fair"
	var added []*ir.Node
	in := pos.Tensor
	for i := 1; i <= opts.Layers; i++ {
		base := fmt.Sprintf("%s%d", FairPrefix, i)
		// In the model's own float type (a double-precision export stays one), computed in float32.
		w := &ir.Tensor{Name: base + ".weight", DType: dtype, Dims: []int64{d, d}, Float: make([]float32, d*d), Changed: true}
		b := &ir.Tensor{Name: base + ".bias", DType: dtype, Dims: []int64{d}, Float: make([]float32, d), Changed: true}
		if opts.Init == InitIdentity {
			for j := int64(0); j < d; j++ {
				w.Float[j*d+j] = 1
			}
		} else {
			// PyTorch's nn.Linear default: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
			bound := 1 / math.Sqrt(float64(d))
			for j := range w.Float {
				w.Float[j] = float32((2*rng.Float64() - 1) * bound)
			}
			for j := range b.Float {
				b.Float[j] = float32((2*rng.Float64() - 1) * bound)
			}
		}
		for _, t := range []*ir.Tensor{w, b} {
			if err := g.AddInitializer(t); err != nil {
				return err
			}
		}
		out := base + ".linear"
		if g.TensorNameUsed(out) || g.NodeNameUsed(out) {
			return fmt.Errorf("name %q already used in the graph", out)
		}
		added = append(added, &ir.Node{
			Name: out, OpType: "Gemm", Inputs: []string{in, w.Name, b.Name}, Outputs: []string{out},
			Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}},
		})
		in = out
		if pos.NonNegative {
			out = base + ".relu"
			if g.TensorNameUsed(out) || g.NodeNameUsed(out) {
				return fmt.Errorf("name %q already used in the graph", out)
			}
			added = append(added, &ir.Node{Name: out, OpType: "Relu", Inputs: []string{in}, Outputs: []string{out}, Attrs: map[string]ir.Attr{}})
			in = out
		}
	}
	for _, c := range consumers {
		for j, name := range c.Inputs {
			if name == pos.Tensor {
				c.Inputs[j] = in
			}
		}
	}
	at := slices.Index(g.Nodes, producer) + 1
	g.Nodes = slices.Insert(g.Nodes, at, added...)
	return nil
}

// FairnessParams returns the names of the initializers of inserted fairness layers, in file order.
func FairnessParams(g *ir.Graph) []string {
	var out []string
	for _, name := range g.InitOrder {
		if strings.HasPrefix(name, FairPrefix) && g.Initializers[name] != nil {
			out = append(out, name)
		}
	}
	return out
}
