package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/k8sjob"
)

// A sweep in cells: --plan writes the grid down, --cell runs one cell of it in a process of its own (a
// pod of a Kubernetes Indexed Job, which sets JOB_COMPLETION_INDEX), --merge builds sweep.json from the
// cells done, --k8s-job prints the Job (sweep_k8s.go).

// cellIndexEnv is the variable a Kubernetes Indexed Job sets to each pod's completion index.
const cellIndexEnv = k8sjob.IndexEnv

func (c *sweepCmd) clusterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.planDir, "plan", "", "write the grid into `DIR`/plan.json, one cell per run, each with everything it needs, to run each cell as a process of its own (--cell) and merge them (--merge); "+
		"paths inside DIR are kept relative to it, so DIR may be mounted anywhere. With --k8s-job and no --backbone: the plan already in DIR")
	fs.StringVar(&c.cell, "cell", "", "run cell `N` of the plan in --out DIR, writing DIR/runs/ as the sweep does and DIR/cells/N.json once done; a cell done already is skipped, a killed one runs again from the start; "+
		"the exit code is the run's, as for train, and a failed run is recorded all the same (default, when no --backbone is given: $"+cellIndexEnv+", which a Kubernetes Indexed Job sets)")
	fs.StringVar(&c.merge, "merge", "", "build `DIR`/sweep.json and DIR/pareto.png from the cells of the plan in DIR done so far, and list the missing and failed ones; "+
		"exit 0 with sweep.json marked incomplete (\"complete\": false) while cells are missing; when every cell ran and all failed, the first failure's exit code")
	c.k8s.register(fs)
}

// The flags of each way of running a sweep in cells: a cell and a merge take their settings from the
// plan, so a training flag given with them would be ignored; it is refused instead.
var (
	k8sOnly   = []string{"image", "dir-volume-claim", "mount", "parallelism", "cpu", "memory", "name"}
	cellOK    = []string{"cell", "out", "quiet", "json"}
	mergeOK   = []string{"merge", "quiet", "json", "markdown"}
	k8sPlanOK = append([]string{"plan", "k8s-job", "out", "json", "quiet"}, k8sOnly...)
)

// checkModes refuses a command line that mixes the ways of running a sweep, or gives a flag the chosen
// one does not read.
func (c *sweepCmd) checkModes() error {
	set := c.f.given()
	if !c.k8s.enabled {
		for _, name := range k8sOnly {
			if set[name] {
				return usagef("--%s is a flag of --k8s-job", name)
			}
		}
	}
	only := func(mode string, allowed []string) error {
		for _, name := range slices.Sorted(maps.Keys(set)) {
			if !slices.Contains(allowed, name) {
				return usagef("--%s: %s takes its settings from the plan; give only %s", name, mode, flagList(allowed))
			}
		}
		return nil
	}
	switch {
	case c.merge != "":
		return only("--merge", mergeOK)
	case c.k8s.enabled && !set["backbone"]:
		return only("--k8s-job without the grid", k8sPlanOK)
	case c.k8s.enabled:
		return nil
	case c.planDir != "":
		if set["cell"] || (c.dir != "" && filepath.Clean(c.dir) != filepath.Clean(c.planDir)) {
			return usagef("--plan DIR is the sweep folder: give --cell and --out when running a cell")
		}
		return nil
	case c.cellMode():
		return only("--cell", cellOK)
	}
	return nil
}

// flagList writes flag names as the command line does: --a, --b.
func flagList(names []string) string {
	return "--" + strings.Join(names, ", --")
}

// cellMode reports whether the command line runs a cell: --cell, or an Indexed Job's index without a grid.
func (c *sweepCmd) cellMode() bool {
	set := c.f.given()
	return set["cell"] || (!set["backbone"] && os.Getenv(cellIndexEnv) != "")
}

// newPlan is the plan of the grid on the command line, for the sweep folder dir ("" for none).
func (c *sweepCmd) newPlan(dir string) (*fairbinn.SweepPlan, error) {
	opts, err := c.options(dir)
	if err != nil {
		return nil, err
	}
	return fairbinn.PlanSweep(opts)
}

// writePlan plans the grid into dir and says so on stderr.
func (c *sweepCmd) writePlan(dir string, env *cmdEnv) (*fairbinn.SweepPlan, error) {
	p, err := c.newPlan(dir)
	if err != nil {
		return nil, err
	}
	changed, err := fairbinn.WriteSweepPlan(dir, p)
	if err != nil {
		return nil, positionFlag(err, c.f.position)
	}
	state := "planned"
	if !changed {
		state = "planned already (the same plan; its cells done are kept)"
	}
	fmt.Fprintf(env.stderr, "%d cells %s: %s\n", len(p.Cells), state, filepath.Join(dir, "plan.json"))
	return p, nil
}

