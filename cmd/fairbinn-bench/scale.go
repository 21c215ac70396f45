package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/bench"
)

// synthAdult is `fairbinn-bench synth-adult`: it writes a seeded synthetic Adult CSV (bench.SynthAdult), the
// data of the large-file measurement (make bench-scale).
func synthAdult(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fairbinn-bench synth-adult", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int("rows", 5_000_000, "data rows to write")
	seed := fs.Uint64("seed", 1, "seed of the draws and perturbations")
	from := fs.String("from", "testdata/adult/adult.data.gz", "the Adult file (with a header row) the rows are drawn from")
	out := fs.String("out", "", "the CSV file to write (- for stdout)")
	if code, ok := parseFlags(fs, "fairbinn-bench synth-adult --out FILE.csv [--rows 5000000] [--seed 1] [--from adult.data.gz]", args); !ok {
		return code
	}
	if *out == "" || fs.NArg() > 0 || *rows < 1 {
		fs.Usage()
		return 2
	}
	w, closeOut := stdout, func() error { return nil }
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
			return 1
		}
		bw := bufio.NewWriter(f)
		w = bw
		closeOut = func() error { return errors.Join(bw.Flush(), f.Close()) }
	}
	err := bench.SynthAdult(w, *from, *rows, *seed)
	if err = errors.Join(err, closeOut()); err != nil {
		fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
		return 1
	}
	return 0
}

// loadData is `fairbinn-bench load-data`: it loads a data set for a backbone as fairbinn train does
// (fairbinn.LoadData, the training seed's splits) and prints the load time, the encoded size and the
// process's peak RSS, the load half of the large-file measurement (make bench-scale).
func loadData(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fairbinn-bench load-data", flag.ContinueOnError)
	fs.SetOutput(stderr)
	backbone := fs.String("backbone", "testdata/models/adult_mlp/model.onnx", "the backbone whose stored encoding encodes the rows")
	data := fs.String("data", "", "the data spec (csv:FILE, adult:DIR)")
	if code, ok := parseFlags(fs, "fairbinn-bench load-data --data SPEC [--backbone M.onnx]", args); !ok {
		return code
	}
	if *data == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	m, err := fairbinn.Load(*backbone)
	if err != nil {
		fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
		return 1
	}
	st, err := os.Stat(*backbone)
	if err != nil {
		fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
		return 1
	}
	start := time.Now()
	d, err := fairbinn.LoadData(m, fairbinn.DataOptions{Spec: *data, Seed: fairbinn.TrainingSeed(m)})
	if err != nil {
		fmt.Fprintf(stderr, "fairbinn-bench: %v\n", err)
		return 1
	}
	took := time.Since(start).Seconds()
	rows, records := d.Train.Rows+d.Val.Rows+d.Test.Rows, 0
	for _, f := range d.Files {
		records += f.Records
	}
	encoded := float64(rows*d.Train.Cols*4) / (1 << 20)
	model := float64(st.Size()) / (1 << 20)
	fmt.Fprintf(stdout, "load %s: %.1f s, %d records (%.0f/s); %d rows kept (train %d, val %d, test %d) x %d features\n",
		*data, took, records, float64(records)/took, rows, d.Train.Rows, d.Val.Rows, d.Test.Rows, d.Train.Cols)
	fmt.Fprintf(stdout, "encoded float32 data %.1f MiB (rows x features x 4), model %.2f MiB, 2 x (encoded + model) %.1f MiB; peak RSS of the load %.1f MiB\n",
		encoded, model, 2*(encoded+model), bench.SelfPeakRSSMB())
	return 0
}

// parseFlags parses a subcommand's flags, its usage line given. When it says stop (ok false), exit is
// the code to stop with: 0 for --help, 2 for a flag error; flag has printed the usage (and the error).
func parseFlags(fs *flag.FlagSet, usage string, args []string) (exit int, ok bool) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}
