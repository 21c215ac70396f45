package bench

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
)

// SynthAdult writes rows drawn from the UCI Adult file src (adult.data with a header row, gzip'd or not) to
// w, as a CSV with the same header: each row is a seeded uniform draw of a source row whose numeric columns
// are perturbed — age and hours-per-week by a few units, fnlwgt and nonzero capital gains and losses by up
// to ±10 % — and kept within the column's range in the source, so that an encoding fitted on Adult (the
// shipped backbone's) applies without clipping. The categorical columns, the label and the missing-value
// tokens are the source row's, so the groups, the labels and the share of rows dropped follow Adult's. The
// same source, rows and seed write the same bytes.
func SynthAdult(w io.Writer, src string, rows int, seed uint64) error {
	header, recs, err := readAdult(src)
	if err != nil {
		return err
	}
	// How each numeric column is perturbed: by an integer step of at most step, or by a relative factor.
	type perturb struct {
		col      int
		step     int
		relative bool
		lo, hi   float64 // the column's range in the source
	}
	var ps []perturb
	for _, p := range []struct {
		name     string
		step     int
		relative bool
	}{{"age", 2, false}, {"fnlwgt", 0, true}, {"capital-gain", 0, true}, {"capital-loss", 0, true}, {"hours-per-week", 3, false}} {
		c := slices.Index(header, p.name)
		if c < 0 {
			return fmt.Errorf("%s: no column %q in the header", src, p.name)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, rec := range recs {
			if v, err := strconv.ParseFloat(rec[c], 64); err == nil {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		ps = append(ps, perturb{col: c, step: p.step, relative: p.relative, lo: lo, hi: hi})
	}

	rng := rand.New(rand.NewPCG(seed, 0x6164756c74)) // "adult"
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for range rows {
		copy(row, recs[rng.IntN(len(recs))])
		for _, p := range ps {
			v, err := strconv.ParseFloat(row[p.col], 64)
			if err != nil {
				continue // a missing value stays missing
			}
			switch {
			case p.relative && v != 0:
				v = math.Round(v * (0.9 + 0.2*rng.Float64()))
			case !p.relative:
				v += float64(rng.IntN(2*p.step+1) - p.step)
			}
			row[p.col] = strconv.FormatFloat(min(max(v, p.lo), p.hi), 'f', -1, 64)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// readAdult reads an Adult file with a header row: its header and records, fields trimmed.
func readAdult(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var in io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		in = zr
	}
	r := csv.NewReader(in)
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(recs) < 2 {
		return nil, nil, fmt.Errorf("%s: want a header row and data rows", path)
	}
	for _, rec := range recs {
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
	}
	return recs[0], recs[1:], nil
}
