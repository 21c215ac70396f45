package ort

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// touch creates path (and its folders) with some content.
func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindLibrary(t *testing.T) {
	// repo/ holds go.mod and .deps; repo/a/b is a package folder; bin/ holds an installed executable whose
	// parent has its own .deps.
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	touch(t, filepath.Join(repo, "go.mod"))
	repoLib := filepath.Join(repo, libraryRel)
	touch(t, repoLib)
	pkg := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	inst := filepath.Join(root, "inst")
	instLib := filepath.Join(inst, libraryRel)
	touch(t, instLib)
	exe := filepath.Join(inst, "bin", "fairbinn")
	touch(t, exe)
	envLib := filepath.Join(root, "custom", "libonnxruntime.so.1")
	touch(t, envLib)
	// outside/ has no go.mod; the search must not stop early there and must not find repo's copy.
	outside := filepath.Join(root, "outside", "x")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		env, cwd, exe string
		want          string
	}{
		{name: "env wins", env: envLib, cwd: pkg, exe: exe, want: envLib},
		{name: "module root from package folder", cwd: pkg, exe: exe, want: repoLib},
		{name: "module root itself", cwd: repo, want: repoLib},
		{name: "beside executable", cwd: outside, exe: exe, want: instLib},
		{name: "executable without cwd", exe: exe, want: instLib},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findLibrary(tc.env, tc.cwd, tc.exe)
			if err != nil {
				t.Fatalf("findLibrary: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFindLibraryStopsAtModuleRoot(t *testing.T) {
	// A .deps above the module root belongs to another checkout and must not be picked up.
	root := t.TempDir()
	touch(t, filepath.Join(root, libraryRel))
	mod := filepath.Join(root, "mod")
	touch(t, filepath.Join(mod, "go.mod"))
	if _, err := findLibrary("", mod, ""); !errors.Is(err, ErrRuntimeUnavailable) {
		t.Fatalf("got %v, want ErrRuntimeUnavailable", err)
	}
}

func TestFindLibraryMissing(t *testing.T) {
	root := t.TempDir()
	touch(t, filepath.Join(root, "go.mod"))
	exe := filepath.Join(t.TempDir(), "fairbinn")

	for _, tc := range []struct {
		name, env string
		wantIn    []string
	}{
		{name: "nothing installed", wantIn: []string{"libonnxruntime.so.1 not found", "ONNXRUNTIME_LIB unset", filepath.Join(root, libraryRel)}},
		{name: "env names a missing file", env: filepath.Join(root, "nope.so"), wantIn: []string{"ONNXRUNTIME_LIB=" + filepath.Join(root, "nope.so"), "no such file"}},
		{name: "env names a folder", env: root, wantIn: []string{"not a regular file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := findLibrary(tc.env, root, exe)
			if !errors.Is(err, ErrRuntimeUnavailable) {
				t.Fatalf("got %v, want ErrRuntimeUnavailable", err)
			}
			msg := err.Error()
			for _, want := range append(tc.wantIn, installHint) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
}

func TestLibraryPathEnv(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	t.Setenv(LibraryEnv, lib)
	if _, err := LibraryPath(); !errors.Is(err, ErrRuntimeUnavailable) {
		t.Fatalf("missing %s: got %v, want ErrRuntimeUnavailable", lib, err)
	}
	touch(t, lib)
	got, err := LibraryPath()
	if err != nil || got != lib {
		t.Fatalf("LibraryPath() = %q, %v; want %q", got, err, lib)
	}
}

func TestLibraryPathFromWorkingDirectory(t *testing.T) {
	root := t.TempDir()
	touch(t, filepath.Join(root, "go.mod"))
	lib := filepath.Join(root, libraryRel)
	touch(t, lib)
	sub := filepath.Join(root, "cmd", "x")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(LibraryEnv, "")
	t.Chdir(sub)
	got, err := LibraryPath()
	if err != nil {
		t.Fatal(err)
	}
	// t.TempDir may sit behind a symlink (macOS /var), so compare resolved paths.
	want, _ := filepath.EvalSymlinks(lib)
	if resolved, _ := filepath.EvalSymlinks(got); resolved != want {
		t.Errorf("got %s, want %s", got, lib)
	}
}
