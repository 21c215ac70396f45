package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// runCLI runs the CLI in-process and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("fairbinn %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// backbones are the PyTorch-exported test models.
func backbones(t *testing.T) []string {
	dirs, err := filepath.Glob("../../testdata/models/*/model.onnx")
	if err != nil || len(dirs) < 4 {
		t.Fatalf("want the testdata backbones, found %v (%v)", dirs, err)
	}
	return dirs
}

func readNpy(t *testing.T, path string) tensor.Tensor {
	t.Helper()
	a, err := npy.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Every backbone gives PyTorch's saved outputs, in onnxruntime and in the Go forward pass.
func TestBackbonesMatchPyTorch(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the loop over every backbone")
	}
	for _, model := range backbones(t) {
		dir := filepath.Dir(model)
		want := readNpy(t, filepath.Join(dir, "expected.npy"))
		for _, rt := range []string{"ort", "go"} {
			t.Run(filepath.Base(dir)+"/"+rt, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "y.npy")
				mustRun(t, "predict", "--model", model, "--input", filepath.Join(dir, "input.npy"), "--output", out, "--runtime", rt)
				got := readNpy(t, out)
				testkit.CloseTo(t, rt+" vs PyTorch", got.Data, want.Data, 1e-5, 1e-5)
			})
		}
	}
}

// Identity insertion at every position leaves onnxruntime's outputs within 1e-5 of the backbone's, and
// the exported file passes onnx.checker.
func TestIdentityInsertEveryPosition(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the loop over every backbone")
	}
	for _, model := range backbones(t) {
		dir := filepath.Dir(model)
		name := filepath.Base(dir)
		var info fairbinn.ModelInfo
		if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", model)), &info); err != nil {
			t.Fatal(err)
		}
		if len(info.Positions) == 0 {
			t.Errorf("%s: no insertion position", name)
			continue
		}
		base := filepath.Join(t.TempDir(), name+".npy")
		mustRun(t, "predict", "--model", model, "--input", filepath.Join(dir, "input.npy"), "--output", base)
		want := readNpy(t, base)
		for _, p := range info.Positions {
			t.Run(name+"/"+strconv.Itoa(p.Index), func(t *testing.T) {
				tmp := t.TempDir()
				out := filepath.Join(tmp, "fair.onnx")
				mustRun(t, "insert", "--backbone", model, "--position", strconv.Itoa(p.Index), "--out", out, "--fair-layers", "2")
				y := filepath.Join(tmp, "y.npy")
				mustRun(t, "predict", "--model", out, "--input", filepath.Join(dir, "input.npy"), "--output", y)
				testkit.CloseTo(t, "ort, inserted vs backbone", readNpy(t, y).Data, want.Data, 1e-5, 1e-5)
				testkit.OnnxChecker(t, out)
				var after fairbinn.ModelInfo
				if err := json.Unmarshal([]byte(mustRun(t, "inspect", "--json", out)), &after); err != nil {
					t.Fatal(err)
				}
				if after.Opset != info.Opset || after.Inputs[0].Name != info.Inputs[0].Name || after.Outputs[0].Name != info.Outputs[0].Name ||
					strings.Join(after.Inputs[0].Shape, ",") != strings.Join(info.Inputs[0].Shape, ",") {
					t.Errorf("inserted model changed opset or inputs/outputs: %+v vs %+v", after, info)
				}
				if after.Metadata["fairbinn.position"] == "" || after.Metadata["fairbinn.version"] == "" {
					t.Errorf("no provenance metadata: %v", after.Metadata)
				}
			})
		}
	}
}

