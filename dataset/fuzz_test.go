package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadCSV feeds arbitrary bytes as a user's CSV file: Load returns data or a bad-input error naming
// the file, never panics, and the data it returns is consistent (every split's rows, labels and groups
// agree, labels are 0/1, group ids index the group names).
func FuzzLoadCSV(f *testing.F) {
	f.Add([]byte("age,sex,income\n30,F,yes\n40,M,no\n50,F,no\n20,M,yes\n"))
	f.Add([]byte("a,b,income\n1,x,yes\n\"2\",y,no\n3,\"x,y\",no\n"))
	f.Add([]byte("income,sex\nyes,F\nno,M\nyes\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "data.csv")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, ValFrac: -1})
		if err != nil {
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("an error that is not bad input: %v", err)
			}
			if !strings.Contains(err.Error(), "data.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, s := range []*Split{d.Train, d.Test} {
			if s == nil {
				continue
			}
			if len(s.X) != s.Rows*s.Cols || len(s.Y) != s.Rows || len(s.Group) != s.Rows {
				t.Fatalf("split %s: %d rows, %d values of %d columns, %d labels, %d groups", s.Name, s.Rows, len(s.X), s.Cols, len(s.Y), len(s.Group))
			}
			for i := range s.Rows {
				if s.Y[i] != 0 && s.Y[i] != 1 || s.Group[i] < 0 || s.Group[i] >= len(d.GroupNames) {
					t.Fatalf("split %s row %d: label %v, group %d of %d", s.Name, i, s.Y[i], s.Group[i], len(d.GroupNames))
				}
			}
		}
	})
}

// FuzzParseEncoding feeds arbitrary bytes as a model's stored encoding spec: ParseEncoding returns a spec
// that validates and marshals to JSON that parses back the same, or a bad-input error; never a panic.
func FuzzParseEncoding(f *testing.F) {
	f.Add([]byte(`{"version":1,"source":"csv","label":{"column":"y","positive":["1"]},"sensitive":["g"],"missing":"","drop":[],"features":[{"name":"a","column":"a","kind":"numeric","min":0,"max":1}]}`))
	f.Add([]byte(`{"version":1,"source":"adult"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEncoding("model.onnx: metadata", b)
		if err != nil {
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("an error that is not bad input: %v", err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("ParseEncoding accepted a spec that does not validate: %v", err)
		}
		out, err := e.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		again, err := ParseEncoding("round trip", out)
		if err != nil {
			t.Fatalf("the marshalled spec does not parse again: %v\n%s", err, out)
		}
		if out2, _ := again.Marshal(); string(out2) != string(out) {
			t.Fatalf("round trip changed the spec:\n%s\n%s", out, out2)
		}
	})
}
