package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/train"
)

const sweepBackbone = "../../testdata/models/adult_mlp/model.onnx"

// sweepAdultSubset writes the first rows of the shipped Adult files into a temporary folder: the
// backbone stores its encoding, so a subset encodes to the same 101 features and trains in a second.
func sweepAdultSubset(t *testing.T, trainRows, testRows int) string {
	t.Helper()
	dir := t.TempDir()
	for name, rows := range map[string]int{"adult.data": trainRows, "adult.test": testRows + 1} { // + adult.test's header line
		f, err := os.Open(filepath.Join("../../testdata/adult", name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		sc := bufio.NewScanner(zr)
		for i := 0; i < rows && sc.Scan(); i++ {
			out.Write(sc.Bytes())
			out.WriteByte('\n')
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return "adult:" + dir
}

func readSweep(t *testing.T, dir string) *fairbinn.SweepResult {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res fairbinn.SweepResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("sweep.json: %v", err)
	}
	return &res
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if format != "png" || cfg.Width < 400 || cfg.Height < 300 {
		t.Errorf("%s: %s %dx%d, want a PNG of at least 400x300", path, format, cfg.Width, cfg.Height)
	}
}

func TestSweepBadInput(t *testing.T) {
	data := "adult:../../testdata/adult"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown method", []string{"--method", "bilevel,gradient"}, `--method "gradient"`},
		{"twice the same method", []string{"--method", "erm,erm"}, "listed twice"},
		{"thresholds as a method", []string{"--method", "thresholds"}, "every sweep's baseline row"},
		{"non-numeric eta", []string{"--eta", "100,lots"}, `--eta "lots"`},
		{"negative eta", []string{"--eta", "-1"}, `--eta "-1"`},
		{"no seeds", []string{"--seeds", "0"}, "--seeds 0"},
		{"bad seed list", []string{"--seed-list", "1,x"}, `--seed-list "x"`},
		{"seeds and seed list", []string{"--seeds", "2", "--seed-list", "1,2"}, "give one of them"},
		{"bad select", []string{"--select", "best"}, `--select "best"`},
		{"no epochs", []string{"--epochs", "0"}, "--epochs 0"},
		{"bad position", []string{"--position", "9"}, "--position"},
		{"missing backbone", []string{"--backbone", "nonexistent.onnx"}, "nonexistent.onnx"},
		{"missing data", []string{"--data", "adult:nonexistent"}, "nonexistent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sweep")
			args := append([]string{"sweep", "--backbone", sweepBackbone, "--data", data, "--position", "2",
				"--out", dir, "--epochs", "1"}, tc.args...)
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, &stdout, &stderr); code != exitBadInput {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitBadInput, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tc.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("bad input created %s (stat: %v)", dir, err)
			}
		})
	}
	t.Run("no out", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		args := []string{"sweep", "--backbone", sweepBackbone, "--data", data, "--position", "2"}
		if code := run(context.Background(), args, &stdout, &stderr); code != exitBadInput {
			t.Fatalf("exit %d, want %d", code, exitBadInput)
		}
	})
}

