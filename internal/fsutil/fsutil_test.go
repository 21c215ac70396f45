package fsutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := WriteFileAtomic(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "two" {
		t.Fatalf("read %q, %v; want \"two\"", got, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	// A folder that does not exist: an error, and nothing left anywhere.
	if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "f"), []byte("x"), 0o644); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	// A target that cannot be replaced (a folder): the temporary file is removed.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "sub"), []byte("x"), 0o644); err == nil {
		t.Error("replacing a folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d entries after the failures, want 2 (out.bin, sub)", len(entries))
	}
}

func TestWriteFilesAtomic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "model.onnx"), filepath.Join(dir, "missing", "report.json")
	// The second file's folder is missing: neither file appears, and nothing is left behind.
	if err := WriteFilesAtomic([]File{{a, []byte("model")}, {b, []byte("report")}}, 0o644); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	b = filepath.Join(dir, "report.json")
	if err := WriteFilesAtomic([]File{{a, []byte("model")}, {b, []byte("report")}}, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{a: "model", b: "report"} {
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", path, got, err)
		}
	}
	if err := CheckOutput(filepath.Join(dir, "missing", "x")); err == nil {
		t.Error("CheckOutput accepted a missing folder")
	}
	if err := CheckOutput(dir); err == nil {
		t.Error("CheckOutput accepted a folder as the file")
	}
	if err := CheckOutput(a); err != nil {
		t.Errorf("CheckOutput of a writable path: %v", err)
	}
}

// Temporary files a killed write left beside its file are removed by the next write of it; a recent one,
// which may belong to a write still going on, stays.
func TestStaleTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.onnx")
	stale := filepath.Join(dir, ".model.onnx.tmp-123")
	fresh := filepath.Join(dir, ".model.onnx.tmp-456")
	for _, f := range []string{stale, fresh} {
		if err := os.WriteFile(f, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * StaleAfter)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale temporary file was left")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a recent temporary file was removed")
	}
}

// An error while writing names the file being written, not the temporary file.
func TestErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.onnx")
	// A folder that cannot be written: creating the temporary file fails.
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		WriteFileAtomic(filepath.Join(ro, "m.onnx"), []byte("x"), 0o644),
		WriteFilesAtomic([]File{{Path: filepath.Join(ro, "m.onnx"), Data: []byte("x")}}, 0o644),
		WriteAtomic(path, 0o644, func(w io.Writer) error {
			return &os.PathError{Op: "write", Path: filepath.Join(dir, ".m.onnx.tmp-1"), Err: syscall.ENOSPC}
		}),
	} {
		if os.Geteuid() == 0 && err == nil {
			continue // root writes into a read-only folder
		}
		if err == nil || strings.Contains(err.Error(), ".tmp-") || !strings.Contains(err.Error(), "m.onnx") {
			t.Errorf("error %v: want the file's name and not the temporary file's", err)
		}
	}
	if err := WriteAtomic(path, 0o644, func(w io.Writer) error { return &os.PathError{Op: "write", Path: "x.tmp-1", Err: syscall.ENOSPC} }); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("the cause is lost: %v", err)
	}
}
