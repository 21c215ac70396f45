package fairbinn

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/train"
)

// testPlan plans a grid of 3 cells into dir without loading anything (WriteSweepPlan would): the data
// file lies inside the folder, the backbone outside it.
func testPlan(t *testing.T, dir string) (*SweepPlan, SweepOptions) {
	t.Helper()
	o := SweepOptions{Backbone: "/models/backbone.onnx", Data: DataOptions{Spec: "csv:" + filepath.Join(dir, "data", "people.csv"), Label: "income",
		Positive: []string{"yes"}, Sensitive: []string{"sex"}, ValFrac: 0.25}, Position: "2", Init: "identity",
		Base:    train.DefaultConfig(train.DefaultMethod),
		Methods: []train.Method{train.MethodPaper, train.MethodERM}, Etas: []float64{100, 1000}, Seeds: []uint64{1},
		Configure: func(c *train.Config) { c.ApplySchedule(c.Method) }, Dir: dir, KeepModels: true}
	o.Base.Epochs = 2
	p, err := PlanSweep(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSONFile(filepath.Join(dir, planFile), p); err != nil {
		t.Fatal(err)
	}
	return p, o
}

// A plan holds every cell with its whole configuration and reads back the same; a path inside the sweep
// folder is kept relative to it, so the folder can be mounted anywhere.
func TestSweepPlanRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	p, o := testPlan(t, dir)
	planned, err := o.plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cells) != 3 || p.Data.Spec != "csv:"+filepath.Join("data", "people.csv") || p.Backbone != "/models/backbone.onnx" {
		t.Fatalf("plan: %d cells, data %q, backbone %q", len(p.Cells), p.Data.Spec, p.Backbone)
	}
	moved := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSweepPlan(moved)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range back.Cells {
		if c.Index != i || c.Name != planned[i].name || c.Config != planned[i].cfg {
			t.Errorf("cell %d read back as %d %s %+v, want %s %+v", i, c.Index, c.Name, c.Config, planned[i].name, planned[i].cfg)
		}
	}
	got := back.options(moved)
	if want := "csv:" + filepath.Join(moved, "data", "people.csv"); got.Data.Spec != want || got.Backbone != o.Backbone {
		t.Errorf("paths resolved to %q and %q, want %q and %q", got.Data.Spec, got.Backbone, want, o.Backbone)
	}
	if got.Data.Label != "income" || got.Data.ValFrac != 0.25 || !got.KeepModels || got.Position != "2" || len(got.Etas) != 2 {
		t.Errorf("options read back: %+v", got)
	}
	if !samePlan(p, back) {
		t.Error("a plan read back is not the same plan")
	}
}

func TestReadSweepPlanRefuses(t *testing.T) {
	for name, edit := range map[string]func(string) string{
		"an unknown setting": func(s string) string { return strings.Replace(s, `"position"`, `"new_setting": 1, "position"`, 1) },
		"cells out of order": func(s string) string { return strings.Replace(s, `"index": 1`, `"index": 2`, 1) },
		"a bad config":       func(s string) string { return strings.ReplaceAll(s, `"epochs": 2`, `"epochs": 0`) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			testPlan(t, dir)
			path := filepath.Join(dir, planFile)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := edit(string(b))
			if edited == string(b) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadSweepPlan(dir); fault.Of(err) != fault.BadInput {
				t.Errorf("read: %v, want bad input", err)
			}
		})
	}
	if _, err := ReadSweepPlan(t.TempDir()); !errors.Is(err, fs.ErrNotExist) || fault.Of(err) != fault.BadInput {
		t.Errorf("a folder without a plan: %v", err)
	}
}

