package fsutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WriteFileAtomic writes data to path through a temporary file in the same folder, synced and then
// renamed, so a reader never sees a half-written file and a failure leaves nothing behind.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return WriteAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomic is WriteFileAtomic for content made as it is written: write gets a buffered writer on the
// temporary file, and the file replaces path only when write and every later step succeed.
func WriteAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	removeStale(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = write(bw); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	syncDir(dir)
	return nil
}

// bare drops the temporary file's name from an error about it ("write /d/.m.onnx.tmp-123: no space
// left on device" becomes "no space left on device"): the message names the file being written instead.
func bare(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// syncDir makes the rename durable. Some file systems refuse to sync a folder; the file itself is already
// synced then, so that failure is not worth failing the write for.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// File is one output of a command.
type File struct {
	Path string
	Data []byte
}

// WriteFilesAtomic writes every file or none: each is written and synced to a temporary file beside it
// first, and only when all are there are they renamed into place (a command's model and report appear
// together). A failure removes the temporary files.
func WriteFilesAtomic(files []File, perm os.FileMode) (err error) {
	tmps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range tmps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		removeStale(f.Path)
		tmp, err := os.CreateTemp(filepath.Dir(f.Path), "."+filepath.Base(f.Path)+".tmp-*")
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, bare(err))
		}
		tmps = append(tmps, tmp.Name())
		_, werr := tmp.Write(f.Data)
		if werr == nil {
			werr = tmp.Sync()
		}
		if werr == nil {
			werr = tmp.Chmod(perm)
		}
		if cerr := tmp.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("%s: %w", f.Path, bare(werr))
		}
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], f.Path); err != nil {
			return fmt.Errorf("%s: %w", f.Path, bare(err))
		}
		syncDir(filepath.Dir(f.Path))
	}
	return nil
}

// CheckOutput says why path cannot receive a file, before any work: its folder does not exist or is not
// a folder, or path itself is a folder.
func CheckOutput(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s: folder %s: %w", path, dir, err)
	case !st.IsDir():
		return fmt.Errorf("%s: %s is not a folder", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a folder; want a file name", path)
	}
	return nil
}

// CheckOutputs is CheckOutput for each path that is not "".
func CheckOutputs(paths ...string) error {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if err := CheckOutput(p); err != nil {
			return err
		}
	}
	return nil
}

// SameFile reports whether a and b are the same existing file: a command must not replace its input.
func SameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// IsFile reports whether path is an existing regular file.
func IsFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// StaleAfter is how old a temporary file of ours must be to count as left by a run that was killed: no
// write of one file takes that long, so a younger one may belong to a run still writing.
const StaleAfter = 10 * time.Minute

// removeStale removes the temporary files an earlier, killed write of path left beside it.
func removeStale(path string) {
	tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+globEscape(filepath.Base(path))+".tmp-*"))
	for _, t := range tmps {
		if st, err := os.Stat(t); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > StaleAfter {
			os.Remove(t)
		}
	}
}

// globEscape quotes the pattern characters of a file name.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}
