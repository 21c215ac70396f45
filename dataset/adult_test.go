package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fairbinn/fairbinn-go/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// adultSHA256SUMS are the published checksums of the Adult files (../shared/data/adult/SHA256SUMS), which
// the gzip'd copy in testdata/adult reproduces once uncompressed.
const adultSHA256SUMS = `087bdad3a02c5864c3d03994f1177ff480e3b7adc8b00ce5d18f50121eb3da71  adult.data
1d0b72a0d02e41fb80bdbb00b5bc80571a01c7e56df6435df2af5be0e4cb768c  adult.test
`

var (
	shippedOnce sync.Once
	shippedDir  string
	shippedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shippedDir != "" {
		os.RemoveAll(shippedDir)
	}
	os.Exit(code)
}

// adultDir returns a folder holding the plain Adult files adult.data, adult.test and SHA256SUMS:
// $FAIRBINN_ADULT_DIR, or ../shared/data/adult beside the repository when it is there, or else the
// project's gzip'd copy (testdata/adult) uncompressed into a temporary folder, so a fresh clone alone runs
// these tests.
func adultDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("FAIRBINN_ADULT_DIR"); d != "" {
		return d
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatal("no go.mod above the test directory")
		}
		root = parent
	}
	shared := filepath.Join(root, "..", "shared", "data", "adult")
	if _, err := os.Stat(filepath.Join(shared, "adult.data")); err == nil {
		return shared
	}
	shippedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fairbinn-adult-")
		if err != nil {
			shippedErr = err
			return
		}
		shippedDir = dir
		for _, f := range []string{"adult.data", "adult.test"} {
			in, err := os.Open(filepath.Join(root, "testdata", "adult", f+".gz"))
			if err != nil {
				shippedErr = err
				return
			}
			zr, err := gzip.NewReader(in)
			if err != nil {
				in.Close()
				shippedErr = err
				return
			}
			data, err := io.ReadAll(zr)
			in.Close()
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, f), data, 0o644)
			}
			if err != nil {
				shippedErr = err
				return
			}
		}
		shippedErr = os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(adultSHA256SUMS), 0o644)
	})
	if shippedErr != nil {
		t.Fatalf("no ../shared/data/adult and the shipped copy cannot be used: %v", shippedErr)
	}
	return shippedDir
}

