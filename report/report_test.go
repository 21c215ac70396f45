package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

var update = flag.Bool("update", false, "rewrite testdata/outline.golden from the rendered sample")

// sections are the ids and headings of every section, in order.
var sections = []struct{ id, title string }{
	{"summary", "Summary"},
	{"provenance", "Provenance"},
	{"data", "Data"},
	{"constraints", "Constraints"},
	{"metrics", "Overall metrics"},
	{"group-charts", "Group comparison charts"},
	{"groups", "Per-group metrics"},
	{"calibration", "Calibration"},
	{"training", "Training"},
	{"sweep", "Sweep"},
	{"parity", "Export check"},
	{"drift", "Drift"},
}

func render(t *testing.T, a *Audit) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOutlineGolden(t *testing.T) {
	got, err := outline(render(t, sampleAudit()))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	golden := filepath.Join("testdata", "outline.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./report -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("outline differs from %s (go test ./report -update rewrites it):\n%s", golden, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines only in want (-) and only in got (+), in order.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	inW, inG := map[string]int{}, map[string]int{}
	for _, l := range w {
		inW[l]++
	}
	for _, l := range g {
		inG[l]++
	}
	var b strings.Builder
	for _, l := range w {
		if inG[l] == 0 {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if inW[l] == 0 {
			b.WriteString("+ " + l + "\n")
		}
	}
	if b.Len() == 0 {
		return "(the same lines in another order)"
	}
	return b.String()
}

func TestDeterministic(t *testing.T) {
	a, b := render(t, sampleAudit()), render(t, sampleAudit())
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same audit differ")
	}
	if n := bytes.Count(a, []byte("<svg ")); n != 10 {
		t.Errorf("%d charts, want 10 (3 group charts, 2 reliability curves, 4 training charts, 1 sweep)", n)
	}
}

func TestEscaping(t *testing.T) {
	const evil = "<script>alert(1)</script>"
	a := sampleAudit()
	a.Title = evil
	a.Provenance.Model = evil
	a.Data.Groups[2] = evil
	for i := range a.Data.Splits {
		rows := a.Data.Splits[i].GroupRows
		rows[evil] = rows["Other"]
	}
	a.Data.Splits[0].Name = evil
	for _, r := range a.Results {
		for _, ev := range []*Evaluation{r.Before, r.After, r.Baseline} {
			if ev != nil {
				ev.Metrics.Groups[2].Group = evil
			}
		}
	}
	a.Calibration.After.Groups[2].Group = evil
	a.Sweep.Runs[0].Series = evil
	a.Drift.Drifted = []string{evil}
	page := string(render(t, a))
	if strings.Contains(page, "<script") {
		t.Errorf("a name from the data reaches the page unescaped")
	}
	for _, elem := range []string{"h1", "td", "th", "text", "li"} {
		if !regexp.MustCompile(`<` + elem + `[ >][^>]*>?[^<]*&lt;script&gt;alert\(1\)&lt;/script&gt;`).MatchString(page) {
			t.Errorf("no escaped name in a <%s> element", elem)
		}
	}
}

func TestSelfContained(t *testing.T) {
	page := string(render(t, sampleAudit()))
	for _, bad := range []string{"<script", "<link", "<img", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q: it must need nothing from outside", bad)
		}
	}
	// The only addresses are the SVG namespaces, which are names, not downloads.
	for _, u := range regexp.MustCompile(`https?://[^"' )]*`).FindAllString(page, -1) {
		if u != "http://www.w3.org/2000/svg" && u != "http://www.w3.org/1999/xlink" {
			t.Errorf("the page refers to %s", u)
		}
	}
}

func TestEmptyAudit(t *testing.T) {
	page := render(t, &Audit{})
	got, err := outline(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sections {
		if !strings.Contains(got, "h2 #"+s.id+" "+s.title+"\n") {
			t.Errorf("no section %q in\n%s", s.id, got)
		}
	}
	// Every section but the provenance says it has nothing to show.
	if n := strings.Count(got, "not available"); n != len(sections)-1 {
		t.Errorf("%d sections say not available, want %d:\n%s", n, len(sections)-1, got)
	}
	if bytes.Contains(page, []byte("<svg")) {
		t.Error("charts drawn without data")
	}
	for _, s := range []string{"<h1 id=\"top\">Fairness audit</h1>", "Report date: not given", "not given"} {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("the page lacks %q", s)
		}
	}
}

