package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ir"
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
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	if c.backbone == "" || c.position == "" || c.out == "" {
		return &usageError{"--backbone, --position and --out are required"}
	}
	if c.layers < 1 || c.layers > 16 {
		return badInputf("--fair-layers %d: want 1 to 16", c.layers)
	}
	if c.init != insert.InitIdentity && c.init != insert.InitRandom {
		return badInputf("--fair-init %q: want identity or random", c.init)
	}
	if sameFile(c.backbone, c.out) {
		return badInputf("--out %s is the backbone itself; write to another file", c.out)
	}
	g, err := loadModel(c.backbone, importer.Options{})
	if err != nil {
		return err
	}
	pos, err := insertAt(g, c.backbone, c.position, insert.InsertOptions{Layers: c.layers, Init: c.init, Seed: c.seed})
	if err != nil {
		return err
	}
	g.SetMetadata("fairbinn.version", Version)
	g.SetMetadata("fairbinn.position", positionLabel(pos))
	g.SetMetadata("fairbinn.fair_layers", strconv.Itoa(c.layers))
	g.SetMetadata("fairbinn.fair_init", c.init)
	if err := exporter.WriteFile(c.out, g); err != nil {
		return err
	}
	rep := insertReport{Backbone: c.backbone, Out: c.out, Position: pos, Layers: c.layers, Init: c.init, Params: insert.FairnessParams(g)}
	if env.json {
		return writeJSON(env.stdout, rep)
	}
	fmt.Fprintf(env.stdout, "inserted %d fairness layer(s) (%s init) at position %d (%s, width %d) -> %s\n",
		c.layers, c.init, pos.Index, pos.Tensor, pos.Width, c.out)
	return nil
}

// insertAt resolves a position spec on g and inserts fairness layers there.
func insertAt(g *ir.Graph, file, spec string, opts insert.InsertOptions) (insert.Position, error) {
	positions, err := insert.Positions(g)
	if err != nil {
		return insert.Position{}, badInput(fmt.Errorf("%s: %w", file, err))
	}
	pos, err := insert.FindPosition(positions, spec)
	if err != nil {
		return pos, badInput(fmt.Errorf("%s: --position: %w", file, err))
	}
	if err := insert.Insert(g, pos, opts); err != nil {
		return pos, badInput(fmt.Errorf("%s: %w", file, err))
	}
	return pos, nil
}

func positionLabel(p insert.Position) string { return fmt.Sprintf("%d:%s", p.Index, p.Tensor) }
