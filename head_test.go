package fairbinn_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/head"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/train"
)

// rawLogitAdult writes a copy of the shipped Adult backbone without its final Sigmoid, as a model
// trained with BCEWithLogitsLoss is exported: its output "prob" is then the raw logit.
func rawLogitAdult(t *testing.T) string {
	t.Helper()
	m, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	g := m.Graph
	out := g.Outputs[0].Name
	for i, n := range g.Nodes {
		if n.OpType == "Sigmoid" && n.Outputs[0] == out {
			g.Producers()[n.Inputs[0]].Outputs[0] = out
			g.Nodes = append(g.Nodes[:i], g.Nodes[i+1:]...)
			break
		}
	}
	path := filepath.Join(t.TempDir(), "adult_logit.onnx")
	if err := exporter.WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	return path
}

// A raw-logit copy of the Adult backbone is read as a logit (never as a probability): eval gives the
// original's figures in onnxruntime and in the Go forward pass, and fine-tuning reaches the original's
// figures.
func TestRawLogitBackbone(t *testing.T) {
	testkit.RequireORT(t)
	logitPath := rawLogitAdult(t)
	orig, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	logit, err := fairbinn.Load(logitPath)
	if err != nil {
		t.Fatal(err)
	}
	h, err := head.Of(logit.Graph)
	if err != nil || h.Kind != head.Logit {
		t.Fatalf("head of the raw-logit copy: %+v, %v; want a logit", h, err)
	}
	dopts := fairbinn.DataOptions{Spec: "adult:testdata/adult", Seed: 1}
	data, err := fairbinn.LoadData(orig, dopts)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range []fairbinn.Runtime{fairbinn.ORT, fairbinn.Go} {
		a, err := fairbinn.Evaluate(orig, rt, data.Test, data, fairbinn.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := fairbinn.Evaluate(logit, rt, data.Test, data, fairbinn.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if a.Accuracy != b.Accuracy || math.Abs(a.DP-b.DP) > 1e-9 || math.Abs(a.EO-b.EO) > 1e-9 {
			t.Errorf("%s: raw-logit copy scores accuracy %.4f DP %.4f EO %.4f; the original %.4f %.4f %.4f",
				rt, b.Accuracy, b.DP, b.EO, a.Accuracy, a.DP, a.EO)
		}
	}
	if testing.Short() {
		return
	}
	cfg := train.DefaultConfig(train.DefaultMethod)
	cfg.Epochs = 3
	tune := func(m *fairbinn.Model) *fairbinn.Report {
		data, err := fairbinn.LoadData(m, dopts)
		if err != nil {
			t.Fatal(err)
		}
		res, err := fairbinn.FineTune(context.Background(), m, data, fairbinn.Options{Position: "2", Train: &cfg})
		if err != nil {
			t.Fatal(err)
		}
		return res.Report
	}
	a, b := tune(orig), tune(logit)
	for _, d := range []struct {
		what string
		a, b float64
	}{{"test accuracy", a.After.Test.Accuracy, b.After.Test.Accuracy}, {"test DP", a.After.Test.DP, b.After.Test.DP},
		{"val accuracy", a.After.Val.Accuracy, b.After.Val.Accuracy}} {
		if math.Abs(d.a-d.b) > 0.002 {
			t.Errorf("%s after fine-tuning: raw-logit copy %.4f, original %.4f (want within 0.002)", d.what, d.b, d.a)
		}
	}
	if !b.Parity.OK || b.Parity.MaxAbsDiff > 1e-5 {
		t.Errorf("raw-logit export parity: %+v", b.Parity)
	}
}
