package npy

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// MaxNPZMember is the largest uncompressed array an .npz member may hold (a zip header can claim any
// size; reading stops there).
const MaxNPZMember = 4 << 30

// Named is one array of an .npz file.
type Named struct {
	Name   string
	Tensor tensor.Tensor
}

// ReadNPZ reads every array of an .npz file (numpy.savez: a zip of NAME.npy members), in file order.
func ReadNPZ(path string) ([]Named, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not an .npz file: %w", path, err)
	}
	defer zr.Close()
	var out []Named
	seen := map[string]bool{}
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok || name == "" || strings.ContainsAny(name, "/\\") {
			return nil, fmt.Errorf("%s: member %q is not NAME.npy", path, f.Name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%s: array %q appears twice", path, name)
		}
		seen[name] = true
		if f.UncompressedSize64 > MaxNPZMember {
			return nil, fmt.Errorf("%s: array %q claims %d bytes (limit %d)", path, name, f.UncompressedSize64, int64(MaxNPZMember))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: array %q: %w", path, name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: array %q: %w", path, name, err)
		}
		t, err := decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: array %q: %w", path, name, err)
		}
		out = append(out, Named{Name: name, Tensor: t})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no arrays", path)
	}
	return out, nil
}