// Every malformed model gives exit code 2, one line on stderr naming the file, and writes nothing.
func TestBadModelsExit2(t *testing.T) {
	bad, err := filepath.Glob("../../testdata/bad/*.onnx")
	if err != nil || len(bad) < 15 {
		t.Fatalf("want the bad-input corpus, found %d files (%v)", len(bad), err)
	}
	// Every bad model is a variant of a [batch, 4] MLP.
	in := filepath.Join(t.TempDir(), "x.npy")
	if err := npy.Write(in, tensor.Tensor{Shape: []int64{2, 4}, Data: make([]float32, 8)}); err != nil {
		t.Fatal(err)
	}
	for _, model := range bad {
		t.Run(filepath.Base(model), func(t *testing.T) {
			tmp := t.TempDir()
			out := filepath.Join(tmp, "out.onnx")
			cases := [][]string{
				{"insert", "--backbone", model, "--position", "1", "--out", out},
				{"predict", "--model", model, "--input", in, "--output", filepath.Join(tmp, "y.npy"), "--runtime", "go"},
				{"verify", "--model", model, "--random", "4"},
			}
			for _, args := range cases {
				code, _, errOut := runCLI(t, args...)
				if code != 2 {
					t.Errorf("%s: exit %d, want 2 (stderr %q)", args[0], code, errOut)
				}
				if lines := strings.Count(strings.TrimSpace(errOut), "\n"); lines != 0 || !strings.Contains(errOut, filepath.Base(model)) {
					t.Errorf("%s: want one line naming the file, got %q", args[0], errOut)
				}
				if strings.Contains(errOut, "panic") || strings.Contains(errOut, "internal error") {
					t.Errorf("%s: %q", args[0], errOut)
				}
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("files written on bad input: %v", entries)
			}
		})
	}
}

// Bad command lines and inputs other than the model.
func TestBadArgumentsExit2(t *testing.T) {
	model := "../../testdata/models/adult_mlp/model.onnx"
	tmp := t.TempDir()
	nanInput := filepath.Join(tmp, "nan.npy")
	if err := npy.Write(nanInput, tensor.Tensor{Shape: []int64{1, 101}, Data: append([]float32{float32(math.NaN())}, make([]float32, 100)...)}); err != nil {
		t.Fatal(err)
	}
	narrow := filepath.Join(tmp, "narrow.npy")
	if err := npy.Write(narrow, tensor.Tensor{Shape: []int64{2, 5}, Data: make([]float32, 10)}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	for _, args := range [][]string{
		{"nosuchcommand"},
		{"inspect"},
		{"inspect", "../../testdata/models/nothere.onnx"},
		{"insert", "--backbone", model, "--position", "9", "--out", out},
		{"insert", "--backbone", model, "--position", "name:nothere", "--out", out},
		{"insert", "--backbone", model, "--position", "x", "--out", out},
		{"insert", "--backbone", model, "--position", "1", "--out", out, "--fair-init", "zeros"},
		{"insert", "--backbone", model, "--position", "1", "--out", model},
		{"predict", "--model", model, "--input", nanInput, "--output", out},
		{"predict", "--model", model, "--input", narrow, "--output", out},
		{"predict", "--model", model, "--input", narrow, "--output", out, "--runtime", "tpu"},
		{"verify", "--model", model},
		{"train", "--backbone", model, "--data", "adult:../../testdata/adult", "--position", "2", "--out", out, "--method", "magic"},
		{"train", "--backbone", model, "--data", "adult:../../testdata/adult", "--position", "7", "--out", out, "--epochs", "1"},
		{"train", "--backbone", model, "--data", "adult:../../testdata/adult", "--position", "2", "--out", out, "--eta", "-1"},
		{"train", "--backbone", model, "--data", "adult:/nonexistent", "--position", "2", "--out", out},
		{"eval", "--model", model, "--data", "adult:../../testdata/adult", "--split", "nosuch"},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut)
		}
		if strings.Contains(errOut, "panic") {
			t.Errorf("%v: %s", args, errOut)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 2 {
		t.Errorf("files written on bad input: %v", entries)
	}
}

func TestHelp(t *testing.T) {
	for _, c := range commands() {
		code, out, _ := runCLI(t, c.Name(), "--help")
		if code != 0 || !strings.Contains(out, "usage: fairbinn "+c.Name()) {
			t.Errorf("%s --help: exit %d, %q", c.Name(), code, out)
		}
	}
	code, out, _ := runCLI(t, "--help")
	if code != 0 || !strings.Contains(out, "commands:") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
}

// verify exits 3 above its tolerance.
func TestVerifyExit3(t *testing.T) {
	code, out, errOut := runCLI(t, "verify", "--model", "../../testdata/models/adult_mlp/model.onnx", "--random", "64", "--tol", "0")
	if code != 3 || !strings.Contains(out, "FAIL") {
		t.Errorf("verify --tol 0: exit %d, want 3\n%s%s", code, out, errOut)
	}
}
