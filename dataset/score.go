package dataset

import (
	"strings"
)

// Scored are the rows of one data file encoded for scoring: every row with the features the encoding
// needs, labelled or not, in file order.
type Scored struct {
	*Split
	// Skipped counts the rows left out for a missing value in a feature column.
	Skipped int
}

// ScoreFile encodes every row of the file a data spec names (csv:FILE, or adult:DIR's adult.data) with
// enc, reading only its feature columns: the label and the sensitive columns may be absent, so rows
// without a label can be scored. Rows with the missing-value token in a feature column are skipped and
// counted; unseen categories and clipped values are counted as in Load (refused with strict).
func ScoreFile(spec string, enc *Encoding, strict bool) (*Scored, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	var t *table
	var err error
	switch kind {
	case "csv":
		t, err = readTable(arg, nil)
	case "adult":
		var path string
		if path, err = findFile(arg, "adult.data"); err == nil {
			t, err = readTable(path, adultHeader)
		}
	default:
		return nil, badOption("data spec %q: scoring every row reads csv:FILE or adult:DIR", spec)
	}
	if err != nil {
		return nil, err
	}
	x, fe := enc.bindColumns(t.header, true)
	if fe != nil {
		return nil, t.headerError(fe.field, fe.column, fe.err)
	}
	// Room for every record, so the rows are written in place; rows skipped for a missing value leave
	// their room unused.
	cols := len(enc.Features)
	s := &Split{Name: "scored", File: t.path, Cols: cols, X: make([]float32, t.rows*cols), Row: make([]int, t.rows)}
	out := &Scored{Split: s}
	err = t.scan(func(r int, rec []string, pos fieldPos) error {
		if x.Missing(rec) {
			out.Skipped++
			return nil
		}
		i := s.Rows
		if fe := x.encodeRow(rec, s.X[i*cols:(i+1)*cols]); fe != nil {
			return t.cellError(pos, fe)
		}
		for _, col := range x.Unseen(rec) {
			if s.Unseen == nil {
				s.Unseen = map[string]int{}
			}
			if s.Unseen[col]++; strict {
				c, _ := t.column(col, "a feature")
				return t.cellError(pos, &fieldError{field: c, column: col,
					err: badOption("%q is a category the encoding never saw (strict categories)", rec[c])})
			}
		}
		s.Row[i] = r
		s.Rows++
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.X, s.Row = s.X[:s.Rows*cols], s.Row[:s.Rows]
	s.Clipped = x.clipped
	if s.Rows == 0 {
		return nil, &InputError{File: t.path, Line: t.hdrLine + 1, Col: 1, Err: badOption("all %d rows have a missing value in a feature column", out.Skipped)}
	}
	return out, nil
}