// runPlan writes the plan and prints its number of cells (on stdout, alone, for scripts).
func (c *sweepCmd) runPlan(env *cmdEnv) error {
	p, err := c.writePlan(c.planDir, env)
	if err != nil {
		return err
	}
	if env.json {
		return writeJSON(env.stdout, map[string]any{"plan": filepath.Join(c.planDir, "plan.json"), "cells": len(p.Cells)})
	}
	fmt.Fprintln(env.stdout, len(p.Cells))
	if !c.f.quiet {
		fmt.Fprintf(env.stderr, "next: fairbinn sweep --cell N --out %s for N = 0 to %d (or --k8s-job), then fairbinn sweep --merge %s\n",
			c.planDir, len(p.Cells)-1, c.planDir)
	}
	return nil
}

// runCell runs one cell of the plan in --out: the exit code is the run's, as for train, and a failed run is
// recorded for the merge all the same.
func (c *sweepCmd) runCell(ctx context.Context, env *cmdEnv) error {
	if c.dir == "" {
		return usagef("--cell runs a cell of the plan in --out DIR: give --out")
	}
	from, index := "--cell", c.cell
	if !c.f.given()["cell"] {
		from, index = "$"+cellIndexEnv, os.Getenv(cellIndexEnv)
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 {
		return fault.Badf("%s %q: want a cell index, 0 or more", from, index)
	}
	p, err := fairbinn.ReadSweepPlan(c.dir)
	if errors.Is(err, os.ErrNotExist) {
		return fault.Badf("%v (fairbinn sweep --plan %s writes one)", err, c.dir)
	}
	if err != nil {
		return err
	}
	if p.Version != fairbinn.Version {
		fmt.Fprintf(env.stderr, "warning: the plan was made by fairbinn %s, this is %s: its cells may differ from the others'\n", p.Version, fairbinn.Version)
	}
	progress := newProgress(env.stderr, c.f.quiet)
	if i < len(p.Cells) {
		progress.Config = p.Cells[i].Config
		if !c.f.quiet {
			fmt.Fprintf(env.stderr, "cell %d of %d: %s\n", i, len(p.Cells), p.Cells[i].Name)
		}
	}
	rec, done, err := p.RunCell(ctx, c.dir, i, progress.Epoch)
	progress.Done()
	if rec == nil {
		return err
	}
	path := filepath.Join(c.dir, "cells", strconv.Itoa(i)+".json")
	switch {
	case done:
		fmt.Fprintf(env.stderr, "cell %d %s: done already (%s; remove it to run the cell again)\n", i, rec.Name, path)
	case !c.f.quiet:
		fmt.Fprintf(env.stderr, "cell %d %s\n", i, fairbinn.ProgressLine(&rec.SweepRun))
	}
	if env.json {
		if werr := writeJSON(env.stdout, rec); werr != nil {
			return werr
		}
	} else {
		fmt.Fprintf(env.stdout, "cell    %s\n", path)
	}
	if err != nil {
		return fmt.Errorf("cell %d (%s): %w", i, rec.Name, err)
	}
	return nil
}

// runMerge merges the cells done, prints the result as a sweep does, and lists the cells to run again.
func (c *sweepCmd) runMerge(env *cmdEnv) error {
	res, err := fairbinn.MergeSweep(c.merge)
	if errors.Is(err, os.ErrNotExist) && res == nil {
		return fault.Badf("%v (fairbinn sweep --plan %s writes one)", err, c.merge)
	}
	if res == nil {
		return err
	}
	if perr := c.printResult(env, res, c.merge); perr != nil {
		return perr
	}
	if len(res.Pending) == 0 {
		return err
	}
	missing := res.Planned - res.Finished
	switch {
	case missing > 0:
		fmt.Fprintf(env.stderr, "fairbinn sweep: %d of %d cells not done (%d missing, %d failed); %s is marked incomplete:\n",
			len(res.Pending), res.Planned, missing, res.Failed, filepath.Join(c.merge, "sweep.json"))
	default:
		fmt.Fprintf(env.stderr, "fairbinn sweep: %d of %d cells failed:\n", res.Failed, res.Planned)
	}
	for _, p := range res.Pending {
		line := fmt.Sprintf("  cell %d  %s  %s", p.Index, p.Name, p.Status)
		if p.Error != "" {
			line += ": " + p.Error
		}
		fmt.Fprintln(env.stderr, line)
	}
	fmt.Fprintf(env.stderr, "to run them: fairbinn sweep --cell N --out %s for each, or apply the Job again (cells done are skipped); then merge again\n", c.merge)
	return err
}
