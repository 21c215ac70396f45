package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CSV controls' bad inputs exit 2 with one line, before any work, and write nothing.
func TestCSVControlBadInput(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 300, 5) // age 20..59, job, sex, race, income
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	otherVal := filepath.Join(dir, "val.csv")
	if err := os.WriteFile(otherVal, []byte("age,sex,income\n30,F,yes\n40,M,no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fair.onnx")
	base := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--position", "1", "--epochs", "1", "--out", out, "--quiet", "--min-group-size", "-1"}
	for name, extra := range map[string][]string{
		"missing feature column":   {"--sensitive", "sex", "--features", "age,height"},
		"bins that miss values":    {"--sensitive", "age:<30,30-40"},
		"an empty group of a bin":  {"--sensitive", "age:<30,30-59,>70"},
		"validation file columns":  {"--sensitive", "sex", "--val", otherVal},
		"bin edges out of order":   {"--sensitive", "age:50,30"},
		"a binned text column":     {"--sensitive", "job:<3,>=3"},
		"feature also dropped":     {"--sensitive", "sex", "--features", "age,job", "--drop", "job"},
		"merge and ignore at once": {"--sensitive", "sex", "--merge-small-groups", "--ignore-small-groups"},
	} {
		code, _, stderr := runCLI(t, append(base, extra...)...)
		if code != exitBadInput || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and one line", name, code, stderr)
		}
		for _, f := range []string{out, filepath.Join(dir, "fair.html")} {
			if _, err := os.Stat(f); err == nil {
				t.Fatalf("%s: %s written", name, f)
			}
		}
	}
}

// A model that does not take the sensitive column: with a fitted encoding, the column that would make the
// width wrong is left out of the features and forms groups only; the run says it fitted an encoding.
func TestSensitiveNotAFeature(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 300, 6)
	withSex := encodedWidth(t, csv, "sex")
	backbone := mlpFile(t, dir, withSex-2) // sex_F and sex_M are not inputs
	out := filepath.Join(dir, "fair.onnx")
	stdout := mustRun(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--epochs", "1", "--out", out, "--quiet", "--min-group-size", "-1")
	if !strings.Contains(stdout, "warning: the model stores no encoding") || !strings.Contains(stdout, "6 features") {
		t.Errorf("the fitted encoding is not announced, or holds the sensitive column:\n%s", stdout)
	}
	// The exported model stores the encoding: eval reads the same features, without a warning.
	code, evalOut, stderr := runCLI(t, "eval", "--model", out, "--data", "csv:"+csv)
	if code != 0 || strings.Contains(stderr, "stores no encoding") || !strings.Contains(evalOut, "test group") {
		t.Errorf("eval of the exported model: exit %d\n%s%s", code, evalOut, stderr)
	}
}
