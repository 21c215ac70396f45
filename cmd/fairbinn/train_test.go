package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/exporter"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/ir"
)

// peopleCSV writes a seeded CSV with a numeric, a categorical and two sensitive columns, where the label
// leans on sex.
func peopleCSV(t *testing.T, dir string, n int, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("age,job,sex,race,income\n")
	for range n {
		sex := []string{"F", "M"}[rng.IntN(2)]
		p := 0.2
		if sex == "M" {
			p = 0.6
		}
		income := "no"
		if rng.Float64() < p {
			income = "yes"
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s,%s\n", 20+rng.IntN(40), []string{"clerk", "nurse", "pilot"}[rng.IntN(3)], sex, []string{"A", "B"}[rng.IntN(2)], income)
	}
	path := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mlpFile writes a width → 8 → 8 → 1 MLP (ReLU, sigmoid output) with seeded weights, as PyTorch would
// export it, and returns its path.
func mlpFile(t *testing.T, dir string, width int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	g := &ir.Graph{
		Name: "mlp", Opset: 17, Producer: "fairbinn-test",
		Inputs:       []*ir.Value{{Name: "input", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(int64(width))}}},
		Outputs:      []*ir.Value{{Name: "prob", DType: ir.Float32, Shape: ir.Shape{ir.Symbolic("batch"), ir.Fixed(1)}}},
		Initializers: map[string]*ir.Tensor{},
	}
	in, w := "input", width
	for i, out := range []int{8, 8, 1} {
		wt := &ir.Tensor{Name: fmt.Sprintf("fc%d.weight", i), DType: ir.Float32, Dims: []int64{int64(out), int64(w)}, Float: make([]float32, out*w)}
		bt := &ir.Tensor{Name: fmt.Sprintf("fc%d.bias", i), DType: ir.Float32, Dims: []int64{int64(out)}, Float: make([]float32, out)}
		for j := range wt.Float {
			wt.Float[j] = float32((2*rng.Float64() - 1) / math.Sqrt(float64(w)))
		}
		for _, tt := range []*ir.Tensor{wt, bt} {
			if err := g.AddInitializer(tt); err != nil {
				t.Fatal(err)
			}
		}
		lin, act, op := fmt.Sprintf("lin%d", i), fmt.Sprintf("act%d", i), "Relu"
		if out == 1 {
			act, op = "prob", "Sigmoid"
		}
		g.Nodes = append(g.Nodes,
			&ir.Node{Name: lin, OpType: "Gemm", Inputs: []string{in, wt.Name, bt.Name}, Outputs: []string{lin}, Attrs: map[string]ir.Attr{"transB": {Type: ir.AttrInt, Int: 1}}},
			&ir.Node{Name: act, OpType: op, Inputs: []string{lin}, Outputs: []string{act}, Attrs: map[string]ir.Attr{}})
		in, w = act, out
	}
	path := filepath.Join(dir, "mlp.onnx")
	if err := exporter.WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	return path
}

func encodedWidth(t *testing.T, csv string, sensitive string) int {
	t.Helper()
	d, err := dataset.Load("csv:"+csv, dataset.Options{Label: "income", Positive: []string{"yes"}, Sensitive: strings.Split(sensitive, ",")})
	if err != nil {
		t.Fatal(err)
	}
	return d.Train.Cols
}

// Training on a user's CSV: the report's metrics are onnxruntime's, the model carries its provenance and
// encoding, evaluating it again reproduces the report, and a worse baseline is flagged as drift.
func TestTrainCSV(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 1200, 1)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex,race"))
	out, report := filepath.Join(dir, "fair.onnx"), filepath.Join(dir, "report.json")
	mustRun(t, "train", "--backbone", backbone, "--data", "csv:"+csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex,race", "--position", "1", "--out", out, "--report", report, "--epochs", "2",
		"--batch", "50", "--eta", "100", "--fair-lr", "1e-3", "--quiet")
	var rep fairbinn.Report
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Data.Groups) != 4 || !rep.Parity.OK || rep.Parity.MaxAbsDiff > 1e-5 || len(rep.History) != 2 {
		t.Errorf("report: groups %v, parity %+v, %d epochs", rep.Data.Groups, rep.Parity, len(rep.History))
	}
	testkit.OnnxChecker(t, out)

	var info fairbinn.ModelInfo
	if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", out)), &info); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"fairbinn.version", "fairbinn.method", "fairbinn.eta", "fairbinn.position", "fairbinn.seed", "fairbinn.data_sha256", "fairbinn.metrics", "fairbinn.encoding"} {
		if info.Metadata[key] == "" {
			t.Errorf("exported model has no %s", key)
		}
	}

	// eval reads the encoding from the model: no --label/--sensitive needed.
	var ev fairbinn.EvalReport
	if err := json.Unmarshal([]byte(mustRun(t, "eval", "--model", out, "--data", "csv:"+csv, "--json")), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Metrics.Accuracy != rep.After.Test.Accuracy || ev.Metrics.DP != rep.After.Test.DP {
		t.Errorf("eval gives accuracy %v DP %v, the report %v %v", ev.Metrics.Accuracy, ev.Metrics.DP, rep.After.Test.Accuracy, rep.After.Test.DP)
	}
	if code, _, errOut := runCLI(t, "eval", "--model", out, "--data", "csv:"+csv, "--baseline", report); code != 0 {
		t.Errorf("eval against its own report: exit %d %s", code, errOut)
	}
	rep.After.Test.Accuracy += 0.2
	worse, _ := json.Marshal(rep)
	baseline := filepath.Join(dir, "better.json")
	if err := os.WriteFile(baseline, worse, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "eval", "--model", out, "--data", "csv:"+csv, "--baseline", baseline); code != 4 || !strings.Contains(errOut, "accuracy") {
		t.Errorf("eval against a better baseline: exit %d (want 4) %s", code, errOut)
	}

	// predict --data --split test writes one CSV line per test row, and without --split one per row of
	// the file.
	pred := filepath.Join(dir, "pred.csv")
	mustRun(t, "predict", "--model", out, "--data", "csv:"+csv, "--split", "test", "--output", pred)
	lines, _ := os.ReadFile(pred)
	if n := strings.Count(string(lines), "\n"); n != rep.Data.Rows["test"]+1 || !strings.HasPrefix(string(lines), "row,prob,pred\n") {
		t.Errorf("predict --data --split test wrote %d lines for %d test rows", n, rep.Data.Rows["test"])
	}
	mustRun(t, "predict", "--model", out, "--data", "csv:"+csv, "--output", pred)
	all, _ := os.ReadFile(pred)
	raw, _ = os.ReadFile(csv)
	if n, want := strings.Count(string(all), "\n"), strings.Count(string(raw), "\n"); n != want {
		t.Errorf("predict --data wrote %d lines for the file's %d rows and header", n, want)
	}
	// Rows without a label are scored with the stored encoding, the same as the labelled rows: the first
	// 50 rows' predictions are the same lines.
	var unlabelled strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[:51] {
		f := strings.Split(line, ",") // age,job,sex,race,income
		if i == 0 {
			unlabelled.WriteString("job,age,race,sex\n") // another column order: matched by name
			continue
		}
		fmt.Fprintf(&unlabelled, "%s,%s,%s,%s\n", f[1], f[0], f[3], f[2])
	}
	ul := filepath.Join(dir, "unlabelled.csv")
	if err := os.WriteFile(ul, []byte(unlabelled.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "predict", "--model", out, "--data", "csv:"+ul, "--output", pred)
	got, _ := os.ReadFile(pred)
	wantLines := strings.SplitAfter(string(all), "\n")[:51]
	if string(got) != strings.Join(wantLines, "") {
		t.Errorf("unlabelled rows scored differently:\n%.300s\nwant\n%.300s", got, strings.Join(wantLines, ""))
	}
}

// Bad data for train: exit 2, one line, and neither the model nor the report written.
func TestTrainBadDataExit2(t *testing.T) {
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 300, 2)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	wideDir := filepath.Join(dir, "wide")
	if err := os.Mkdir(wideDir, 0o755); err != nil {
		t.Fatal(err)
	}
	wide := mlpFile(t, wideDir, encodedWidth(t, csv, "sex")+3)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oneClass := write("one_class.csv", "age,job,sex,race,income\n30,clerk,F,A,no\n40,nurse,M,B,no\n50,pilot,F,A,no\n")
	oneGroup := write("one_group.csv", "age,job,sex,race,income\n30,clerk,F,A,no\n40,nurse,F,B,yes\n50,pilot,F,A,no\n")
	nan := write("nan.csv", "age,job,sex,race,income\n30,clerk,F,A,no\nNaN,nurse,M,B,yes\n50,pilot,F,A,no\n")
	text := write("text.csv", "a,b,sex,income\n1,2,0,no\n3,x,1,yes\n")
	out, report := filepath.Join(dir, "out.onnx"), filepath.Join(dir, "out.json")
	base := []string{"train", "--backbone", backbone, "--position", "1", "--out", out, "--report", report, "--epochs", "1", "--quiet", "--label", "income", "--positive", "yes"}
	for name, extra := range map[string][]string{
		"missing column":     {"--data", "csv:" + csv, "--sensitive", "gender"},
		"label one class":    {"--data", "csv:" + oneClass, "--sensitive", "sex"},
		"one group":          {"--data", "csv:" + oneGroup, "--sensitive", "sex"},
		"NaN":                {"--data", "csv:" + nan, "--sensitive", "sex"},
		"non-numeric value":  {"--data", "csv:" + text, "--sensitive", "sex", "--encoding", "none"},
		"width mismatch":     {"--data", "csv:" + csv, "--sensitive", "sex", "--backbone", wide},
		"position too large": {"--data", "csv:" + csv, "--sensitive", "sex", "--position", "5"},
	} {
		args := append(append([]string{}, base...), extra...)
		code, _, errOut := runCLI(t, args...)
		t.Logf("%s: %s", name, strings.TrimSpace(errOut))
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, want 2 with one line; stderr %q", name, code, errOut)
		}
		for _, f := range []string{out, report} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("%s: %s was written", name, f)
			}
		}
	}
}

