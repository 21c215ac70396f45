package fairbinn

import (
	"bytes"
	"os"
	"testing"
)

// A loaded model is held once, as its graph: its file's bytes are read again only when an executor or
// the audit needs them (a 100 MB model held twice was 2.4× its size in peak memory).
func TestLoadReadsTheFileOnDemand(t *testing.T) {
	const path = "testdata/models/adult_mlp/model.onnx"
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Bytes != nil {
		t.Fatalf("Load kept %d bytes of the file", len(m.Bytes))
	}
	raw, err := m.raw()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, want) {
		t.Fatalf("raw gives %d bytes, the file has %d", len(raw), len(want))
	}
}
