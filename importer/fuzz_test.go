package importer_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/ir"
)

// FuzzImport feeds arbitrary bytes to importer.Read: it must return a graph or a one-line bad-model
// error, never panic, and a graph it returns must export without panicking and import again. Seeds: every
// model under testdata (valid and malformed) and the crashers in testdata/fuzz/FuzzImport.
func FuzzImport(f *testing.F) {
	err := filepath.WalkDir("../testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".onnx") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f.Add(data)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := importer.Read(data, importer.Options{})
		if err != nil {
			checkFuzzError(t, g, err)
			return
		}
		if g == nil {
			t.Fatal("Read returned neither a graph nor an error")
		}
		out, err := exporter.Marshal(g)
		if err != nil {
			// Some imported content may not be writable; that must be an error, not a panic.
			return
		}
		if _, err := importer.Read(out, importer.Options{}); err != nil {
			t.Fatalf("the exported graph does not import again: %v", err)
		}
	})
}

func checkFuzzError(t *testing.T, g *ir.Graph, err error) {
	t.Helper()
	if g != nil {
		t.Fatalf("Read returned a graph with its error %v", err)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("error is not one line: %q", err)
	}
	if !importer.IsBadModel(err) {
		t.Fatalf("error %q does not wrap importer.ErrBadModel", err)
	}
}
