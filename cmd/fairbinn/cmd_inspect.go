package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/fairbinn/fairbinn-go"
)

type inspectCmd struct{}

func (*inspectCmd) Name() string           { return "inspect" }
func (*inspectCmd) Synopsis() string       { return "inspect [--json] MODEL.onnx" }
func (*inspectCmd) Flags(fs *flag.FlagSet) {}

func (*inspectCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) != 1 {
		return usagef("want exactly one MODEL.onnx")
	}
	// Inspecting must work on models the Go forward pass cannot run: that is when a user needs it most.
	m, err := loadModel(args[0])
	if err != nil {
		return err
	}
	info, err := fairbinn.Inspect(m)
	if err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, info)
	}
	printModelInfo(env, info)
	return nil
}

func printModelInfo(env *cmdEnv, info *fairbinn.ModelInfo) {
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "model\t%s\n", info.File)
	fmt.Fprintf(w, "producer\t%s %s\n", info.Producer, info.ProducerVer)
	fmt.Fprintf(w, "opset\t%d (ir_version %d)\n", info.Opset, info.IRVersion)
	for _, ti := range info.Inputs {
		fmt.Fprintf(w, "input\t%s\t%s [%s]\n", ti.Name, ti.DType, strings.Join(ti.Shape, ", "))
	}
	for _, ti := range info.Outputs {
		fmt.Fprintf(w, "output\t%s\t%s [%s]\n", ti.Name, ti.DType, strings.Join(ti.Shape, ", "))
	}
	var ops []string
	for _, oc := range info.Ops {
		ops = append(ops, fmt.Sprintf("%s×%d", oc.OpType, oc.Count))
	}
	fmt.Fprintf(w, "ops\t%d nodes: %s\n", info.Nodes, strings.Join(ops, " "))
	fmt.Fprintf(w, "parameters\t%d\n", info.Parameters)
	keys := make([]string, 0, len(info.Metadata))
	for k := range info.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := info.Metadata[k]
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		fmt.Fprintf(w, "metadata\t%s = %s\n", k, v)
	}
	w.Flush()
	if info.Unsupported != "" {
		fmt.Fprintf(env.stdout, "\nthe Go forward pass cannot run this model, so no insertion positions are listed: %s\n", info.Unsupported)
		return
	}
	fmt.Fprintf(env.stdout, "\ninsertion positions (use --position K or --position name:TENSOR)\n")
	if len(info.Positions) == 0 {
		fmt.Fprintln(env.stdout, "  none: no 2-D [batch, width] activation lies between two layers with weights")
		return
	}
	w = tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "  K\ttensor\twidth\tafter\tinserted layer")
	for _, p := range info.Positions {
		layer := "Gemm (linear)"
		if p.NonNegative {
			layer = "Gemm + Relu"
		}
		fmt.Fprintf(w, "  %d\t%s\t%d\t%s\t%s\n", p.Index, p.Tensor, p.Width, p.Activation, layer)
	}
	w.Flush()
}
