package fairbinn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/train"
)

// CellRecord is DIR/cells/N.json: the run of cell N, written once the cell has finished, after its report
// and model (runs/, as Sweep writes them). It is the mark of a cell done: a cell killed before has none,
// and runs again from the start to the same result.
type CellRecord struct {
	Cell int `json:"cell"`
	// ExitCode is 0 for a run with a result, else the exit code of its failure's kind (2 bad input,
	// 3 parity mismatch, 5 constraints unmet, 1 internal), so that a merge of failed cells exits as a
	// sweep run in one process does.
	ExitCode int `json:"exit_code"`
	SweepRun
}

// PendingCell is a cell of a plan without a result yet: missing (not run, or not finished) or failed.
type PendingCell struct {
	Index  int    `json:"index"`
	Name   string `json:"name"`
	Status string `json:"status"` // "missing" or "failed"
	Error  string `json:"error,omitempty"`
}

// cellFile is the record of cell i in the sweep folder dir.
func cellFile(dir string, i int) string { return filepath.Join(dir, "cells", strconv.Itoa(i)+".json") }

// RunCell trains cell i of the plan in the sweep folder dir, as Sweep trains it, and writes its report
// (and model) in DIR/runs and its record in DIR/cells. A cell with a result already is not trained again
// (done is true): a Job applied again runs only the cells that are missing or failed. A failed run is
// recorded and its error returned; an interrupted one records nothing. onEpoch, when set, sees every
// epoch.
func (p *SweepPlan) RunCell(ctx context.Context, dir string, i int, onEpoch func(train.Epoch, int) error) (rec *CellRecord, done bool, err error) {
	if i < 0 || i >= len(p.Cells) {
		return nil, false, fault.Badf("cell %d: the plan in %s has %d cells, 0 to %d", i, dir, len(p.Cells), len(p.Cells)-1)
	}
	if rec, err := p.readCell(dir, i); err == nil && rec.OK() {
		return rec, true, nil
	}
	o := p.options(dir)
	o.OnEpoch = onEpoch
	for _, sub := range []string{"runs", "cells"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, false, err
		}
	}
	c := p.Cells[i]
	run, err := o.trainOne(ctx, plannedRun{name: c.Name, cfg: c.Config})
	if err != nil && ctx.Err() != nil {
		return nil, false, fmt.Errorf("cell %d (%s) interrupted; nothing recorded: run it again", i, c.Name)
	}
	rec = &CellRecord{Cell: i, SweepRun: *run}
	if err != nil {
		rec.ExitCode = fault.Of(err).ExitCode()
	}
	if werr := WriteJSONFile(cellFile(dir, i), rec); werr != nil {
		return nil, false, werr
	}
	return rec, false, err
}

// readCell reads the record of cell i; an error wrapping fs.ErrNotExist when there is none. A record of
// another plan's cell (another name or configuration) is refused, not merged.
func (p *SweepPlan) readCell(dir string, i int) (*CellRecord, error) {
	path := cellFile(dir, i)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rec CellRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fault.Badf("%s: %v", path, err)
	}
	if c := p.Cells[i]; rec.Cell != i || rec.Name != c.Name || rec.Config != c.Config {
		return nil, fault.Badf("%s is not cell %d (%s) of the plan in %s: remove it and run the cell again", path, i, c.Name, dir)
	}
	return &rec, nil
}

// MergeSweep builds DIR/sweep.json and DIR/pareto.png from the cells of the plan in dir done so far, the
// same files Sweep writes for the same grid (timings aside); it changes nothing else, so it can be run at
// any time, as often as wanted. A result with cells missing is marked incomplete, and the cells to run
// again (missing or failed) are listed in Pending. As for Sweep, when every cell has run and all failed,
// the first failure's kind is the error's.
func MergeSweep(dir string) (*SweepResult, error) {
	p, err := ReadSweepPlan(dir)
	if err != nil {
		return nil, err
	}
	o := p.options(dir)
	res := o.newResult(len(p.Cells), p.Created)
	var first *CellRecord
	for i, c := range p.Cells {
		rec, err := p.readCell(dir, i)
		if errors.Is(err, fs.ErrNotExist) {
			res.Pending = append(res.Pending, PendingCell{Index: i, Name: c.Name, Status: "missing"})
			continue
		}
		if err != nil {
			return nil, err
		}
		run := rec.SweepRun
		res.Runs = append(res.Runs, &run)
		res.Finished++
		res.Seconds += run.Seconds // the cells' training time, wherever they ran
		if !run.OK() {
			res.Failed++
			res.Pending = append(res.Pending, PendingCell{Index: i, Name: c.Name, Status: "failed", Error: run.Error})
			if first == nil {
				first = rec
			}
		}
	}
	res.Complete = res.Finished == res.Planned
	if err := res.save(dir); err != nil {
		return nil, err
	}
	if res.Failed == res.Finished {
		if res.Complete {
			return res, fault.Errorf(fault.Kind(first.ExitCode), "every run failed; the first: %s", first.Error)
		}
		return res, nil // nothing to plot yet
	}
	if err := WritePareto(filepath.Join(dir, "pareto.png"), res); err != nil {
		return res, fmt.Errorf("pareto plot: %w", err)
	}
	return res, nil
}
