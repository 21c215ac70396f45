package fairbinn_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// FineTuneFile refuses, before any work, an output that would replace the backbone or that cannot be
// written, and leaves the backbone as it was.
func TestFineTuneFileRefusesBadOutputs(t *testing.T) {
	orig, err := os.ReadFile("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	backbone := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(backbone, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	data := fairbinn.DataOptions{Spec: "adult:testdata/adult"}
	for name, out := range map[string]string{
		"the backbone itself": backbone,
		"a missing folder":    filepath.Join(dir, "no-such-folder", "out.onnx"),
		"a folder":            dir,
	} {
		_, err := fairbinn.FineTuneFile(context.Background(), backbone, data, fairbinn.Options{Position: "2", Out: out})
		if fault.Of(err) != fault.BadInput {
			t.Errorf("out = %s: got %v (kind %v), want a bad-input error", name, err, fault.Of(err))
		}
	}
	if now, err := os.ReadFile(backbone); err != nil || !bytes.Equal(now, orig) {
		t.Errorf("the backbone changed (read error %v)", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want only the backbone", len(entries))
	}
}
