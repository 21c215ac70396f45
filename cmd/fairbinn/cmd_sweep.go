package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/train"
)

// sweepCmd trains a grid of configurations (method × η × seed) and summarises it: DIR/sweep.json,
// DIR/pareto.png and a table of mean ± sd over seeds. The grid runs here, or cell by cell in processes
// of their own (sweep_cluster.go), on a Kubernetes cluster for one (sweep_k8s.go).
type sweepCmd struct {
	f          trainFlags
	fs         *flag.FlagSet
	dir        string
	methods    string
	etas       string
	seeds      int
	seedList   string
	keepModels bool
	markdown   bool
	// The sweep in cells: --plan DIR, --cell N, --merge DIR, --k8s-job and its flags.
	planDir, cell, merge string
	k8s                  k8sFlags
}

// Flags that train has and sweep replaces with its own (lists, a folder) or does not take.
var sweepReplaced = []string{"out", "report", "method", "eta", "seed", "checkpoint", "resume"}

func (*sweepCmd) Name() string { return "sweep" }
func (*sweepCmd) Synopsis() string {
	return "sweep --backbone IN.onnx --data SPEC --position P --eta LIST --method LIST (--seeds N | --seed-list LIST) (--out DIR | --plan DIR) [training flags]\n" +
		"       fairbinn sweep --cell N --out DIR | --merge DIR | --k8s-job (--plan DIR | the grid flags) --image IMG --dir-volume-claim NAME [--mount /data --out DIR --parallelism P --cpu 2 --memory 4Gi --name NAME]"
}

func (c *sweepCmd) Flags(fs *flag.FlagSet) {
	c.fs = fs
	def := train.DefaultConfig(train.DefaultMethod)
	// The training flags, with train's defaults, except those sweep takes as lists.
	tfs := flag.NewFlagSet("train", flag.ContinueOnError)
	c.f.register(tfs, def)
	tfs.VisitAll(func(fl *flag.Flag) {
		if !slices.Contains(sweepReplaced, fl.Name) {
			fs.Var(fl.Value, fl.Name, fl.Usage)
		}
	})
	c.f.fs = fs // the flags given are those of sweep's own command line
	fs.StringVar(&c.dir, "out", "", "folder for sweep.json, pareto.png and runs/ (one report per run, and models with --keep-models); "+
		"with --cell, the sweep folder that holds the plan; with --k8s-job, the sweep folder as the containers see it")
	fs.StringVar(&c.methods, "method", string(def.Method), "comma-separated methods: bilevel, bilevel-paper, reference, lagrangian, constrained, erm (erm ignores η: it runs once per seed, recorded as η 0)")
	fs.StringVar(&c.etas, "eta", "", "comma-separated weights η of the fairness loss "+strings.TrimPrefix(etaUsage, "weight η of the fairness loss "))
	fs.IntVar(&c.seeds, "seeds", 1, "number of seeds per configuration: seeds 1..N")
	fs.StringVar(&c.seedList, "seed-list", "", "comma-separated seeds (instead of --seeds)")
	fs.BoolVar(&c.keepModels, "keep-models", false, "also write each run's model to DIR/runs/<run>.onnx (reports are always written)")
	fs.BoolVar(&c.markdown, "markdown", false, "print the summary as a Markdown table")
	c.clusterFlags(fs)
}

// parseGrid checks the lists; every mistake is bad input, named by its flag.
func (c *sweepCmd) parseGrid(set map[string]bool) (fairbinn.SweepGrid, error) {
	switch {
	case set["seed-list"] && set["seeds"]:
		return fairbinn.SweepGrid{}, fault.Badf("--seeds and --seed-list: give one of them")
	case !set["seed-list"] && c.seeds < 1:
		return fairbinn.SweepGrid{}, fault.Badf("--seeds %d: want at least 1", c.seeds)
	}
	seeds := c.seedList
	if !set["seed-list"] {
		seeds = fmt.Sprintf("1-%d", c.seeds)
	}
	etas := c.etas
	if !set["eta"] {
		etas = "0" // the criterion's default, set by options once the criterion is known
	}
	g, err := fairbinn.ParseGrid(c.methods, etas, seeds)
	var le *fairbinn.ListError
	if errors.As(err, &le) {
		flagName := map[string]string{"methods": "method", "etas": "eta", "seeds": "seed-list"}[le.List]
		if le.Item == "" {
			return g, fault.Badf("--%s: %s", flagName, le.Problem)
		}
		return g, fault.Badf("--%s %q: %s", flagName, le.Item, le.Problem)
	}
	return g, err
}

