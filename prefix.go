package fairbinn

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/insert"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/spill"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/lower"
	"github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
	"github.com/fairbinn/fairbinn-go/train"
)

// PrefixReport says how the part of the model before the insertion position was run when it was frozen:
// once per split in onnxruntime, its activations kept in memory and reused every epoch.
type PrefixReport struct {
	Tensor string `json:"tensor"` // the activation the prefix ends with
	// Across are the other activations the layers after the position read (a skip connection across it),
	// cached beside Tensor, row by row.
	Across  []string `json:"across,omitempty"`
	Why     string   `json:"why"`     // why the prefix was frozen
	Runtime string   `json:"runtime"` // "onnxruntime"
	// CacheBytes is what the cached activations of the three splits take; Cache says where they are:
	// "memory", or "memory-mapped file" for those beyond the memory limit (Options.CacheMemory), whose
	// pages the system reads in as training uses them.
	CacheBytes int64   `json:"cache_bytes"`
	Cache      string  `json:"cache"`
	Seconds    float64 `json:"seconds"` // to compute them
}

// frozenPrefix is a model cut at the insertion position: the prefix runs in onnxruntime, the suffix
// (fairness layers and every layer after them) is lowered to Go and trained on the prefix's activations.
type frozenPrefix struct {
	full, prefix, suffix *ir.Graph
	report               PrefixReport
	mapped               []*spill.Array // activations in memory-mapped files, unmapped by close
}

// close unmaps the activations kept in files.
func (f *frozenPrefix) close() {
	for _, a := range f.mapped {
		a.Close()
	}
	f.mapped = nil
}

// cacheLimit is the memory the activations may take: limit, or half of what the system has available.
func cacheLimit(limit int64) int64 {
	if limit != 0 {
		return limit
	}
	if n, ok := spill.Available(); ok {
		return n / 2
	}
	return math.MaxInt64
}

// freezePrefix decides whether the prefix must be frozen — when the Go forward pass cannot run it, or
// when the leader trains only the layers after the position, so the prefix's activations never change —
// and cuts g at pos if so. It returns nil when the whole model trains in Go.
func freezePrefix(g *ir.Graph, pos insert.Position, leader train.LeaderParams, data *dataset.Data) (*frozenPrefix, error) {
	why := ""
	if data.Train.X == nil {
		why = "the data are tensors, not [rows, features] rows the Go side trains on"
	} else if err := GoRunnable(g); err != nil {
		why = err.Error() + "; the prefix runs in onnxruntime"
	} else if leader == train.LeaderAfter {
		why = "the leader trains only the layers after the position"
	}
	if why == "" {
		return nil, nil
	}
	prefix, suffix, err := ir.CutAcross(g, pos.Tensor)
	if err != nil {
		// A valid model: say which positions can be frozen instead.
		return nil, fault.Badf("position %d (%s): the prefix is frozen because %s, but it cannot be cut there: %v (a connection that skips the position); `fairbinn inspect` says in its \"trained in\" column which positions can", pos.Index, pos.Tensor, why, err)
	}
	if err := lower.CheckSupported(suffix); err != nil {
		return nil, fault.Badf("position %d (%s): the layers after it need what fairbinn's Go forward pass lacks, so they cannot be trained: %v", pos.Index, pos.Tensor, err)
	}
	report := PrefixReport{Tensor: pos.Tensor, Why: why, Runtime: "onnxruntime"}
	for _, v := range suffix.Inputs[1:] {
		report.Across = append(report.Across, v.Name)
	}
	// The suffix trains on one matrix: the position's activations and those read across it, side by side.
	if suffix, err = ir.Widen(suffix); err != nil {
		return nil, fault.Badf("position %d (%s): the layers after it also read %s: %v", pos.Index, pos.Tensor, strings.Join(report.Across, ", "), err)
	}
	return &frozenPrefix{full: g, prefix: prefix, suffix: suffix, report: report}, nil
}

