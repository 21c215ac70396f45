package fairbinn

import (
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// ReadInputs reads one tensor per input of m, in m's input order, from files given as FILE.npy (one per
// input, in order), NAME=FILE.npy (by input name), or a single FILE.npz holding every input by name.
// Each is checked against the input it feeds.
func ReadInputs(m *Model, specs []string) ([]tensor.Tensor, error) {
	ins := m.Graph.RealInputs()
	byName := map[string]tensor.Tensor{}
	from := map[string]string{}
	if len(specs) == 1 && strings.EqualFold(filepath.Ext(specs[0]), ".npz") {
		arrays, err := npy.ReadNPZ(specs[0])
		if err != nil {
			return nil, fault.Wrap(fault.BadInput, err)
		}
		for _, a := range arrays {
			byName[a.Name], from[a.Name] = a.Tensor, specs[0]+": "+a.Name
		}
	} else {
		for _, spec := range specs {
			if strings.EqualFold(filepath.Ext(spec), ".npz") {
				return nil, fault.Badf("%s: an .npz file holds every input; give it alone", spec)
			}
		}
		for k, spec := range specs {
			name, file, named := strings.Cut(spec, "=")
			if !named {
				if k >= len(ins) {
					return nil, fault.Badf("%s: the model has %d input(s); name the input (NAME=FILE.npy) or give one file per input", spec, len(ins))
				}
				name, file = ins[k].Name, spec
			}
			if _, dup := byName[name]; dup {
				return nil, fault.Badf("input %q is given twice", name)
			}
			t, err := npy.Read(file)
			if err != nil {
				return nil, fault.Wrap(fault.BadInput, err)
			}
			byName[name], from[name] = t, file
		}
	}
	out := make([]tensor.Tensor, len(ins))
	for k, v := range ins {
		t, ok := byName[v.Name]
		if !ok {
			return nil, fault.Badf("no values for model input %q (%s)", v.Name, describeInputs(ins))
		}
		if err := checkInput(from[v.Name], v, t); err != nil {
			return nil, err
		}
		out[k] = t
	}
	for name := range byName {
		if !slices.ContainsFunc(ins, func(v *ir.Value) bool { return v.Name == name }) {
			return nil, fault.Badf("%s: the model has no input %q (%s)", from[name], name, describeInputs(ins))
		}
	}
	return out, nil
}

func describeInputs(ins []*ir.Value) string {
	parts := make([]string, len(ins))
	for i, v := range ins {
		parts[i] = v.Name + " " + v.DType.String() + " " + v.Shape.String()
	}
	return "inputs: " + strings.Join(parts, ", ")
}

// checkInput checks rank, static dims, the kind of values (integers for an integer input) and
// finiteness of a tensor for model input v.
func checkInput(what string, v *ir.Value, in tensor.Tensor) error {
	want := v.Shape
	if len(want) > 0 && len(in.Shape) != len(want) {
		return fault.Badf("%s: shape %v has rank %d, model input %q wants %s", what, in.Shape, len(in.Shape), v.Name, want)
	}
	for i, d := range want {
		if i > 0 && d.IsStatic() && d.Value != in.Shape[i] {
			return fault.Badf("%s: shape %v does not fit model input %q %s (dim %d)", what, in.Shape, v.Name, want, i)
		}
	}
	if len(in.Shape) > 0 && in.Shape[0] == 0 {
		return fault.Badf("%s: no rows", what)
	}
	intInput := v.DType == ir.Int64 || v.DType == ir.Int32 || v.DType == ir.Bool
	if intInput != in.DType.IsInt() {
		return fault.Badf("%s: %s values for model input %q of type %s", what, in.DType, v.Name, v.DType)
	}
	for i, x := range in.Data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fault.Badf("%s: element %d is %v; inputs must be finite", what, i, x)
		}
	}
	return nil
}