// loadAdult loads the shared Adult data once per test binary and seed.
func loadAdultData(t *testing.T, opts Options) *Data {
	t.Helper()
	d, err := Load("adult:"+adultDir(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rowOf returns the split and position of source record r of the training file.
func rowOf(d *Data, r int) (*Split, int) {
	for _, s := range []*Split{d.Train, d.Val} {
		if i := slices.Index(s.Row, r); i >= 0 {
			return s, i
		}
	}
	return nil, -1
}

func feature(t *testing.T, d *Data, s *Split, i int, name string) float32 {
	t.Helper()
	j := slices.Index(d.FeatureNames, name)
	if j < 0 {
		t.Fatalf("no feature %q", name)
	}
	return s.At(i)[j]
}

func TestAdultCounts(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 1})
	if got := d.Train.Rows + d.Val.Rows; got != 30162 {
		t.Errorf("train+val rows = %d, want 30162", got)
	}
	if d.Test.Rows != 15060 {
		t.Errorf("test rows = %d, want 15060", d.Test.Rows)
	}
	if d.Val.Rows != 6032 {
		t.Errorf("val rows = %d, want 6032 (0.2 per stratum)", d.Val.Rows)
	}
	for _, s := range []*Split{d.Train, d.Val, d.Test} {
		if s.Cols != 101 || len(s.X) != s.Rows*101 || len(s.Y) != s.Rows || len(s.Group) != s.Rows || len(s.Row) != s.Rows {
			t.Errorf("%s: inconsistent shapes: %d×%d, len X %d Y %d Group %d Row %d", s.Name, s.Rows, s.Cols,
				len(s.X), len(s.Y), len(s.Group), len(s.Row))
		}
	}
	if len(d.FeatureNames) != 101 {
		t.Errorf("%d features, want 101", len(d.FeatureNames))
	}
	if !slices.Equal(d.GroupNames, []string{"Male", "Female"}) {
		t.Errorf("groups %q, want [Male Female]", d.GroupNames)
	}
	// Label and group counts, worked out independently with a line scanner below.
	count := func(ss ...*Split) (pos, female, femalePos int) {
		for _, s := range ss {
			for i := range s.Rows {
				pos += int(s.Y[i])
				female += s.Group[i]
				if s.Group[i] == 1 && s.Y[i] == 1 {
					femalePos++
				}
			}
		}
		return
	}
	for _, c := range []struct {
		name   string
		splits []*Split
		file   string
	}{{"train+val", []*Split{d.Train, d.Val}, "adult.data"}, {"test", []*Split{d.Test}, "adult.test"}} {
		pos, female, femalePos := count(c.splits...)
		wpos, wfemale, wfemalePos := scanAdult(t, filepath.Join(adultDir(t), c.file))
		if pos != wpos || female != wfemale || femalePos != wfemalePos {
			t.Errorf("%s: positives %d, female %d, female positives %d; want %d, %d, %d", c.name, pos, female,
				femalePos, wpos, wfemale, wfemalePos)
		}
	}
	want := []SourceFile{
		{Role: "train", Records: 32561, Dropped: 2399},
		{Role: "test", Records: 16281, Dropped: 1221},
	}
	for i, f := range d.Files {
		if f.Role != want[i].Role || f.Records != want[i].Records || f.Dropped != want[i].Dropped {
			t.Errorf("file %d: %+v, want %+v", i, f, want[i])
		}
	}
}

// scanAdult counts the complete rows' positives and women of an Adult file with plain string handling.
func scanAdult(t *testing.T, path string) (pos, female, femalePos int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.Contains(line, "?") {
			continue
		}
		fields := strings.Split(line, ", ")
		p := strings.Contains(fields[14], ">50K")
		if p {
			pos++
		}
		if fields[9] == "Female" {
			female++
			if p {
				femalePos++
			}
		}
	}
	return pos, female, femalePos
}

func TestAdultFeatureNames(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 1})
	names := d.FeatureNames
	for i, want := range map[int]string{
		0: "age", 1: "workclass_Federal-gov", 7: "workclass_Without-pay", 8: "education_10th",
		23: "education_Some-college", 24: "education-num", 25: "marital-status_Divorced",
		56: "race_White", 57: "sex", 58: "capital-gain", 59: "capital-loss", 60: "hours-per-week",
		61: "native-country_Cambodia", 100: "native-country_Yugoslavia",
	} {
		if names[i] != want {
			t.Errorf("feature %d = %q, want %q", i, names[i], want)
		}
	}
	if slices.Contains(names, "native-country_Holand-Netherlands") {
		t.Error("native-country_Holand-Netherlands is a feature")
	}
	perColumn := map[string]int{}
	for _, f := range d.Encoding.Features {
		perColumn[f.Column]++
	}
	for col, n := range map[string]int{"workclass": 7, "education": 16, "marital-status": 7, "occupation": 14,
		"relationship": 6, "race": 5, "native-country": 40, "sex": 1, "age": 1} {
		if perColumn[col] != n {
			t.Errorf("column %s: %d features, want %d", col, perColumn[col], n)
		}
	}
	for _, f := range d.Encoding.Features {
		if f.Kind == OneHot && f.Column != "sex" && f.Name != f.Column+"_"+f.Value {
			t.Errorf("feature %q encodes %s = %q", f.Name, f.Column, f.Value)
		}
	}
	if !slices.IsSorted(names[1:8]) || !slices.IsSorted(names[61:]) {
		t.Error("one-hot features not in byte order")
	}
}

