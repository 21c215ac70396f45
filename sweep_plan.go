package fairbinn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/train"
)

// A sweep's cells are independent trainings, so they need not run in one process: the plan writes the
// grid down with everything each cell needs, each cell then runs from the plan alone (one process per
// cell, on any machine that sees the folder: a Kubernetes Indexed Job runs one pod per cell), and a merge
// builds sweep.json from the cells done.

// planFile is the plan's name in the sweep folder.
const planFile = "plan.json"

// SweepPlan is DIR/plan.json: the sweep's settings and its cells, each with its whole training
// configuration. Paths inside the sweep folder are written relative to it, so that the folder may be
// mounted anywhere (a volume the containers see at another path than the machine that planned);
// paths outside it are absolute, and must then be the same where the cells run.
type SweepPlan struct {
	Version  string    `json:"fairbinn_version"`
	Created  time.Time `json:"created"`
	Backbone string    `json:"backbone"`
	// Data holds every data setting (field names as in DataOptions), so that a new one reaches the cells.
	Data        DataOptions   `json:"data"`
	Position    string        `json:"position"`
	Layers      int           `json:"fair_layers"`
	Init        string        `json:"fair_init"`
	Head        *HeadChoice   `json:"head,omitempty"`
	Thresholds  Thresholds    `json:"thresholds,omitempty"`
	Grid        SweepGrid     `json:"grid"`
	Base        train.Config  `json:"base_config"`
	KeepModels  bool          `json:"keep_models"`
	Threads     int           `json:"threads"`
	Groups      GroupHandling `json:"groups"`
	CacheMemory int64         `json:"cache_memory,omitempty"`
	Cells       []PlanCell    `json:"cells"`
}

// PlanCell is one run of the grid: its index (a Kubernetes Indexed Job's completion index), its name
// (that of its files in runs/) and its configuration, method, η and seed set.
type PlanCell struct {
	Index  int          `json:"index"`
	Name   string       `json:"name"`
	Config train.Config `json:"config"`
}

// PlanSweep lists the cells of the grid of o, in the order Sweep runs them, with the paths written as the
// plan keeps them (relative to o.Dir when inside it). It checks the settings but loads nothing:
// WriteSweepPlan does that before writing.
func PlanSweep(o SweepOptions) (*SweepPlan, error) {
	if o.Backbone == "" || o.Data.Spec == "" || o.Position == "" {
		return nil, fault.Badf("a sweep needs a backbone, data and a position")
	}
	planned, err := o.plan()
	if err != nil {
		return nil, err
	}
	p := &SweepPlan{
		Version: Version, Created: time.Now().UTC().Truncate(time.Second), Data: o.Data, Position: o.Position,
		Layers: o.Layers, Init: o.Init, Head: o.Head, Thresholds: o.Thresholds, Grid: SweepGrid{o.Methods, o.Etas, o.Seeds},
		Base: o.Base, KeepModels: o.KeepModels, Threads: o.Threads, Groups: o.Groups, CacheMemory: o.CacheMemory,
	}
	if p.Backbone, err = planPath(o.Dir, o.Backbone); err != nil {
		return nil, err
	}
	if kind, path, ok := strings.Cut(o.Data.Spec, ":"); ok {
		if path, err = planPath(o.Dir, path); err != nil {
			return nil, err
		}
		p.Data.Spec = kind + ":" + path
	}
	if p.Data.TestFile, err = planPath(o.Dir, o.Data.TestFile); err != nil {
		return nil, err
	}
	if p.Data.ValFile, err = planPath(o.Dir, o.Data.ValFile); err != nil {
		return nil, err
	}
	for i, r := range planned {
		p.Cells = append(p.Cells, PlanCell{Index: i, Name: r.name, Config: r.cfg})
	}
	return p, nil
}