// options maps the command line to the library's sweep options, for a sweep in the folder dir.
func (c *sweepCmd) options(dir string) (fairbinn.SweepOptions, error) {
	set := c.f.given()
	if c.f.backbone == "" || c.f.data.spec == "" || c.f.position == "" {
		return fairbinn.SweepOptions{}, usagef("--backbone, --data and --position are required")
	}
	grid, err := c.parseGrid(set)
	if err != nil {
		return fairbinn.SweepOptions{}, err
	}
	c.f.method = string(grid.Methods[0]) // the base configuration is checked with a method of the grid
	base, err := c.f.config()
	if err != nil {
		return fairbinn.SweepOptions{}, err
	}
	if !set["eta"] {
		grid.Etas = []float64{base.Eta}
	}
	data, err := c.f.data.options()
	if err != nil {
		return fairbinn.SweepOptions{}, err
	}
	hc, err := c.f.head.choice()
	if err != nil {
		return fairbinn.SweepOptions{}, err
	}
	return fairbinn.SweepOptions{
		Backbone: c.f.backbone, Data: data, Position: c.f.position, Layers: c.f.layers, Init: c.f.init, Head: hc, Thresholds: c.f.thresholds,
		Base: base, Methods: grid.Methods, Etas: grid.Etas, Seeds: grid.Seeds,
		// The method's own learning-rate schedule unless the command line sets one.
		Configure: func(cfg *train.Config) { cfg.ApplyScheduleExcept(givenSetting(set)) },
		Dir:       dir, KeepModels: c.keepModels, Threads: c.f.threads,
		Groups:      fairbinn.GroupHandling{MinGroupSize: c.f.minGroup, MergeSmallGroups: c.f.mergeSmall, IgnoreSmallGroups: c.f.ignoreSmall, BestEffort: c.f.bestEffort},
		CacheMemory: c.f.cacheMB << 20,
	}, nil
}

func (c *sweepCmd) Run(ctx context.Context, env *cmdEnv, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if err := c.checkModes(); err != nil {
		return err
	}
	switch {
	case c.merge != "":
		return c.runMerge(env)
	case c.k8s.enabled:
		return c.runK8sJob(env)
	case c.planDir != "":
		return c.runPlan(env)
	case c.cellMode():
		return c.runCell(ctx, env)
	}
	if c.dir == "" {
		return usagef("--backbone, --data, --position and --out are required")
	}
	opts, err := c.options(c.dir)
	if err != nil {
		return err
	}
	if !c.f.quiet {
		opts.OnRun = func(i, n int, r *fairbinn.SweepRun) {
			fmt.Fprintf(env.stderr, "run %d/%d %s\n", i+1, n, fairbinn.ProgressLine(r))
		}
	}
	res, err := fairbinn.Sweep(ctx, opts)
	if res == nil {
		return positionFlag(err, c.f.position)
	}
	if perr := c.printResult(env, res, c.dir); perr != nil {
		return perr
	}
	if err == nil && res.Failed > 0 {
		fmt.Fprintf(env.stderr, "fairbinn sweep: %d of %d runs failed; see %s\n", res.Failed, res.Finished, filepath.Join(c.dir, "sweep.json"))
	}
	return err
}

// printResult prints a sweep's result: JSON, a Markdown table, or a table and the files' paths.
func (c *sweepCmd) printResult(env *cmdEnv, res *fairbinn.SweepResult, dir string) error {
	switch {
	case env.json:
		return writeJSON(env.stdout, res)
	case c.markdown:
		fairbinn.WriteSweepMarkdown(env.stdout, res)
	default:
		fairbinn.WriteSweepTable(env.stdout, res)
		fmt.Fprintf(env.stdout, "\nsweep   %s\n", filepath.Join(dir, "sweep.json"))
		if plot := filepath.Join(dir, "pareto.png"); fsutil.IsFile(plot) {
			fmt.Fprintf(env.stdout, "plot    %s\n", plot)
		}
	}
	return nil
}
