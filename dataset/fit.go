package dataset

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// adultDefaults returns the fixed parts of the Adult encoding (no features).
func adultDefaults() *Encoding {
	return &Encoding{
		Version:   EncodingVersion,
		Source:    SourceAdult,
		Label:     Label{Column: "Y", Positive: []string{">50K", ">50K."}},
		Sensitive: []string{"sex"},
		Missing:   "?",
		Drop:      []string{"fnlwgt"},
	}
}

// adultNumeric are Adult's numeric columns; the others except sex are categorical.
var adultNumeric = []string{"age", "education-num", "capital-gain", "capital-loss", "hours-per-week"}

// fitAdult fits the usual 101-feature Adult encoding on the given records: in file column order (fnlwgt
// and the label skipped), numeric columns min-max scaled, sex as one feature "sex" (1 for Female), and every
// other column one-hot over the categories of these records in byte order, named column_value, except
// native-country_Holand-Netherlands (absent from the test file).
func fitAdult(t *table, recs []int, sensitive []string) (*Encoding, error) {
	e := adultDefaults()
	e.Sensitive = slices.Clone(sensitive)
	fits, err := fitColumns(t, recs, func(c int) bool {
		return !slices.Contains(e.Drop, t.header[c]) && t.header[c] != e.Label.Column && t.header[c] != "sex"
	}, maxCategories)
	if err != nil {
		return nil, err
	}
	for c, col := range t.header {
		switch {
		case slices.Contains(e.Drop, col) || col == e.Label.Column:
		case slices.Contains(adultNumeric, col):
			lo, hi, err := fits[c].minMax(t, col)
			if err != nil {
				return nil, err
			}
			e.Features = append(e.Features, Feature{Name: col, Column: col, Kind: Numeric, Min: lo, Max: hi})
		case col == "sex":
			e.Features = append(e.Features, Feature{Name: "sex", Column: "sex", Kind: OneHot, Value: "Female"})
		default:
			cats, err := fits[c].categories(t, recs, c)
			if err != nil {
				return nil, err
			}
			for _, v := range cats {
				if col == "native-country" && v == "Holand-Netherlands" {
					continue
				}
				e.Features = append(e.Features, Feature{Name: col + "_" + v, Column: col, Kind: OneHot, Value: v})
			}
		}
	}
	return e, nil
}

// fitCSV fits an encoding on the given records of a generic CSV file. Every column but the label and the
// dropped ones is a feature: numeric (all values numbers) min-max scaled, categorical (any other value)
// one-hot over its categories in byte order, named column_value; with passthrough, raw numbers.
func fitCSV(t *table, recs []int, p *plan) (*Encoding, error) {
	e := &Encoding{
		Version:     EncodingVersion,
		Source:      SourceCSV,
		Label:       Label{Column: p.label, Positive: slices.Clone(p.positive), Classes: slices.Clone(p.classes)},
		Sensitive:   slices.Clone(p.sensitive),
		Missing:     p.missing,
		Drop:        append([]string{}, p.drop...),
		Passthrough: p.passthrough,
	}
	fits, err := fitColumns(t, recs, func(c int) bool {
		return t.header[c] != p.label && !slices.Contains(p.drop, t.header[c])
	}, maxCategories)
	if err != nil {
		return nil, err
	}
	for c, col := range t.header {
		if col == p.label || slices.Contains(p.drop, col) {
			continue
		}
		if _, dup := t.dup[col]; dup {
			_, err := t.column(col, "a feature (drop it, or rename one of them)")
			return nil, err
		}
		f := fits[c]
		bad, text := f.bad, f.text
		// A numeric column with a few words in it is a number column with a missing-value token, not a
		// category: fitting it as categories would make one feature per number.
		if !p.passthrough && bad >= 0 && text*10 <= len(recs) && !slices.Contains(sensitiveColumns(p.sensitive), col) {
			return nil, t.errorAt(f.badAt, col,
				fmt.Errorf("%w: %q in a column whose other %d%% of values are numbers; if it marks a missing value, give it as the missing-value token",
					ErrNotNumeric, f.badCell, 100*(len(recs)-text)/len(recs)))
		}
		switch {
		case p.passthrough && bad >= 0:
			if slices.Contains(sensitiveColumns(p.sensitive), col) {
				continue // a non-numeric sensitive column only forms groups
			}
			_, err := parseNumber(f.badCell)
			return nil, t.errorAt(f.badAt, col, fmt.Errorf("%w (passthrough needs numeric feature columns)", err))
		case p.passthrough:
			if _, _, err := f.minMax(t, col); err != nil {
				return nil, err
			}
			e.Features = append(e.Features, Feature{Name: col, Column: col, Kind: Raw})
		case bad < 0:
			lo, hi, err := f.minMax(t, col)
			if err != nil {
				return nil, err
			}
			e.Features = append(e.Features, Feature{Name: col, Column: col, Kind: Numeric, Min: lo, Max: hi})
		default:
			cats, err := f.categories(t, recs, c)
			if err != nil {
				return nil, err
			}
			for _, v := range cats {
				e.Features = append(e.Features, Feature{Name: col + "_" + v, Column: col, Kind: OneHot, Value: v})
			}
		}
	}
	if is := e.check(); is != nil {
		c := -1
		col := ""
		if is.feature >= 0 {
			col = e.Features[is.feature].Column
			c, _ = t.column(col, "a feature")
		}
		return nil, t.headerError(c, col, fmt.Errorf("%w: %s", ErrSpec, is.msg))
	}
	return e, nil
}

