package train

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/ir"
)

// CheckpointFile is the file name of the checkpoint inside a --checkpoint folder.
const CheckpointFile = "checkpoint.gob"

// checkpoint is everything needed to continue a run as if it had not stopped.
type checkpoint struct {
	Config     Config
	DataSHA256 string
	// Model identifies the graph trained: its nodes and wiring (the insertion position among them) and its
	// parameters' names and shapes, not their values.
	Model string
	// Origin identifies the starting values of every parameter (the backbone's weights, the fairness
	// layers' initialisation): a backbone of the same structure with other weights is another run.
	Origin      string
	Epoch       int
	Params      map[string][]float32
	LeaderOpt   *Optimizer
	FollowerOpt *Optimizer
	PCG         []byte
	History     []Epoch
	Best        *snapshot
	// The constrained method's multipliers and step count, and the starting model's validation record.
	Multipliers []float64
	Steps       int64
	Start       *Epoch
}

// SaveCheckpoint writes the trainer's state to dir/checkpoint.gob atomically.
func (t *Trainer) SaveCheckpoint(dir string) error {
	pcg, err := t.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	cp := checkpoint{
		Config: t.cfg, DataSHA256: t.data.SHA256, Model: modelIdentity(t.model), Origin: t.origin, Epoch: t.epoch, Params: t.copyParams(),
		LeaderOpt: t.leaderOpt, FollowerOpt: t.followerOpt, PCG: pcg, History: t.history, Best: t.best,
		Multipliers: t.lambda, Steps: t.steps, Start: t.start,
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&cp); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(dir, CheckpointFile), buf.Bytes(), 0o644)
}

// ErrNoCheckpoint is returned by Resume when the folder holds no checkpoint.
var ErrNoCheckpoint = fault.New(fault.BadInput, "no checkpoint")

// Resume loads dir/checkpoint.gob into the trainer. The run must have the same configuration (the
// number of epochs may grow) and the same data.
func (t *Trainer) Resume(dir string) error {
	path := filepath.Join(dir, CheckpointFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, ErrNoCheckpoint)
	}
	if err != nil {
		return err
	}
	var cp checkpoint
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&cp); err != nil {
		return fault.Badf("%s: not a checkpoint: %w", path, err)
	}
	want, got := t.cfg, cp.Config
	want.Epochs, got.Epochs = 0, 0
	if want != got {
		return fault.Badf("%s: the checkpoint was made with other settings (%+v); resume with the same flags", path, cp.Config)
	}
	if cp.Model != modelIdentity(t.model) {
		return fault.Badf("%s: the checkpoint was made for another model or insertion position; resume with the same backbone, --position and --fair-layers", path)
	}
	if cp.Origin != t.origin {
		return fault.Badf("%s: the checkpoint was made from another backbone (the same structure, other weights) or another fairness-layer initialisation; resume with the same backbone file and --fair-init", path)
	}
	if cp.DataSHA256 != t.data.SHA256 {
		return fault.Badf("%s: the checkpoint was made on other data (sha256 %s)", path, cp.DataSHA256)
	}
	for _, name := range t.trainable() {
		v, ok := cp.Params[name]
		if !ok || len(v) != len(t.model.Initializers[name].Float) {
			return fault.Badf("%s: parameter %q missing or of another size", path, name)
		}
	}
	if len(cp.Multipliers) != len(t.lambda) {
		return fault.Badf("%s: the checkpoint has %d multipliers, the run %d", path, len(cp.Multipliers), len(t.lambda))
	}
	if err := t.pcg.UnmarshalBinary(cp.PCG); err != nil {
		return fmt.Errorf("%s: random state: %w", path, err)
	}
	t.restore(cp.Params)
	t.leaderOpt, t.followerOpt = cp.LeaderOpt, cp.FollowerOpt
	t.epoch, t.history, t.best = cp.Epoch, cp.History, cp.Best
	if t.lambda != nil {
		copy(t.lambda, cp.Multipliers)
	}
	t.steps, t.start = cp.Steps, cp.Start
	return nil
}

// valuesIdentity is a hash of the values of every float initializer of m, in name order.
func valuesIdentity(m *ir.Graph) string {
	h := sha256.New()
	names := make([]string, 0, len(m.Initializers))
	for name := range m.Initializers {
		names = append(names, name)
	}
	slices.Sort(names)
	var b [4]byte
	for _, name := range names {
		fmt.Fprintf(h, "%s %d\n", name, len(m.Initializers[name].Float))
		for _, v := range m.Initializers[name].Float {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// modelIdentity is a hash of m's structure: every node's op and wiring, and every initializer's name and
// shape. Training changes values only, so a run and its resumption agree; another backbone, position or
// number of fairness layers does not.
func modelIdentity(m *ir.Graph) string {
	h := sha256.New()
	for _, n := range m.Nodes {
		fmt.Fprintf(h, "%s %s %q %q\n", n.Domain, n.OpType, n.Inputs, n.Outputs)
	}
	for _, name := range m.InitOrder {
		if t := m.Initializers[name]; t != nil {
			fmt.Fprintf(h, "%s %v\n", name, t.Dims)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