// TestAdultFirstRows checks by hand the encoding of the first record of each file:
//
//	adult.data: 39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K
//	adult.test: 25, Private, 226802, 11th, 7, Never-married, Machine-op-inspct, Own-child, Black, Male, 0, 0, 40, United-States, <=50K.
//
// with the training ranges age 17–90, education-num 1–16, capital-gain 0–99999, capital-loss 0–4356,
// hours-per-week 1–99.
func TestAdultFirstRows(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 1})
	s, i := rowOf(d, 0)
	if s == nil {
		t.Fatal("record 0 of adult.data is in no split")
	}
	ones := map[string]bool{"workclass_State-gov": true, "education_Bachelors": true,
		"marital-status_Never-married": true, "occupation_Adm-clerical": true,
		"relationship_Not-in-family": true, "race_White": true, "native-country_United-States": true}
	want := map[string]float64{
		"age": (39.0 - 17) / (90 - 17), "education-num": (13.0 - 1) / (16 - 1), "capital-gain": 2174.0 / 99999,
		"capital-loss": 0, "hours-per-week": (40.0 - 1) / (99 - 1), "sex": 0,
	}
	check := func(s *Split, i int, ones map[string]bool, want map[string]float64) {
		t.Helper()
		for _, name := range d.FeatureNames {
			got := float64(feature(t, d, s, i, name))
			w, ok := want[name]
			if !ok && ones[name] {
				w = 1
			}
			testkit.CloseTo(t, fmt.Sprintf("%s row %d: %s", s.Name, s.Row[i], name), []float64{got}, []float64{w}, 1e-6, 0)
		}
	}
	check(s, i, ones, want)
	if s.Y[i] != 0 || s.Group[i] != 0 {
		t.Errorf("record 0: label %v group %d, want 0 0 (<=50K, Male)", s.Y[i], s.Group[i])
	}
	if d.Test.Row[0] != 0 {
		t.Fatalf("first test row is record %d, want 0", d.Test.Row[0])
	}
	check(d.Test, 0, map[string]bool{"workclass_Private": true, "education_11th": true,
		"marital-status_Never-married": true, "occupation_Machine-op-inspct": true,
		"relationship_Own-child": true, "race_Black": true, "native-country_United-States": true},
		map[string]float64{"age": (25.0 - 17) / (90 - 17), "education-num": (7.0 - 1) / (16 - 1),
			"capital-gain": 0, "capital-loss": 0, "hours-per-week": (40.0 - 1) / (99 - 1), "sex": 0})
	// Record 4 of adult.data: 28, Private, 338409, Bachelors, 13, Married-civ-spouse, Prof-specialty, Wife,
	// Black, Female, 0, 0, 40, Cuba, <=50K.
	s, i = rowOf(d, 4)
	if got := feature(t, d, s, i, "sex"); got != 1 || s.Group[i] != 1 {
		t.Errorf("record 4: sex feature %v group %d, want 1 1", got, s.Group[i])
	}
	if got := feature(t, d, s, i, "native-country_Cuba"); got != 1 {
		t.Errorf("record 4: native-country_Cuba = %v, want 1", got)
	}
	// Record 8 of adult.data: 31, Private, 45781, Masters, 14, Never-married, Prof-specialty, Not-in-family,
	// White, Female, 14084, 0, 50, United-States, >50K.
	s, i = rowOf(d, 8)
	if s.Y[i] != 1 {
		t.Errorf("record 8: label %v, want 1", s.Y[i])
	}
}

func TestAdultSHA256(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 1})
	sums, err := os.ReadFile(filepath.Join(adultDir(t), "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Files {
		want := filepath.Base(f.Path)
		if !strings.Contains(string(sums), f.SHA256+"  "+want) {
			t.Errorf("%s: sha256 %s not in SHA256SUMS", want, f.SHA256)
		}
	}
	if len(d.SHA256) != 64 {
		t.Errorf("data sha256 %q", d.SHA256)
	}
}