// A run stopped after its checkpoint and resumed with more epochs ends where an uninterrupted run ends.
func TestTrainResume(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the training runs")
	}
	dir := t.TempDir()
	csv := peopleCSV(t, dir, 600, 3)
	backbone := mlpFile(t, dir, encodedWidth(t, csv, "sex"))
	common := []string{"--backbone", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes",
		"--sensitive", "sex", "--position", "1", "--batch", "50", "--quiet", "--select", "last"}
	whole := filepath.Join(dir, "whole.onnx")
	mustRun(t, append([]string{"train", "--out", whole, "--epochs", "3"}, common...)...)

	ckpt := filepath.Join(dir, "ckpt")
	part := filepath.Join(dir, "part.onnx")
	mustRun(t, append([]string{"train", "--out", part, "--epochs", "1", "--checkpoint", ckpt}, common...)...)
	resumed := filepath.Join(dir, "resumed.onnx")
	report := filepath.Join(dir, "resumed.json")
	mustRun(t, append([]string{"train", "--out", resumed, "--report", report, "--epochs", "3", "--checkpoint", ckpt, "--resume"}, common...)...)

	a, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(resumed)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("the resumed model differs from the uninterrupted one")
	}
	var rep fairbinn.Report
	raw, _ := os.ReadFile(report)
	if err := json.Unmarshal(raw, &rep); err != nil || len(rep.History) != 3 {
		t.Errorf("resumed report: %d epochs of history (%v), want 3", len(rep.History), err)
	}
	// Resuming with other settings is refused.
	code, _, errOut := runCLI(t, append([]string{"train", "--out", filepath.Join(dir, "x.onnx"), "--epochs", "3", "--checkpoint", ckpt, "--resume", "--eta", "5"}, common...)...)
	if code != 2 || !strings.Contains(errOut, "other settings") {
		t.Errorf("resume with another eta: exit %d %q", code, errOut)
	}
}
