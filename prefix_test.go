package fairbinn_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/train"
)

// A frozen prefix's activations beyond the memory limit go to memory-mapped files, and the model trained
// on them is the same, byte for byte, as the one trained on activations in memory.
func TestPrefixCacheSpills(t *testing.T) {
	testkit.RequireORT(t)
	if testing.Short() {
		t.Skip("trains")
	}
	run := func(limit int64) *fairbinn.Result {
		t.Helper()
		m, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
		if err != nil {
			t.Fatal(err)
		}
		data, err := fairbinn.LoadData(m, fairbinn.DataOptions{Spec: "adult:testdata/adult", Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		cfg := train.DefaultConfig(train.DefaultMethod)
		cfg.Epochs, cfg.TrainLeader = 2, train.LeaderAfter
		res, err := fairbinn.FineTune(context.Background(), m, data, fairbinn.Options{Position: "2", Train: &cfg, CacheMemory: limit})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	inMemory, mapped := run(0), run(-1)
	if p := inMemory.Report.Prefix; p == nil || p.Cache != "memory" {
		t.Fatalf("the default limit: %+v", p)
	}
	if p := mapped.Report.Prefix; p.Cache != "memory-mapped file" || p.CacheBytes != inMemory.Report.Prefix.CacheBytes {
		t.Errorf("a limit below the cache: %+v", p)
	}
	if !bytes.Equal(inMemory.Model, mapped.Model) {
		t.Error("the model trained on memory-mapped activations differs")
	}
}
