package fairbinn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
)

// Encoding says how raw data rows become the model's input.
type Encoding string

// The encodings.
const (
	// EncodingAuto uses the encoding stored in the model (MetaEncoding), else fits one on the training
	// split.
	EncodingAuto Encoding = "auto"
	// EncodingNone takes the feature columns as the model's inputs as they are.
	EncodingNone Encoding = "none"
)

// DataOptions says which data to load: a data SPEC (adult:DIR or csv:FILE) and, for CSV files, the
// label, positive class and sensitive columns.
type DataOptions struct {
	Spec     string
	Label    string
	Positive []string
	// Classes are, for a K-class model, the label values of classes 0 to K−1 (default "0" to "K−1": the
	// label column holds the class index).
	Classes   []string
	Sensitive []string
	// Drop lists CSV columns that are not features; Missing is the CSV missing-value token (rows with it
	// are dropped and counted in the report's data files).
	Drop    []string
	Missing string
	// StrictCategories refuses a row with a category the encoding never saw (else it is counted).
	StrictCategories bool
	// Features, when given, are the only feature columns of a CSV file whose encoding is fitted.
	Features []string
	// TestFile is a CSV file with the same columns (default: a stratified 20 % of Spec); ValFile the
	// validation rows (default: a stratified ValFrac of the training rows).
	TestFile, ValFile string
	Encoding          Encoding // default EncodingAuto
	// ValFrac is the fraction of the training file held out for validation (default 0.2).
	ValFrac float64
	// Seed draws the validation split (and the test split of a CSV file without TestFile); the command
	// line uses the training seed (train.Config.Seed, default 1).
	Seed uint64
}

// LoadData reads the data for model m, encoded as m's stored encoding says when it has one, and checks
// that the encoded width is m's input width. Large data lower GOGC (dataset.BoundGarbage).
func LoadData(m *Model, opts DataOptions) (*dataset.Data, error) {
	if opts.Spec == "" {
		return nil, fault.Badf("no data given")
	}
	h, err := head.Of(m.Graph)
	if err != nil {
		return nil, err
	}
	switch {
	case !h.Binary() && strings.HasPrefix(opts.Spec, "adult:"):
		return nil, fault.Badf("%s: a %d-class model cannot be scored on Adult, whose label is binary", m.Path, h.Classes)
	case h.Binary() && len(opts.Classes) > 0:
		return nil, fault.Badf("--classes %s: the model's head is binary (%s); give its positive label values instead", strings.Join(opts.Classes, ","), h)
	case !h.Binary() && len(opts.Classes) > 0 && len(opts.Classes) != h.Classes:
		return nil, fault.Badf("--classes %s: %d classes for a %d-class head (%s)", strings.Join(opts.Classes, ","), len(opts.Classes), h.Classes, h)
	}
	if opts.ValFrac == 0 {
		opts.ValFrac = 0.2
	}
	if opts.ValFrac <= 0 || opts.ValFrac >= 1 {
		return nil, fault.Badf("validation fraction %v: want a value in (0, 1)", opts.ValFrac)
	}
	lo := dataset.Options{
		Label: opts.Label, Positive: opts.Positive, Classes: opts.Classes, Sensitive: opts.Sensitive, Drop: opts.Drop, Missing: opts.Missing, StrictCategories: opts.StrictCategories,
		TestFile: opts.TestFile, ValFile: opts.ValFile, Features: opts.Features, ValFrac: opts.ValFrac, Seed: opts.Seed,
	}
	switch opts.Encoding {
	case EncodingNone:
		lo.Passthrough = true
	case EncodingAuto, "":
		if lo.Encoding, err = storedEncoding(m.Graph, m.Path); err != nil {
			return nil, err
		}
	default:
		return nil, fault.Badf("encoding %q: want auto or none", opts.Encoding)
	}
	if !h.Binary() && len(lo.Classes) == 0 && (lo.Encoding == nil || len(lo.Encoding.Label.Classes) == 0) {
		// A K-class CSV label holds the class index, as PyTorch's cross-entropy wants it.
		for c := range h.Classes {
			lo.Classes = append(lo.Classes, strconv.Itoa(c))
		}
	}
	for _, v := range m.Graph.RealInputs() {
		lo.Inputs = append(lo.Inputs, v.Name)
	}
	data, err := dataset.Load(opts.Spec, lo)
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	dataset.BoundGarbage(data) // training's garbage on top of millions of rows
	if err := checkLabels(h, data); err != nil {
		return nil, err
	}
	if err := applyMerge(m, data); err != nil {
		return nil, err
	}
	if data, err = applyIgnore(m, data); err != nil {
		return nil, err
	}
	if data.Source == dataset.SourceNPZ {
		return data, nil // the tensors are the model's inputs by name
	}
	in, err := tableInput(m)
	if err != nil {
		return nil, err
	}
	w := in.Shape[1]
	if w.IsStatic() && w.Value != int64(data.Train.Cols) && data.Fitted && len(lo.Features) == 0 {
		// A fitted encoding makes the sensitive columns features; the model may not take them.
		if blind, err := withoutSensitive(opts.Spec, lo, data); err == nil && int64(blind.Train.Cols) == w.Value {
			return blind, nil
		}
	}
	if err := checkWidth(m, in, data.Train.Cols, data.Encoding); err != nil {
		return nil, err
	}
	return data, nil
}

