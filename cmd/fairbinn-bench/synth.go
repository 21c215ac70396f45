package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

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
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: fairbinn-bench synth-adult --out FILE.csv [--rows 5000000] [--seed 1] [--from adult.data.gz]\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
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
