package dataset

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFile writes content to a file in a temporary folder and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// people writes a seeded synthetic CSV: age (numeric), job (categorical), sex (F/M), race (A/B/C), income
// (yes/no), n rows.
func people(t *testing.T, n int, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	var b strings.Builder
	b.WriteString("id,age,job,sex,race,income\n")
	jobs := []string{"clerk", "nurse", "pilot"}
	for i := range n {
		sex := []string{"F", "M"}[rng.IntN(2)]
		race := []string{"A", "B", "C"}[rng.IntN(3)]
		income := []string{"no", "yes"}[rng.IntN(2)]
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,%s\n", i, 20+rng.IntN(40), jobs[rng.IntN(3)], sex, race, income)
	}
	return writeFile(t, "people.csv", b.String())
}

func TestCSVThreeGroups(t *testing.T) {
	path := people(t, 600, 1)
	d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"race"},
		Drop: []string{"id"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.GroupNames, []string{"A", "B", "C"}) {
		t.Errorf("groups %q", d.GroupNames)
	}
	want := []string{"age", "job_clerk", "job_nurse", "job_pilot", "sex_F", "sex_M", "race_A", "race_B", "race_C"}
	if !slices.Equal(d.FeatureNames, want) {
		t.Errorf("features %q, want %q", d.FeatureNames, want)
	}
	if d.Encoding.Source != SourceCSV || d.Encoding.Features[0].Min != 20 || d.Encoding.Features[0].Max > 59 {
		t.Errorf("encoding %+v", d.Encoding.Features[0])
	}
	// No test file: 20 % of the file is the test split, then 20 % of the rest the validation split.
	if n := d.Train.Rows + d.Val.Rows + d.Test.Rows; n != 600 {
		t.Errorf("%d rows in all splits", n)
	}
	if d.Test.Rows < 110 || d.Test.Rows > 130 || d.Val.Rows < 86 || d.Val.Rows > 106 {
		t.Errorf("test %d val %d rows", d.Test.Rows, d.Val.Rows)
	}
	rows := slices.Concat(d.Train.Row, d.Val.Row, d.Test.Row)
	slices.Sort(rows)
	for i, r := range rows {
		if r != i {
			t.Fatalf("rows of the splits are not a partition of the file (at %d: %d)", i, r)
		}
	}
	// Every test row's features and group agree with its source record: race one-hot matches the group.
	for i := range d.Test.Rows {
		g := d.Test.Group[i]
		if d.Test.At(i)[6+g] != 1 {
			t.Fatalf("test row %d (record %d): group %d but race features %v", i, d.Test.Row[i], g, d.Test.At(i)[6:9])
		}
	}
	// The test split does not depend on the validation fraction; the encoding is fitted on train+val only.
	d2, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"race"},
		Drop: []string{"id"}, Seed: 1, ValFrac: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Test.Row, d2.Test.Row) {
		t.Error("test split moved with the validation fraction")
	}
}

func TestCSVIntersectional(t *testing.T) {
	path := people(t, 400, 2)
	d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex", "race"},
		Drop: []string{"id"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"F|A", "F|B", "F|C", "M|A", "M|B", "M|C"}
	if !slices.Equal(d.GroupNames, want) {
		t.Fatalf("groups %q, want %q", d.GroupNames, want)
	}
	sexF := slices.Index(d.FeatureNames, "sex_F")
	raceA := slices.Index(d.FeatureNames, "race_A")
	for _, s := range []*Split{d.Train, d.Val, d.Test} {
		for i := range s.Rows {
			x := s.At(i)
			g := 0
			if x[sexF] == 0 {
				g = 3
			}
			for r := range 3 {
				if x[raceA+r] == 1 {
					g += r
				}
			}
			if g != s.Group[i] {
				t.Fatalf("%s row %d: group %d (%s), features say %d", s.Name, i, s.Group[i], d.GroupNames[s.Group[i]], g)
			}
		}
	}
}

func TestCSVTestFileUnknownAndClipped(t *testing.T) {
	train := writeFile(t, "train.csv", "age,job,sex,income\n20,clerk,F,yes\n30,nurse,M,no\n40,clerk,F,no\n60,nurse,M,yes\n")
	test := writeFile(t, "test.csv", "age,job,sex,income\n10,pilot,F,yes\n100,clerk,X,no\n45,nurse,M,no\n")
	d, err := Load("csv:"+train, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"},
		TestFile: test, ValFrac: -1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.FeatureNames, []string{"age", "job_clerk", "job_nurse", "sex_F", "sex_M"}) {
		t.Fatalf("features %q", d.FeatureNames)
	}
	want := [][]float32{
		{0, 0, 0, 1, 0},     // age clipped to 0, unknown job "pilot" all zeros
		{1, 1, 0, 0, 0},     // age clipped to 1, unknown sex "X" all zeros
		{0.625, 0, 1, 0, 1}, // (45−20)/(60−20)
	}
	for i, w := range want {
		if !slices.Equal(d.Test.At(i), w) {
			t.Errorf("test row %d = %v, want %v", i, d.Test.At(i), w)
		}
	}
	// A group seen only in the test file gets an id too (byte order over all rows).
	if !slices.Equal(d.GroupNames, []string{"F", "M", "X"}) || d.Test.Group[1] != 2 {
		t.Errorf("groups %q, test groups %v", d.GroupNames, d.Test.Group)
	}
	if d.Train.Rows != 4 || d.Val.Rows != 0 || d.Test.Rows != 3 {
		t.Errorf("rows %d/%d/%d", d.Train.Rows, d.Val.Rows, d.Test.Rows)
	}
	if len(d.Files) != 2 || d.Files[1].Role != "test" {
		t.Errorf("files %+v", d.Files)
	}
	// Clipping is counted: ages 10 and 100 lie outside the fitted [20, 60].
	if d.Test.Clipped["age"] != 2 || len(d.Train.Clipped) != 0 {
		t.Errorf("clipped: test %v, train %v", d.Test.Clipped, d.Train.Clipped)
	}
}

