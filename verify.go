package fairbinn

import (
	"fmt"
	"math/rand/v2"

	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/parity"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// VerifyReport is the result of VerifyAll: which executors ran, and each pair's differences.
type VerifyReport struct {
	Model     string            `json:"model"`
	Rows      int64             `json:"rows"`
	Tolerance float64           `json:"tolerance"`
	Runtimes  map[string]string `json:"runtimes"` // "ok" or why it could not run
	Pairs     []parity.Pair     `json:"pairs"`
	OK        bool              `json:"ok"`
}

// MaxOnnxGoNodes is the largest graph verify hands to onnx-go: its graph building is quadratic in the
// nodes (a 10,000-node chain takes about 19 s there, against well under a second in onnxruntime and the
// Go forward pass).
const MaxOnnxGoNodes = 2000

// VerifyAll runs the same rows (one tensor per model input) through onnxruntime, the Go forward pass and
// onnx-go and compares each pair that could run. OK is false when onnxruntime and the Go forward pass
// differ by more than tol (then the caller decides: the command line exits 3). onnx-go cannot run every
// model; why is recorded. Where the Go forward pass cannot run the whole model, its column is onnxruntime
// up to a position and Go after it (GoNote says where).
func VerifyAll(m *Model, inputs []tensor.Tensor, tol float64, opts RunOptions) (*VerifyReport, error) {
	rep := &VerifyReport{Model: m.Path, Rows: inputs[0].Shape[0], Tolerance: tol, Runtimes: map[string]string{}, OK: true}
	var labels func(tensor.Tensor) []int
	if h, err := head.Of(m.Graph); err == nil {
		labels = h.Labels
	}
	names := []Runtime{ORT, Go, OnnxGo}
	outs := map[Runtime]tensor.Tensor{}
	// The Go forward pass runs first: its errors name the node at fault.
	for _, rt := range []Runtime{Go, ORT, OnnxGo} {
		if n := len(m.Graph.Nodes); rt == OnnxGo && n > MaxOnnxGoNodes {
			rep.Runtimes[string(rt)] = fmt.Sprintf("not run: %d nodes; onnx-go builds its graph in time that grows with the square of the node count, so it runs models of up to %d", n, MaxOnnxGoNodes)
			continue
		}
		all, err := m.RunAll(rt, inputs, opts)
		var out tensor.Tensor
		if err == nil {
			out = all[0]
		}
		if err != nil {
			if rt != OnnxGo {
				return rep, err // the two runtimes fairbinn ships with must both run the model
			}
			rep.Runtimes[string(rt)] = fault.Line(err.Error())
			continue
		}
		rep.Runtimes[string(rt)] = "ok"
		outs[rt] = out
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			a, okA := outs[names[i]]
			b, okB := outs[names[j]]
			if !okA || !okB {
				continue
			}
			p, err := parity.Compare(string(names[i]), a, string(names[j]), b, tol, labels)
			if err != nil {
				return rep, err
			}
			if !p.WithinTol && names[i] == ORT && names[j] == Go {
				rep.OK = false
			}
			rep.Pairs = append(rep.Pairs, p)
		}
	}
	return rep, nil
}

// MaxRandomValues bounds the values RandomInput draws (1 GiB of float32).
const MaxRandomValues = 1 << 28

// RandomInput draws rows uniformly from [0, 1) in the shape of m's single input, with rows as the batch
// dim (or the model's static batch).
func RandomInput(m *Model, rows int, seed uint64) (tensor.Tensor, error) {
	ins := m.Graph.RealInputs()
	if len(ins) != 1 {
		return tensor.Tensor{}, fault.Badf("the model has %d inputs; fairbinn runs models with one input", len(ins))
	}
	if rows < 1 || rows > MaxRandomValues {
		return tensor.Tensor{}, fault.Badf("%d random rows: want 1 to %d", rows, MaxRandomValues)
	}
	shape := make([]int64, len(ins[0].Shape))
	n := int64(1)
	for i, d := range ins[0].Shape {
		switch {
		case i == 0 && !d.IsStatic():
			shape[i] = int64(rows)
		case d.IsStatic():
			shape[i] = d.Value
		default:
			return tensor.Tensor{}, fault.Badf("model input %q has symbolic dim %s beyond the batch dim; give input rows", ins[0].Name, d)
		}
		if shape[i] < 0 || shape[i] > 0 && n > MaxRandomValues/shape[i] {
			return tensor.Tensor{}, fault.Badf("%d random rows of input %q %s would take more than %d values (%d MB); give fewer rows or --input",
				rows, ins[0].Name, ins[0].Shape, MaxRandomValues, MaxRandomValues*4>>20)
		}
		n *= shape[i]
	}
	rng := rand.New(rand.NewPCG(seed, 0x766572)) // "ver"
	data := make([]float32, n)
	for i := range data {
		data[i] = rng.Float32()
	}
	return tensor.Tensor{Shape: shape, Data: data}, nil
}

// VerifyFile checks a written model as a user would: it imports path again, loads the data for it, and
// runs the first rows of the test split through every executor (VerifyAll).
func VerifyFile(path string, data DataOptions, rows int, tol float64, opts RunOptions) (*VerifyReport, error) {
	m, err := Load(path)
	if err != nil {
		return nil, err
	}
	d, err := LoadData(m, data)
	if err != nil {
		return nil, err
	}
	inputs := d.Test.ModelInputs()
	n := min(rows, d.Test.Rows)
	for i, in := range inputs {
		inputs[i] = in.SliceRows(0, n)
	}
	return VerifyAll(m, inputs, tol, opts)
}