func TestSweepGrid(t *testing.T) {
	c := &sweepCmd{methods: "bilevel,erm,reference", etas: "0,1e3", seeds: 2}
	grid, err := c.parseGrid(map[string]bool{"eta": true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(grid.Methods, grid.Etas, grid.Seeds) != "[bilevel erm reference] [0 1000] [1 2]" {
		t.Errorf("grid %v %v %v", grid.Methods, grid.Etas, grid.Seeds)
	}
	c.seedList = "7,3"
	grid, err = c.parseGrid(map[string]bool{"seed-list": true, "eta": true})
	if err != nil || len(grid.Seeds) != 2 || grid.Seeds[0] != 7 || grid.Seeds[1] != 3 {
		t.Errorf("--seed-list 7,3: %v, %v", grid.Seeds, err)
	}
	// The reference method keeps its own learning-rate schedule unless the command line sets one; a
	// schedule given on the command line applies to every method.
	for _, tc := range []struct {
		args            []string
		refDecay        float64
		refEvery, every int
	}{
		{nil, 0.5, 50, 1},
		{[]string{"--acc-decay", "0.5", "--decay-every", "3"}, 0.5, 3, 3},
	} {
		given := &sweepCmd{}
		fset := flag.NewFlagSet("sweep", flag.ContinueOnError)
		given.Flags(fset)
		args := append([]string{"--backbone", "b.onnx", "--data", "adult:x", "--position", "2", "--out", "d",
			"--method", "lagrangian,reference", "--eta", "20"}, tc.args...)
		if err := fset.Parse(args); err != nil {
			t.Fatal(err)
		}
		opts, err := given.options("d")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range opts.Methods {
			cfg := opts.Base
			cfg.Method = m
			opts.Configure(&cfg)
			wantDecay, wantEvery := 0.7, tc.every
			if m == train.MethodReference {
				wantDecay, wantEvery = tc.refDecay, tc.refEvery
			}
			if tc.args != nil {
				wantDecay = 0.5
			}
			if cfg.AccDecay != wantDecay || cfg.DecayEvery != wantEvery {
				t.Errorf("%v %s: decay %g every %d, want %g every %d", tc.args, m, cfg.AccDecay, cfg.DecayEvery, wantDecay, wantEvery)
			}
		}
	}
}

// TestSweepMarkdown prints a made-up sweep as Markdown.
func TestSweepMarkdown(t *testing.T) {
	res := &fairbinn.SweepResult{Data: "adult:x", Complete: true,
		Reference: &fairbinn.BackboneStats{Seeds: []uint64{1}},
		Summary:   []fairbinn.SweepSummary{{Method: train.MethodBilevel, Eta: 1000, Runs: 2, Failed: 1}, {Method: train.MethodERM, Runs: 1}}}
	var md bytes.Buffer
	fairbinn.WriteSweepMarkdown(&md, res)
	for _, want := range []string{"| bilevel | 1000 | 2 (1 failed) |", "| backbone | - |", "| erm | - | 1 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

// TestSweepAdult runs a small grid end to end on the shipped backbone and a subset of Adult.
func TestSweepAdult(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the sweeps")
	}
	testkit.RequireORT(t)
	data := sweepAdultSubset(t, 2000, 1000)
	dir := filepath.Join(t.TempDir(), "sweep")
	var stdout, stderr bytes.Buffer
	args := []string{"sweep", "--backbone", sweepBackbone, "--data", data, "--position", "2",
		"--method", "bilevel,erm", "--eta", "100,1000", "--seeds", "2", "--epochs", "1", "--out", dir}
	if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	res := readSweep(t, dir)
	if !res.Complete || res.Interrupted || res.Planned != 6 || res.Finished != 6 || res.Failed != 0 || len(res.Runs) != 6 {
		t.Fatalf("sweep.json: complete %v, %d planned, %d finished, %d failed, %d runs", res.Complete, res.Planned, res.Finished, res.Failed, len(res.Runs))
	}
	for _, r := range res.Runs {
		if !r.OK() || r.Val == nil || r.Test == nil || r.Backbone == nil || r.Test.Accuracy < 0.5 || r.Config.Epochs != 1 {
			t.Errorf("run %s: %+v", r.Name, r)
			continue
		}
		if r.Model != "" {
			t.Errorf("run %s: model %s written without --keep-models", r.Name, r.Model)
		}
		if _, err := os.Stat(filepath.Join(dir, r.Report)); err != nil {
			t.Errorf("run %s: %v", r.Name, err)
		}
	}
	if onnx, _ := filepath.Glob(filepath.Join(dir, "runs", "*.onnx")); len(onnx) != 0 {
		t.Errorf("models written without --keep-models: %v", onnx)
	}
	if len(res.Summary) != 3 || res.Reference == nil || len(res.Reference.Seeds) != 2 {
		t.Fatalf("summary %+v, backbone %+v", res.Summary, res.Reference)
	}
	for _, s := range res.Summary {
		if s.Runs != 2 {
			t.Errorf("summary %s η=%g: %d runs, want 2", s.Method, s.Eta, s.Runs)
		}
	}
	checkPNG(t, filepath.Join(dir, "pareto.png"))
	lines := 0
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(l, "run ") {
			lines++
		}
	}
	if lines != 6 {
		t.Errorf("want 6 progress lines, got %d:\n%s", lines, stderr.String())
	}
	for _, want := range []string{"run 1/6 bilevel eta=100 seed=1: val acc", "run 6/6 erm seed=2:"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	rows := map[string]bool{}
	for _, l := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(l); len(f) >= 3 {
			rows[strings.Join(f[:3], " ")] = true
		}
	}
	for _, want := range []string{"backbone - 2", "bilevel 100 2", "bilevel 1000 2", "erm - 2", filepath.Join(dir, "sweep.json")} {
		if !rows[want] && !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, stdout.String())
		}
	}

	t.Run("keep models, json", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "kept")
		var stdout, stderr bytes.Buffer
		args := []string{"sweep", "--backbone", sweepBackbone, "--data", data, "--position", "2", "--method", "erm",
			"--seed-list", "5", "--epochs", "1", "--keep-models", "--quiet", "--json", "--out", dir}
		if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
		}
		if stderr.Len() != 0 {
			t.Errorf("--quiet printed %q", stderr.String())
		}
		var res fairbinn.SweepResult
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			t.Fatalf("--json: %v", err)
		}
		if len(res.Runs) != 1 || res.Runs[0].Model != filepath.Join("runs", "erm_eta0_seed5.onnx") || res.Runs[0].Seed != 5 {
			t.Fatalf("runs %+v", res.Runs)
		}
		if _, err := os.Stat(filepath.Join(dir, res.Runs[0].Model)); err != nil {
			t.Error(err)
		}
	})
}

// cancelAfter cancels a context when the text it receives contains a marker, like Ctrl-C at that point.
type cancelAfter struct {
	buf    bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.cancel()
	}
	return len(p), nil
}

func TestSweepInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the sweeps")
	}
	testkit.RequireORT(t)
	data := sweepAdultSubset(t, 1000, 500)
	dir := filepath.Join(t.TempDir(), "sweep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelAfter{marker: "run 1/3", cancel: cancel}
	var stdout bytes.Buffer
	args := []string{"sweep", "--backbone", sweepBackbone, "--data", data, "--position", "2",
		"--method", "erm", "--seeds", "3", "--epochs", "1", "--out", dir}
	if code := run(ctx, args, &stdout, stderr); code != exitInternal {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInternal, stderr.buf.String())
	}
	if !strings.Contains(stderr.buf.String(), "interrupted after 1 of 3 runs") {
		t.Errorf("stderr:\n%s", stderr.buf.String())
	}
	res := readSweep(t, dir)
	if res.Complete || !res.Interrupted || len(res.Runs) != 1 || res.Finished != 1 || res.Planned != 3 {
		t.Errorf("sweep.json: complete %v, interrupted %v, %d runs, %d finished of %d", res.Complete, res.Interrupted, len(res.Runs), res.Finished, res.Planned)
	}
	checkPNG(t, filepath.Join(dir, "pareto.png"))
}
