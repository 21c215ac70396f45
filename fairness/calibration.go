package fairness

import (
	"fmt"
	"math"
)

// DefaultCalibrationBins is the number of bins Calibration uses when given 0.
const DefaultCalibrationBins = 10

// ReliabilityBin is one non-empty bin of a reliability curve: the rows whose predicted probability p lies
// in [Lo, Hi) ([Lo, 1] for the last bin), their mean predicted probability and the fraction of them with
// label 1.
type ReliabilityBin struct {
	Lo            float64 `json:"lo"`
	Hi            float64 `json:"hi"`
	MeanPredicted float64 `json:"mean_predicted"`
	ObservedRate  float64 `json:"observed_rate"`
	Count         int     `json:"count"`
}

// CalibrationRow is the calibration of a set of rows (one group, or all of them): its expected
// calibration error and its reliability curve, the non-empty bins in increasing order of probability.
type CalibrationRow struct {
	Group string           `json:"group,omitempty"` // "" for all rows
	Rows  int              `json:"rows"`
	ECE   float64          `json:"ece"`
	Curve []ReliabilityBin `json:"curve"`
}

// CalibrationReport is the calibration of a set of predictions, overall and per group.
type CalibrationReport struct {
	Bins int `json:"bins"`
	// Overall covers every row with a probability; nil when there is none (the ECE of no rows is
	// undefined).
	Overall *CalibrationRow `json:"overall"`
	// Groups holds one row per group present, in group-id order; a group without rows is absent.
	Groups []CalibrationRow `json:"groups"`
	// NaNRows counts the rows whose probability is NaN, left out of every curve.
	NaNRows int `json:"nan_rows,omitempty"`
}

// Calibration measures how well predicted probabilities match observed frequencies, overall and in each
// group present. The interval [0, 1] is cut into bins equal-width bins (0: DefaultCalibrationBins); row i
// falls in bin floor(prob[i]·bins), the bin holding p = 1 being the last (a probability below 0 counts in
// the first bin, above 1 in the last). A label is positive when it is at least 0.5, as in Compute.
//
// The expected calibration error (ECE) of a set of N rows is the count-weighted mean over its non-empty
// bins of the distance between the bin's mean predicted probability and its observed positive rate:
// ECE = Σ_b (n_b / N) · |mean_{i∈b} p_i − mean_{i∈b} y_i|. It is 0 for perfectly calibrated predictions and
// at most 1. Rows with a NaN probability are left out and counted in NaNRows.
//
// names[g] is group g's name ("group g" when names is too short). prob, label and group must have the same
// length (it panics otherwise); a row of negative group id is in no group and counts in Overall only.
//
// For a K-class head (K probabilities per row, see Classes) it measures the calibration of the top label:
// each row's largest probability against whether its class is the label.
func Calibration(prob, label []float32, group []int, names []string, bins int) CalibrationReport {
	if k := Classes(prob, len(label)); k > 1 && len(group) == len(label) {
		top, right := make([]float32, len(label)), make([]float32, len(label))
		for i, c := range Argmax(prob, k) {
			top[i] = prob[i*k+c]
			if float32(c) == label[i] {
				right[i] = 1
			}
		}
		prob, label = top, right
	}
	if len(prob) != len(label) || len(prob) != len(group) {
		panic(fmt.Sprintf("fairness: %d probabilities, %d labels, %d group ids", len(prob), len(label), len(group)))
	}
	if bins <= 0 {
		bins = DefaultCalibrationBins
	}
	overall := newBinSums(bins)
	var perGroup []binSums
	rep := CalibrationReport{Bins: bins, Groups: []CalibrationRow{}}
	for i, g := range group {
		p := float64(prob[i])
		if math.IsNaN(p) {
			rep.NaNRows++
			continue
		}
		for g >= len(perGroup) {
			perGroup = append(perGroup, newBinSums(bins))
		}
		b := min(max(int(math.Floor(p*float64(bins))), 0), bins-1)
		y := 0.0
		if label[i] >= 0.5 {
			y = 1
		}
		overall.add(b, p, y)
		if g >= 0 { // a negative id: in no group, in the overall curve only
			perGroup[g].add(b, p, y)
		}
	}
	if overall.rows > 0 {
		row := overall.row("")
		rep.Overall = &row
	}
	for g, s := range perGroup {
		if s.rows == 0 {
			continue
		}
		rep.Groups = append(rep.Groups, s.row(groupName(g, names)))
	}
	return rep
}

// binSums accumulates, per bin, the count, the sum of probabilities and the number of positive labels.
type binSums struct {
	rows            int
	count           []int
	prob, positives []float64
}

func newBinSums(bins int) binSums {
	return binSums{count: make([]int, bins), prob: make([]float64, bins), positives: make([]float64, bins)}
}

func (s *binSums) add(b int, p, y float64) {
	s.rows++
	s.count[b]++
	s.prob[b] += p
	s.positives[b] += y
}

// row turns the sums into the reliability curve and its ECE; the caller ensures s.rows > 0.
func (s *binSums) row(name string) CalibrationRow {
	bins := len(s.count)
	r := CalibrationRow{Group: name, Rows: s.rows, Curve: []ReliabilityBin{}}
	for b, n := range s.count {
		if n == 0 {
			continue
		}
		mean, obs := s.prob[b]/float64(n), s.positives[b]/float64(n)
		r.Curve = append(r.Curve, ReliabilityBin{
			Lo: float64(b) / float64(bins), Hi: float64(b+1) / float64(bins),
			MeanPredicted: mean, ObservedRate: obs, Count: n,
		})
		r.ECE += float64(n) / float64(s.rows) * math.Abs(mean-obs)
	}
	return r
}