func TestVerdicts(t *testing.T) {
	a := sampleAudit()
	a.Parity.MaxAbsDiff = 3e-3
	a.Drift.Drifted = []string{"accuracy 0.8100 < recorded 0.8750"}
	page := string(render(t, a))
	for _, want := range []string{
		// dp<=0.03 is met on both splits with an interval above the limit; eo<=0.2 fails on test.
		`<li class="ok">Constraint dp&lt;=0.03: met on validation (0.0129), met on test (0.0237).</li>`,
		`<li class="bad">Constraint eo&lt;=0.2: met on validation (0.1888), not met on test (0.2230).</li>`,
		`<td class="ok">yes<sup>‡</sup></td>`,
		`<td class="bad">no</td>`,
		`Export check failed: the exported file&#39;s predictions differ in onnxruntime vs Go forward pass by up to 0.003, above the tolerance 1e-05.`,
		`<td class="bad">failed</td>`,
		`<li class="bad">accuracy 0.8100 &lt; recorded 0.8750</li>`,
		`<td class="num">n/a<sup>*</sup></td>`, // Other has no positives: no TPR
		"* n/a: the rate is undefined for this group",
		`<td class="num warn">69<sup>†</sup></td>`, // Other's validation rows, below 100
		"Small groups: the groups with fewer than 100 rows are kept in the data but left out of the constraints.",
		"The audited model is the one at the end of epoch 9 of 12.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	ok := string(render(t, sampleAudit()))
	for _, want := range []string{`<td class="ok">passed</td>`, "No drift against out/adult_fair.report.json: no metric got worse by more than the tolerance."} {
		if !strings.Contains(ok, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

// TestPartial renders audits with pieces missing, as a plain evaluation or an early failure gives them.
func TestPartial(t *testing.T) {
	a := sampleAudit()
	for i := range a.Results {
		a.Results[i].Before, a.Results[i].Baseline = nil, nil
	}
	a.Calibration.Before = nil
	a.Training.History[3].ValAcc = math.NaN() // not drawn, not an error
	a.Training.History[5].ConstraintValues = nil
	a.Training.Selected = 0
	a.Sweep.Chosen, a.Sweep.Baseline = nil, nil
	a.Parity.LabelAgreement = nil
	a.Constraints[1].Val = nil
	page := string(render(t, a))
	got, err := outline([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    head: Group | Size | Positives | Selection rate | TPR | FPR | Accuracy\n", // one model: no sub-header
		"    head: Metric | Audited model\n",
		"    head: Group | Rows | ECE, audited model\n",
		"    chart: Reliability, audited model (test)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("outline lacks %q:\n%s", want, got)
		}
	}
	for _, want := range []string{
		"the audited model is the model before fine-tuning",
		"On the test split the audited model has accuracy 0.8750 and DP difference 0.0237.",
		`<td class="missing">not measured</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(got, "Reliability, backbone") {
		t.Error("a reliability chart for the backbone, which was not given")
	}
}

func TestRenderRefusesNil(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, nil); err == nil || buf.Len() > 0 {
		t.Errorf("Render(nil) = %v and %d bytes; want an error and nothing written", err, buf.Len())
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.html")
	if err := WriteFile(path, sampleAudit()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, render(t, sampleAudit())) {
		t.Error("the file differs from Render's output")
	}

	// A failed render leaves the existing file as it was and no temporary file beside it.
	if err := WriteFile(path, nil); err == nil {
		t.Fatal("WriteFile(nil) succeeded")
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(after, got) {
		t.Errorf("a failed write changed the file (err %v)", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("files left in the folder: %v", entries)
	}
	if err := WriteFile(filepath.Join(dir, "absent", "audit.html"), sampleAudit()); err == nil {
		t.Error("a write into a missing folder succeeded")
	}
}

// TestConstraintNames checks that the training charts name constraints they were not told of.
func TestConstraintNames(t *testing.T) {
	a := &Audit{Training: &Training{History: []train.Epoch{
		{Epoch: 1, ValAcc: 0.8, ValDP: 0.1, ConstraintValues: []float64{0.1}, Multipliers: []float64{0.5}},
		{Epoch: 2, ValAcc: 0.79, ValDP: 0.05, ConstraintValues: []float64{0.05}, Multipliers: []float64{0.7}},
	}, Criterion: fairness.EO, Selected: 2}}
	page := string(render(t, a))
	for _, want := range []string{">constraint 1</text>", "Validation EO difference per epoch", "kept (epoch 2)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
