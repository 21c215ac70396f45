package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/train"
)

// cliArgsEnv holds, as a JSON list, the arguments TestSweepCellProcess runs the command line with.
const cliArgsEnv = "FAIRBINN_TEST_CLI_ARGS"

// TestSweepCellProcess is the command line in a process of its own, as a pod runs it: the tests of a
// sweep in cells start the test binary again with only this test and its arguments in cliArgsEnv.
func TestSweepCellProcess(t *testing.T) {
	raw := os.Getenv(cliArgsEnv)
	if raw == "" {
		t.Skip("the command line of the cell tests' child processes")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(99)
	}
	os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
}

// cellProcess is the command line with args in a child process, with the environment variables env
// added.
func cellProcess(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweepCellProcess$")
	cmd.Env = append(append(os.Environ(), cliArgsEnv+"="+string(raw)), env...)
	return cmd
}

// stripTimings removes the fields that measure time from decoded JSON: everything else of a run is
// determined by its configuration and data.
func stripTimings(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"seconds", "timings_seconds", "started", "rows_per_second"} {
			delete(x, k)
		}
		for k, e := range x {
			x[k] = stripTimings(e)
		}
	case []any:
		for i, e := range x {
			x[i] = stripTimings(e)
		}
	}
	return v
}

// readUntimed reads a JSON file without its timings.
func readUntimed(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return stripTimings(v)
}

// sameUntimed fails the test when two JSON files differ in more than their timings.
func sameUntimed(t *testing.T, a, b string) {
	t.Helper()
	if x, y := readUntimed(t, a), readUntimed(t, b); !reflect.DeepEqual(x, y) {
		xa, _ := json.MarshalIndent(x, "", " ")
		ya, _ := json.MarshalIndent(y, "", " ")
		t.Errorf("%s and %s differ beyond their timings:\n%.3000s\n---\n%.3000s", a, b, xa, ya)
	}
}

func sameBytes(t *testing.T, a, b string) {
	t.Helper()
	x, errA := os.ReadFile(a)
	y, errB := os.ReadFile(b)
	if errA != nil || errB != nil || !bytes.Equal(x, y) {
		t.Errorf("%s and %s differ (%v, %v)", a, b, errA, errB)
	}
}

// sweepGridArgs is a small grid on a subset of Adult, with absolute paths so that the plan and the
// sweep in one process record the same ones.
func sweepGridArgs(t *testing.T, data string, extra ...string) []string {
	t.Helper()
	backbone, err := filepath.Abs(sweepBackbone)
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"--backbone", backbone, "--data", data, "--position", "2", "--keep-models", "--quiet"}, extra...)
}