// tableInput is the input of a model that table rows (adult:, csv:) feed: its one [batch, features] input.
func tableInput(m *Model) (*ir.Value, error) {
	ins := m.Graph.RealInputs()
	if len(ins) != 1 || len(ins[0].Shape) != 2 {
		return nil, fault.Badf("%s: a table (adult:, csv:) is the input of a model with one [batch, features] input; give this model's inputs as tensors with npz:FILE", m.Path)
	}
	return ins[0], nil
}

// checkWidth refuses rows encoded to another width than the model's input takes.
func checkWidth(m *Model, in *ir.Value, cols int, enc *dataset.Encoding) error {
	if w := in.Shape[1]; w.IsStatic() && w.Value != int64(cols) {
		return fault.Badf("%s: input %q has width %d but the data encodes to %d features (%s)", m.Path, in.Name, w.Value, cols, featureSummary(enc))
	}
	return nil
}

// withoutSensitive loads the data again with the sensitive columns forming groups only.
func withoutSensitive(spec string, lo dataset.Options, data *dataset.Data) (*dataset.Data, error) {
	cols := data.Encoding.FeatureColumns()
	added := false
	for _, s := range lo.Sensitive {
		col, _, _ := strings.Cut(s, ":")
		if slices.Contains(cols, col) && !slices.Contains(lo.Drop, col) {
			lo.Drop = append(slices.Clone(lo.Drop), col)
			added = true
		}
	}
	if !added {
		return nil, fmt.Errorf("no sensitive column is a feature")
	}
	return dataset.Load(spec, lo)
}

// featureSummary says in a few words what features an encoding computes.
func featureSummary(e *dataset.Encoding) string {
	var parts []string
	for _, col := range e.FeatureColumns() {
		n := 0
		for _, f := range e.Features {
			if f.Column == col {
				n++
			}
		}
		if n == 1 {
			parts = append(parts, col)
		} else {
			parts = append(parts, fmt.Sprintf("%s ×%d", col, n))
		}
	}
	return strings.Join(parts, ", ")
}

// Split returns the named split (train, val or test) of data, refusing an empty one.
func Split(data *dataset.Data, name string) (*dataset.Split, error) {
	s, err := data.Split(name)
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	if s == nil || s.Rows == 0 {
		return nil, fault.Badf("the %s split is empty", name)
	}
	return s, nil
}

// TrainingSeed is the seed m was fine-tuned with (MetaSeed), else 1 (the default): the seed whose splits
// a fine-tuned model was selected and tested on.
func TrainingSeed(m *Model) uint64 {
	if v, err := strconv.ParseUint(m.Graph.Metadata[MetaSeed], 10, 64); err == nil {
		return v
	}
	return 1
}

// ScoreData encodes every row of the file opts.Spec names for scoring by m, labelled or not, with m's
// stored encoding (or, when it stores none, the one LoadData fits, which needs the label): what predict
// writes without a split.
func ScoreData(m *Model, opts DataOptions) (*dataset.Scored, error) {
	kind, _, _ := strings.Cut(opts.Spec, ":")
	if kind != "csv" && kind != "adult" {
		return nil, fault.Badf("data %q: every row is scored for csv: and adult: data; give a split for %s: data", opts.Spec, kind)
	}
	var enc *dataset.Encoding
	if opts.Encoding != EncodingNone {
		var err error
		if enc, err = storedEncoding(m.Graph, m.Path); err != nil {
			return nil, err
		}
	}
	if enc == nil {
		data, err := LoadData(m, opts)
		if err != nil {
			return nil, err
		}
		enc = data.Encoding
	}
	s, err := dataset.ScoreFile(opts.Spec, enc, opts.StrictCategories)
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	in, err := tableInput(m)
	if err != nil {
		return nil, err
	}
	if err := checkWidth(m, in, s.Cols, enc); err != nil {
		return nil, err
	}
	return s, nil
}

// checkLabels checks that every label is one the head can score: 0 or 1 for a binary head, a class index
// below K for a K-class head.
func checkLabels(h head.Head, data *dataset.Data) error {
	k := 2
	if !h.Binary() {
		k = h.Classes
	}
	for _, s := range []*dataset.Split{data.Train, data.Val, data.Test} {
		if s == nil {
			continue
		}
		for i, y := range s.Y {
			if int(y) < k && y == float32(int(y)) {
				continue
			}
			row := i
			if i < len(s.Row) {
				row = s.Row[i]
			}
			want := "0 or 1 (the head is binary)"
			if k > 2 {
				want = fmt.Sprintf("a class index 0 to %d (the head has %d classes)", k-1, k)
			}
			return fault.Badf("%s: column label: row %d has label %v; want %s", s.File, row, y, want)
		}
	}
	return nil
}

// storedEncoding is the encoding g's metadata records (MetaEncoding), nil when it records none; file
// names the model in an error.
func storedEncoding(g *ir.Graph, file string) (*dataset.Encoding, error) {
	spec, ok := g.Metadata[MetaEncoding]
	if !ok {
		return nil, nil
	}
	enc, err := dataset.ParseEncoding(file+": metadata "+MetaEncoding, []byte(spec))
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, err)
	}
	return enc, nil
}
