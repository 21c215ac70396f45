package fairness

import (
	"fmt"
	"math"
)

// Threshold is the decision threshold of the metrics: a row is predicted positive when its probability is
// at least 0.5.
const Threshold = 0.5

// Predict thresholds probabilities at Threshold: 1 when p ≥ 0.5, else 0.
func Predict(prob []float32) []int {
	out := make([]int, len(prob))
	for i, p := range prob {
		if p >= Threshold {
			out[i] = 1
		}
	}
	return out
}

// Binary converts 0/1 labels stored as floats to ints (1 when ≥ 0.5).
func Binary(label []float32) []int { return Predict(label) }

// Classes is the number of probabilities per row in prob for rows rows: 1 for one probability of the
// positive class per row, K for a K-class head's P(class k), k = 0..K−1, row after row. It panics when
// len(prob) is not a multiple of rows.
func Classes(prob []float32, rows int) int {
	if rows == 0 || len(prob) == rows {
		return 1
	}
	if len(prob)%rows != 0 {
		panic(fmt.Sprintf("fairness: %d probabilities for %d rows", len(prob), rows))
	}
	return len(prob) / rows
}

// Argmax is the decision of a K-class head: per row of k probabilities (row after row), the class with
// the largest, the first of equals.
func Argmax(prob []float32, k int) []int {
	out := make([]int, len(prob)/k)
	for r := range out {
		row := prob[r*k : (r+1)*k]
		for j, v := range row {
			if v > row[out[r]] {
				out[r] = j
			}
		}
	}
	return out
}

// Decisions are the predicted labels of probabilities for rows rows: 0/1 (thresholded at 0.5) for one
// probability per row, else the class of the largest (see Classes).
func Decisions(prob []float32, rows int) []int {
	if k := Classes(prob, rows); k > 1 {
		return Argmax(prob, k)
	}
	return Predict(prob)
}

// GroupRow is one line of the per-group table. The TPR of a group without positives and the FPR of a
// group without negatives are undefined: nil (JSON null, "n/a"), and left out of the gaps.
type GroupRow struct {
	Group         string   `json:"group"`
	Size          int      `json:"size"`
	Positives     int      `json:"positives"` // rows with label 1
	SelectionRate float64  `json:"selection_rate"`
	TPR           *float64 `json:"tpr"`
	FPR           *float64 `json:"fpr"`
	Accuracy      float64  `json:"accuracy"`
	// Class is, for a K-class model, the class the row's rates are of (one vs the rest: Positives are the
	// rows of that class, the selection rate is P(ŷ = class | group), TPR and FPR those of "ŷ = class");
	// nil for a binary model. Accuracy is then the group's K-class accuracy.
	Class *int `json:"class,omitempty"`
}

// Rate formats a rate that may be undefined: "n/a" for nil.
func Rate(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.4f", *r)
}

// Metrics are the accuracy and the three fairness gaps of a set of predictions, with the per-group table.
// For a K-class model each gap is the largest over the classes of the gap of "ŷ = k" one vs the rest
// (DP: of P(ŷ = k | group); EO: of the TPR and the FPR of ŷ = k), and the table has a row per group and
// class.
type Metrics struct {
	Accuracy float64 `json:"accuracy"`
	DP       float64 `json:"dp"`
	EO       float64 `json:"eo"`
	EOpp     float64 `json:"eopp"`
	// Classes is the number of classes of a K-class model (0 for a binary one).
	Classes int        `json:"classes,omitempty"`
	Groups  []GroupRow `json:"groups"`
	// Attributes holds, for data with several sensitive attributes, the metrics between the groups of
	// each one alone (the gaps constraints on an attribute limit); empty otherwise.
	Attributes []AttributeMetrics `json:"attributes,omitempty"`
}

// AttributeMetrics are the metrics between the groups of one sensitive attribute.
type AttributeMetrics struct {
	Attribute string `json:"attribute"`
	Metrics
}

// counts are one group's confusion counts.
type counts struct {
	n, selected, pos, neg, tp, fp, correct int
}