func TestCSVMissingAndRows(t *testing.T) {
	path := writeFile(t, "m.csv", "note,age,sex,income\n,20,F,yes\nx,,M,no\n\ny,40,M,no\nz,50,F,no\n,30,M,yes\n")
	d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"},
		Drop: []string{"note"}, ValFrac: -1, TestFrac: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	// Record 1 has a missing age and is dropped; the empty note cells do not count (dropped column); the
	// blank line is not a record.
	if !slices.Equal(d.Train.Row, []int{0, 2, 3, 4}) {
		t.Errorf("rows %v, want [0 2 3 4]", d.Train.Row)
	}
	if d.Files[0].Records != 5 || d.Files[0].Dropped != 1 {
		t.Errorf("file %+v", d.Files[0])
	}
	// With a missing-value token, empty cells are values again.
	path = writeFile(t, "na.csv", "age,sex,income\n20,F,yes\nNA,M,no\n30,,no\n")
	d, err = Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"},
		Missing: "NA", ValFrac: -1, TestFrac: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Train.Row, []int{0, 2}) || !slices.Equal(d.GroupNames, []string{"", "F"}) {
		t.Errorf("rows %v groups %q", d.Train.Row, d.GroupNames)
	}
}

func TestCSVPassthrough(t *testing.T) {
	path := writeFile(t, "p.csv", "x1,x2,sex,gender,income\n0.5,-3,1,F,yes\n2,7,0,M,no\n1.5,1e3,1,F,no\n-1,0,0,M,yes\n")
	d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"gender"},
		Passthrough: true, ValFrac: -1, TestFrac: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	// The numeric sex column is a feature; the text sensitive column gender only forms groups.
	if !slices.Equal(d.FeatureNames, []string{"x1", "x2", "sex"}) || !d.Encoding.Passthrough {
		t.Fatalf("features %q passthrough %v", d.FeatureNames, d.Encoding.Passthrough)
	}
	if !slices.Equal(d.Train.X, []float32{0.5, -3, 1, 2, 7, 0, 1.5, 1000, 1, -1, 0, 0}) {
		t.Errorf("X = %v", d.Train.X)
	}
	if !slices.Equal(d.GroupNames, []string{"F", "M"}) || !slices.Equal(d.Train.Group, []int{0, 1, 0, 1}) {
		t.Errorf("groups %q %v", d.GroupNames, d.Train.Group)
	}
	js, err := d.Encoding.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"drop":[],"passthrough":true,"features":[{"name":"x1","column":"x1","kind":"raw"}`) {
		t.Errorf("passthrough spec %s", js)
	}
	e, err := ParseEncoding("p", js)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := Load("csv:"+path, Options{Encoding: e, ValFrac: -1, TestFrac: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, d, d2)
	// A numeric sensitive column is a group source as well as a feature; a text column that is not
	// sensitive is an error unless dropped.
	opts := Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"},
		Passthrough: true, ValFrac: -1, TestFrac: 0.01}
	if _, err := Load("csv:"+path, opts); !errors.Is(err, ErrNotNumeric) || !strings.Contains(err.Error(), `p.csv:2:10: column "gender"`) {
		t.Errorf("text column under passthrough: %v", err)
	}
	opts.Drop = []string{"gender"}
	d3, err := Load("csv:"+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d3.FeatureNames, []string{"x1", "x2", "sex"}) || !slices.Equal(d3.GroupNames, []string{"0", "1"}) {
		t.Errorf("features %q groups %q", d3.FeatureNames, d3.GroupNames)
	}
}

func TestCSVGivenEncodingFromAdultSpec(t *testing.T) {
	// A spec applied to a CSV file with the columns it needs (in another order, with extra columns).
	spec := `{"version":1,"source":"csv","label":{"column":"income","positive":["yes"]},"sensitive":["sex"],
	"missing":"","drop":[],"features":[{"name":"age","column":"age","kind":"numeric","min":20,"max":60},
	{"name":"sex","column":"sex","kind":"onehot","value":"F"}]}`
	e, err := ParseEncoding("spec", []byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "d.csv", "sex,other,income,age\nF,1,yes,30\nM,2,no,70\nM,3,yes,40\nF,4,no,20\n")
	d, err := Load("csv:"+path, Options{Encoding: e, ValFrac: -1, TestFrac: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Train.X, []float32{0.25, 1, 1, 0, 0.5, 0, 0, 1}) {
		t.Errorf("X = %v", d.Train.X)
	}
	if _, err := Load("csv:"+path, Options{Encoding: e, Label: "other"}); err == nil || !strings.Contains(err.Error(), "disagrees") {
		t.Errorf("conflicting label option: %v", err)
	}
}

func TestSplitByName(t *testing.T) {
	d := &Data{Train: &Split{Name: "train"}, Val: &Split{Name: "val"}, Test: &Split{Name: "test"}}
	for _, n := range []string{"train", "val", "test"} {
		s, err := d.Split(n)
		if err != nil || s.Name != n {
			t.Errorf("Split(%q) = %v, %v", n, s, err)
		}
	}
	if _, err := d.Split("dev"); err == nil {
		t.Error("Split(dev) succeeded")
	}
}
