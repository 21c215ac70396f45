package dataset

import (
	"fmt"
	"slices"
	"strconv"
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
	for c, col := range t.header {
		switch {
		case slices.Contains(e.Drop, col) || col == e.Label.Column:
		case slices.Contains(adultNumeric, col):
			lo, hi, err := minMax(t, recs, c)
			if err != nil {
				return nil, err
			}
			e.Features = append(e.Features, Feature{Name: col, Column: col, Kind: Numeric, Min: lo, Max: hi})
		case col == "sex":
			e.Features = append(e.Features, Feature{Name: "sex", Column: "sex", Kind: OneHot, Value: "Female"})
		default:
			for _, v := range categories(t, recs, c) {
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
		Label:       Label{Column: p.label, Positive: slices.Clone(p.positive)},
		Sensitive:   slices.Clone(p.sensitive),
		Missing:     p.missing,
		Drop:        append([]string{}, p.drop...),
		Passthrough: p.passthrough,
	}
	for c, col := range t.header {
		if col == p.label || slices.Contains(p.drop, col) {
			continue
		}
		if _, dup := t.dup[col]; dup {
			_, err := t.column(col, "a feature (drop it, or rename one of them)")
			return nil, err
		}
		bad, text := -1, 0 // first record whose cell is not a number, and how many are not
		for _, r := range recs {
			if !looksNumeric(t.recs[r][c]) {
				if bad < 0 {
					bad = r
				}
				text++
			}
		}
		// A numeric column with a few words in it is a number column with a missing-value token, not a
		// category: fitting it as categories would make one feature per number.
		if !p.passthrough && bad >= 0 && text*10 <= len(recs) && !slices.Contains(sensitiveColumns(p.sensitive), col) {
			return nil, t.cellError(bad, &fieldError{field: c, column: col,
				err: fmt.Errorf("%w: %q in a column whose other %d%% of values are numbers; if it marks a missing value, give it as the missing-value token",
					ErrNotNumeric, t.recs[bad][c], 100*(len(recs)-text)/len(recs))})
		}
		switch {
		case p.passthrough && bad >= 0:
			if slices.Contains(sensitiveColumns(p.sensitive), col) {
				continue // a non-numeric sensitive column only forms groups
			}
			_, err := parseNumber(t.recs[bad][c])
			return nil, t.cellError(bad, &fieldError{field: c, column: col,
				err: fmt.Errorf("%w (passthrough needs numeric feature columns)", err)})
		case p.passthrough:
			if _, _, err := minMax(t, recs, c); err != nil {
				return nil, err
			}
			e.Features = append(e.Features, Feature{Name: col, Column: col, Kind: Raw})
		case bad < 0:
			lo, hi, err := minMax(t, recs, c)
			if err != nil {
				return nil, err
			}
			e.Features = append(e.Features, Feature{Name: col, Column: col, Kind: Numeric, Min: lo, Max: hi})
		default:
			for _, v := range categories(t, recs, c) {
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

// looksNumeric reports whether a cell parses as a number (NaN, infinities and out-of-range values included:
// they make the column numeric and are then reported as non-finite).
func looksNumeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	if err == nil {
		return true
	}
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// minMax returns the range of a numeric column over the given records.
func minMax(t *table, recs []int, c int) (lo, hi float64, err error) {
	for i, r := range recs {
		v, err := parseNumber(t.recs[r][c])
		if err != nil {
			return 0, 0, t.cellError(r, &fieldError{field: c, column: t.header[c], err: err})
		}
		if i == 0 || v < lo {
			lo = v
		}
		if i == 0 || v > hi {
			hi = v
		}
	}
	return lo, hi, nil
}

// categories returns the distinct values of a column over the given records, in byte order.
func categories(t *table, recs []int, c int) []string {
	seen := make(map[string]bool)
	var vals []string
	for _, r := range recs {
		v := t.recs[r][c]
		if !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	return vals
}
