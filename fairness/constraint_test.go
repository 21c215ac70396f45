package fairness

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// marshal is json.Marshal without HTML escaping, which would write "<" as \u003c (the same string once
// decoded).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

func TestParseConstraintRoundTrip(t *testing.T) {
	for _, c := range []struct {
		in, text string
		want     Constraint
	}{
		{"dp<=0.02", "dp<=0.02", Constraint{Criterion: DP, Limit: 0.02}},
		{"eo<=0.05", "eo<=0.05", Constraint{Criterion: EO, Limit: 0.05}},
		{"eopp<=0.1", "eopp<=0.1", Constraint{Criterion: EOpp, Limit: 0.1}},
		{" dp <= 0.01 ", "dp<=0.01", Constraint{Criterion: DP, Limit: 0.01}},
		{"dp<=0", "dp<=0", Constraint{Criterion: DP, Limit: 0}},
		{"dp<=-0", "dp<=0", Constraint{Criterion: DP, Limit: 0}},
		{"dp<=1", "dp<=1", Constraint{Criterion: DP, Limit: 1}},
		{"dp<=1e-3", "dp<=0.001", Constraint{Criterion: DP, Limit: 0.001}},
		{"eo<=0.30000000000000004", "eo<=0.30000000000000004", Constraint{Criterion: EO, Limit: 0.30000000000000004}},
		{"dp(sex)<=0.02", "dp(sex)<=0.02", Constraint{Criterion: DP, Limit: 0.02, Attribute: "sex"}},
		{" eo ( race ) <= 0.05", "eo(race)<=0.05", Constraint{Criterion: EO, Limit: 0.05, Attribute: "race"}},
	} {
		got, err := ParseConstraint(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseConstraint(%q) = %v, %v; want %v", c.in, got, err, c.want)
			continue
		}
		if got.String() != c.text {
			t.Errorf("%q: String() = %q, want %q", c.in, got.String(), c.text)
		}
		back, err := ParseConstraint(got.String())
		if err != nil || back != got {
			t.Errorf("%q: String() does not read back: %v %v", c.in, back, err)
		}
		js, err := marshal(got)
		if err != nil || string(js) != `"`+c.text+`"` {
			t.Errorf("%q: JSON %s %v", c.in, js, err)
		}
		var fromJSON Constraint
		if err := json.Unmarshal(js, &fromJSON); err != nil || fromJSON != got {
			t.Errorf("%q: JSON does not read back: %v %v", c.in, fromJSON, err)
		}
	}
}

func TestParseConstraintRefuses(t *testing.T) {
	for _, in := range []string{
		"", "dp", "dp<0.02", "dp>=0.02", "dp=0.02", "dp=<0.02", "dp<=", "<=0.02", "DP<=0.02", "acc<=0.1",
		"dp<=1.5", "dp<=-0.1", "dp<=NaN", "dp<=inf", "dp<=0.02<=0.03", "dp<=0.02,eo<=0.05",
	} {
		if c, err := ParseConstraint(in); err == nil {
			t.Errorf("ParseConstraint(%q) = %v, want an error", in, c)
		} else if !strings.Contains(err.Error(), "CRITERION<=LIMIT") {
			t.Errorf("ParseConstraint(%q): error %q does not say the syntax", in, err)
		}
	}
	var c Constraint
	if err := json.Unmarshal([]byte(`"dp<0.1"`), &c); err == nil {
		t.Error(`JSON "dp<0.1" was accepted`)
	}
	if _, err := json.Marshal(Constraint{Criterion: 7, Limit: 0.1}); err == nil {
		t.Error("a constraint on criterion 7 was marshalled")
	}
	if _, err := json.Marshal(Constraint{Criterion: DP, Limit: 2}); err == nil {
		t.Error("a constraint with limit 2 was marshalled")
	}
}

