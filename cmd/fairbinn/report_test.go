package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// train writes the audit report beside its model (--html none: not), and report audits the model on
// another attribute with the backbone, the training report and confidence intervals.
func TestAuditReport(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 600, 4)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	out := filepath.Join(dir, "fair.onnx")
	rep := filepath.Join(dir, "fair.json")
	stdout := mustRun(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--epochs", "2", "--batch", "50", "--out", out, "--report", rep, "--quiet")
	html := filepath.Join(dir, "fair.html")
	if !strings.Contains(stdout, "audit  "+html) {
		t.Errorf("train does not name its audit report:\n%s", stdout)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="provenance"`, `id="groups"`, `id="calibration"`, `id="training"`, "<svg", out, "Export check passed"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("train's audit report lacks %q", want)
		}
	}
	mustRun(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--epochs", "1", "--out", filepath.Join(dir, "quiet.onnx"), "--html", "none", "--quiet")
	if _, err := os.Stat(filepath.Join(dir, "quiet.html")); err == nil {
		t.Error("--html none wrote a report")
	}

	// An audit against race, which the model was not trained for.
	audit := filepath.Join(dir, "race.html")
	mustRun(t, "report", "--model", out, "--data", "csv:"+csv, "--sensitive", "race", "--backbone", backbone, "--train-report", rep, "--out", audit)
	page, err = os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<td>A</td>", "<td>B</td>", "Threshold baseline", "95 % bootstrap confidence interval"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the race audit lacks %q", want)
		}
	}
	if strings.Contains(string(page), "<td>F</td>") {
		t.Error("the race audit shows the sex groups")
	}

	// Bad input: one line, exit 2, nothing written.
	bad := filepath.Join(dir, "bad.html")
	for name, args := range map[string][]string{
		"missing sensitive column": {"report", "--model", out, "--data", "csv:" + csv, "--sensitive", "religion", "--out", bad},
		"not a train report":       {"report", "--model", out, "--data", "csv:" + csv, "--train-report", csv, "--out", bad},
		"confidence level":         {"report", "--model", out, "--data", "csv:" + csv, "--ci", "1.5", "--out", bad},
		"output folder missing":    {"report", "--model", out, "--data", "csv:" + csv, "--out", filepath.Join(dir, "nope", "r.html")},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
		if _, err := os.Stat(bad); err == nil {
			t.Errorf("%s: a report was written", name)
		}
	}
}
