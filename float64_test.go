package fairbinn_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
	"github.com/fairbinn/fairbinn-go/train"
)

// A model exported in double precision trains in float32 and is exported in its own type: the Adult
// backbone made float64 runs in onnxruntime as such, fine-tunes, and its export (inserted layers
// included) is float64 throughout, within parity of the Go forward pass.
func TestFloat64Backbone(t *testing.T) {
	testkit.RequireORT(t)
	m, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range append(m.Graph.Inputs, m.Graph.Outputs...) {
		v.DType, v.Source = ir.Float64, nil
	}
	for _, t := range m.Graph.Initializers {
		t.DType, t.Changed = ir.Float64, true
	}
	m.Graph.Source = nil
	path := filepath.Join(t.TempDir(), "adult_f64.onnx")
	if err := exporter.WriteFile(path, m.Graph); err != nil {
		t.Fatal(err)
	}
	testkit.OnnxChecker(t, path)
	backbone, err := fairbinn.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := fairbinn.LoadData(backbone, fairbinn.DataOptions{Spec: "adult:testdata/adult", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.DefaultConfig(train.DefaultMethod)
	cfg.Epochs = 1
	out := filepath.Join(t.TempDir(), "fair_f64.onnx")
	res, err := fairbinn.FineTune(context.Background(), backbone, data, fairbinn.Options{Position: "2", Train: &cfg, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Report.Parity; !p.OK {
		t.Errorf("parity of the float64 export: %+v", p)
	}
	testkit.OnnxChecker(t, out)
	exported, err := fairbinn.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	for name, init := range exported.Graph.Initializers {
		if init.DType != ir.Float64 {
			t.Errorf("exported initializer %q is %s, want float64", name, init.DType)
		}
	}
}
