package report

import (
	"time"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

// Audit is everything a report shows. Only Provenance is always rendered; every other section whose
// field is nil or empty says in words that it is not available.
type Audit struct {
	// Title is the report's heading ("" is "Fairness audit").
	Title string
	// Date is when the report was made, set by the caller; the zero time reads "not given".
	Date time.Time
	// CILevel is the level of the confidence intervals given anywhere in the audit (0.95), said in the
	// text; 0 leaves it unsaid.
	CILevel float64

	Provenance  Provenance
	Data        *Data
	Constraints []ConstraintCheck
	// Results holds the models' metrics, one entry per split in the order shown (validation, then test).
	// The bar charts are drawn for the last one.
	Results     []SplitResults
	Calibration *Calibration
	Training    *Training
	Sweep       *Sweep
	Parity      *Parity
	Drift       *Drift
}

// Provenance says which files and settings the audit is about; an empty field reads "not given".
type Provenance struct {
	Model       string // path of the audited (exported) model
	ModelSHA256 string
	Backbone    string // path of the model it was fine-tuned from
	Version     string // fairbinn version that made the model
	Method      string // training method
	Constraints string // the constraints as the user stated them ("dp<=0.02")
	Criterion   string // the fairness criterion trained for ("dp", "eo", "eopp")
	Position    string // where the fairness layers were inserted
	Data        string // the data spec
	DataSHA256  string
	Seed        *uint64 // nil: not given
}

// Data counts the rows of each split and each group's rows in each split.
type Data struct {
	// Groups names the sensitive groups, in the order the table lists them.
	Groups []string
	// Splits are the splits in the order shown (train, validation, test).
	Splits []SplitRows
	// MinGroupSize marks the counts below it as too small to measure rates on (0: no mark).
	MinGroupSize int
	// SmallGroups says how groups below MinGroupSize were handled ("": not said).
	SmallGroups SmallGroupHandling
}

// SplitRows is one split's row count, in total and per group (by name; a group missing from the map
// reads "n/a").
type SplitRows struct {
	Name      string
	Rows      int
	GroupRows map[string]int
}

// SmallGroupHandling is what was done with the groups smaller than the minimum size.
type SmallGroupHandling string

// The ways of handling small groups.
const (
	SmallGroupsRefused SmallGroupHandling = "refused" // the run was refused while a group was too small
	SmallGroupsMerged  SmallGroupHandling = "merged"  // the small groups were merged into one group, "other"
	SmallGroupsIgnored SmallGroupHandling = "ignored" // the small groups were left out of the constraints
)

// Estimate is a measured value with its confidence interval (nil when none was computed).
type Estimate struct {
	Value float64
	CI    *fairness.Interval
}

// ConstraintCheck is one stated constraint with the audited model's value of it on the validation and
// test splits (nil: not measured there). A constraint is met on a split when the value is at most its
// limit.
type ConstraintCheck struct {
	Constraint fairness.Constraint
	Val, Test  *Estimate
}

// SplitResults are the metrics of the models compared on one split; a nil model is left out of the
// tables.
type SplitResults struct {
	Split    string      // "validation", "test"
	Before   *Evaluation // the backbone, before fine-tuning
	After    *Evaluation // the audited (exported) model
	Baseline *Evaluation // per-group decision thresholds on the backbone, when computed
}

// Evaluation is one model's metrics on one split, with bootstrap intervals when computed.
type Evaluation struct {
	Metrics   fairness.Metrics
	Intervals *fairness.Intervals
}

// Calibration is the calibration of the backbone and of the audited model on one split.
type Calibration struct {
	Split  string
	Before *fairness.CalibrationReport
	After  *fairness.CalibrationReport
}

// Training is the history of the fine-tuning run.
type Training struct {
	History []train.Epoch
	// Criterion is the fairness gap drawn per epoch (its validation value in History).
	Criterion fairness.Criterion
	// Constraints name the entries of each epoch's ConstraintValues and Multipliers, in order.
	Constraints []fairness.Constraint
	// Selected is the epoch of the audited model (0: the model before training, not marked).
	Selected int
}

// Sweep is a set of training runs compared on the test split: one point per run, and the points marked
// apart. The x axis is Criterion's gap.
type Sweep struct {
	Criterion fairness.Criterion
	Runs      []SweepPoint
	Chosen    *SweepPoint // the audited model
	Baseline  *SweepPoint // per-group thresholds on the backbone
	Backbone  *SweepPoint
}

// SweepPoint is one model's test accuracy and test fairness gap.
type SweepPoint struct {
	Label    string // e.g. "bilevel η=20 seed 1"
	Series   string // the legend entry the point is drawn under, e.g. its method ("" is "runs")
	Accuracy float64
	Gap      float64
}

// Parity compares the audited file's predictions in two engines. It passes when MaxAbsDiff is at most
// Tolerance.
type Parity struct {
	Compared       string // "onnxruntime vs Go forward pass"
	Split          string
	Rows           int
	MaxAbsDiff     float64
	Tolerance      float64
	LabelAgreement *float64 // the fraction of rows given the same decision; nil: not measured
}

// Drift is the verdict of comparing the audited metrics with a recorded baseline report.
type Drift struct {
	Baseline string   // the report compared with
	Drifted  []string // the metrics that got worse by more than the tolerance; empty: no drift
}
