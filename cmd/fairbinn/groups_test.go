package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/fairness"
)

// A sensitive group too small to measure on validation is refused before training, in one line naming
// it with its count; --min-group-size -1 lets the run go on.
func TestTrainSmallGroups(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 200, 1) // ~40 validation rows: ~20 per sex, ~10 per sex × race
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex,race"))
	out := filepath.Join(dir, "fair.onnx")
	args := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex,race", "--position", "1", "--epochs", "1", "--batch", "50", "--out", out, "--quiet"}
	code, _, stderr := runCLI(t, args...)
	if code != exitBadInput || !strings.Contains(stderr, "fewer than 30 validation rows") || !strings.Contains(stderr, `"F|A"`) ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("tiny groups: exit %d, stderr %q; want exit 2 and one line naming the groups", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a model was written for groups too small to measure")
	}
	if testing.Short() {
		return
	}
	mustRun(t, append(args, "--min-group-size", "-1")...)
}

// --merge-small-groups puts the groups below the minimum into one group, "other": the run goes on, the
// model records the merge, and eval of the model on its own attribute uses the same groups. A binned
// numeric attribute makes the groups here (ages 20 to 59: "<25" and ">55" are small).
func TestTrainMergeSmallGroups(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 400, 2)
	sens := "age:<25,25-55,>55"
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	out := filepath.Join(dir, "fair.onnx")
	args := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", sens, "--min-group-size", "10", "--position", "1", "--epochs", "1", "--batch", "50", "--out", out, "--quiet"}
	code, _, stderr := runCLI(t, args...)
	if code != exitBadInput || !strings.Contains(stderr, `"<25"`) || !strings.Contains(stderr, `">55"`) || strings.Contains(stderr, `"25-55"`) {
		t.Fatalf("small binned groups without merging: exit %d, %q", code, stderr)
	}
	if testing.Short() {
		return
	}
	stdout := mustRun(t, append(args, "--merge-small-groups")...)
	if !strings.Contains(stdout, `groups merged into "other" for having too few validation rows: <25, >55`) {
		t.Errorf("the merge is not reported:\n%s", stdout)
	}
	var info fairbinn.ModelInfo
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", out)), &info); err != nil {
		t.Fatal(err)
	}
	if got := info.Metadata[fairbinn.MetaMergedGroups]; got != `["<25",">55"]` {
		t.Errorf("metadata %s = %q", fairbinn.MetaMergedGroups, got)
	}
	evalOut := mustRun(t, "eval", "--model", out, "--data", "csv:"+csv)
	if !strings.Contains(evalOut, "\n    other") && !strings.Contains(evalOut, "other ") {
		t.Errorf("eval does not show the merged group:\n%s", evalOut)
	}
	if strings.Contains(evalOut, "<25") {
		t.Errorf("eval shows a merged group on its own:\n%s", evalOut)
	}
	// All groups small: merging would leave one group, which is refused.
	code, _, stderr = runCLI(t, append(args[:len(args)-1], "--quiet", "--merge-small-groups", "--min-group-size", "1000")...)
	if code != exitBadInput || strings.Count(stderr, "\n") != 1 {
		t.Errorf("every group small: exit %d, %q", code, stderr)
	}
}

// Output speaks of the criterion trained for, and flags the method does not use are named in a warning;
// a selection rule written for another criterion is refused.
func TestHonestOutput(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 300, 3)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	out := filepath.Join(dir, "fair.onnx")
	args := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--epochs", "1", "--batch", "50", "--out", out, "--min-group-size", "-1"}
	code, _, stderr := runCLI(t, append(args, "--fairness", "eo", "--select", "val-acc-at-dp=0.02")...)
	if code != exitBadInput || !strings.Contains(stderr, "val-acc-at-eo=X") {
		t.Errorf("a DP selection rule when training for EO: exit %d, %q", code, stderr)
	}
	if testing.Short() {
		return
	}
	code, _, stderr = runCLI(t, append(args, "--fairness", "eo", "--method", "lagrangian", "--fair-lr", "0.01", "--select", "val-acc-at-eo=0.5")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: method lagrangian does not use --fair-lr") {
		t.Errorf("no warning for --fair-lr under lagrangian:\n%s", stderr)
	}
	if !strings.Contains(stderr, "val EO ") || strings.Contains(stderr, "val dp") || strings.Contains(stderr, "val DP") {
		t.Errorf("progress lines do not name EO:\n%s", stderr)
	}
}