func rate(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// defined is num/den, or false when den is 0 (the rate is undefined).
func defined(num, den int) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

func (c counts) selectionRate() (float64, bool) { return defined(c.selected, c.n) }
func (c counts) tpr() (float64, bool)           { return defined(c.tp, c.pos) }
func (c counts) fpr() (float64, bool)           { return defined(c.fp, c.neg) }

func ptr(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &v
}

// tally counts per group id; label may be nil (selection rates only). Groups with no rows stay zero. A
// negative group id puts a row in no group: groups left out of the fairness gaps (too small to measure)
// have their rows marked so, and those rows count in the accuracy only.
func tally(pred, label, group []int) []counts {
	if len(pred) != len(group) || (label != nil && len(label) != len(pred)) {
		panic(fmt.Sprintf("fairness: %d predictions, %d labels, %d group ids", len(pred), len(label), len(group)))
	}
	var cs []counts
	for i, g := range group {
		if g < 0 {
			continue // in no group: a group left out of the fairness gaps
		}
		for g >= len(cs) {
			cs = append(cs, counts{})
		}
		c := &cs[g]
		c.n++
		c.selected += pred[i]
		if label == nil {
			continue
		}
		if label[i] == 1 {
			c.pos++
			c.tp += pred[i]
		} else {
			c.neg++
			c.fp += pred[i]
		}
		if pred[i] == label[i] {
			c.correct++
		}
	}
	return cs
}

// gap is max − min of f over the groups where f is defined (0 with fewer than two such groups).
func gap(cs []counts, f func(counts) (float64, bool)) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range cs {
		v, ok := f(c)
		if !ok {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi < lo {
		return 0
	}
	return hi - lo
}

// DemographicParityDifference is max_g P(ŷ=1|g) − min_g P(ŷ=1|g) over the groups present. pred holds 0/1
// predictions and group the group id (≥ 0) of each row; it panics if their lengths differ.
func DemographicParityDifference(pred, group []int) float64 {
	return gap(tally(pred, nil, group), counts.selectionRate)
}

// EqualizedOddsDifference is the larger of the TPR gap and the FPR gap over the groups present.
func EqualizedOddsDifference(pred, label, group []int) float64 {
	cs := tally(pred, label, group)
	return max(gap(cs, counts.tpr), gap(cs, counts.fpr))
}

// EqualOpportunityDifference is the TPR gap over the groups present.
func EqualOpportunityDifference(pred, label, group []int) float64 {
	return gap(tally(pred, label, group), counts.tpr)
}

// Accuracy is the fraction of predictions equal to the label (0 for no rows).
func Accuracy(pred, label []int) float64 {
	if len(pred) != len(label) {
		panic(fmt.Sprintf("fairness: %d predictions, %d labels", len(pred), len(label)))
	}
	n := 0
	for i := range pred {
		if pred[i] == label[i] {
			n++
		}
	}
	return rate(n, len(pred))
}

// GroupTable thresholds prob at 0.5 and returns one row per group present, in group-id order. names[g] is
// group g's name ("group g" when names is too short).
func GroupTable(prob, label []float32, group []int, names []string) []GroupRow {
	return table(tally(Predict(prob), Binary(label), group), names)
}

// groupName is names[g], or "group g" when names is too short.
func groupName(g int, names []string) string {
	if g < len(names) {
		return names[g]
	}
	return fmt.Sprintf("group %d", g)
}

func table(cs []counts, names []string) []GroupRow {
	rows := []GroupRow{}
	for g, c := range cs {
		if c.n == 0 {
			continue
		}
		name := groupName(g, names)
		sel, _ := c.selectionRate()
		rows = append(rows, GroupRow{Group: name, Size: c.n, Positives: c.pos, SelectionRate: sel,
			TPR: ptr(c.tpr()), FPR: ptr(c.fpr()), Accuracy: rate(c.correct, c.n)})
	}
	return rows
}

// Compute thresholds prob at 0.5 and returns accuracy, the DP, EO and EOpp differences and the per-group
// table. prob, label and group must have the same length (it panics otherwise), or prob K values per row
// of a K-class head (see Classes), whose labels are the class indices 0..K−1.
func Compute(prob, label []float32, group []int, names []string) Metrics {
	if k := Classes(prob, len(label)); k > 1 {
		return computeClasses(Argmax(prob, k), k, label, group, names)
	}
	pred, y := Predict(prob), Binary(label)
	cs := tally(pred, y, group)
	return Metrics{
		Accuracy: Accuracy(pred, y),
		DP:       gap(cs, counts.selectionRate),
		EO:       max(gap(cs, counts.tpr), gap(cs, counts.fpr)),
		EOpp:     gap(cs, counts.tpr),
		Groups:   table(cs, names),
	}
}

// computeClasses are the metrics of K-class decisions pred against class labels: for each class k the
// binary metrics of "ŷ = k" against "y = k", the largest gap over the classes, and one table row per group
// and class (group-major).
func computeClasses(pred []int, k int, label []float32, group []int, names []string) Metrics {
	y := make([]int, len(label))
	for i, v := range label {
		y[i] = int(v)
	}
	m := Metrics{Accuracy: Accuracy(pred, y), Classes: k}
	// Each group's K-class accuracy: the "selection rate" of the rows it gets right.
	hit := make([]int, len(pred))
	for i := range pred {
		hit[i] = b2i(pred[i] == y[i])
	}
	accuracy := table(tally(hit, nil, group), names)
	var byClass [][]GroupRow
	for c := range k {
		pc, yc := make([]int, len(pred)), make([]int, len(y))
		for i := range pred {
			pc[i] = b2i(pred[i] == c)
			yc[i] = b2i(y[i] == c)
		}
		cs := tally(pc, yc, group)
		m.DP = max(m.DP, gap(cs, counts.selectionRate))
		m.EOpp = max(m.EOpp, gap(cs, counts.tpr))
		m.EO = max(m.EO, gap(cs, counts.tpr), gap(cs, counts.fpr))
		rows := table(cs, names) // the groups with rows, in the order of accuracy's
		for g := range rows {
			class := c
			rows[g].Group = fmt.Sprintf("%s, class %d", rows[g].Group, c)
			rows[g].Accuracy, rows[g].Class = accuracy[g].SelectionRate, &class
		}
		byClass = append(byClass, rows)
	}
	m.Groups = []GroupRow{}
	for g := range byClass[0] {
		for c := range k {
			m.Groups = append(m.Groups, byClass[c][g])
		}
	}
	return m
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