// activations runs the prefix in onnxruntime on every split of data and returns the data with each
// split's features replaced by the prefix's activations (labels, groups and rows unchanged). Activations
// that would take memory beyond limit (see cacheLimit) are written, batch by batch, to memory-mapped
// files instead.
func (f *frozenPrefix) activations(data *dataset.Data, threads int, limit int64) (*dataset.Data, error) {
	t0 := time.Now()
	raw, err := exporter.Marshal(f.prefix)
	if err != nil {
		return nil, fmt.Errorf("the prefix as ONNX: %w", err)
	}
	s, err := ort.Open(raw, ort.Options{Threads: threads})
	if err != nil {
		return nil, fault.Wrap(fault.BadInput, fmt.Errorf("onnxruntime refuses the prefix up to %s: %w", f.report.Tensor, err))
	}
	defer s.Close()
	cached := *data
	// The prefix reads the model inputs it needs, by name.
	var modelInputs []string
	for _, v := range f.full.RealInputs() {
		modelInputs = append(modelInputs, v.Name)
	}
	budget := cacheLimit(limit) // read once: the system's available memory moves as the cache fills
	for _, sp := range []**dataset.Split{&cached.Train, &cached.Val, &cached.Test} {
		in := *sp
		all := in.ModelInputs()
		var feed []tensor.Tensor
		for _, v := range f.prefix.Inputs {
			k := slices.Index(modelInputs, v.Name)
			if k < 0 || k >= len(all) {
				return nil, fmt.Errorf("the prefix reads %q, which the data does not give", v.Name)
			}
			feed = append(feed, all[k])
		}
		act := *in
		var w *spill.Writer
		inMemory := budget - f.report.CacheBytes
		err := ort.RunBatchedEach(s, feed, train.EvalBatch, func(start, rows int, outs []tensor.Tensor) error {
			out, err := sideBySide(outs)
			if err != nil || rows != in.Rows {
				return fmt.Errorf("the prefix gives shape %v for %d rows; want [rows, width]", outs[0].Shape, in.Rows)
			}
			if start == 0 {
				act.Cols = int(out.Shape[1])
				if need := int64(rows) * int64(act.Cols) * 4; need > inMemory && need > 0 {
					var err error
					if w, err = spill.Create("", rows*act.Cols); err != nil {
						return fault.Wrap(fault.BadInput, fmt.Errorf("the activation cache of %d MB beyond the memory limit: %w", need>>20, err))
					}
				} else {
					act.X = make([]float32, 0, rows*act.Cols)
				}
			}
			if w != nil {
				return w.Write(out.Data)
			}
			act.X = append(act.X, out.Data...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("the prefix on the %s split: %w", in.Name, err)
		}
		if w != nil {
			a, err := w.Map()
			if err != nil {
				return nil, err
			}
			f.mapped = append(f.mapped, a)
			act.X = a.Data
		}
		act.Inputs = nil
		*sp = &act
		f.report.CacheBytes += int64(len(act.X)) * 4
	}
	f.report.Cache = "memory"
	if len(f.mapped) > 0 {
		f.report.Cache = "memory-mapped file"
	}
	f.report.Seconds = time.Since(t0).Seconds()
	return &cached, nil
}

// sideBySide puts the rows of [batch, width] outputs side by side: one [batch, Σ width] matrix (the one
// output itself when there is one).
func sideBySide(outs []tensor.Tensor) (tensor.Tensor, error) {
	for _, o := range outs {
		if len(o.Shape) != 2 || o.Shape[0] != outs[0].Shape[0] {
			return tensor.Tensor{}, fmt.Errorf("output of shape %v", o.Shape)
		}
	}
	if len(outs) == 1 {
		return outs[0], nil
	}
	rows, width := int(outs[0].Shape[0]), 0
	for _, o := range outs {
		width += int(o.Shape[1])
	}
	wide := tensor.Tensor{Shape: []int64{int64(rows), int64(width)}, DType: outs[0].DType, Data: make([]float32, 0, rows*width)}
	for r := range rows {
		for _, o := range outs {
			w := int(o.Shape[1])
			wide.Data = append(wide.Data, o.Data[r*w:(r+1)*w]...)
		}
	}
	return wide, nil
}

// goCut is where the Go forward pass takes over from onnxruntime for a model it cannot run whole: the
// first insertion position after which it can run everything. It returns "" when it can run the whole
// model, and an error when no position lets it.
func goCut(g *ir.Graph) (string, error) {
	whole := GoRunnable(g)
	if whole == nil {
		return "", nil
	}
	positions, err := insert.Positions(g)
	if err != nil {
		return "", err
	}
	for _, p := range positions {
		if _, suffix, err := ir.Cut(g, p.Tensor); err == nil && GoRunnable(suffix) == nil {
			return p.Tensor, nil
		}
	}
	return "", fault.Badf("%v; and no insertion position has only what it runs after it", whole)
}

// GoNote says how the Go forward pass runs m: "" for the whole model in Go, else where onnxruntime
// hands over to it (what predict and verify print under --runtime go).
func GoNote(m *Model) string {
	cut, err := goCut(m.Graph)
	if err != nil || cut == "" {
		return ""
	}
	return fmt.Sprintf("%v: the layers up to %s ran in onnxruntime, the rest in the Go forward pass", GoRunnable(m.Graph), cut)
}

// runSplit runs a model the Go forward pass cannot run whole: onnxruntime up to goCut's position, the
// Go forward pass after it.
func (m *Model) runSplit(inputs []tensor.Tensor, opts RunOptions) ([]tensor.Tensor, error) {
	cut, err := goCut(m.Graph)
	if err != nil {
		if m.Path != "" {
			err = fmt.Errorf("%s: %w", m.Path, err)
		}
		return nil, err
	}
	prefix, suffix, err := ir.Cut(m.Graph, cut)
	if err != nil {
		return nil, err
	}
	raw, err := exporter.Marshal(prefix)
	if err != nil {
		return nil, err
	}
	pm := &Model{Graph: prefix, Bytes: raw}
	var feed []tensor.Tensor
	for _, v := range prefix.Inputs {
		k := slices.IndexFunc(m.Graph.RealInputs(), func(w *ir.Value) bool { return w.Name == v.Name })
		feed = append(feed, inputs[k])
	}
	act, err := pm.RunAll(ORT, feed, opts)
	if err != nil {
		return nil, err
	}
	out, err := lower.Forward(suffix, act[0], opts.Batch)
	if err != nil {
		return nil, err
	}
	return []tensor.Tensor{out}, nil
}
