package fairbinn

import (
	"fmt"

	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// measureRows is the batch a model is run on to measure the shapes shape inference cannot compute.
const measureRows = 2

// measureShapes runs the part of m that computes its would-be positions whose shape inference cannot
// tell (after an op it does not know, such as Einsum), once in onnxruntime on measureRows rows of zeros,
// and records their shapes in m.Graph.Measured, so that insert.Positions lists them. It does nothing
// when every shape is known; it fails when onnxruntime cannot run that part or the inputs have sizes
// beyond the batch that are not fixed.
func measureShapes(m *Model) error {
	unknown, err := insert.Unmeasured(m.Graph)
	if err != nil || len(unknown) == 0 {
		return err
	}
	probe, err := ir.Probe(m.Graph, unknown)
	if err != nil {
		return err
	}
	raw, err := exporter.Marshal(probe)
	if err != nil {
		return err
	}
	if err := ort.Init(); err != nil {
		return err
	}
	s, err := ort.Open(raw, ort.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	var in []tensor.Tensor
	for _, info := range s.Inputs() {
		shape := append([]int64{}, info.Shape...)
		n := int64(1)
		for i, d := range shape {
			switch {
			case i == 0 && d < 0:
				shape[i] = measureRows
			case d < 0:
				return fmt.Errorf("input %q has a size beyond the batch that is not fixed (%v)", info.Name, info.Shape)
			}
			n *= shape[i]
		}
		if n > 1<<24 {
			return fmt.Errorf("input %q: %d values to measure shapes on", info.Name, n)
		}
		t := tensor.Tensor{Shape: shape, DType: info.DType}
		if info.DType.IsInt() {
			t.Ints = make([]int64, n)
		} else {
			t.Data = make([]float32, n)
		}
		in = append(in, t)
	}
	outs, err := s.Run(in)
	if err != nil {
		return err
	}
	batch := m.Graph.RealInputs()[0].Shape
	for k, t := range unknown {
		shape := outs[k].Shape
		if len(shape) != 2 || shape[0] != measureRows {
			continue // not a [batch, width] activation: no position
		}
		if m.Graph.Measured == nil {
			m.Graph.Measured = map[string]ir.Shape{}
		}
		m.Graph.Measured[t] = ir.Shape{batch[0], ir.Fixed(shape[1])}
	}
	return nil
}
