package fairbinn_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/testkit"
)

// eceScript computes the expected calibration error of rows "prob,label,group" the way the definition in
// fairness.Calibration says, with numpy: a reference outside the code under test.
const eceScript = `
import sys, numpy as np
d = np.genfromtxt(sys.argv[1], delimiter=",", dtype=None, encoding="utf-8", names=["p", "y", "g"])
def ece(p, y, b=10):
    k = np.minimum((p * b).astype(int), b - 1)
    return sum((k == j).sum() / len(p) * abs(p[k == j].mean() - y[k == j].mean()) for j in range(b) if (k == j).any())
print("all %.12f" % ece(d["p"], d["y"]))
for g in sorted(set(d["g"])):
    m = d["g"] == g
    print("%s %.12f" % (g, ece(d["p"][m], d["y"][m])))
`

// eval's calibration of the Adult backbone on its test split equals numpy's on the same probabilities.
func TestEvalCalibrationMatchesNumpy(t *testing.T) {
	testkit.RequireORT(t)
	m, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	data, err := fairbinn.LoadData(m, fairbinn.DataOptions{Spec: "adult:testdata/adult"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := fairbinn.Eval(m, data, fairbinn.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prob, err := fairbinn.Probabilities(m, fairbinn.ORT, data.Test, fairbinn.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, p := range prob {
		fmt.Fprintf(&b, "%s,%g,%s\n", strconv.FormatFloat(float64(p), 'g', -1, 32), data.Test.Y[i], data.GroupNames[data.Test.Group[i]])
	}
	rows := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(rows, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", eceScript, rows).CombinedOutput()
	if err != nil {
		testkit.Unavailable(t, "numpy (python3-numpy, installed with python3-onnx by scripts/install-debs.sh): %v: %s", err, out)
	}
	want := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, v, _ := strings.Cut(line, " ")
		want[name], _ = strconv.ParseFloat(v, 64)
	}
	got := map[string]float64{"all": rep.Calibration.Overall.ECE}
	for _, g := range rep.Calibration.Groups {
		got[g.Group] = g.ECE
	}
	if len(got) != 3 || len(want) != 3 {
		t.Fatalf("groups: got %v, numpy %v", got, want)
	}
	for k, w := range want {
		// float32 probabilities summed in float64 both sides: equal to rounding.
		if d := got[k] - w; d > 1e-9 || d < -1e-9 {
			t.Errorf("ECE %s: %.12f, numpy %.12f", k, got[k], w)
		}
	}
	if rep.SelectionRate <= 0 || rep.SelectionRate >= 1 {
		t.Errorf("selection rate %v", rep.SelectionRate)
	}
}
