package ort

import (
	"fmt"
	"slices"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// IOInfo describes one model input or output as ONNX Runtime reports it.
type IOInfo struct {
	Name string
	// Shape has -1 for a symbolic or unknown dim (such as a dynamic batch). It is empty when the model
	// declares no shape.
	Shape []int64
	// DType is the element type the model declares.
	DType tensor.DType
}

// Options configures a Session.
type Options struct {
	// Threads is the number of intra-op threads ONNX Runtime uses for one Run; 0 keeps its default (one per
	// physical core).
	Threads int
}

// check validates t against the model's declared info: rank, static dims and data length.
func checkInput(t tensor.Tensor, info IOInfo) error {
	n, err := tensor.NumElements(t.Shape)
	if err != nil {
		return fmt.Errorf("input %q: %w", info.Name, err)
	}
	if n != t.Len() {
		return fmt.Errorf("input %q: shape %v needs %d values, got %d", info.Name, t.Shape, n, t.Len())
	}
	if t.DType.IsInt() != info.DType.IsInt() {
		return fmt.Errorf("input %q: got %s values, the model wants %s", info.Name, t.DType, info.DType)
	}
	if len(t.Shape) == 0 {
		// onnxruntime_go cannot build rank-0 tensors; say so before it does in its own words.
		return fmt.Errorf("input %q: scalar (rank 0) inputs are not supported", info.Name)
	}
	if len(info.Shape) == 0 {
		return nil // the model declares no shape: ONNX Runtime checks what it can at run time
	}
	if len(t.Shape) != len(info.Shape) {
		return fmt.Errorf("input %q: got rank %d %v, model wants rank %d %s",
			info.Name, len(t.Shape), t.Shape, len(info.Shape), formatShape(info.Shape))
	}
	for i, d := range info.Shape {
		if d >= 0 && t.Shape[i] != d {
			return fmt.Errorf("input %q: dim %d is %d, model wants %d (shape %v, model %s)",
				info.Name, i, t.Shape[i], d, t.Shape, formatShape(info.Shape))
		}
	}
	return nil
}

// formatShape prints a model shape with symbolic dims as "?" so users do not read -1 as a size.
func formatShape(shape []int64) string {
	s := "["
	for i, d := range shape {
		if i > 0 {
			s += " "
		}
		if d < 0 {
			s += "?"
		} else {
			s += fmt.Sprint(d)
		}
	}
	return s + "]"
}

// RunBatched runs a model with one input and one output on an input of shape [N, ...] in chunks of batch
// rows along dim 0 and concatenates the outputs along dim 0 (RunBatchedAll with one tensor each).
func RunBatched(s *Session, input tensor.Tensor, batch int) (tensor.Tensor, error) {
	ins, outs := s.Inputs(), s.Outputs()
	if len(ins) != 1 || len(outs) != 1 {
		return tensor.Tensor{}, fmt.Errorf("batched runs need a model with one input and one output, this one has %d and %d",
			len(ins), len(outs))
	}
	out, err := RunBatchedAll(s, []tensor.Tensor{input}, batch)
	if err != nil {
		return tensor.Tensor{}, err
	}
	return out[0], nil
}

// RunBatchedAll runs a model on one tensor per input, all of shape [N, ...], in chunks of batch rows
// along dim 0, and concatenates each output along dim 0. Chunking bounds the memory ONNX Runtime
// allocates for intermediate tensors, whatever N is.
//
// When the model's batch dim is static, chunks have that many rows instead and N must be a multiple of it.
// batch must be at least 1 either way. N may be 0 for a dynamic batch dim: the model then runs once on the
// empty input, so the output still has the model's shape.
func RunBatchedAll(s *Session, inputs []tensor.Tensor, batch int) ([]tensor.Tensor, error) {
	result := make([]tensor.Tensor, len(s.Outputs()))
	err := RunBatchedEach(s, inputs, batch, func(start, rows int, out []tensor.Tensor) error {
		for k, o := range out {
			r := &result[k]
			if start == 0 {
				r.Shape, r.DType = append([]int64{int64(rows)}, o.Shape[1:]...), o.DType
			}
			r.Data, r.Ints = append(r.Data, o.Data...), append(r.Ints, o.Ints...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// RunBatchedEach is RunBatchedAll handing each chunk's outputs to use as they come (start is the chunk's
// first row, rows the input's row count) instead of concatenating them: what the caller keeps of them is
// its choice (a memory-mapped file for outputs larger than memory). Every chunk's outputs have the same
// shape beyond dim 0, and start rows of the input in dim 0.
func RunBatchedEach(s *Session, inputs []tensor.Tensor, batch int, use func(start, rows int, out []tensor.Tensor) error) error {
	if batch < 1 {
		return fmt.Errorf("batch size %d: must be at least 1", batch)
	}
	ins, outs := s.Inputs(), s.Outputs()
	if len(inputs) != len(ins) {
		return fmt.Errorf("model has %d inputs, got %d tensors", len(ins), len(inputs))
	}
	rows := -1
	for i, in := range inputs {
		info := ins[i]
		if len(in.Shape) == 0 {
			return fmt.Errorf("input %q: scalar input has no batch dim", info.Name)
		}
		if err := in.Validate(); err != nil {
			return fmt.Errorf("input %q: %w", info.Name, err)
		}
		if rows >= 0 && int(in.Shape[0]) != rows {
			return fmt.Errorf("input %q has %d rows, input %q %d", info.Name, in.Shape[0], ins[0].Name, rows)
		}
		rows = int(in.Shape[0])
		if len(info.Shape) > 0 && info.Shape[0] >= 0 {
			batch = int(info.Shape[0])
			if batch == 0 || rows == 0 || rows%batch != 0 {
				return fmt.Errorf("input %q: %d rows do not split into the model's static batch of %d",
					info.Name, rows, batch)
			}
		}
	}
	if rows == 0 {
		out, err := s.Run(inputs)
		if err != nil {
			return err
		}
		return use(0, 0, out)
	}
	var first [][]int64 // each output's shape beyond dim 0, from the first chunk
	for start := 0; start < rows; start += batch {
		n := min(batch, rows-start)
		chunk := make([]tensor.Tensor, len(inputs))
		for i, in := range inputs {
			chunk[i] = in.SliceRows(start, start+n) // a view, not a copy: ONNX Runtime only reads the input
		}
		out, err := s.Run(chunk)
		if err != nil {
			return fmt.Errorf("rows %d to %d: %w", start, start+n-1, err)
		}
		for k, o := range out {
			if len(o.Shape) == 0 || o.Shape[0] != int64(n) {
				return fmt.Errorf("output %q: %d input rows gave shape %v; cannot concatenate along dim 0",
					outs[k].Name, n, o.Shape)
			}
			if start == 0 {
				first = append(first, o.Shape[1:])
			} else if !slices.Equal(o.Shape[1:], first[k]) {
				return fmt.Errorf("output %q: rows %d to %d gave shape %v, earlier rows %v",
					outs[k].Name, start, start+n-1, o.Shape, append([]int64{int64(rows)}, first[k]...))
			}
		}
		if err := use(start, rows, out); err != nil {
			return err
		}
	}
	return nil
}