// WriteSweepPlan writes p into dir as DIR/plan.json, atomically, after loading the backbone and the data
// once as Sweep does, so that bad input is refused before any cell runs. A folder that already holds the
// same plan keeps it (and its cells done): changed is false. Another plan, or a sweep not made from a
// plan, is refused: its cells would be mixed with these.
func WriteSweepPlan(dir string, p *SweepPlan) (changed bool, err error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return false, fault.Badf("%s: a file, not a folder", dir)
	}
	old, err := ReadSweepPlan(dir)
	switch {
	case err == nil && samePlan(old, p):
		return false, nil
	case err == nil:
		return false, fault.Badf("%s holds another sweep plan (%d cells); plan into another folder, or remove that one", dir, len(old.Cells))
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	if _, err := os.Stat(filepath.Join(dir, "sweep.json")); err == nil {
		return false, fault.Badf("%s holds a sweep that was not planned (sweep.json); plan into another folder", dir)
	}
	o := p.options(dir)
	if err := o.preflight(plannedRun{name: p.Cells[0].Name, cfg: p.Cells[0].Config}); err != nil {
		return false, err
	}
	for _, sub := range []string{"runs", "cells"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return false, err
		}
	}
	return true, WriteJSONFile(filepath.Join(dir, planFile), p)
}

// ReadSweepPlan reads DIR/plan.json. A setting it does not know is refused rather than dropped: a plan
// made by a newer fairbinn would otherwise run other trainings than it says. An error for a folder
// without a plan is fs.ErrNotExist.
func ReadSweepPlan(dir string) (*SweepPlan, error) {
	path := filepath.Join(dir, planFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fault.Wrap(fault.BadInput, fmt.Errorf("no sweep plan in %s: %w", dir, fs.ErrNotExist))
	}
	if err != nil {
		return nil, err
	}
	var p SweepPlan
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fault.Badf("%s: %v", path, err)
	}
	if len(p.Cells) == 0 {
		return nil, fault.Badf("%s: a plan without cells", path)
	}
	names := map[string]bool{}
	for i, c := range p.Cells {
		if c.Index != i || c.Name == "" || names[c.Name] {
			return nil, fault.Badf("%s: cell %d is index %d, named %q: want the cells in order, each named once", path, i, c.Index, c.Name)
		}
		names[c.Name] = true
		if err := c.Config.Validate(); err != nil {
			return nil, fault.Badf("%s: cell %d (%s): %v", path, i, c.Name, err)
		}
	}
	return &p, nil
}

// samePlan reports whether two plans run the same cells the same way, whenever and by whichever version
// they were made.
func samePlan(a, b *SweepPlan) bool {
	x, y := *a, *b
	x.Created, y.Created, x.Version, y.Version = time.Time{}, time.Time{}, "", ""
	bx, errX := json.Marshal(x)
	by, errY := json.Marshal(y)
	return errX == nil && errY == nil && bytes.Equal(bx, by)
}

// options are the sweep options of the plan with its paths resolved against dir, the sweep folder where
// the cells run.
func (p *SweepPlan) options(dir string) SweepOptions {
	data := p.Data
	if kind, path, ok := strings.Cut(data.Spec, ":"); ok {
		data.Spec = kind + ":" + resolvePath(dir, path)
	}
	data.TestFile, data.ValFile = resolvePath(dir, data.TestFile), resolvePath(dir, data.ValFile)
	return SweepOptions{
		Backbone: resolvePath(dir, p.Backbone), Data: data, Position: p.Position, Layers: p.Layers, Init: p.Init,
		Head: p.Head, Thresholds: p.Thresholds, Base: p.Base, Methods: p.Grid.Methods, Etas: p.Grid.Etas, Seeds: p.Grid.Seeds,
		Dir: dir, KeepModels: p.KeepModels, Threads: p.Threads, Groups: p.Groups, CacheMemory: p.CacheMemory,
	}
}

// planPath writes path as a plan keeps it: relative to the sweep folder dir when inside it, else
// absolute ("" stays "").
func planPath(dir, path string) (string, error) {
	if path == "" {
		return "", nil
	}
	abs, err := filepath.Abs(path)
	if err != nil || dir == "" {
		return abs, err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if rel, err := filepath.Rel(absDir, abs); err == nil && filepath.IsLocal(rel) {
		return rel, nil
	}
	return abs, nil
}

// resolvePath reads a plan's path: a relative one is inside the sweep folder dir.
func resolvePath(dir, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}
