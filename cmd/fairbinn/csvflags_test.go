package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
)

// A user's CSV with a row id and "?" for missing values: --drop keeps the id out of the features and
// --missing drops (and counts) the rows with the token; without --missing the "?" is refused by name.
func TestCSVDropAndMissing(t *testing.T) {
	dir := t.TempDir()
	src := peopleCSV(t, dir, 600, 1)
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var b strings.Builder
	b.WriteString("id," + lines[0] + "\n")
	for i, l := range lines[1:] {
		if i%50 == 7 {
			l = "?" + l[strings.Index(l, ","):] // age unknown
		}
		b.WriteString(strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "," + l + "\n")
	}
	csv := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	backbone := mlpFile(t, dir, encodedWidth(t, src, "sex"))
	base := []string{"eval", "--model", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes", "--sensitive", "sex", "--drop", "id"}
	code, _, stderr := runCLI(t, base...)
	if code != exitBadInput || !strings.Contains(stderr, "age") {
		t.Errorf("\"?\" in a numeric column without --missing: exit %d, stderr %q; want exit 2 naming the column", code, stderr)
	}
	var ev fairbinn.EvalReport
	if err := json.Unmarshal([]byte(mustRun(t, append(base, "--missing", "?", "--json")...)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Rows == 0 || ev.Metrics.Accuracy == 0 {
		t.Errorf("eval with --drop id --missing ?: %+v", ev)
	}
}

// A category the training file never had (a new job in the test file) is counted and warned of, and
// refused by name with --strict-categories.
func TestUnseenCategories(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 600, 1)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	test := filepath.Join(dir, "test.csv")
	if err := os.WriteFile(test, []byte("age,job,sex,race,income\n30,astronaut,F,A,yes\n40,clerk,M,B,no\n35,astronaut,M,A,no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"eval", "--model", backbone, "--data", "csv:" + csv, "--test", test, "--label", "income", "--positive", "yes", "--sensitive", "sex"}
	var ev fairbinn.EvalReport
	if err := json.Unmarshal([]byte(mustRun(t, append(base, "--json")...)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Unseen["job"] != 2 {
		t.Errorf("unseen categories %v, want job: 2", ev.Unseen)
	}
	if out := mustRun(t, base...); !strings.Contains(out, "warning: 2 test row(s) have a job the encoding never saw") {
		t.Errorf("eval does not warn of the unseen job:\n%s", out)
	}
	code, _, stderr := runCLI(t, append(base, "--strict-categories")...)
	if code != exitBadInput || !strings.Contains(stderr, "astronaut") || !strings.Contains(stderr, "job") {
		t.Errorf("--strict-categories: exit %d, stderr %q; want exit 2 naming the value and the column", code, stderr)
	}
}

// eval --ci adds bootstrap intervals that hold the point values and are the same on every run (seeded).
func TestEvalIntervals(t *testing.T) {
	args := []string{"eval", "--model", "../../testdata/models/adult_mlp/model.onnx", "--data", "adult:../../testdata/adult", "--ci", "0.95", "--json"}
	var a, b fairbinn.EvalReport
	if err := json.Unmarshal([]byte(mustRun(t, args...)), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustRun(t, args...)), &b); err != nil {
		t.Fatal(err)
	}
	iv := a.Intervals
	if iv == nil || b.Intervals == nil || !reflect.DeepEqual(*iv, *b.Intervals) {
		t.Fatalf("intervals %+v and %+v; want the same on both runs", iv, b.Intervals)
	}
	m := a.Metrics
	if !(iv.Accuracy.Lo <= m.Accuracy && m.Accuracy <= iv.Accuracy.Hi && iv.DP.Lo <= m.DP && m.DP <= iv.DP.Hi && iv.DP.Hi-iv.DP.Lo < 0.05) {
		t.Errorf("intervals %+v do not hold accuracy %v and DP %v, or are too wide", iv, m.Accuracy, m.DP)
	}
}

// eval --baseline on a report with intervals compares intervals, and names the group that drifted.
func TestDriftOnIntervals(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/models/adult_mlp/model.onnx"
	data := "adult:../../testdata/adult"
	base := filepath.Join(dir, "base.json")
	if err := os.WriteFile(base, []byte(mustRun(t, "eval", "--model", model, "--data", data, "--ci", "0.95", "--json")), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "eval", "--model", model, "--data", data, "--ci", "0.95", "--baseline", base); code != 0 {
		t.Errorf("the same model against its own intervals: exit %d, %s", code, stderr)
	}
	random := filepath.Join(dir, "random.onnx")
	mustRun(t, "insert", "--backbone", model, "--position", "2", "--fair-init", "random", "--seed", "3", "--out", random)
	code, _, stderr := runCLI(t, "eval", "--model", random, "--data", data, "--ci", "0.95", "--baseline", base)
	if code != exitDrift || !strings.Contains(stderr, "group ") || !strings.Contains(stderr, "recorded [") {
		t.Errorf("a changed model: exit %d, stderr %q; want exit 4 naming a group's interval", code, stderr)
	}
}

// A baseline measured on another attribute is refused (exit 2, one line) rather than compared blindly.
func TestDriftBaselineOtherGroups(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/models/adult_mlp/model.onnx"
	data := "adult:../../testdata/adult"
	base := filepath.Join(dir, "race.json")
	if err := os.WriteFile(base, []byte(mustRun(t, "eval", "--model", model, "--data", data, "--sensitive", "race", "--json")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "eval", "--model", model, "--data", data, "--baseline", base)
	if code != exitBadInput || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "are not this data's (Male, Female)") {
		t.Errorf("a baseline of another attribute: exit %d, stderr %q", code, stderr)
	}
}
