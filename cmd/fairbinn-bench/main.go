package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/fairbinn/fairbinn-go/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the flags into bench.Options, runs the benchmark and prints its report; it returns the exit
// code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "synth-adult":
			return synthAdult(args[1:], stdout, stderr)
		case "load-data":
			return loadData(args[1:], stdout, stderr)
		}
	}
	o := bench.DefaultOptions()
	var methods, execArgv string
	var asJSON bool
	fs := flag.NewFlagSet("fairbinn-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.OutDir, "out-dir", o.OutDir, "folder for bench.json, bench.md and the files the benchmark makes")
	fs.StringVar(&o.Backbone, "backbone", "", "the backbone (default: the shipped Adult MLP, testdata/models/adult_mlp/model.onnx)")
	fs.StringVar(&o.Position, "position", o.Position, "where the fairness layer goes")
	fs.StringVar(&o.Data, "data", "", "adult:DIR (default: ../shared/data/adult beside the checkout, else testdata/adult)")
	fs.StringVar(&o.Peer, "peer", "", "the PyTorch peer script (default: ../shared/bench/torch_fairbinn.py beside the checkout); \"none\" skips it")
	fs.StringVar(&o.Python, "python", o.Python, "the Python that runs the peer (it needs torch and pandas)")
	fs.StringVar(&methods, "methods", strings.Join(o.Methods, ","), "training methods to time, comma-separated")
	fs.BoolVar(&o.Frozen, "frozen", o.Frozen, "also time each method with the prefix frozen (fairbinn train --train-leader after) beside the whole graph")
	fs.IntVar(&o.Epochs, "epochs", o.Epochs, "epochs per training run; the median epoch time leaves out the first (unless there is one)")
	fs.IntVar(&o.Repeat, "repeat", o.Repeat, "training runs per method and side (the report keeps every run, their median and their range)")
	fs.IntVar(&o.Threads, "threads", o.Threads, "threads for both sides: GOMAXPROCS and onnxruntime's intra-op threads, torch.set_num_threads")
	fs.IntVar(&o.Batch, "batch", o.Batch, "training mini-batch rows")
	fs.IntVar(&o.Rows, "rows", o.Rows, "rows for the inference measurements")
	fs.IntVar(&o.ModelMB, "model-mb", o.ModelMB, "size in MB of the generated MLP for the import and export measurement (0 skips it)")
	fs.StringVar(&o.Fairbinn, "fairbinn", "", "the fairbinn executable to time (default: fairbinn in this executable's folder)")
	fs.BoolVar(&asJSON, "json", false, "print the report as one JSON object on stdout instead of Markdown, and no progress")
	fs.StringVar(&execArgv, "exec", "", "the timing protocol: run the command given as a JSON array of strings and write its wall time and peak RSS as JSON on file descriptor 3")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: fairbinn-bench [--out-dir out/bench] [--epochs 5] [--repeat 3] [--threads 2] [--peer torch_fairbinn.py] [--rows 100000] [--model-mb 100]\n\nflags:\n")
		// Every flag but --exec, which the benchmark gives its own children.
		visible := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
		visible.SetOutput(fs.Output())
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "exec" {
				visible.Var(f.Value, f.Name, f.Usage)
				visible.Lookup(f.Name).DefValue = f.DefValue
			}
		})
		visible.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
		return 2 // flag has printed the error and the usage
	}
	if execArgv != "" {
		return bench.Exec(ctx, execArgv, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fairbinn-bench: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	o.Methods = splitList(methods)
	o.Command = strings.Join(append([]string{"fairbinn-bench"}, args...), " ")
	if !asJSON {
		o.Progress = stderr
	}
	rep, err := bench.Run(ctx, o)
	if errors.Is(err, bench.ErrOptions) {
		fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, bench.Markdown(rep))
	return 0
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