// --ignore-small-groups leaves the small groups out of the gaps: the run goes on with every row in the
// accuracy, the model records them, and eval leaves them out the same way while counting their rows.
func TestTrainIgnoreSmallGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 400, 2)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	out := filepath.Join(dir, "fair.onnx")
	report := filepath.Join(dir, "fair.json")
	stdout := mustRun(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes",
		"--sensitive", "age:<25,25-40,41-55,>55", "--min-group-size", "10", "--ignore-small-groups", "--position", "1", "--epochs", "1",
		"--batch", "50", "--out", out, "--report", report, "--quiet")
	if !strings.Contains(stdout, "left out of the fairness gaps and losses for having too few validation rows (their rows count in the accuracy): <25, >55") {
		t.Errorf("the ignored groups are not said:\n%s", stdout)
	}
	var rep fairbinn.Report
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	// Two groups are compared. The rows of every group are still counted, and the accuracy is over all.
	g := rep.After.Test.Groups
	if len(g) != 2 || g[0].Group != "25-40" || g[1].Group != "41-55" || rep.Data.GroupRows["val"]["<25"] == 0 {
		t.Fatalf("after: groups %+v, val rows %v", g, rep.Data.GroupRows["val"])
	}
	size := 0
	for _, n := range rep.Data.GroupRows["test"] {
		size += n
	}
	if size != rep.Data.Rows["test"] || g[0].Size+g[1].Size >= size {
		t.Errorf("test rows %d by group, %d in all, %d in the groups compared", size, rep.Data.Rows["test"], g[0].Size+g[1].Size)
	}
	if want := math.Abs(g[0].SelectionRate - g[1].SelectionRate); math.Abs(rep.After.Test.DP-want) > 1e-12 {
		t.Errorf("DP %v, want the gap of the two groups compared %v", rep.After.Test.DP, want)
	}
	evalOut := mustRun(t, "eval", "--model", out, "--data", "csv:"+csv)
	if !strings.Contains(evalOut, "left out of the fairness gaps") || !strings.Contains(evalOut, fmt.Sprintf("DP diff %.4f", rep.After.Test.DP)) {
		t.Errorf("eval does not leave the groups out:\n%s", evalOut)
	}
	// Both ways at once is refused.
	code, _, _ := runCLI(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--out", out+"2", "--merge-small-groups", "--ignore-small-groups")
	if code != exitBadInput {
		t.Errorf("merge and ignore at once: exit %d", code)
	}
}

// sweep treats small groups as train does: refused by default, merged with --merge-small-groups, and the
// choice reaches every run.
func TestSweepSmallGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 400, 2)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	args := []string{"sweep", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "age:<25,25-55,>55", "--min-group-size", "10", "--position", "1", "--epochs", "1", "--batch", "50",
		"--method", "lagrangian", "--eta", "20", "--seeds", "1"}
	code, _, _ := runCLI(t, append(args, "--out", filepath.Join(dir, "refused"))...)
	if code != exitBadInput {
		t.Errorf("a sweep over tiny groups: exit %d, want 2", code)
	}
	out := filepath.Join(dir, "merged")
	mustRun(t, append(args, "--out", out, "--merge-small-groups")...)
	raw, err := os.ReadFile(filepath.Join(out, "runs", "lagrangian_eta20_seed1.report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep fairbinn.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Data.Merged, ",") != "<25,>55" {
		t.Errorf("the run merged %q", rep.Data.Merged)
	}
}

// FPR and FNR parity train and are named as such: --fairness fpr, and a constraint on fnr.
func TestTrainFPRAndFNR(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 600, 7)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	base := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--epochs", "2", "--batch", "50", "--html", "none"}
	rep := filepath.Join(dir, "fpr.json")
	code, _, stderr := runCLI(t, append(base, "--fairness", "fpr", "--select", "last", "--out", filepath.Join(dir, "fpr.onnx"), "--report", rep)...)
	if code != 0 || !strings.Contains(stderr, "val FPR ") {
		t.Fatalf("--fairness fpr: exit %d\n%s", code, stderr)
	}
	var r fairbinn.Report
	raw, _ := os.ReadFile(rep)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	last := r.History[len(r.History)-1]
	if want := fairness.FPRGap(r.After.Val.Groups); math.Abs(last.ValFPR-want) > 1e-9 {
		t.Errorf("the history's validation FPR gap %v, the selected model's %v", last.ValFPR, want)
	}
	code, _, stderr = runCLI(t, append(base, "--constraint", "fnr<=1", "--out", filepath.Join(dir, "fnr.onnx"), "--quiet")...)
	if code != 0 {
		t.Errorf("--constraint fnr<=1: exit %d %s", code, stderr)
	}
}