// Every cell of a plan run as a process of its own, as the pods of an Indexed Job run them (the index in
// JOB_COMPLETION_INDEX, several at once in one folder), then merged: the same sweep.json, plot, reports
// and models as the sweep in one process, timings aside.
func TestSweepCellsMatchInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the sweeps")
	}
	testkit.RequireORT(t)
	data := sweepAdultSubset(t, 2000, 1000)
	grid := sweepGridArgs(t, data, "--method", "bilevel,erm", "--eta", "100", "--seed-list", "1,2", "--epochs", "1")
	tmp := t.TempDir()
	cells, whole := filepath.Join(tmp, "cells"), filepath.Join(tmp, "whole")

	code, out, errOut := runCLI(t, append([]string{"sweep", "--plan", cells}, grid...)...)
	if code != 0 || strings.TrimSpace(out) != "4" {
		t.Fatalf("--plan: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	outputs := make([][]byte, 4)
	for i := range 4 {
		cmd := cellProcess(t, []string{cellIndexEnv + "=" + strconv.Itoa(i)}, "sweep", "--out", cells)
		wg.Go(func() { outputs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("cell %d: %v\n%s", i, err, outputs[i])
		}
		if !strings.Contains(string(outputs[i]), filepath.Join(cells, "cells", strconv.Itoa(i)+".json")) {
			t.Errorf("cell %d printed:\n%s", i, outputs[i])
		}
	}
	code, out, errOut = runCLI(t, "sweep", "--merge", cells)
	if code != 0 || errOut != "" || !strings.Contains(out, "bilevel") {
		t.Fatalf("--merge: exit %d\n%s\n%s", code, out, errOut)
	}
	mustRun(t, append([]string{"sweep", "--out", whole}, grid...)...)

	sameUntimed(t, filepath.Join(cells, "sweep.json"), filepath.Join(whole, "sweep.json"))
	sameBytes(t, filepath.Join(cells, "pareto.png"), filepath.Join(whole, "pareto.png"))
	res := readSweep(t, cells)
	if !res.Complete || res.Finished != 4 || len(res.Pending) != 0 {
		t.Errorf("merged: complete %v, %d finished, pending %v", res.Complete, res.Finished, res.Pending)
	}
	for _, r := range res.Runs {
		sameBytes(t, filepath.Join(cells, r.Model), filepath.Join(whole, r.Model))
		reportsAlike(t, filepath.Join(cells, r.Report), filepath.Join(whole, r.Report), cells, whole)
	}
}

// reportsAlike compares two runs' reports, timings aside and with the folder in the model's path
// ("out") as the only other difference.
func reportsAlike(t *testing.T, a, b, dirA, dirB string) {
	t.Helper()
	x, y := readUntimed(t, a).(map[string]any), readUntimed(t, b).(map[string]any)
	if x["out"] != strings.Replace(y["out"].(string), dirB, dirA, 1) {
		t.Errorf("%s: out %v, %s: %v", a, x["out"], b, y["out"])
	}
	delete(x, "out")
	delete(y, "out")
	if !reflect.DeepEqual(x, y) {
		t.Errorf("%s and %s differ beyond their timings", a, b)
	}
}

// A cell killed after its first epoch leaves no record: a merge lists it as missing, and running it
// again gives what a cell never killed gives (the same model bytes; the same record and report, timings
// aside).
func TestSweepCellKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the sweeps")
	}
	testkit.RequireORT(t)
	data := sweepAdultSubset(t, 2000, 1000)
	dir := filepath.Join(t.TempDir(), "sweep")
	mustRun(t, append([]string{"sweep", "--plan", dir}, sweepGridArgs(t, data, "--method", "erm", "--seed-list", "1,2", "--epochs", "25", "--select", "last")...)...)
	mustRun(t, "sweep", "--cell", "0", "--out", dir, "--quiet")

	// Cell 1 uninterrupted, kept aside as the reference.
	mustRun(t, "sweep", "--cell", "1", "--out", dir, "--quiet")
	ref := t.TempDir()
	name := "erm_eta0_seed2"
	files := []string{filepath.Join("cells", "1.json"), filepath.Join("runs", name+".onnx"), filepath.Join("runs", name+".report.json")}
	for _, f := range files {
		if err := os.Rename(filepath.Join(dir, f), filepath.Join(ref, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}

	cmd := cellProcess(t, nil, "sweep", "--cell", "1", "--out", dir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var seen []string
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if strings.HasPrefix(sc.Text(), "epoch 1/25") {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exit) || exit.Exited() {
		t.Fatalf("the cell was not killed mid-run (%v); it printed:\n%s", err, strings.Join(seen, "\n"))
	}
	if _, err := os.Stat(filepath.Join(dir, files[0])); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a killed cell left its record (%v)", err)
	}

	code, _, errOut := runCLI(t, "sweep", "--merge", dir)
	if code != 0 || !strings.Contains(errOut, "1 of 2 cells not done (1 missing, 0 failed)") || !strings.Contains(errOut, "cell 1  "+name+"  missing") {
		t.Errorf("merge of a partial sweep: exit %d, stderr:\n%s", code, errOut)
	}
	if res := readSweep(t, dir); res.Complete || res.Finished != 1 || len(res.Pending) != 1 || res.Pending[0].Index != 1 || res.Pending[0].Status != "missing" {
		t.Errorf("partial sweep.json: complete %v, %d finished, pending %+v", res.Complete, res.Finished, res.Pending)
	}

	rerun := cellProcess(t, nil, "sweep", "--cell", "1", "--out", dir, "--quiet")
	if out, err := rerun.CombinedOutput(); err != nil {
		t.Fatalf("cell 1 again: %v\n%s", err, out)
	}
	sameUntimed(t, filepath.Join(dir, files[0]), filepath.Join(ref, "1.json"))
	sameBytes(t, filepath.Join(dir, files[1]), filepath.Join(ref, name+".onnx"))
	sameUntimed(t, filepath.Join(dir, files[2]), filepath.Join(ref, name+".report.json"))
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*", ".*.tmp-*")); len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
	if code, _, errOut := runCLI(t, "sweep", "--merge", dir); code != 0 || errOut != "" {
		t.Errorf("merge of the whole sweep: exit %d, %s", code, errOut)
	}
	if res := readSweep(t, dir); !res.Complete || res.Finished != 2 {
		t.Errorf("whole sweep.json: complete %v, %d finished", res.Complete, res.Finished)
	}

	// A cell done already is not trained again.
	code, _, errOut = runCLI(t, "sweep", "--cell", "1", "--out", dir)
	if code != 0 || !strings.Contains(errOut, "done already") || strings.Contains(errOut, "epoch 1/") {
		t.Errorf("a cell done already: exit %d, stderr:\n%s", code, errOut)
	}
}

// The ways of running a sweep in cells refuse what they would not read, and a cell outside the plan.
func TestSweepCellsBadInput(t *testing.T) {
	t.Setenv(cellIndexEnv, "")
	dir := t.TempDir()
	// A plan of one cell, written as it is (planning would load the backbone and the data).
	p, err := fairbinn.PlanSweep(fairbinn.SweepOptions{Backbone: "/m.onnx", Data: fairbinn.DataOptions{Spec: "adult:/d"}, Position: "2",
		Base: train.DefaultConfig(train.MethodERM), Methods: []train.Method{train.MethodERM}, Etas: []float64{0}, Seeds: []uint64{1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fairbinn.WriteJSONFile(filepath.Join(dir, "plan.json"), p); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"training flag with a cell", "", []string{"--cell", "0", "--out", dir, "--epochs", "3"}, "--epochs: --cell takes its settings from the plan"},
		{"training flag with a merge", "", []string{"--merge", dir, "--eta", "3"}, "--eta: --merge takes its settings from the plan"},
		{"cell without a folder", "", []string{"--cell", "0"}, "give --out"},
		{"cell outside the plan", "", []string{"--cell", "1", "--out", dir}, "the plan in " + dir + " has 1 cells, 0 to 0"},
		{"bad index", "", []string{"--cell", "x", "--out", dir}, `--cell "x": want a cell index`},
		{"bad index from the Job", "abc", []string{"--out", dir}, `$JOB_COMPLETION_INDEX "abc": want a cell index`},
		{"no plan", "", []string{"--cell", "0", "--out", t.TempDir()}, "no sweep plan in"},
		{"merge without a plan", "", []string{"--merge", t.TempDir()}, "fairbinn sweep --plan"},
		{"k8s flag alone", "", []string{"--merge", dir, "--image", "x"}, "--image is a flag of --k8s-job"},
		{"plan and cell", "", []string{"--plan", dir, "--cell", "0"}, "give --cell and --out when running a cell"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(cellIndexEnv, tc.env)
			code, _, errOut := runCLI(t, append([]string{"sweep"}, tc.args...)...)
			if code != exitBadInput || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, exitBadInput, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "cells")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("refused command lines wrote into the folder (%v)", err)
	}
}

// A cell whose run fails is recorded with its exit code and exits with it, as train would; the merge
// lists it as failed, exits as the sweep in one process would when every run failed, and running the
// cell again trains it again.
func TestSweepCellFailed(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the sweeps")
	}
	testkit.RequireORT(t)
	const exitUnmet = 5 // the CLI contract's code for constraints no model met
	data := sweepAdultSubset(t, 1000, 500)
	dir := filepath.Join(t.TempDir(), "sweep")
	mustRun(t, append([]string{"sweep", "--plan", dir}, sweepGridArgs(t, data, "--constraint", "dp<=0.00001", "--epochs", "1")...)...)
	code, _, errOut := runCLI(t, "sweep", "--cell", "0", "--out", dir)
	if code != exitUnmet || !strings.Contains(errOut, "no model met") {
		t.Fatalf("a cell whose constraint is unmet: exit %d, stderr:\n%s", code, errOut)
	}
	var rec fairbinn.CellRecord
	raw, err := os.ReadFile(filepath.Join(dir, "cells", "0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Status != "failed" || rec.ExitCode != exitUnmet || rec.Cell != 0 {
		t.Fatalf("record %+v (%v)", rec, err)
	}
	code, _, errOut = runCLI(t, "sweep", "--merge", dir)
	if code != exitUnmet || !strings.Contains(errOut, "1 of 1 cells failed") || !strings.Contains(errOut, "cell 0  "+rec.Name+"  failed: no model met") {
		t.Errorf("merge of a failed cell: exit %d, stderr:\n%s", code, errOut)
	}
	if res := readSweep(t, dir); !res.Complete || res.Failed != 1 || len(res.Pending) != 1 || res.Pending[0].Status != "failed" {
		t.Errorf("sweep.json: complete %v, %d failed, pending %+v", res.Complete, res.Failed, res.Pending)
	}
	if code, _, errOut = runCLI(t, "sweep", "--cell", "0", "--out", dir); code != exitUnmet || strings.Contains(errOut, "done already") {
		t.Errorf("a failed cell again: exit %d, stderr:\n%s", code, errOut)
	}
}