// sameData reports the first difference between two loads.
func sameData(t *testing.T, a, b *Data) {
	t.Helper()
	if !slices.Equal(a.FeatureNames, b.FeatureNames) || !slices.Equal(a.GroupNames, b.GroupNames) {
		t.Fatal("feature or group names differ")
	}
	for _, p := range [][2]*Split{{a.Train, b.Train}, {a.Val, b.Val}, {a.Test, b.Test}} {
		x, y := p[0], p[1]
		if !slices.Equal(x.X, y.X) || !slices.Equal(x.Y, y.Y) || !slices.Equal(x.Group, y.Group) || !slices.Equal(x.Row, y.Row) {
			t.Fatalf("%s splits differ", x.Name)
		}
	}
}

func gzipTo(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAdultGzip(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"adult.data", "adult.test"} {
		gzipTo(t, filepath.Join(adultDir(t), f), filepath.Join(dir, f+".gz"))
	}
	plain := loadAdultData(t, Options{Seed: 3})
	gz, err := Load("adult:"+dir, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, plain, gz)
	if plain.SHA256 != gz.SHA256 {
		t.Errorf("sha256 of gzip'd copy %s, of plain files %s", gz.SHA256, plain.SHA256)
	}
	if !strings.HasSuffix(gz.Files[0].Path, ".gz") {
		t.Errorf("train path %q", gz.Files[0].Path)
	}
}

// TestAdultUCILayout reads the original UCI layout: no header, and a "|1x3 Cross validator" first line in
// the test file.
func TestAdultUCILayout(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"adult.data", "adult.test"} {
		data, err := os.ReadFile(filepath.Join(adultDir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := bytes.Cut(data, []byte("\n"))
		if f == "adult.test" {
			body = append([]byte("|1x3 Cross validator\n"), body...)
		}
		if err := os.WriteFile(filepath.Join(dir, f), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	uci, err := Load("adult:"+dir, Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, loadAdultData(t, Options{Seed: 5}), uci)
}

func TestAdultEncodingGolden(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 1})
	got, err := d.Encoding.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "adult_encoding.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got)+"\n" != string(want) {
		t.Errorf("adult encoding differs from %s (run go test -update to rewrite it)", golden)
	}
	if !strings.HasPrefix(string(got), `{"version":1,"source":"adult","label":{"column":"Y","positive":[">50K",">50K."]},"sensitive":["sex"],"missing":"?","drop":["fnlwgt"],"features":[{"name":"age","column":"age","kind":"numeric","min":17,"max":90},{"name":"workclass_Federal-gov","column":"workclass","kind":"onehot","value":"Federal-gov"},`) {
		t.Errorf("adult encoding does not start as specified: %.300s", got)
	}
	if !strings.Contains(string(got), `{"name":"sex","column":"sex","kind":"onehot","value":"Female"}`) {
		t.Error("no sex feature in the spec")
	}

	// The spec read back encodes the data identically.
	e, err := ParseEncoding("golden", want)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Load("adult:"+adultDir(t), Options{Seed: 1, Encoding: e})
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, d, again)
}

func TestAdultOtherSensitive(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 1, Sensitive: []string{"race"}})
	want := []string{"Amer-Indian-Eskimo", "Asian-Pac-Islander", "Black", "Other", "White"}
	if !slices.Equal(d.GroupNames, want) {
		t.Errorf("groups %q, want %q", d.GroupNames, want)
	}
	if len(d.FeatureNames) != 101 {
		t.Errorf("%d features", len(d.FeatureNames))
	}
	d = loadAdultData(t, Options{Seed: 1, Sensitive: []string{"sex", "race"}})
	if len(d.GroupNames) != 10 || d.GroupNames[0] != "Female|Amer-Indian-Eskimo" {
		t.Errorf("intersectional groups %q", d.GroupNames)
	}
}

