package dataset

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A sensitive attribute is given as a column name, whose values are the groups, or as COLUMN:BINS for a
// numeric column whose groups are ranges of its values. BINS is either ascending edges, "age:25,60" (groups
// "<25", "[25,60)" and ">=60"), or the ranges themselves in the order they are tried, "age:<25,25-60,>60"
// (<a, <=a, >a, >=a, and a-b for a ≤ v ≤ b; the first that holds names the group). A value no range holds is
// an error, and so is a range no training row falls in.

// bin is one range of a binned sensitive column.
type bin struct {
	name           string
	lo, hi         float64 // bounds; ±Inf when open
	loIncl, hiIncl bool
}

func (b bin) holds(v float64) bool {
	return (v > b.lo || (b.loIncl && v == b.lo)) && (v < b.hi || (b.hiIncl && v == b.hi))
}

// sensitiveAttr is one parsed sensitive attribute.
type sensitiveAttr struct {
	spec   string // as given
	column string
	bins   []bin // nil: the column's values are the groups
}

// parseSensitive parses a sensitive attribute as given. A name with a colon whose tail is not a valid bin
// list is a column name of its own.
func parseSensitive(spec string) (sensitiveAttr, error) {
	col, tail, ok := strings.Cut(spec, ":")
	if !ok || col == "" {
		return sensitiveAttr{spec: spec, column: spec}, nil
	}
	bins, err := parseBins(tail)
	if err != nil {
		return sensitiveAttr{}, fmt.Errorf("%w: sensitive %q: %v", ErrOption, spec, err)
	}
	return sensitiveAttr{spec: spec, column: col, bins: bins}, nil
}

// parseBins parses "25,60" (edges) or "<25,25-60,>60" (ranges).
func parseBins(s string) ([]bin, error) {
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	edges := make([]float64, 0, len(items))
	for _, it := range items {
		v, err := finite(it)
		if err != nil {
			edges = nil
			break
		}
		edges = append(edges, v)
	}
	if edges != nil {
		for i := 1; i < len(edges); i++ {
			if edges[i] <= edges[i-1] {
				return nil, fmt.Errorf("bin edges must ascend (%v then %v)", edges[i-1], edges[i])
			}
		}
		inf := math.Inf(1)
		bins := []bin{{name: "<" + items[0], lo: -inf, hi: edges[0]}}
		for i := 1; i < len(edges); i++ {
			bins = append(bins, bin{name: "[" + items[i-1] + "," + items[i] + ")", lo: edges[i-1], hi: edges[i], loIncl: true})
		}
		return append(bins, bin{name: ">=" + items[len(items)-1], lo: edges[len(edges)-1], hi: inf, loIncl: true}), nil
	}
	bins := make([]bin, 0, len(items))
	for _, it := range items {
		b, err := parseRange(it)
		if err != nil {
			return nil, err
		}
		for _, prev := range bins {
			if prev.name == b.name {
				return nil, fmt.Errorf("range %q given twice", it)
			}
		}
		bins = append(bins, b)
	}
	if len(bins) < 2 {
		return nil, fmt.Errorf("one range makes one group; give two or more")
	}
	return bins, nil
}

// parseRange parses <a, <=a, >a, >=a or a-b.
func parseRange(s string) (bin, error) {
	inf := math.Inf(1)
	for _, op := range []string{"<=", ">=", "<", ">"} {
		rest, ok := strings.CutPrefix(s, op)
		if !ok {
			continue
		}
		v, err := finite(rest)
		if err != nil {
			return bin{}, fmt.Errorf("range %q: %q is not a number", s, rest)
		}
		switch op {
		case "<=":
			return bin{name: s, lo: -inf, hi: v, hiIncl: true}, nil
		case "<":
			return bin{name: s, lo: -inf, hi: v}, nil
		case ">=":
			return bin{name: s, lo: v, hi: inf, loIncl: true}, nil
		default:
			return bin{name: s, lo: v, hi: inf}, nil
		}
	}
	// a-b: the dash after the first character (a may be negative).
	if i := strings.Index(s[min(1, len(s)):], "-"); i >= 0 {
		i++
		lo, err1 := finite(s[:i])
		hi, err2 := finite(s[i+1:])
		if err1 == nil && err2 == nil {
			if hi < lo {
				return bin{}, fmt.Errorf("range %q: %v is above %v", s, lo, hi)
			}
			return bin{name: s, lo: lo, hi: hi, loIncl: true, hiIncl: true}, nil
		}
	}
	return bin{}, fmt.Errorf("range %q: want <a, <=a, >a, >=a or a-b", s)
}

func finite(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not a finite number")
	}
	return v, nil
}

// group returns the group a cell of the attribute's column forms.
func (a sensitiveAttr) group(cell string) (string, error) {
	if a.bins == nil {
		return cell, nil
	}
	v, err := parseNumber(cell)
	if err != nil {
		return "", fmt.Errorf("%w (the sensitive attribute %s is binned)", err, a.spec)
	}
	for _, b := range a.bins {
		if b.holds(v) {
			return b.name, nil
		}
	}
	return "", fmt.Errorf("%w: %s is in none of the ranges of %s", ErrOption, cell, a.spec)
}

// SplitSensitive splits a comma-separated list of sensitive attributes, keeping the commas of a bin list
// with its column: "age:<25,25-60,>60,sex" is "age:<25,25-60,>60" and "sex".
func SplitSensitive(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if n := len(out); n > 0 && strings.Contains(out[n-1], ":") && looksLikeBin(p) {
			out[n-1] += "," + p
			continue
		}
		out = append(out, p)
	}
	return out
}

// looksLikeBin reports whether an item of a comma-separated list is a bin edge or range, not a column.
func looksLikeBin(s string) bool {
	if _, err := finite(s); err == nil {
		return true
	}
	_, err := parseRange(s)
	return err == nil
}

// sensitiveColumns returns the columns of sensitive attributes as given.
func sensitiveColumns(specs []string) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		a, err := parseSensitive(s)
		if err != nil {
			out[i] = s
			continue
		}
		out[i] = a.column
	}
	return out
}
