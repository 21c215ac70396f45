package main

import (
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/reference"
	"github.com/fairbinn/fairbinn-go/models"
	"github.com/fairbinn/fairbinn-go/runtime"
)

// Names of the executors a model can run on.
const (
	runtimeORT    = "ort"
	runtimeGo     = "go"
	runtimeOnnxGo = "onnx-go"
)

// modelRef is a model as the executors need it: the imported graph for the Go forward pass, the bytes
// for onnx-go, and the file (when there is one) for onnxruntime, which reads external data beside it.
type modelRef struct {
	g     *models.Graph
	bytes []byte
	path  string
}

// execute runs the model on input with the named executor, in chunks of batch rows.
func execute(name string, m modelRef, input models.Array, batch, threads int) (models.Array, error) {
	g, modelBytes := m.g, m.bytes
	switch name {
	case runtimeGo:
		out, err := models.Forward(g, input, batch)
		if err != nil && m.path != "" {
			err = fmt.Errorf("%s: %w", m.path, err)
		}
		return out, err
	case runtimeORT:
		var s *runtime.Session
		var err error
		if m.path != "" {
			s, err = runtime.OpenFile(m.path, runtime.Options{Threads: threads})
		} else {
			s, err = runtime.Open(modelBytes, runtime.Options{Threads: threads})
		}
		if errors.Is(err, runtime.ErrRuntimeUnavailable) {
			return models.Array{}, err
		}
		if err != nil {
			return models.Array{}, badInput(err) // onnxruntime refuses the model itself
		}
		defer s.Close()
		out, err := runtime.RunBatched(s, runtime.Tensor{Shape: input.Shape, Data: input.Data}, batch)
		return models.Array{Shape: out.Shape, Data: out.Data}, err
	case runtimeOnnxGo:
		out, err := reference.Run(modelBytes, reference.Tensor{Shape: input.Shape, Data: input.Data})
		return models.Array{Shape: out.Shape, Data: out.Data}, err
	}
	return models.Array{}, badInputf("--runtime %q: want ort or go", name)
}

// readInput reads a .npy input and checks it against the model's single input.
func readInput(path string, g *models.Graph) (models.Array, error) {
	a, err := npy.Read(path)
	if err != nil {
		return models.Array{}, badInput(err)
	}
	in := models.Array{Shape: a.Shape, Data: a.Data}
	if err := checkInput(path, g, in); err != nil {
		return models.Array{}, err
	}
	return in, nil
}

// checkInput checks rank, static dims and finiteness of an input array for the model's single input.
func checkInput(what string, g *models.Graph, in models.Array) error {
	ins := g.RealInputs()
	if len(ins) != 1 {
		return badInputf("%s: the model has %d inputs; fairbinn runs models with one input", what, len(ins))
	}
	want := ins[0].Shape
	if len(in.Shape) != len(want) {
		return badInputf("%s: shape %v has rank %d, model input %q wants %s", what, in.Shape, len(in.Shape), ins[0].Name, want)
	}
	for i, d := range want {
		if i > 0 && d.IsStatic() && d.Value != in.Shape[i] {
			return badInputf("%s: shape %v does not fit model input %q %s (dim %d)", what, in.Shape, ins[0].Name, want, i)
		}
	}
	for i, v := range in.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return badInputf("%s: element %d is %v; inputs must be finite", what, i, v)
		}
	}
	return nil
}

// writeOutput writes a .npy file atomically.
func writeOutput(path string, a models.Array) error {
	return npy.Write(path, npy.Array{Shape: a.Shape, Data: a.Data})
}

// readModelBytes reads a model file for the runtimes that take bytes.
func readModelBytes(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, badInput(err)
	}
	return b, nil
}

// labels turns model outputs into class labels: a threshold of 0.5 for one column (a probability),
// argmax for several.
func labels(a models.Array) []int {
	if len(a.Shape) == 0 || a.Shape[0] == 0 {
		return nil
	}
	rows := int(a.Shape[0])
	cols := len(a.Data) / rows
	out := make([]int, rows)
	for r := range rows {
		row := a.Data[r*cols : (r+1)*cols]
		if cols == 1 {
			if row[0] > 0.5 {
				out[r] = 1
			}
			continue
		}
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[r] = best
	}
	return out
}

func sameLen(a, b models.Array) error {
	if len(a.Data) != len(b.Data) {
		return fmt.Errorf("outputs have %d and %d values", len(a.Data), len(b.Data))
	}
	return nil
}
