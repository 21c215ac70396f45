package main

import (
	"context"
	"flag"

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
	fairbinn.WriteModelInfo(env.stdout, info)
	return nil
}
