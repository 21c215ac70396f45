package fairbinn

import (
	"fmt"

	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
)

// ModelInfo describes a model: what inspect prints and its JSON output.
type ModelInfo struct {
	File        string            `json:"file"`
	IRVersion   int64             `json:"ir_version"`
	Opset       int64             `json:"opset"`
	OtherOpsets map[string]int64  `json:"other_opsets,omitempty"`
	Producer    string            `json:"producer"`
	ProducerVer string            `json:"producer_version"`
	Inputs      []TensorInfo      `json:"inputs"`
	Outputs     []TensorInfo      `json:"outputs"`
	Ops         []ir.OpCount      `json:"ops"`
	Nodes       int               `json:"nodes"`
	Parameters  int64             `json:"parameters"`
	Metadata    map[string]string `json:"metadata"`
	Head        *head.Head        `json:"head,omitempty"` // how fairbinn reads the first output
	HeadError   string            `json:"head_error,omitempty"`
	Unsupported string            `json:"unsupported,omitempty"`
	// Training says, per position, how fine-tuning there runs: "Go" (the whole model), "onnxruntime
	// prefix + Go" (the layers before it frozen in onnxruntime), or "no: why".
	Training  []string          `json:"training"`
	Positions []insert.Position `json:"positions"`
	// Measured lists the positions whose width was measured by running the model in onnxruntime, as
	// shape inference cannot compute it; Unmeasured says why some could not be.
	Measured   []string `json:"measured,omitempty"`
	Unmeasured string   `json:"unmeasured,omitempty"`
}

// TensorInfo describes a graph input or output.
type TensorInfo struct {
	Name  string   `json:"name"`
	DType string   `json:"dtype"`
	Shape []string `json:"shape"`
}

func describeValues(vs []*ir.Value) []TensorInfo {
	out := []TensorInfo{}
	for _, v := range vs {
		ti := TensorInfo{Name: v.Name, DType: v.DType.String(), Shape: []string{}}
		for _, d := range v.Shape {
			ti.Shape = append(ti.Shape, d.String())
		}
		out = append(out, ti)
	}
	return out
}

// Inspect describes m: opset, producer, inputs and outputs, op counts, parameters, metadata and the
// insertion positions. A model the Go forward pass cannot run is described too, with why in
// Unsupported; its positions say how they can be trained.
func Inspect(m *Model) (*ModelInfo, error) {
	g := m.Graph
	info := &ModelInfo{
		File: m.Path, IRVersion: g.IRVersion, Opset: g.Opset, OtherOpsets: g.OtherOpsets,
		Producer: g.Producer, ProducerVer: g.ProducerVer,
		Inputs: describeValues(g.RealInputs()), Outputs: describeValues(g.Outputs),
		Ops: g.OpCounts(), Nodes: len(g.Nodes), Parameters: g.ParamCount(), Metadata: g.Metadata,
		Positions: []insert.Position{},
	}
	if len(info.OtherOpsets) == 0 {
		info.OtherOpsets = nil
	}
	if info.Metadata == nil {
		info.Metadata = map[string]string{}
	}
	if h, err := head.Of(g); err == nil {
		info.Head = &h
	} else {
		info.HeadError = err.Error()
	}
	if err := GoRunnable(g); err != nil {
		info.Unsupported = err.Error()
	}
	positions, err := insert.Positions(g)
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, fmt.Errorf("%s: %w", m.Path, err))
	}
	info.Positions = positions
	for _, p := range positions {
		if _, ok := g.Measured[p.Tensor]; ok {
			info.Measured = append(info.Measured, p.Tensor)
		}
	}
	if m.measureErr != nil {
		info.Unmeasured = fault.Line(m.measureErr.Error())
	}
	// Where the Go side cannot run the whole model, a position can still be trained when the layers
	// after it can: the prefix then runs in onnxruntime.
	// Data that are not [rows, features] rows (tensors of other shapes, several inputs) train only on a
	// frozen prefix, as a graph the Go side cannot run does.
	in := g.RealInputs()
	rows := len(in) == 1 && in[0].DType == ir.Float32 && len(in[0].Shape) == 2
	for _, p := range positions {
		_, suffix, cutErr := ir.CutAcross(g, p.Tensor)
		if cutErr == nil {
			_, cutErr = ir.Widen(suffix)
		}
		how := "Go"
		switch {
		case info.Unsupported == "" && rows && cutErr != nil:
			how = "Go (the whole graph only: " + cutErr.Error() + ", so its prefix cannot be frozen)"
		case info.Unsupported == "" && rows:
		case cutErr != nil:
			how = "no: " + cutErr.Error()
		case lower.CheckSupported(suffix) != nil:
			how = "no: the layers after it need what the Go forward pass lacks"
		default:
			how = "onnxruntime prefix + Go"
		}
		info.Training = append(info.Training, how)
	}
	return info, nil
}