// A folder keeps its plan: the same plan again changes nothing, another is refused (the cells of the two
// would be mixed), before anything is loaded.
func TestWriteSweepPlanKeepsItsPlan(t *testing.T) {
	dir := t.TempDir()
	p, o := testPlan(t, dir)
	again, err := PlanSweep(o)
	if err != nil {
		t.Fatal(err)
	}
	again.Created = again.Created.AddDate(0, 0, 1)
	if changed, err := WriteSweepPlan(dir, again); err != nil || changed {
		t.Errorf("the same plan again: changed %v, %v", changed, err)
	}
	o.Base.Epochs = 3
	other, err := PlanSweep(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteSweepPlan(dir, other); fault.Of(err) != fault.BadInput || !strings.Contains(err.Error(), "another sweep plan (3 cells)") {
		t.Errorf("another plan: %v", err)
	}
	if back, err := ReadSweepPlan(dir); err != nil || !samePlan(back, p) {
		t.Errorf("the plan was replaced (%v)", err)
	}
}

// writeRecord writes a made-up record of cell i.
func writeRecord(t *testing.T, dir string, p *SweepPlan, i int, ok bool) {
	t.Helper()
	c := p.Cells[i]
	rec := CellRecord{Cell: i, SweepRun: SweepRun{Name: c.Name, Method: c.Config.Method, Eta: c.Config.Eta, Seed: c.Config.Seed, Config: c.Config, Seconds: 2}}
	if ok {
		m := &fairness.Metrics{Accuracy: 0.8, DP: 0.05}
		rec.Status, rec.Val, rec.Test, rec.Backbone = "ok", m, m, &SplitMetrics{Val: *m, Test: *m}
	} else {
		rec.Status, rec.Error, rec.ExitCode = "failed", "no model met dp<=0.01", fault.Unmet.ExitCode()
	}
	if err := os.MkdirAll(filepath.Join(dir, "cells"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSONFile(cellFile(dir, i), rec); err != nil {
		t.Fatal(err)
	}
}

// A merge of some cells: the result is marked incomplete, the missing and failed cells are listed, and
// merging again gives the same; a record of another plan's cell is refused; when every cell ran and all
// failed, the error is the first failure's kind.
func TestMergeSweep(t *testing.T) {
	dir := t.TempDir()
	p, _ := testPlan(t, dir)
	writeRecord(t, dir, p, 0, true)
	writeRecord(t, dir, p, 2, false)
	res, err := MergeSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Complete || res.Planned != 3 || res.Finished != 2 || res.Failed != 1 || len(res.Runs) != 2 || res.Seconds != 4 {
		t.Errorf("merged: complete %v, %d planned, %d finished, %d failed, %d runs, %g s", res.Complete, res.Planned, res.Finished, res.Failed, len(res.Runs), res.Seconds)
	}
	want := []PendingCell{{1, p.Cells[1].Name, "missing", ""}, {2, p.Cells[2].Name, "failed", "no model met dp<=0.01"}}
	if len(res.Pending) != 2 || res.Pending[0] != want[0] || res.Pending[1] != want[1] {
		t.Errorf("pending %+v, want %+v", res.Pending, want)
	}
	first, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pareto.png")); err != nil {
		t.Error(err)
	}
	if _, err := MergeSweep(dir); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "sweep.json")); string(again) != string(first) {
		t.Error("merging again changed sweep.json")
	}

	// Cell 1's record names cell 0's run: not this plan's cell 1.
	b, err := os.ReadFile(cellFile(dir, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cellFile(dir, 1), []byte(strings.Replace(string(b), `"cell": 0`, `"cell": 1`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := MergeSweep(dir); fault.Of(err) != fault.BadInput || !strings.Contains(err.Error(), "is not cell 1") {
		t.Errorf("a record of another cell: %v", err)
	}

	for i := range p.Cells {
		writeRecord(t, dir, p, i, false)
	}
	res, err = MergeSweep(dir)
	if res == nil || !res.Complete || fault.Of(err) != fault.Unmet || !strings.Contains(err.Error(), "every run failed") {
		t.Errorf("every cell failed: %v", err)
	}
}
