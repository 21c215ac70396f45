package fairbinn

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// DefaultMinGroupSize is the fewest validation rows a group may have by default. With fewer, a group's
// selection rate moves by more than 1/30 ≈ 0.033 per row, more than the fairness limits people state
// (0.01 to 0.05), so selecting an epoch on it, or checking a constraint, measures noise.
const DefaultMinGroupSize = 30

// GroupRows counts each group's rows in each split: split → group → rows.
func GroupRows(data *dataset.Data) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, s := range []*dataset.Split{data.Train, data.Val, data.Test} {
		if s == nil {
			continue
		}
		counts := map[string]int{}
		for _, name := range data.GroupNames {
			counts[name] = 0
		}
		for _, g := range s.Group {
			if g >= 0 {
				counts[data.GroupNames[g]]++
			}
		}
		for name, n := range data.IgnoredRows[s.Name] {
			counts[name] += n // groups left out of the gaps have their rows counted all the same
		}
		out[s.Name] = counts
	}
	return out
}

// checkGroupSizesExcept refuses, in one line naming them with their counts, the groups with fewer than
// min validation rows (0: DefaultMinGroupSize; negative: no check), except those in except.
func checkGroupSizesExcept(data *dataset.Data, min int, except []string) error {
	if min == 0 {
		min = DefaultMinGroupSize
	}
	if min < 0 || data.Val == nil {
		return nil
	}
	val := GroupRows(data)["val"]
	var small []string
	for _, name := range data.GroupNames {
		if n := val[name]; n < min && !slices.Contains(except, name) {
			small = append(small, fmt.Sprintf("%q %d", name, n))
		}
	}
	if len(small) == 0 {
		return nil
	}
	return fault.Badf("%d group(s) have fewer than %d validation rows (%s): their rates are noise at that size; merge them (merge-small-groups), leave them out of the fairness gaps (ignore-small-groups), bin or drop them in the data, or lower the minimum group size",
		len(small), min, strings.Join(small, ", "))
}

// checkConstraintAttributes refuses a constraint on an attribute that is not one of the data's sensitive
// attributes. With several, each has its groups (dataset.Data.Attributes); with one, the constraint may
// name it, and its groups are the data's.
func checkConstraintAttributes(cs fairness.Constraints, data *dataset.Data) error {
	var names []string
	for _, a := range data.Attributes {
		names = append(names, a.Name)
	}
	if len(names) == 0 && data.Encoding != nil && len(data.Encoding.Sensitive) == 1 {
		col, _, _ := strings.Cut(data.Encoding.Sensitive[0], ":")
		names = []string{col}
	}
	for _, c := range cs.List() {
		if c.Attribute != "" && !slices.Contains(names, c.Attribute) {
			if len(names) == 0 {
				return fault.Badf("constraint %s: these data have one group attribute without a name; state the constraint without (%s)", c, c.Attribute)
			}
			return fault.Badf("constraint %s: %q is not a sensitive attribute of the data (%s); name it in the sensitive attributes", c, c.Attribute, strings.Join(names, ", "))
		}
	}
	return nil
}

// OtherGroup is the name of the group small groups are merged into.
const OtherGroup = "other"

// mergeSmallGroups merges the groups with fewer than min validation rows into OtherGroup and returns
// their names; it refuses when the merged group is still below min.
func mergeSmallGroups(data *dataset.Data, min int) ([]string, error) {
	if min == 0 {
		min = DefaultMinGroupSize
	}
	if min < 0 || data.Val == nil {
		return nil, nil
	}
	val := GroupRows(data)["val"]
	var small []string
	total := 0
	for _, name := range data.GroupNames {
		if n := val[name]; n < min {
			small = append(small, name)
			total += n
		}
	}
	if len(small) == 0 {
		return nil, nil
	}
	if total < min {
		return nil, fault.Badf("the %d group(s) with fewer than %d validation rows (%s) hold %d together, still too few to merge into one; bin the attribute coarser or lower the minimum group size",
			len(small), min, strings.Join(small, ", "), total)
	}
	if err := data.MergeGroups(small, OtherGroup); err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	return small, nil
}

// ignoreSmallGroups leaves the groups with fewer than min validation rows out of the fairness gaps and
// losses: their rows stay in the training loss and the accuracy. It returns the fairness view of data
// and the groups left out, and refuses when fewer than two groups are left to compare.
func ignoreSmallGroups(data *dataset.Data, min int) (*dataset.Data, []string, error) {
	if min == 0 {
		min = DefaultMinGroupSize
	}
	if min < 0 || data.Val == nil {
		return data, nil, nil
	}
	val := GroupRows(data)["val"]
	var small []string
	for _, name := range data.GroupNames {
		if val[name] < min {
			small = append(small, name)
		}
	}
	if len(data.GroupNames)-len(small) < 2 {
		return nil, nil, fault.Badf("only %d group(s) have %d validation rows or more: there is no gap left to measure; merge the small ones (merge-small-groups) or lower the minimum group size",
			len(data.GroupNames)-len(small), min)
	}
	fair, err := data.WithoutGroups(small)
	if err != nil {
		return nil, nil, fault.Wrap(fault.BadInput, err)
	}
	return fair, small, nil
}

// applyIgnore leaves the groups a model was trained without (MetaIgnoredGroups) out of the gaps when
// the data has them all.
func applyIgnore(m *Model, data *dataset.Data) (*dataset.Data, error) {
	names, err := metaNames(m, MetaIgnoredGroups)
	if err != nil || names == nil {
		return data, err
	}
	for _, n := range names {
		if !slices.Contains(data.GroupNames, n) {
			return data, nil // another attribute: its own groups
		}
	}
	fair, err := data.WithoutGroups(names)
	return fair, fault.Wrap(fault.BadInput, err)
}

