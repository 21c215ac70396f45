package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/fairbinn/fairbinn-go"
)

// A CSV without a test file is split by the training seed; eval, without --seed, scores the model on
// the test split it was tested on (its recorded fairbinn.seed), so it reproduces the report.
func TestEvalUsesTrainingSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 1200, 1)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	out, report := filepath.Join(dir, "fair.onnx"), filepath.Join(dir, "report.json")
	mustRun(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--out", out, "--report", report, "--epochs", "1",
		"--batch", "50", "--seed", "3", "--quiet")
	var rep fairbinn.Report
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	var ev fairbinn.EvalReport
	if err := json.Unmarshal([]byte(mustRun(t, "eval", "--model", out, "--data", "csv:"+csv, "--json")), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Rows != rep.Data.Rows["test"] || ev.Metrics.Accuracy != rep.After.Test.Accuracy || ev.Metrics.DP != rep.After.Test.DP {
		t.Errorf("eval without --seed: %d rows, accuracy %v, DP %v; the report (seed 3): %d rows, %v, %v",
			ev.Rows, ev.Metrics.Accuracy, ev.Metrics.DP, rep.Data.Rows["test"], rep.After.Test.Accuracy, rep.After.Test.DP)
	}
}
