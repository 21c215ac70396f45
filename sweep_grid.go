package fairbinn

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/train"
)

// ListError is a mistake in one of a sweep grid's lists: the list, the item at fault ("" for the list as
// a whole) and what is wrong. It is fault.BadInput.
type ListError struct {
	List, Item, Problem string
}

func (e *ListError) Error() string {
	if e.Item == "" {
		return e.List + ": " + e.Problem
	}
	return fmt.Sprintf("%s %q: %s", e.List, e.Item, e.Problem)
}

// FaultKind makes a bad list the user's to fix.
func (e *ListError) FaultKind() fault.Kind { return fault.BadInput }

// ParseGrid reads a sweep grid from comma-separated lists: methods, η values (finite, >= 0) and seeds
// (non-negative integers, or a range "1-5"). Repeats and empty lists are refused.
func ParseGrid(methods, etas, seeds string) (SweepGrid, error) {
	var g SweepGrid
	var err error
	want := "want a comma-separated list of " + strings.Join(train.MethodNames(), ", ")
	if slices.Contains(strings.Split(strings.ReplaceAll(methods, " ", ""), ","), "thresholds") {
		// Post-processing is in every sweep already: its baseline row.
		want = "per-group thresholds on the backbone are every sweep's baseline row (threshold_baseline in sweep.json), and --thresholds adds them after each run; " + want
	}
	if g.Methods, err = parseList("methods", methods, want, train.ParseMethod); err != nil {
		return g, err
	}
	if g.Etas, err = parseList("etas", etas, "want a comma-separated list of finite numbers >= 0", parseEta); err != nil {
		return g, err
	}
	if lo, hi, ok := strings.Cut(seeds, "-"); ok {
		a, errA := strconv.ParseUint(lo, 10, 64)
		b, errB := strconv.ParseUint(hi, 10, 64)
		if errA != nil || errB != nil || a > b || b-a >= 1<<16 {
			return g, &ListError{"seeds", seeds, "want a range FIRST-LAST of at most 65536 seeds"}
		}
		for s := a; s <= b; s++ {
			g.Seeds = append(g.Seeds, s)
		}
		return g, nil
	}
	g.Seeds, err = parseList("seeds", seeds, "want a comma-separated list of non-negative integers",
		func(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) })
	return g, err
}

func parseEta(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && (v < 0 || math.IsNaN(v) || math.IsInf(v, 0)) {
		err = strconv.ErrRange
	}
	return v, err
}

// parseList parses a comma-separated list item by item, refusing a bad item, a repeated one and an empty
// list.
func parseList[T comparable](list, value, want string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, item := range strings.Split(value, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		v, err := parse(item)
		if err != nil {
			return nil, &ListError{list, item, want}
		}
		if slices.Contains(out, v) {
			return nil, &ListError{list, "", item + " is listed twice"}
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, &ListError{list, "", "no value given"}
	}
	return out, nil
}
