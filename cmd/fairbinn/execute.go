package main

import (
	"errors"
	"fmt"
	"github.com/fairbinn/fairbinn-go/tensor"
	"math"
	"os"

	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/reference"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/ort"
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
	g     *ir.Graph
	bytes []byte
	path  string
}

// execute runs the model on input with the named executor, in chunks of batch rows.
func execute(name string, m modelRef, input tensor.Tensor, batch, threads int) (tensor.Tensor, error) {
	g, modelBytes := m.g, m.bytes
	switch name {
	case runtimeGo:
		out, err := lower.Forward(g, input, batch)
		if err != nil && m.path != "" {
			err = fmt.Errorf("%s: %w", m.path, err)
		}
		return out, err
	case runtimeORT:
		var s *ort.Session
		var err error
		if m.path != "" {
			s, err = ort.OpenFile(m.path, ort.Options{Threads: threads})
		} else {
			s, err = ort.Open(modelBytes, ort.Options{Threads: threads})
		}
		if errors.Is(err, ort.ErrRuntimeUnavailable) {
			return tensor.Tensor{}, err
		}
		if err != nil {
			return tensor.Tensor{}, badInput(err) // onnxruntime refuses the model itself
		}
		defer s.Close()
		out, err := ort.RunBatched(s, tensor.Tensor{Shape: input.Shape, Data: input.Data}, batch)
		return tensor.Tensor{Shape: out.Shape, Data: out.Data}, err
	case runtimeOnnxGo:
		out, err := reference.Run(modelBytes, tensor.Tensor{Shape: input.Shape, Data: input.Data})
		return tensor.Tensor{Shape: out.Shape, Data: out.Data}, err
	}
	return tensor.Tensor{}, badInputf("--runtime %q: want ort or go", name)
}

// readInput reads a .npy input and checks it against the model's single input.
func readInput(path string, g *ir.Graph) (tensor.Tensor, error) {
	a, err := npy.Read(path)
	if err != nil {
		return tensor.Tensor{}, badInput(err)
	}
	in := tensor.Tensor{Shape: a.Shape, Data: a.Data}
	if err := checkInput(path, g, in); err != nil {
		return tensor.Tensor{}, err
	}
	return in, nil
}

// checkInput checks rank, static dims and finiteness of an input array for the model's single input.
func checkInput(what string, g *ir.Graph, in tensor.Tensor) error {
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
func writeOutput(path string, a tensor.Tensor) error {
	return npy.Write(path, tensor.Tensor{Shape: a.Shape, Data: a.Data})
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
func labels(a tensor.Tensor) []int {
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

func sameLen(a, b tensor.Tensor) error {
	if len(a.Data) != len(b.Data) {
		return fmt.Errorf("outputs have %d and %d values", len(a.Data), len(b.Data))
	}
	return nil
}
