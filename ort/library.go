package ort

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LibraryEnv is the environment variable that names the ONNX Runtime shared library explicitly.
const LibraryEnv = "ONNXRUNTIME_LIB"

// libraryRel is where scripts/install-ort.sh puts the library, relative to the repository root.
var libraryRel = filepath.Join(".deps", "onnxruntime", "libonnxruntime.so.1")

// LibraryPath returns the absolute path of the ONNX Runtime shared library. It uses $ONNXRUNTIME_LIB when
// set; otherwise it looks for .deps/onnxruntime/libonnxruntime.so.1 in the current directory and its parents
// up to the one holding go.mod (so tests and `go run` work from any package folder), then beside the
// executable and in its parents (so an installed bin/fairbinn finds the repository's copy). When the library
// is not found the error wraps ErrRuntimeUnavailable and says how to install it.
func LibraryPath() (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		cwd = ""
	}
	exe, err := os.Executable()
	if err == nil {
		// Follow a symlinked binary (e.g. from a PATH folder) to where it really lives.
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
	} else {
		exe = ""
	}
	return findLibrary(os.Getenv(LibraryEnv), cwd, exe)
}

// findLibrary is LibraryPath with its inputs made explicit so tests need not change the process's
// environment, directory or executable.
func findLibrary(env, cwd, exe string) (string, error) {
	if env != "" {
		abs, err := filepath.Abs(env)
		if err != nil {
			return "", fmt.Errorf("%w: %s=%s: %w", ErrRuntimeUnavailable, LibraryEnv, env, err)
		}
		if err := isFile(abs); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %w; %s", ErrRuntimeUnavailable, LibraryEnv, env, err, installHint)
		}
		return abs, nil
	}

	var looked []string
	seen := make(map[string]bool)
	try := func(dir string) (string, bool) {
		cand := filepath.Join(dir, libraryRel)
		if seen[cand] {
			return "", false
		}
		seen[cand] = true
		looked = append(looked, cand)
		return cand, isFile(cand) == nil
	}
	if cwd != "" {
		for dir := range parents(cwd) {
			if cand, ok := try(dir); ok {
				return cand, nil
			}
			// The module root is the last folder that belongs to this checkout; above it lies someone
			// else's tree.
			if isFile(filepath.Join(dir, "go.mod")) == nil {
				break
			}
		}
	}
	if exe != "" {
		for dir := range parents(filepath.Dir(exe)) {
			if cand, ok := try(dir); ok {
				return cand, nil
			}
		}
	}
	return "", fmt.Errorf("%w: libonnxruntime.so.1 not found (%s unset; looked for %s); %s",
		ErrRuntimeUnavailable, LibraryEnv, summarize(looked), installHint)
}

// parents yields dir (made absolute) and each of its parent folders up to the file system root.
func parents(dir string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		dir, err := filepath.Abs(dir)
		if err != nil {
			return
		}
		for {
			if !yield(dir) {
				return
			}
			up := filepath.Dir(dir)
			if up == dir {
				return
			}
			dir = up
		}
	}
}

// isFile reports, as an error, why path is not a regular file (or a symlink to one).
func isFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file: %w", path, fs.ErrInvalid)
	}
	return nil
}

// summarize keeps the error on one line: the first few candidates are enough to see where the search ran.
func summarize(paths []string) string {
	const keep = 3
	if len(paths) == 0 {
		return "nothing (no working directory or executable path)"
	}
	if len(paths) <= keep {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:keep], ", "), len(paths)-keep)
}
