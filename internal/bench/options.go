package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/train"
)

// ErrOptions marks an error in the Options given to Run (a bad value, a missing file).
var ErrOptions = errors.New("bench: bad options")

// Options configures Run. DefaultOptions gives the full benchmark; an empty string field takes the default
// that field's comment names.
type Options struct {
	// OutDir receives bench.json, bench.md and the files the benchmark makes (default out/bench).
	OutDir string
	// Backbone is the model to train (default: the shipped Adult MLP, testdata/models/adult_mlp/model.onnx
	// in the checkout).
	Backbone string
	// Position is where the fairness layer goes (default "2").
	Position string
	// Data is adult:DIR (default: ../shared/data/adult beside the checkout, else testdata/adult).
	Data string
	// Peer is the PyTorch peer script (default: ../shared/bench/torch_fairbinn.py beside the checkout);
	// "none" skips it.
	Peer string
	// Python runs the peer, which needs torch and pandas (default /usr/bin/python3).
	Python string
	// Methods are the training methods to time (default bilevel-paper, the paper's Algorithm 1, and
	// reference, the FairBiNN code's schedule: the two the PyTorch peer implements).
	Methods []string

	// Frozen also times each method with the prefix frozen (fairbinn train --train-leader after, the
	// prefix's activations computed once in onnxruntime and cached) beside the whole graph's run.
	Frozen bool

	Epochs  int // epochs per training run; the median epoch time leaves out the first when there are several
	Repeat  int // training runs per method and side (the report keeps every run and their median)
	Threads int // GOMAXPROCS and onnxruntime's intra-op threads of fairbinn, torch.set_num_threads of the peer
	Batch   int // training mini-batch rows
	Rows    int // rows for the inference measurements
	ModelMB int // size in MB of the generated MLP for the import and export measurement (0 skips it)

	// Fairbinn is the fairbinn executable every timed step runs (default: fairbinn in the folder of the
	// running executable, as make bench builds bin/fairbinn beside bin/fairbinn-bench).
	Fairbinn string
	// Runner is the executable that serves the timing protocol: Run starts it as `Runner --exec ARGV`, and
	// it calls Exec (default: the running executable).
	Runner string
	// Command is the command line the report records (default "fairbinn-bench").
	Command string
	// Progress receives one line per step; nil is silent.
	Progress io.Writer
}

// DefaultOptions returns the configuration of the full benchmark.
func DefaultOptions() Options {
	return Options{
		OutDir: filepath.Join("out", "bench"), Position: "2", Python: "/usr/bin/python3", Methods: []string{string(train.MethodPaper), string(train.MethodReference)},
		Epochs: 5, Repeat: 3, Threads: 2, Batch: 100, Rows: 100000, ModelMB: 100, Frozen: true,
	}
}

// The shipped demo files, relative to the checkout's root.
const (
	shippedBackbone = "testdata/models/adult_mlp/model.onnx"
	shippedData     = "testdata/adult"
)

// resolve checks o and fills in the defaults of its empty fields.
func (o Options) resolve() (Options, error) {
	if o.Epochs < 1 || o.Repeat < 1 || o.Threads < 1 || o.Rows < 1 || o.Batch < 1 || o.ModelMB < 0 {
		return o, fmt.Errorf("%w: want epochs, repeat, threads, rows, batch ≥ 1 and model MB ≥ 0", ErrOptions)
	}
	d := DefaultOptions()
	orDefault := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	orDefault(&o.OutDir, d.OutDir)
	orDefault(&o.Position, d.Position)
	orDefault(&o.Python, d.Python)
	orDefault(&o.Command, "fairbinn-bench")
	if len(o.Methods) == 0 {
		o.Methods = d.Methods
	}
	exe, err := os.Executable()
	if err != nil {
		return o, err
	}
	if o.Runner == "" {
		o.Runner = exe
	}
	if o.Fairbinn == "" {
		o.Fairbinn = filepath.Join(filepath.Dir(exe), "fairbinn")
	}
	if !fileExists(o.Fairbinn) {
		return o, fmt.Errorf("%w: no fairbinn executable at %s (go build -o bin/fairbinn ./cmd/fairbinn, or give its path)", ErrOptions, o.Fairbinn)
	}
	if o.Backbone == "" || o.Data == "" || o.Peer == "" {
		root, err := findRoot()
		if err != nil {
			return o, err
		}
		if o.Backbone == "" {
			o.Backbone = filepath.Join(root, shippedBackbone)
		}
		if o.Data == "" {
			o.Data = "adult:" + filepath.Join(root, shippedData)
			if shared := filepath.Join(root, "..", "shared", "data", "adult"); fileExists(filepath.Join(shared, "adult.data")) {
				o.Data = "adult:" + shared
			}
		}
		if o.Peer == "" {
			o.Peer = filepath.Join(root, "..", "shared", "bench", "torch_fairbinn.py")
		}
	}
	if !fileExists(o.Backbone) {
		return o, fmt.Errorf("%w: backbone %s: not a file", ErrOptions, o.Backbone)
	}
	return o, nil
}

// findRoot finds the checkout holding the shipped demo files.
func findRoot() (string, error) {
	root, err := fairbinn.Checkout()
	if err != nil {
		return "", fmt.Errorf("%w: %v: or give the backbone, data and peer", ErrOptions, err)
	}
	return root, nil
}

// peerData returns the Adult folder for the peer, which reads the uncompressed files, and whether it has them.
func (o *Options) peerData() (string, bool) {
	kind, dir, _ := strings.Cut(o.Data, ":")
	if kind != "adult" {
		return "", false
	}
	return dir, fileExists(filepath.Join(dir, "adult.data")) && fileExists(filepath.Join(dir, "adult.test"))
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
