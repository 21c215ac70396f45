package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

// Constraints as the user states them: none met means exit 5 and nothing written (unless --best-effort);
// a backbone that already meets them comes back unchanged with exit 0 and says so.
func TestTrainConstraints(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 600, 1)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	base := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--epochs", "2", "--batch", "50", "--quiet"}
	out, report := filepath.Join(dir, "fair.onnx"), filepath.Join(dir, "report.json")

	// With a learning rate of 0 (the constrained method has one optimiser) no epoch moves the model, whose DP gap is above 0.
	frozen := append(base, "--out", out, "--report", report, "--constraint", "dp<=0", "--acc-lr", "0")
	code, _, stderr := runCLI(t, frozen...)
	if code != 5 || !strings.Contains(stderr, "dp<=0") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("unmet constraint: exit %d, stderr %q; want exit 5 and one line naming dp<=0", code, stderr)
	}
	for _, f := range []string{out, report, filepath.Join(dir, "fair.html")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s written although no model met the constraint", f)
		}
	}
	stdout := mustRun(t, append(frozen, "--best-effort")...)
	if !strings.Contains(stdout, "BEST EFFORT") {
		t.Errorf("--best-effort output does not say so:\n%s", stdout)
	}

	stdout = mustRun(t, append(base, "--out", out, "--report", report, "--constraint", "dp<=1")...)
	if !strings.Contains(stdout, "already satisfies") {
		t.Errorf("a backbone within the limit: output does not say it already satisfies it:\n%s", stdout)
	}
	var rep fairbinn.Report
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != "already satisfied" || rep.Selected != 0 || rep.After.Test.Accuracy != rep.Before.Test.Accuracy {
		t.Errorf("already satisfied: outcome %q, epoch %d, test accuracy %v (backbone %v)", rep.Outcome, rep.Selected, rep.After.Test.Accuracy, rep.Before.Test.Accuracy)
	}
	var info fairbinn.ModelInfo
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", out)), &info); err != nil {
		t.Fatal(err)
	}
	if got := info.Metadata[fairbinn.MetaConstraints]; got != "dp<=1" {
		t.Errorf("fairbinn.constraints = %q, want the constraint as given", got)
	}
}

// --constraints FILE states the constraints from a file (as a report writes them), with --constraint.
func TestTrainConstraintsFile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 600, 1)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	file := filepath.Join(dir, "c.json")
	if err := os.WriteFile(file, []byte(`{"constraints": ["eo<=1"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fair.onnx")
	mustRun(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes", "--sensitive", "sex",
		"--position", "1", "--epochs", "1", "--quiet", "--html", "none", "--constraint", "dp<=1", "--constraints", file, "--out", out)
	var info fairbinn.ModelInfo
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", out)), &info); err != nil {
		t.Fatal(err)
	}
	if got := info.Metadata[fairbinn.MetaConstraints]; got != "dp<=1,eo<=1" {
		t.Errorf("fairbinn.constraints = %q", got)
	}
	if err := os.WriteFile(file, []byte(`{"constraint": ["eo<=1"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes", "--sensitive", "sex",
		"--position", "1", "--constraints", file, "--out", filepath.Join(dir, "bad.onnx"))
	if code != exitBadInput || !strings.Contains(stderr, "c.json") {
		t.Errorf("a misspelt key: exit %d, %q", code, stderr)
	}
}

// A stated constraint on EO makes a fixed-penalty method train for EO too, unless --fairness says
// otherwise.
func TestConstraintSetsCriterion(t *testing.T) {
	f := parsedTrainFlags(t, "--method", "lagrangian", "--constraint", "eo<=0.05")
	cfg, err := f.config()
	if err != nil || cfg.Fairness != fairness.EO || cfg.Method != train.MethodLagrangian {
		t.Errorf("--method lagrangian --constraint eo<=0.05: %v %v %v", cfg.Fairness, cfg.Method, err)
	}
	g := parsedTrainFlags(t, "--fairness", "dp", "--constraint", "eo<=0.05")
	if cfg, err := g.config(); err != nil || cfg.Fairness != fairness.DP {
		t.Errorf("--fairness dp kept: %v %v", cfg.Fairness, err)
	}
}

// Without --eta, η is the trained criterion's default: DP's for dp, EO's for eo, whether the criterion
// comes from --fairness or from a stated constraint; a given --eta is kept.
func TestDefaultEtaByCriterion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want float64
	}{
		{nil, train.DefaultEta(fairness.DP)},
		{[]string{"--fairness", "eo"}, train.DefaultEta(fairness.EO)},
		{[]string{"--method", "lagrangian", "--constraint", "eo<=0.05"}, train.DefaultEta(fairness.EO)},
		{[]string{"--fairness", "eo", "--eta", "20"}, 20},
		{[]string{"--eta", "0"}, 0},
	} {
		f := parsedTrainFlags(t, tc.args...)
		if cfg, err := f.config(); err != nil || cfg.Eta != tc.want {
			t.Errorf("%q: eta %v (%v), want %v", tc.args, cfg.Eta, err, tc.want)
		}
	}
	if train.DefaultEta(fairness.DP) == train.DefaultEta(fairness.EO) {
		t.Error("dp and eo have the same default eta: the test cannot tell them apart")
	}
}