// maxCategories bounds the distinct values a fitting pass keeps of a column: a column with more is a
// numeric one (fitting every column at once must not hold a million distinct numbers), and in the rare
// case it is not, its categories are read again.
var maxCategories = 4096 // a variable for the tests

// columnFit is what fitting an encoding learns of one column over the training records.
type columnFit struct {
	bad     int    // first record whose cell is not a number (-1: none)
	badAt   cellAt // and where that cell is
	badCell string
	text    int // cells that are not numbers
	lo, hi  float64
	seen    bool   // lo and hi hold a value
	numErr  error  // why parseNumber refuses the first cell it refuses (nil: none)
	numAt   cellAt // and where that cell is
	cats    map[string]cell
	full    bool // more than the limit of distinct values: cats is nil
}

// cell is a parsed cell, kept with each distinct value so that a repeated category is parsed once.
type cell struct {
	v       float64
	numeric bool // looksNumeric
	finite  bool // parseNumber accepts it
}

func parseCell(s string) cell {
	v, err := strconv.ParseFloat(s, 64)
	return cell{v: v, numeric: looksNumeric(err), finite: err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)}
}

// fitColumns reads the given records of t (ascending record indexes) in one pass and returns what fitting
// needs of each column for which want holds (nil for the others), keeping at most limit distinct values of
// a column (no bound when negative).
func fitColumns(t *table, recs []int, want func(c int) bool, limit int) ([]*columnFit, error) {
	fits := make([]*columnFit, len(t.header))
	for c := range fits {
		if want(c) {
			fits[c] = &columnFit{bad: -1, cats: map[string]cell{}}
		}
	}
	n := 0 // records of recs read
	err := t.scan(func(r int, rec []string, pos fieldPos) error {
		if n == len(recs) || recs[n] != r {
			return nil
		}
		n++
		for c, f := range fits {
			if f == nil {
				continue
			}
			s := rec[c]
			p, known := f.cats[s]
			if !known {
				p = parseCell(s)
				if !f.full && len(f.cats) == limit {
					f.full, f.cats = true, nil
				}
				if !f.full {
					f.cats[strings.Clone(s)] = p
				}
			}
			if !p.numeric {
				if f.bad < 0 {
					f.bad, f.badAt, f.badCell = r, where(pos, c), strings.Clone(s)
				}
				f.text++
			}
			switch {
			case !p.finite:
				if f.numErr == nil {
					_, f.numErr = parseNumber(s)
					f.numAt = where(pos, c)
				}
			case !f.seen:
				f.lo, f.hi, f.seen = p.v, p.v, true
			default:
				f.lo, f.hi = min(f.lo, p.v), max(f.hi, p.v)
			}
		}
		return nil
	})
	return fits, err
}

// looksNumeric reports whether strconv.ParseFloat's error says its cell is a number (NaN, infinities and
// out-of-range values included: they make the column numeric and are then reported as non-finite).
func looksNumeric(err error) bool {
	if err == nil {
		return true
	}
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// minMax returns the range of a numeric column over the records fitted, or the error of its first cell
// that is not a finite number.
func (f *columnFit) minMax(t *table, column string) (lo, hi float64, err error) {
	if f.numErr != nil {
		return 0, 0, t.errorAt(f.numAt, column, f.numErr)
	}
	return f.lo, f.hi, nil
}

// categories returns the distinct values of column c over the records fitted, in byte order.
func (f *columnFit) categories(t *table, recs []int, c int) ([]string, error) {
	if f.full {
		again, err := fitColumns(t, recs, func(i int) bool { return i == c }, -1)
		if err != nil {
			return nil, err
		}
		f = again[c]
	}
	return slices.Sorted(maps.Keys(f.cats)), nil
}
