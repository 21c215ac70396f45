package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// SourceNPZ is the Source of data read from tensors (npz:FILE).
const SourceNPZ = "npz"

// loadNPZ reads a data set of tensors for models whose inputs are not table rows (images, sequences,
// category codes): one array per model input (Options.Inputs, by name), "label" (0/1, or the class index
// for a K-class model), "group" (group
// ids) and, optionally, "split" (0 train, 1 validation, 2 test; without it the rows are split as a CSV
// file's are, stratified by group × label). Every array has one row per example along dim 0.
func loadNPZ(file string, opts Options) (*Data, error) {
	arrays, err := npy.ReadNPZ(file)
	if err != nil {
		return nil, &InputError{File: file, Err: fmt.Errorf("%w: %w", ErrSyntax, err)}
	}
	byName := map[string]tensor.Tensor{}
	for _, a := range arrays {
		byName[a.Name] = a.Tensor
	}
	bad := func(format string, args ...any) error {
		return &InputError{File: file, Err: fmt.Errorf("%w: "+format, append([]any{ErrOption}, args...)...)}
	}
	label, ok := byName["label"]
	if !ok {
		return nil, &InputError{File: file, Column: "label", Err: fmt.Errorf("%w: no \"label\" array", ErrMissingColumn)}
	}
	group, ok := byName["group"]
	if !ok {
		return nil, &InputError{File: file, Column: "group", Err: fmt.Errorf("%w: no \"group\" array", ErrMissingColumn)}
	}
	if len(opts.Inputs) == 0 {
		return nil, bad("name the model's inputs to read them from the file")
	}
	n := label.Len()
	if len(label.Shape) == 0 || int(label.Shape[0]) != n {
		return nil, bad("\"label\" has shape %v; want one value per row", label.Shape)
	}
	// Codes stored as floats must be whole numbers: 1.5 or NaN is no label or group.
	for _, a := range []struct {
		name string
		t    tensor.Tensor
	}{{"label", label}, {"group", group}} {
		for i, v := range a.t.Data {
			if v != float32(math.Trunc(float64(v))) || math.IsInf(float64(v), 0) {
				return nil, &InputError{File: file, Column: a.name, Err: fmt.Errorf("%w: row %d has %s %v; want a whole number", ErrOption, i, a.name, v)}
			}
		}
	}
	ys, gs := values(label), values(group)
	if len(gs) != n {
		return nil, bad("\"group\" has %d values for %d rows", len(gs), n)
	}
	// 0/1 labels, or the class indices of a K-class model (the caller checks them against its head).
	y := make([]float32, n)
	var top int64
	for i, v := range ys {
		if v < 0 {
			return nil, &InputError{File: file, Column: "label", Err: fmt.Errorf("%w: row %d has label %v; want 0 or 1, or a class index", ErrOption, i, v)}
		}
		y[i], top = float32(v), max(top, v)
	}
	// Group names in ascending order of their ids.
	ids := slices.Compact(slices.Sorted(slices.Values(gs)))
	gid := map[int64]int{}
	names := make([]string, len(ids))
	for i, v := range ids {
		gid[v], names[i] = i, fmt.Sprintf("group %d", v)
	}
	groups := make([]int, n)
	for i, v := range gs {
		groups[i] = gid[v]
	}
	inputs := make([]tensor.Tensor, len(opts.Inputs))
	for k, name := range opts.Inputs {
		t, ok := byName[name]
		if !ok {
			return nil, &InputError{File: file, Column: name, Err: fmt.Errorf("%w: no array for model input %q", ErrMissingColumn, name)}
		}
		if len(t.Shape) == 0 || int(t.Shape[0]) != n {
			return nil, bad("array %q has shape %v; want %d rows along dim 0", name, t.Shape, n)
		}
		inputs[k] = t
	}
	if len(ids) < 2 {
		return nil, &InputError{File: file, Column: "group", Err: fmt.Errorf("%w: every row is in one group", ErrOneGroup)}
	}

	// Splits: as given, else stratified by group × label like a CSV file's.
	var train, val, test []int
	if sp, ok := byName["split"]; ok {
		s := values(sp)
		if len(s) != n {
			return nil, bad("\"split\" has %d values for %d rows", len(s), n)
		}
		for i, v := range s {
			switch v {
			case 0:
				train = append(train, i)
			case 1:
				val = append(val, i)
			case 2:
				test = append(test, i)
			default:
				return nil, bad("\"split\" of row %d is %d; want 0 (train), 1 (validation) or 2 (test)", i, v)
			}
		}
	} else {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		stratum := func(i int) int { return int(top+1)*groups[i] + int(y[i]) }
		testFrac, valFrac := opts.TestFrac, opts.ValFrac
		if testFrac == 0 {
			testFrac = DefaultTestFrac
		}
		if valFrac == 0 {
			valFrac = DefaultValFrac
		}
		train, test = stratify(all, stratum, testFrac, rand.New(rand.NewPCG(opts.Seed, streamTest)))
		if valFrac > 0 {
			train, val = stratify(train, stratum, valFrac, rand.New(rand.NewPCG(opts.Seed, streamVal)))
		}
	}
	sum, err := fileSHA256(file)
	if err != nil {
		return nil, err
	}
	d := &Data{Source: SourceNPZ, GroupNames: names, SHA256: sum,
		Files: []SourceFile{{Role: "train", Path: file, SHA256: sum, Records: n}}}
	d.Train = npzSplit("train", file, train, inputs, y, groups)
	d.Val = npzSplit("val", file, val, inputs, y, groups)
	d.Test = npzSplit("test", file, test, inputs, y, groups)
	return d, nil
}

// values returns the integer values of an array of codes (float arrays are truncated).
func values(t tensor.Tensor) []int64 {
	if t.DType.IsInt() {
		return t.Ints
	}
	out := make([]int64, len(t.Data))
	for i, v := range t.Data {
		out[i] = int64(v)
	}
	return out
}

// npzSplit copies the rows of a split out of every input. A model with a single float [rows, width]
// input also gets it as X, so that it trains without onnxruntime.
func npzSplit(name, file string, rows []int, inputs []tensor.Tensor, y []float32, groups []int) *Split {
	s := &Split{Name: name, File: file, Rows: len(rows), Row: slices.Clone(rows)}
	for _, i := range rows {
		s.Y, s.Group = append(s.Y, y[i]), append(s.Group, groups[i])
	}
	for _, in := range inputs {
		per := in.Len() / max(int(in.Shape[0]), 1)
		out := tensor.Tensor{Shape: append([]int64{int64(len(rows))}, in.Shape[1:]...), DType: in.DType}
		for _, i := range rows {
			if in.DType.IsInt() {
				out.Ints = append(out.Ints, in.Ints[i*per:(i+1)*per]...)
			} else {
				out.Data = append(out.Data, in.Data[i*per:(i+1)*per]...)
			}
		}
		s.Inputs = append(s.Inputs, out)
	}
	if len(inputs) == 1 && !inputs[0].DType.IsInt() && len(inputs[0].Shape) == 2 {
		s.X, s.Cols = s.Inputs[0].Data, int(inputs[0].Shape[1])
	}
	return s
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
