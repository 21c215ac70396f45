package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBadInput(t *testing.T) {
	td := func(name string) string { return filepath.Join("testdata", name) }
	csvOpts := Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}}
	spec := func(name string) *Encoding {
		data, err := os.ReadFile(td(name))
		if err != nil {
			t.Fatal(err)
		}
		// The spec is valid JSON; its problem is only visible against data.
		e, err := ParseEncoding(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, tc := range []struct {
		name string
		data string
		opts Options
		kind error
		// where is the expected start of the message: file, line and column, then the data column.
		where string
	}{
		{"missing label column", "csv:" + td("missing_label.csv"), csvOpts, ErrMissingColumn,
			`testdata/missing_label.csv:1: column "income": column not in header (needed as the label; header: age, sex, score)`},
		{"missing sensitive column", "csv:" + td("small_train.csv"), Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"race"}},
			ErrMissingColumn, `testdata/small_train.csv:1: column "race"`},
		{"label with one class", "csv:" + td("one_class.csv"), csvOpts, ErrOneClass,
			`testdata/one_class.csv:1:9: column "income": label has only one class: none of the 3 rows match`},
		{"sensitive with one group", "csv:" + td("one_group.csv"), csvOpts, ErrOneGroup,
			`testdata/one_group.csv:1:5: column "sex": sensitive attribute has only one group: all 3 rows are in group "F"`},
		{"text under passthrough", "csv:" + td("passthrough_text.csv"), Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, Passthrough: true},
			ErrNotNumeric, `testdata/passthrough_text.csv:3:4: column "score": not a number: "high"`},
		{"NaN in a numeric column", "csv:" + td("nan.csv"), csvOpts, ErrNonFinite,
			`testdata/nan.csv:3:1: column "age": not a finite number: "NaN"`},
		{"Inf in a numeric column", "csv:" + td("inf.csv"), csvOpts, ErrNonFinite,
			`testdata/inf.csv:4:1: column "age": not a finite number: "+Inf"`},
		{"empty file", "csv:" + td("empty.csv"), csvOpts, ErrEmpty, `testdata/empty.csv:1:1: no data: empty file`},
		{"header only", "csv:" + td("header_only.csv"), csvOpts, ErrEmpty, `testdata/header_only.csv:2:1: no data`},
		{"every row missing a value", "csv:" + td("all_missing.csv"), csvOpts, ErrEmpty, `testdata/all_missing.csv:2:1: no data: all 2 rows`},
		{"ragged row", "csv:" + td("ragged.csv"), csvOpts, ErrRagged,
			`testdata/ragged.csv:3:4: wrong number of fields: 2 fields, header has 3`},
		{"duplicate header", "csv:" + td("duplicate_header.csv"), csvOpts, ErrDuplicate,
			`testdata/duplicate_header.csv:1:9: column "age": duplicate column: fields 1 and 3 (needed as a feature`},
		{"unterminated quote", "csv:" + td("bad_quote.csv"), csvOpts, ErrSyntax, `testdata/bad_quote.csv:2:`},
		{"spec feature on a missing column", "csv:" + td("small_train.csv"), Options{Encoding: spec("spec_missing_column.json")},
			ErrMissingColumn, `testdata/small_train.csv:1: column "height": column not in header (needed as feature "height" of the encoding)`},
		{"text in a numeric test column", "csv:" + td("small_train.csv"), Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, TestFile: td("small_test_text.csv")},
			ErrNotNumeric, `testdata/small_test_text.csv:3:1: column "age": not a number: "thirty"`},
		{"no such file", "csv:" + td("nope.csv"), csvOpts, os.ErrNotExist, `testdata/nope.csv: no such file or directory`},
		{"no adult files", "adult:testdata", Options{}, nil, `testdata/adult.data: no such file (nor adult.data.gz)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Load(tc.data, tc.opts)
			if err == nil {
				t.Fatalf("loaded %d rows, want an error", d.Train.Rows)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("%v: not ErrBadInput", err)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("%v: not %v", err, tc.kind)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("%v: not an *InputError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.where) {
				t.Errorf("error\n%s\nwant prefix\n%s", err, tc.where)
			}
			if msg := err.Error(); strings.HasSuffix(msg, ".") || strings.ToLower(msg[:1]) != msg[:1] {
				t.Errorf("message style: %q", msg)
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	adult := "adult:" + filepath.Join("testdata")
	for _, tc := range []struct {
		name string
		data string
		opts Options
		want string
	}{
		{"no kind", "people.csv", Options{}, `data spec "people.csv": want adult:DIR or csv:FILE`},
		{"unknown kind", "parquet:x", Options{}, `data spec "parquet:x"`},
		{"validation fraction", "csv:x", Options{ValFrac: 1}, "validation fraction 1: want a value below 1"},
		{"test fraction", "csv:x", Options{TestFrac: -0.5}, "test fraction -0.5: want a value in [0, 1)"},
		{"no label", "csv:x", Options{Positive: []string{"y"}, Sensitive: []string{"s"}}, "csv data: no label column given"},
		{"no positive", "csv:x", Options{Label: "y", Sensitive: []string{"s"}}, "csv data: no positive label value given"},
		{"no sensitive", "csv:x", Options{Label: "y", Positive: []string{"1"}}, "csv data: no sensitive column given"},
		{"label is sensitive", "csv:x", Options{Label: "y", Positive: []string{"1"}, Sensitive: []string{"y"}}, "both the label and sensitive"},
		{"adult label", adult, Options{Label: "income"}, `adult data: the label column is "Y"`},
		{"adult passthrough", adult, Options{Passthrough: true}, "adult data: passthrough"},
		{"adult test file", adult, Options{TestFile: "t.csv"}, "adult data: the test file is DIR/adult.test"},
		{"invalid given encoding", "csv:x", Options{Encoding: &Encoding{Version: 1, Source: "csv"}}, "invalid encoding spec: empty label column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.data, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("%v: not ErrBadInput", err)
			}
		})
	}
}