// metaNames reads a JSON list of group names from m's metadata (nil when absent).
func metaNames(m *Model, key string) ([]string, error) {
	spec, ok := m.Graph.Metadata[key]
	if !ok {
		return nil, nil
	}
	var names []string
	if err := json.Unmarshal([]byte(spec), &names); err != nil {
		return nil, fault.Badf("%s: metadata %s: %v", m.Path, key, err)
	}
	return names, nil
}

// applyMerge merges the groups a model was trained with merged (MetaMergedGroups) when the data has
// them all: scoring it on its own attribute then uses the groups it was selected on.
func applyMerge(m *Model, data *dataset.Data) error {
	names, err := metaNames(m, MetaMergedGroups)
	if err != nil || names == nil {
		return err
	}
	for _, n := range names {
		if !slices.Contains(data.GroupNames, n) {
			return nil // another attribute: its own groups
		}
	}
	return fault.Wrap(fault.BadInput, data.MergeGroups(names, OtherGroup))
}

// unseen collects the splits' counts of categories the encoding never saw (nil when there are none).
func unseen(data *dataset.Data) map[string]map[string]int {
	var out map[string]map[string]int
	for _, s := range []*dataset.Split{data.Train, data.Val, data.Test} {
		if s != nil && len(s.Unseen) > 0 {
			if out == nil {
				out = map[string]map[string]int{}
			}
			out[s.Name] = s.Unseen
		}
	}
	return out
}

// DataWarnings says what a user should know about how their rows were read: an encoding fitted from the
// file (the model stored none, so columns are matched by name against what this file holds, and another
// file could encode differently), and values outside the fitted range that were clipped.
func DataWarnings(data *dataset.Data) []string {
	var out []string
	if data.Fitted && data.Encoding != nil && data.Source != dataset.SourceNPZ {
		file := data.Spec
		if len(data.Files) > 0 {
			file = data.Files[0].Path
		}
		how := fmt.Sprintf("one was fitted on the training rows of %s", file)
		if data.Encoding.Passthrough {
			// Nothing is fitted, but the columns are still chosen by name from this file.
			how = fmt.Sprintf("the columns of %s are its inputs as they are (--encoding none)", file)
		}
		out = append(out, fmt.Sprintf("the model stores no encoding: %s (%d features: %s); "+
			"train stores it in the model it writes, so later runs encode the same way", how, len(data.Encoding.Features), featureSummary(data.Encoding)))
	}
	for _, s := range []*dataset.Split{data.Train, data.Val, data.Test} {
		if s != nil {
			out = append(out, ClippedWarnings(s)...)
		}
	}
	return out
}

// ClippedWarnings says, per column, how many of a split's values lay outside the range the encoding was
// fitted on (scaled to its end, 0 or 1).
func ClippedWarnings(s *dataset.Split) []string {
	var out []string
	for _, c := range slices.Sorted(maps.Keys(s.Clipped)) {
		out = append(out, fmt.Sprintf("%d %s value(s) of %s lie outside the range the encoding was fitted on and were scaled to its end (0 or 1)", s.Clipped[c], s.Name, c))
	}
	return out
}

// ResolutionWarnings names, per constraint, the groups whose validation rows are so few that one row
// moves the rate the constraint limits by more than half the limit: the selection rate (dp) counts every
// row of the group, TPR only its positives, FPR only its negatives. Selection then judges the limit on
// a handful of rows, and a model that meets it there can miss it on new rows by a row or two (on
// bank_marketing, a group of 105 validation rows under dp ≤ 0.01 did in every seed).
func ResolutionWarnings(data *dataset.Data, cs fairness.Constraints) []string {
	val := data.Val
	if val == nil {
		return nil
	}
	var out []string
	for _, c := range cs.List() {
		names, group := data.GroupNames, val.Group
		for i, a := range data.Attributes {
			if a.Name == c.Attribute && i < len(val.AttrGroups) {
				names, group = a.Groups, val.AttrGroups[i]
			}
		}
		rows := make([]int, len(names))
		pos := make([]int, len(names))
		binary := true
		for r, g := range group {
			if g < 0 {
				continue
			}
			rows[g]++
			switch y := val.Y[r]; {
			case y == 1:
				pos[g]++
			case y != 0:
				binary = false // class indices: the rates are per class, their counts not tallied here
			}
		}
		var coarse []string
		for g, name := range names {
			counts := map[string]int{"rows": rows[g]}
			if binary {
				switch c.Criterion {
				case fairness.EO:
					counts = map[string]int{"positives": pos[g], "negatives": rows[g] - pos[g]}
				case fairness.EOpp, fairness.FNR:
					counts = map[string]int{"positives": pos[g]}
				case fairness.FPR:
					counts = map[string]int{"negatives": rows[g] - pos[g]}
				}
			}
			for _, what := range slices.Sorted(maps.Keys(counts)) {
				if n := counts[what]; n > 0 && 1/float64(n) > c.Limit/2 {
					coarse = append(coarse, fmt.Sprintf("%q (%d validation %s: %.4f a row)", name, n, what, 1/float64(n)))
				}
			}
		}
		if len(coarse) > 0 {
			out = append(out, fmt.Sprintf("constraint %s: one row moves a rate by more than half the limit in %s; the limit met on these rows may be missed on new ones by a row or two (a larger --val-frac, or merging or binning the group, measures it on more rows)",
				c, strings.Join(coarse, ", ")))
		}
	}
	return out
}
