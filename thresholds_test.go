package fairbinn_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/train"
)

// Per-group thresholds compiled into the ONNX graph give, in onnxruntime alone, exactly the decisions
// the same thresholds give on the backbone's scores computed in Go.
func TestCompiledThresholds(t *testing.T) {
	testkit.RequireORT(t)
	dopts := fairbinn.DataOptions{Spec: "adult:testdata/adult", Seed: 1}
	backbone, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	data, err := fairbinn.LoadData(backbone, dopts)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "thresholds.onnx")
	res, err := fairbinn.FineTune(context.Background(), backbone, data, fairbinn.Options{Position: "2", Thresholds: fairbinn.ThresholdsOnly, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	testkit.OnnxChecker(t, out)
	th := fairness.Thresholds{T: make([]float64, len(data.GroupNames))}
	for g, name := range data.GroupNames {
		th.T[g] = res.Report.Thresholds[name]
	}
	orig, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	goScores, err := fairbinn.Probabilities(orig, fairbinn.Go, data.Test, fairbinn.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := th.Apply(goScores, data.Test.Group)
	exported, err := fairbinn.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	ortScores, err := fairbinn.Probabilities(exported, fairbinn.ORT, data.Test, fairbinn.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for i, p := range ortScores {
		if (p >= 0.5) != (want[i] == 1) {
			differ++
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d test decisions of the compiled model differ from the thresholds applied in Go", differ, len(want))
	}
	if b := res.Report.Baseline; b == nil || b.Test == nil || res.Report.After.Test.Accuracy != b.Test.Accuracy {
		t.Errorf("compiled thresholds: test accuracy %v, the baseline's %+v", res.Report.After.Test.Accuracy, b)
	}
	if exported.Graph.Metadata[fairbinn.MetaMethod] != "thresholds" {
		t.Errorf("fairbinn.method = %q", exported.Graph.Metadata[fairbinn.MetaMethod])
	}

	// Without the sensitive attribute among the model's inputs there is nothing to compile.
	blind, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	bdata, err := fairbinn.LoadData(blind, dopts)
	if err != nil {
		t.Fatal(err)
	}
	bdata.Encoding = nil
	cfg := train.DefaultConfig(train.DefaultMethod)
	_, err = fairbinn.FineTune(context.Background(), blind, bdata, fairbinn.Options{Position: "2", Train: &cfg, Thresholds: fairbinn.ThresholdsOnly})
	if err == nil || !strings.Contains(err.Error(), "attribute-blind") {
		t.Errorf("thresholds without the attribute as an input: %v; want a refusal that says to train attribute-blind", err)
	}
}
