package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseEncodingErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"spec_bad_kind.json", `spec_bad_kind.json:5:38: invalid encoding spec: feature 0 ("age"): unknown kind "numerc"`},
		{"spec_syntax.json", `spec_syntax.json:3:3: invalid encoding spec: invalid character '"' after object key:value pair`},
		{"spec_min_max.json", `spec_min_max.json:3:58: invalid encoding spec: feature 0 ("age"): max 20 below min 60`},
		{"spec_unknown_key.json", `spec_unknown_key.json:2:78: invalid encoding spec: feature 0: unknown key "scale"`},
		{"spec_version.json", `spec_version.json:1:2: invalid encoding spec: unsupported version 2 (want 1)`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseEncoding(tc.file, data)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error\n%v\nwant prefix\n%s", err, tc.want)
			}
			if !errors.Is(err, ErrSpec) || !errors.Is(err, ErrBadInput) {
				t.Errorf("%v: not ErrSpec and ErrBadInput", err)
			}
		})
	}
	for _, tc := range []struct {
		name, spec, want string
	}{
		{"empty", ``, `s:1:1: invalid encoding spec: unexpected end of input`},
		{"not an object", `[1]`, `s:1:1: invalid encoding spec: spec: want an object`},
		{"missing features", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"]}`,
			`s:1:1: invalid encoding spec: missing key "features"`},
		{"numeric without max", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"],
"features":[{"name":"a","column":"a","kind":"numeric","min":0}]}`, `s:2:13: invalid encoding spec: feature 0 ("a"): missing key "max"`},
		{"value on a numeric feature", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"],
"features":[{"name":"a","column":"a","kind":"numeric","min":0,"max":1,"value":"x"}]}`, `s:2:71: invalid encoding spec: feature 0 ("a"): key "value" does not apply`},
		{"string min", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"],
"features":[{"name":"a","column":"a","kind":"numeric","min":"0","max":1}]}`, `s:2:61: invalid encoding spec: feature 0 min: want a number`},
		{"duplicate feature", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"],
"features":[{"name":"a","column":"a","kind":"onehot","value":"x"},
{"name":"a","column":"a","kind":"onehot","value":"z"}]}`, `s:3:2: invalid encoding spec: feature 1 ("a"): duplicate feature name`},
		{"feature from the label", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"],
"features":[{"name":"y","column":"y","kind":"numeric","min":0,"max":1}]}`, `s:2:25: invalid encoding spec: feature 0 ("y"): computed from the label column "y"`},
		{"raw without passthrough", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"],
"features":[{"name":"a","column":"a","kind":"raw"}]}`, `s:2:38: invalid encoding spec: feature 0 ("a"): kind "raw" needs "passthrough":true`},
		{"duplicate key", `{"version":1,"version":1}`, `s:1:14: invalid encoding spec: spec: duplicate key "version"`},
		{"trailing data", `{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["s"],
"features":[{"name":"a","column":"a","kind":"raw"}]} x`, `s:2:54: invalid encoding spec: data after the spec`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEncoding("s", []byte(tc.spec))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error\n%v\nwant prefix\n%s", err, tc.want)
			}
		})
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	e := &Encoding{
		Version: 1, Source: SourceCSV, Label: Label{Column: "income", Positive: []string{">50K", "yes & more"}},
		Sensitive: []string{"sex", "race"}, Missing: "", Drop: nil,
		Features: []Feature{
			{Name: "age", Column: "age", Kind: Numeric, Min: 0, Max: 0.5},
			{Name: "sex_<F>", Column: "sex", Kind: OneHot, Value: "<F>"},
			{Name: "race_", Column: "race", Kind: OneHot, Value: ""},
		},
	}
	js, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":1,"source":"csv","label":{"column":"income","positive":[">50K","yes & more"]},"sensitive":["sex","race"],"missing":"","drop":[],"features":[{"name":"age","column":"age","kind":"numeric","min":0,"max":0.5},{"name":"sex_<F>","column":"sex","kind":"onehot","value":"<F>"},{"name":"race_","column":"race","kind":"onehot","value":""}]}`
	if string(js) != want {
		t.Errorf("marshal\n%s\nwant\n%s", js, want)
	}
	back, err := ParseEncoding("rt", js)
	if err != nil {
		t.Fatal(err)
	}
	e.Drop = []string{}
	again, _ := back.Marshal()
	if string(again) != want || !slices.Equal(back.FeatureNames(), e.FeatureNames()) {
		t.Errorf("round trip\n%s", again)
	}
}

func TestEncode(t *testing.T) {
	e := &Encoding{
		Version: 1, Source: SourceCSV, Label: Label{Column: "y", Positive: []string{"1"}}, Sensitive: []string{"g"},
		Missing: "?",
		Features: []Feature{
			{Name: "a", Column: "a", Kind: Numeric, Min: 10, Max: 20},
			{Name: "c", Column: "c", Kind: Numeric, Min: 5, Max: 5},
			{Name: "g_x", Column: "g", Kind: OneHot, Value: "x"},
		},
	}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	header := []string{"y", "c", "g", "a"}
	got, err := e.Encode(header, [][]string{{"1", "5", "x", "15"}, {"0", "9", "y", "25"}, {"0", "1", "", "-3"}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float32{{0.5, 0, 1}, {1, 0, 0}, {0, 0, 0}}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d = %v, want %v", i, got[i], want[i])
		}
	}
	x, err := e.Bind(header)
	if err != nil {
		t.Fatal(err)
	}
	if x.Label([]string{"1", "", "", ""}) != 1 || x.Label([]string{"0", "", "", ""}) != 0 {
		t.Error("labels")
	}
	if !x.Missing([]string{"0", "?", "x", "1"}) || x.Missing([]string{"0", "1", "x", "1"}) {
		t.Error("missing")
	}
	if _, err := e.Encode(header, [][]string{{"1", "5", "x", "abc"}}); !errors.Is(err, ErrNotNumeric) ||
		err.Error() != `row 0: column "a": not a number: "abc"` {
		t.Errorf("bad number: %v", err)
	}
	if _, err := e.Encode([]string{"y", "g", "a"}, nil); !errors.Is(err, ErrMissingColumn) {
		t.Errorf("missing column: %v", err)
	}
}
