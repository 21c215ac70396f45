package main

import (
	"flag"

	"strings"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/ir"
)

// dataFlags are the flags that say which data to load (DESIGN.md's data SPEC).
type dataFlags struct {
	spec, label, positive, sensitive, test, encoding string
	valFrac                                          float64
	seed                                             uint64
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.spec, "data", "", "data: adult:DIR (UCI Adult files adult.data/adult.test, or .gz) or csv:FILE")
	fs.StringVar(&d.label, "label", "", "csv: the label column")
	fs.StringVar(&d.positive, "positive", "", "csv: the label value(s) of the positive class, comma-separated")
	fs.StringVar(&d.sensitive, "sensitive", "", "csv: the sensitive column(s), comma-separated (several: intersections); adult: default sex")
	fs.StringVar(&d.test, "test", "", "csv: a test file with the same columns (default: a stratified 20% of --data)")
	fs.StringVar(&d.encoding, "encoding", "auto", "auto: the encoding stored in the model, else fitted on the training split; none: the feature columns are the model's inputs as they are")
	fs.Float64Var(&d.valFrac, "val-frac", 0.2, "fraction of the training file held out for validation (stratified by group × label)")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// load reads the data for model g (whose stored encoding is used when present) and checks that the
// encoded width is the model's input width.
func (d *dataFlags) load(g *ir.Graph, modelFile string) (*dataset.Data, error) {
	if d.spec == "" {
		return nil, &usageError{"--data is required"}
	}
	opts := dataset.Options{
		Label: d.label, Positive: splitList(d.positive), Sensitive: splitList(d.sensitive),
		TestFile: d.test, ValFrac: d.valFrac, Seed: d.seed,
	}
	if d.valFrac <= 0 || d.valFrac >= 1 {
		return nil, badInputf("--val-frac %v: want a value in (0, 1)", d.valFrac)
	}
	switch d.encoding {
	case "none":
		opts.Passthrough = true
	case "auto":
		if spec, ok := g.Metadata["fairbinn.encoding"]; ok && g != nil {
			enc, err := dataset.ParseEncoding(modelFile+": metadata fairbinn.encoding", []byte(spec))
			if err != nil {
				return nil, badInput(err)
			}
			opts.Encoding = enc
		}
	default:
		return nil, badInputf("--encoding %q: want auto or none", d.encoding)
	}
	data, err := dataset.Load(d.spec, opts)
	if err != nil {
		return nil, badInput(err)
	}
	ins := g.RealInputs()
	if len(ins) != 1 || len(ins[0].Shape) != 2 {
		return nil, badInputf("%s: training and evaluation on tabular data need a model with one [batch, features] input", modelFile)
	}
	if w := ins[0].Shape[1]; w.IsStatic() && w.Value != int64(data.Train.Cols) {
		return nil, badInputf("%s: input %q has width %d but the data encodes to %d features", modelFile, ins[0].Name, w.Value, data.Train.Cols)
	}
	return data, nil
}

func splitNamed(data *dataset.Data, name string) (*dataset.Split, error) {
	s, err := data.Split(name)
	if err != nil {
		return nil, badInput(err)
	}
	if s == nil || s.Rows == 0 {
		return nil, badInputf("the %s split is empty", name)
	}
	return s, nil
}
