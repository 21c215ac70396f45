package fairbinn

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// The shipped demo inputs, relative to the repository root.
const (
	demoBackbone = "testdata/models/adult_mlp/model.onnx"
	demoData     = "testdata/adult"
	demoPosition = "2" // after the second hidden layer
)

// Demo is the embedded default: the shipped Adult backbone and data, and where the fairness layer goes.
type Demo struct {
	Backbone string // the model file
	Data     string // a data SPEC (adult:DIR)
	Position string
}

// ShippedDemo finds the shipped demo files (in the working directory or a parent, or beside the
// executable or a parent) and returns them with paths relative to the working directory when it can.
func ShippedDemo() (Demo, error) {
	root, err := Checkout()
	if err != nil {
		return Demo{}, err
	}
	return Demo{Backbone: rel(filepath.Join(root, demoBackbone)), Data: "adult:" + rel(filepath.Join(root, demoData)), Position: demoPosition}, nil
}

// Checkout finds the fairbinn-go checkout that holds the shipped demo files: the working directory or one
// of its parents, or the executable's folder or one of its parents.
func Checkout() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if _, err := os.Stat(filepath.Join(dir, demoBackbone)); err == nil {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fault.Wrap(fault.BadInput, errors.New("cannot find the shipped demo files ("+demoBackbone+"); run fairbinn demo inside the fairbinn-go checkout, or use train"))
}

// rel shortens path to one relative to the working directory when it can (for messages and reports).
func rel(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil {
		return r
	}
	return path
}
