package dataset

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestFeaturesOnly(t *testing.T) {
	path := people(t, 300, 2)
	d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"race"},
		Features: []string{"age", "job"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Only the listed columns are features: race forms groups without being an input, id and sex are left out.
	want := []string{"age", "job_clerk", "job_nurse", "job_pilot"}
	if !slices.Equal(d.FeatureNames, want) {
		t.Errorf("features %q, want %q", d.FeatureNames, want)
	}
	if !slices.Equal(d.GroupNames, []string{"A", "B", "C"}) {
		t.Errorf("groups %q", d.GroupNames)
	}
	_, err = Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"race"},
		Features: []string{"age", "height"}})
	if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), `column "height"`) || !strings.Contains(err.Error(), "people.csv:1") {
		t.Errorf("missing feature column: %v", err)
	}
	_, err = Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"race"},
		Features: []string{"age", "income"}})
	if !errors.Is(err, ErrBadInput) {
		t.Errorf("the label as a feature: %v", err)
	}
}

func TestValFile(t *testing.T) {
	train := people(t, 300, 3)
	val := writeFile(t, "val.csv", "id,age,job,sex,race,income\n1,30,clerk,F,A,yes\n2,40,nurse,M,B,no\n3,50,pilot,F,C,no\n")
	d, err := Load("csv:"+train, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"},
		Drop: []string{"id"}, ValFile: val, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The validation split is the file, all of it; no training row is held out for it.
	if d.Val.Rows != 3 || d.Val.File != val || d.Train.Rows+d.Test.Rows != 300 {
		t.Errorf("rows train %d val %d (%s) test %d", d.Train.Rows, d.Val.Rows, d.Val.File, d.Test.Rows)
	}
	if len(d.Files) != 2 || d.Files[1].Role != "val" {
		t.Errorf("files %+v", d.Files)
	}
	other := writeFile(t, "other.csv", "id,age,sex,race,income\n1,30,F,A,yes\n")
	_, err = Load("csv:"+train, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"},
		Drop: []string{"id"}, ValFile: other})
	if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "other.csv:1") || !strings.Contains(err.Error(), `"job"`) {
		t.Errorf("a validation file without a column: %v", err)
	}
}

func TestBinnedSensitive(t *testing.T) {
	path := people(t, 400, 4) // ages 20..59
	for _, c := range []struct {
		spec   string
		groups []string
	}{
		{"age:30,45", []string{"<30", "[30,45)", ">=45"}},
		{"age:<30,30-44,>44", []string{"<30", "30-44", ">44"}},
	} {
		d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{c.spec}, Drop: []string{"id"}, Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if !slices.Equal(d.GroupNames, c.groups) {
			t.Errorf("%s: groups %q, want %q", c.spec, d.GroupNames, c.groups)
		}
		// The binned column stays a numeric feature.
		if d.FeatureNames[0] != "age" || d.Encoding.Sensitive[0] != c.spec {
			t.Errorf("%s: features %q, encoding sensitive %q", c.spec, d.FeatureNames[:2], d.Encoding.Sensitive)
		}
		for i, g := range d.Train.Group {
			age := 20 + float64(d.Train.At(i)[0])*(d.Encoding.Features[0].Max-20)
			name := d.GroupNames[g]
			if (name == "<30" && age >= 30) || (name == ">44" && age <= 44) || (name == ">=45" && age < 45) {
				t.Fatalf("%s: age %v in group %s", c.spec, age, name)
			}
		}
	}
	for _, c := range []struct{ spec, want string }{
		{"age:<30,30-40", `in none of the ranges`},        // 41..59 not covered
		{"age:<30,30-59,>100", `range ">100" of age:<30`}, // an empty group
		{"age:40,30", "ascend"},
		{"age:<30", "two or more"},
		{"job:<30,>=30", "not a number"},
	} {
		_, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{c.spec}, Drop: []string{"id"}})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.spec, err, c.want)
		}
	}
}

