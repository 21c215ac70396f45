package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/insert"
)

type insertCmd struct {
	backbone, position, out, init string
	layers                        int
	seed                          uint64
}

func (*insertCmd) Name() string { return "insert" }
func (*insertCmd) Synopsis() string {
	return "insert --backbone IN.onnx --position K|name:TENSOR --out OUT.onnx [--fair-layers N] [--fair-init identity|random]"
}

func (c *insertCmd) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.backbone, "backbone", "", "the pretrained model (ONNX)")
	fs.StringVar(&c.position, "position", "", "where to insert: K (the K-th position fairbinn inspect lists) or name:TENSOR")
	fs.StringVar(&c.out, "out", "", "where to write the model with fairness layers (ONNX)")
	fs.IntVar(&c.layers, "fair-layers", 1, "number of fully connected fairness layers")
	fs.StringVar(&c.init, "fair-init", insert.InitIdentity, "initialisation: identity (the model's outputs do not change) or random")
	fs.Uint64Var(&c.seed, "seed", 0, "random seed for --fair-init random")
}

// insertReport is insert's JSON output.
type insertReport struct {
	Backbone string          `json:"backbone"`
	Out      string          `json:"out"`
	Position insert.Position `json:"position"`
	Layers   int             `json:"fair_layers"`
	Init     string          `json:"fair_init"`
	Params   []string        `json:"fair_params"`
}

func (c *insertCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if c.backbone == "" || c.position == "" || c.out == "" {
		return usagef("--backbone, --position and --out are required")
	}
	if err := checkLayers(c.layers, c.init); err != nil {
		return err
	}
	m, err := loadModel(c.backbone)
	if err != nil {
		return err
	}
	pos, err := fairbinn.InsertFile(m, c.position, insert.InsertOptions{Layers: c.layers, Init: c.init, Seed: c.seed}, c.out)
	if err != nil {
		return err
	}
	rep := insertReport{Backbone: c.backbone, Out: c.out, Position: pos, Layers: c.layers, Init: c.init, Params: insert.FairnessParams(m.Graph)}
	if env.json {
		return writeJSON(env.stdout, rep)
	}
	fmt.Fprintf(env.stdout, "inserted %d fairness layer(s) (%s init) at position %d (%s, width %d) -> %s\n",
		c.layers, c.init, pos.Index, pos.Tensor, pos.Width, c.out)
	return nil
}