func TestParseConstraints(t *testing.T) {
	cs, err := ParseConstraints("dp<=0.02, eo<=0.05")
	if err != nil {
		t.Fatal(err)
	}
	if cs.Len() != 2 || cs.At(0) != (Constraint{Criterion: DP, Limit: 0.02}) || cs.At(1) != (Constraint{Criterion: EO, Limit: 0.05}) {
		t.Fatalf("got %v", cs.List())
	}
	if cs.String() != "dp<=0.02,eo<=0.05" {
		t.Errorf("String() = %q", cs.String())
	}
	// Repeated flags and comma-separated lists give the same value; == compares the lists.
	if other, err := ParseConstraints("dp<=0.02", "eo<=0.05"); err != nil || other != cs {
		t.Errorf("two arguments: %v %v", other, err)
	}
	if swapped, _ := ParseConstraints("eo<=0.05,dp<=0.02"); swapped == cs {
		t.Error("the order does not count in ==")
	}
	if back, err := ParseConstraints(cs.String()); err != nil || back != cs {
		t.Errorf("String() does not read back: %v %v", back, err)
	}
	js, err := marshal(cs)
	if err != nil || string(js) != `["dp<=0.02","eo<=0.05"]` {
		t.Errorf("JSON %s %v", js, err)
	}
	var fromJSON Constraints
	if err := json.Unmarshal(js, &fromJSON); err != nil || fromJSON != cs {
		t.Errorf("JSON does not read back: %v %v", fromJSON, err)
	}
	var buf bytes.Buffer
	var fromGob struct{ C Constraints }
	if err := gob.NewEncoder(&buf).Encode(struct{ C Constraints }{cs}); err != nil {
		t.Fatal(err)
	}
	if err := gob.NewDecoder(&buf).Decode(&fromGob); err != nil || fromGob.C != cs {
		t.Errorf("gob does not read back: %v %v", fromGob.C, err)
	}

	var none Constraints
	for _, in := range [][]string{nil, {""}, {" "}} {
		if got, err := ParseConstraints(in...); err != nil || got != none || got.Len() != 0 || got.List() != nil {
			t.Errorf("ParseConstraints(%q) = %v, %v; want the empty list", in, got, err)
		}
	}
	if js, _ := json.Marshal(none); string(js) != "[]" {
		t.Errorf("empty list JSON %s", js)
	}
	for _, in := range []string{"null", "[]"} {
		got := cs
		if err := json.Unmarshal([]byte(in), &got); err != nil || got != none {
			t.Errorf("JSON %s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"dp<=0.02,", "dp<=0.02,,eo<=0.1", "dp<=0.02,dp<=0.01", "dp<=0.02,eo<0.1"} {
		if got, err := ParseConstraints(in); err == nil {
			t.Errorf("ParseConstraints(%q) = %v, want an error", in, got)
		}
	}
	if _, err := ParseConstraints("dp<=0.02", "dp<=0.01"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a criterion given twice: %v", err)
	}
	if err := json.Unmarshal([]byte(`["eo<=0.1","eo<=0.2"]`), &fromJSON); err == nil {
		t.Error("JSON with eo twice was accepted")
	}
	all, err := ParseConstraints("dp<=0.1,eo<=0.1,eopp<=0.1,fpr<=0.1,fnr<=0.1,dp(sex)<=0.1,dp(race)<=0.1,eo(race)<=0.1")
	if err != nil || all.Len() != MaxConstraints {
		t.Errorf("one constraint per criterion and attribute: %v %v", all, err)
	}
	if _, err := ParseConstraints(all.String(), "eo(sex)<=0.1"); err == nil {
		t.Errorf("more than %d constraints were accepted", MaxConstraints)
	}
	if _, err := ParseConstraints("dp(sex)<=0.1,dp(sex)<=0.2"); err == nil {
		t.Error("dp(sex) twice was accepted")
	}
	for _, bad := range []string{"dp()<=0.1", "dp(sex<=0.1", "dp(a(b))<=0.1", "(sex)<=0.1"} {
		if _, err := ParseConstraint(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	// A constraint on an attribute limits that attribute's gap when the metrics hold it.
	m := Metrics{DP: 0.3, Attributes: []AttributeMetrics{{Attribute: "sex", Metrics: Metrics{DP: 0.05}}}}
	if v := (Constraint{Criterion: DP, Limit: 0.1, Attribute: "sex"}).Value(m); v != 0.05 {
		t.Errorf("dp(sex) value %v, want the attribute's 0.05", v)
	}
	if v := (Constraint{Criterion: DP, Limit: 0.1}).Value(m); v != 0.3 {
		t.Errorf("dp value %v, want the groups' 0.3", v)
	}
}

func TestConstraintEvaluation(t *testing.T) {
	m := Metrics{DP: 0.03, EO: 0.05, EOpp: 0.01}
	cs, err := ParseConstraints("dp<=0.02,eo<=0.05,eopp<=0.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.Values(m); len(got) != 3 || got[0] != 0.03 || got[1] != 0.05 || got[2] != 0.01 {
		t.Errorf("Values %v", got)
	}
	if cs.Met(m) || !cs.At(1).Met(m) || !cs.At(2).Met(m) || cs.At(0).Met(m) {
		t.Error("dp 0.03 breaks dp<=0.02; eo 0.05 meets eo<=0.05 (the limit is included)")
	}
	if v := cs.Violation(m); v < 0.0099999 || v > 0.0100001 {
		t.Errorf("violation %v, want 0.01", v)
	}
	m.DP = 0.02
	if !cs.Met(m) || cs.Violation(m) != 0 {
		t.Error("metrics on the limits do not meet them")
	}
	if !(Constraints{}).Met(m) {
		t.Error("the empty list is not met")
	}
}

func TestReadConstraints(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		`["dp<=0.02", "eo<=0.05"]`:              "dp<=0.02,eo<=0.05",
		`{"constraints": ["fpr<=0.03"]}`:        "fpr<=0.03",
		" \n[\"eopp<=0.1\"]\n":                  "eopp<=0.1",
		`{"constraint": ["dp<=0.02"]}`:          "",
		`{"constraints": []}`:                   "",
		`["dp<=2"]`:                             "",
		`["dp<=0.02", "dp<=0.03"]`:              "",
		`{"constraints": ["dp<=0.02"], "x": 1}`: "",
	} {
		path := filepath.Join(dir, "c.json")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		cs, err := ReadConstraints(path)
		if want == "" {
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("%s: %v, %v; want an error naming the file", content, cs, err)
			}
			continue
		}
		if err != nil || cs.String() != want {
			t.Errorf("%s: %v, %v; want %s", content, cs, err, want)
		}
	}
}