// The multiplier settings reach the constrained method's configuration, and another method says it
// does not use them.
func TestMultiplierFlags(t *testing.T) {
	f := parsedTrainFlags(t, "--constraint", "dp<=0.02", "--multiplier-lr", "20", "--multiplier-every", "10", "--multiplier-holdout", "0.2", "--multiplier-margin", "0.3")
	cfg, err := f.config()
	if err != nil || cfg.Method != train.MethodConstrained || cfg.MultiplierLR != 20 || cfg.MultiplierEvery != 10 || cfg.MultiplierHoldout != 0.2 || cfg.MultiplierMargin != 0.3 {
		t.Fatalf("config %v %v %v %v %v (%v)", cfg.Method, cfg.MultiplierLR, cfg.MultiplierEvery, cfg.MultiplierHoldout, cfg.MultiplierMargin, err)
	}
	if unused := f.unusedFlags(train.MethodConstrained); len(unused) != 0 {
		t.Errorf("constrained: unused %q", unused)
	}
	if unused := f.unusedFlags(train.MethodLagrangian); !slices.Equal(unused, []string{"--multiplier-lr", "--multiplier-every", "--multiplier-holdout", "--multiplier-margin"}) {
		t.Errorf("lagrangian: unused %q", unused)
	}
	// The margin's default follows the constraints' criteria; a given margin, even 0, stands.
	for _, c := range []struct {
		args []string
		want float64
	}{
		{[]string{"--constraint", "dp<=0.01"}, 0},
		{[]string{"--constraint", "eo<=0.05"}, 0.5},
		{[]string{"--constraint", "fpr<=0.05"}, 0.25},
		{[]string{"--constraint", "dp(sex)<=0.01", "--constraint", "eopp(race)<=0.05"}, 0.25},
		{[]string{"--constraint", "eo<=0.05", "--multiplier-margin", "0"}, 0},
	} {
		h := parsedTrainFlags(t, c.args...)
		if cfg, err := h.config(); err != nil || cfg.MultiplierMargin != c.want {
			t.Errorf("%q: margin %v, want %v (%v)", c.args, cfg.MultiplierMargin, c.want, err)
		}
	}
	g := parsedTrainFlags(t, "--multiplier-every", "0")
	if _, err := g.config(); err == nil || !strings.Contains(err.Error(), "--multiplier-every 0") {
		t.Errorf("--multiplier-every 0: %v", err)
	}
}

// Two constraints on two attributes are met together: DP between the sexes and EO between the races,
// each measured on its own attribute's groups while the data's groups are their intersections.
func TestConstraintsOnTwoAttributes(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 2000, 3)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex,race"))
	out, report := filepath.Join(dir, "fair.onnx"), filepath.Join(dir, "fair.json")
	args := []string{"train", "--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex,race", "--position", "1", "--epochs", "10", "--batch", "50", "--acc-lr", "0.01", "--quiet", "--html", "none",
		"--constraint", "dp(sex)<=0.05", "--constraint", "eo(race)<=0.1", "--out", out, "--report", report}
	stdout := mustRun(t, args...)
	var rep fairbinn.Report
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	attr := func(m fairness.Metrics, name string) fairness.Metrics {
		for _, a := range m.Attributes {
			if a.Attribute == name {
				return a.Metrics
			}
		}
		t.Fatalf("no metrics for %s in %+v", name, m.Attributes)
		return fairness.Metrics{}
	}
	sex, race := attr(rep.After.Val, "sex"), attr(rep.After.Val, "race")
	if len(sex.Groups) != 2 || len(race.Groups) != 2 || len(rep.After.Val.Groups) != 4 {
		t.Errorf("groups: sex %d, race %d, intersections %d", len(sex.Groups), len(race.Groups), len(rep.After.Val.Groups))
	}
	if !rep.ConstraintsMet || sex.DP > 0.05 || race.EO > 0.1 {
		t.Errorf("met %v: validation DP(sex) %.4f, EO(race) %.4f\n%s", rep.ConstraintsMet, sex.DP, race.EO, stdout)
	}
	if bd := attr(rep.Before.Val, "sex").DP; bd <= 0.05 {
		t.Errorf("the backbone meets DP(sex) already (%.4f): the test needs one that does not", bd)
	}
	if len(rep.Constraints) != 2 || rep.Constraints[0].Selected != sex.DP || rep.Constraints[1].Selected != race.EO {
		t.Errorf("constraint results %+v", rep.Constraints)
	}
	// The output says what each multiplier aimed at: eo's margin, a half, is the largest and applies to both.
	if !strings.Contains(stdout, "margin 0.5; at the last epoch: dp(sex)<=0.05 aimed at 0.025, λ ") || !strings.Contains(stdout, "eo(race)<=0.1 aimed at 0.05, λ ") {
		t.Errorf("no multipliers line with both constraints' targets:\n%s", stdout)
	}
	code, _, stderr := runCLI(t, append(args[:len(args)-4], "--constraint", "dp(religion)<=0.1", "--out", out+"2")...)
	if code != exitBadInput || !strings.Contains(stderr, `"religion" is not a sensitive attribute`) {
		t.Errorf("an unknown attribute: exit %d, %q", code, stderr)
	}
}

// parsedTrainFlags are train's flags (with the default method's defaults) after parsing args.
func parsedTrainFlags(t *testing.T, args ...string) *trainFlags {
	t.Helper()
	var f trainFlags
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	f.register(fs, train.DefaultConfig(train.DefaultMethod))
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &f
}