func TestSplitSensitive(t *testing.T) {
	for in, want := range map[string][]string{
		"sex,race":                  {"sex", "race"},
		"age:<25,25-60,>60,sex":     {"age:<25,25-60,>60", "sex"},
		"sex, age:25,60":            {"sex", "age:25,60"},
		"age:-5-10,>10":             {"age:-5-10,>10"},
		"EDUCATION":                 {"EDUCATION"},
		"a:b,c":                     {"a:b", "c"},
		" sex , ":                   {"sex"},
		"age:<=25,>25,race":         {"age:<=25,>25", "race"},
		"x:1.5,2.5,LIMIT_BAL:1e5,3": {"x:1.5,2.5", "LIMIT_BAL:1e5,3"},
	} {
		if got := SplitSensitive(in); !slices.Equal(got, want) {
			t.Errorf("SplitSensitive(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDuplicateColumnUnused(t *testing.T) {
	path := writeFile(t, "dup.csv", "note,age,sex,note,income\na,30,F,b,yes\nc,40,M,d,no\ne,50,F,f,no\ng,60,M,h,yes\n")
	d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, Drop: []string{"note"}, ValFrac: -1, TestFrac: 0.25})
	if err != nil {
		t.Fatalf("a duplicated column that is dropped: %v", err)
	}
	if !slices.Equal(d.FeatureNames, []string{"age", "sex_F", "sex_M"}) {
		t.Errorf("features %q", d.FeatureNames)
	}
	_, err = Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"note"}})
	if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "fields 1 and 4") {
		t.Errorf("a duplicated column used as sensitive: %v", err)
	}
}

func TestSensitiveOtherThanEncoding(t *testing.T) {
	path := people(t, 300, 5)
	opts := Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, Drop: []string{"id"}, Seed: 1}
	d, err := Load("csv:"+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	// An audit on another attribute with the stored encoding: the features stay, the groups are race's.
	opts.Encoding, opts.Sensitive = d.Encoding, []string{"race"}
	e, err := Load("csv:"+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e.FeatureNames, d.FeatureNames) || !slices.Equal(e.GroupNames, []string{"A", "B", "C"}) {
		t.Errorf("features %q, groups %q", e.FeatureNames, e.GroupNames)
	}
	if !slices.Equal(e.Test.X, d.Test.X) || !slices.Equal(e.Encoding.Sensitive, []string{"race"}) || !slices.Equal(d.Encoding.Sensitive, []string{"sex"}) {
		t.Errorf("the encoded rows changed, or the stored encoding was modified")
	}
}

// With several sensitive attributes, the groups are their intersections and each row also has its group
// of each attribute alone.
func TestAttributesOfIntersections(t *testing.T) {
	path := people(t, 300, 8)
	d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex", "age:<40,>=40"}, Drop: []string{"id"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Attributes) != 2 || d.Attributes[0].Name != "sex" || !slices.Equal(d.Attributes[0].Groups, []string{"F", "M"}) ||
		d.Attributes[1].Name != "age" || !slices.Equal(d.Attributes[1].Groups, []string{"<40", ">=40"}) {
		t.Fatalf("attributes %+v", d.Attributes)
	}
	for _, s := range []*Split{d.Train, d.Val, d.Test} {
		for i, g := range s.Group {
			want := d.Attributes[0].Groups[s.AttrGroups[0][i]] + "|" + d.Attributes[1].Groups[s.AttrGroups[1][i]]
			if d.GroupNames[g] != want {
				t.Fatalf("%s row %d: group %q, attributes say %q", s.Name, i, d.GroupNames[g], want)
			}
		}
	}
	b := d.Train.Gather([]int{3, 1})
	if b.AttrGroups[1][0] != d.Train.AttrGroups[1][3] || b.AttrGroups[0][1] != d.Train.AttrGroups[0][1] {
		t.Errorf("a batch's attribute groups %v", b.AttrGroups)
	}
	one, _ := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, Drop: []string{"id"}, Seed: 1})
	if one.Attributes != nil || one.Train.AttrGroups != nil {
		t.Errorf("one attribute: %v", one.Attributes)
	}
}