func TestAdultDeterministicSplits(t *testing.T) {
	a := loadAdultData(t, Options{Seed: 7})
	b := loadAdultData(t, Options{Seed: 7})
	sameData(t, a, b)
	c := loadAdultData(t, Options{Seed: 8})
	if slices.Equal(a.Val.Row, c.Val.Row) {
		t.Error("seeds 7 and 8 give the same validation split")
	}
	if !slices.Equal(a.Test.Row, c.Test.Row) {
		t.Error("the Adult test split depends on the seed")
	}
	if !slices.Equal(a.Encoding.FeatureNames(), c.Encoding.FeatureNames()) {
		t.Error("the encoding depends on the seed")
	}
	// Train and validation partition the training file's complete rows.
	all := append(slices.Clone(a.Train.Row), a.Val.Row...)
	slices.Sort(all)
	if len(slices.Compact(all)) != 30162 {
		t.Error("train and validation overlap or miss rows")
	}
	none := loadAdultData(t, Options{Seed: 7, ValFrac: -1})
	if none.Val.Rows != 0 || none.Train.Rows != 30162 {
		t.Errorf("no validation: train %d val %d", none.Train.Rows, none.Val.Rows)
	}
}

func TestAdultStratified(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 11, ValFrac: 0.25})
	type key struct {
		g int
		y float32
	}
	n := map[key]int{}
	v := map[key]int{}
	for i := range d.Train.Rows {
		n[key{d.Train.Group[i], d.Train.Y[i]}]++
	}
	for i := range d.Val.Rows {
		k := key{d.Val.Group[i], d.Val.Y[i]}
		n[k]++
		v[k]++
	}
	if len(n) != 4 {
		t.Fatalf("%d strata, want 4", len(n))
	}
	for k, total := range n {
		if want := int(math.Round(0.25 * float64(total))); v[k] != want {
			t.Errorf("stratum %+v: %d of %d in validation, want %d", k, v[k], total, want)
		}
	}
}

func TestBatches(t *testing.T) {
	d := loadAdultData(t, Options{Seed: 1})
	s := d.Val
	epoch := func(seed uint64, size int) []Batch {
		var out []Batch
		rng := rand.New(rand.NewPCG(seed, 0))
		for b := range s.Batches(rng, size) {
			out = append(out, b)
		}
		return out
	}
	a, b := epoch(1, 100), epoch(1, 100)
	if len(a) != s.NumBatches(100) || len(a) != (s.Rows+99)/100 {
		t.Fatalf("%d batches for %d rows", len(a), s.Rows)
	}
	seen := make([]int, s.Rows)
	for k := range a {
		if !slices.Equal(a[k].Index, b[k].Index) || !slices.Equal(a[k].X, b[k].X) {
			t.Fatal("same seed, different batches")
		}
		want := 100
		if k == len(a)-1 {
			want = s.Rows - 100*(len(a)-1)
		}
		if a[k].Rows != want || len(a[k].X) != want*s.Cols || len(a[k].Y) != want || len(a[k].Group) != want {
			t.Fatalf("batch %d: %d rows, want %d", k, a[k].Rows, want)
		}
		for j, i := range a[k].Index {
			seen[i]++
			if !slices.Equal(a[k].X[j*s.Cols:(j+1)*s.Cols], s.At(i)) || a[k].Y[j] != s.Y[i] || a[k].Group[j] != s.Group[i] {
				t.Fatalf("batch %d row %d does not match split row %d", k, j, i)
			}
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("row %d seen %d times in an epoch", i, c)
		}
	}
	if c := epoch(2, 100); slices.Equal(c[0].Index, a[0].Index) {
		t.Error("different seeds, same first batch")
	}
	// One RNG across epochs gives a new order each epoch.
	rng := rand.New(rand.NewPCG(1, 0))
	var first [][]int
	for range 2 {
		for b := range s.Batches(rng, 50) {
			first = append(first, b.Index)
			break
		}
	}
	if slices.Equal(first[0], first[1]) {
		t.Error("two epochs with one rng start alike")
	}
	// No rng: split order; size 0: one batch.
	for b := range s.Batches(nil, 0) {
		if b.Rows != s.Rows || b.Index[0] != 0 || b.Index[s.Rows-1] != s.Rows-1 {
			t.Error("unshuffled full batch out of order")
		}
	}
}
