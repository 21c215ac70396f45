package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// EncodingVersion is the version of the encoding spec this package writes and reads.
const EncodingVersion = 1

// The values of Encoding.Source.
const (
	SourceAdult = "adult"
	SourceCSV   = "csv"
)

// Kind says how a feature is computed from its column.
type Kind string

// The feature kinds.
const (
	// Numeric is min-max scaling: (x−Min)/(Max−Min) clipped to [0, 1], and 0 when Max equals Min.
	Numeric Kind = "numeric"
	// OneHot is 1 when the cell equals Value and 0 otherwise (so a category never seen when the encoding was
	// fitted encodes as all zeros).
	OneHot Kind = "onehot"
	// Raw is the cell parsed as a number and used as is; only in passthrough encodings.
	Raw Kind = "raw"
)

// Label says which column holds the label and which of its values are the positive class (label 1); every
// other value is label 0. For a K-class model Classes are instead the label values of classes 0 to K−1,
// and Positive is empty.
type Label struct {
	Column   string   `json:"column"`
	Positive []string `json:"positive"`
	Classes  []string `json:"classes,omitempty"`
}

// Feature is one model input column: its name, the data column it is computed from, and how.
type Feature struct {
	Name   string
	Column string
	Kind   Kind
	// Min and Max are the training range of a Numeric feature.
	Min, Max float64
	// Value is the category of a OneHot feature.
	Value string
}

// Encoding is the spec that turns raw data rows into model inputs, stored with the model (ONNX metadata
// fairbinn.encoding) so that any later run encodes rows the way the model was trained. Its JSON form is
//
//	{"version":1,"source":"adult","label":{"column":"Y","positive":[">50K",">50K."]},"sensitive":["sex"],
//	 "missing":"?","drop":["fnlwgt"],"features":[{"name":"age","column":"age","kind":"numeric","min":17,"max":90},
//	 {"name":"workclass_Federal-gov","column":"workclass","kind":"onehot","value":"Federal-gov"}, ...]}
//
// with "passthrough":true (after "drop") in passthrough encodings, whose features are all of kind "raw":
// {"name":"x1","column":"x1","kind":"raw"}.
//
// Missing is the token of a missing cell: rows with it in any column the encoding reads (features, label,
// sensitive) are dropped by the loaders. Drop lists columns that are never features (a sensitive column may
// be listed: it then forms groups without being a model input).
type Encoding struct {
	Version     int       `json:"version"`
	Source      string    `json:"source"`
	Label       Label     `json:"label"`
	Sensitive   []string  `json:"sensitive"`
	Missing     string    `json:"missing"`
	Drop        []string  `json:"drop"`
	Passthrough bool      `json:"passthrough,omitempty"`
	Features    []Feature `json:"features"`
}

// Marshal returns the spec's canonical JSON: compact, keys in the order shown on Encoding, empty lists as
// [], and no HTML escaping (">50K" stays as is), which is what Python's json.dumps(spec,
// separators=(",", ":")) writes for ASCII data.
func (e *Encoding) Marshal() ([]byte, error) { return e.MarshalJSON() }

// MarshalJSON writes the canonical JSON (see Marshal). Note that json.Marshal escapes <, > and & in its
// result; use Marshal to keep them.
func (e *Encoding) MarshalJSON() ([]byte, error) {
	type plain Encoding
	c := plain(*e)
	c.Label.Positive = nonNil(c.Label.Positive)
	c.Sensitive = nonNil(c.Sensitive)
	c.Drop = nonNil(c.Drop)
	if c.Features == nil {
		c.Features = []Feature{}
	}
	return marshal(&c)
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MarshalJSON writes the keys of the feature's kind only, in the order name, column, kind, then min and max
// (numeric) or value (onehot).
func (f Feature) MarshalJSON() ([]byte, error) {
	switch f.Kind {
	case Numeric:
		return marshal(struct {
			Name   string  `json:"name"`
			Column string  `json:"column"`
			Kind   Kind    `json:"kind"`
			Min    float64 `json:"min"`
			Max    float64 `json:"max"`
		}{f.Name, f.Column, f.Kind, f.Min, f.Max})
	case OneHot:
		return marshal(struct {
			Name   string `json:"name"`
			Column string `json:"column"`
			Kind   Kind   `json:"kind"`
			Value  string `json:"value"`
		}{f.Name, f.Column, f.Kind, f.Value})
	default:
		return marshal(struct {
			Name   string `json:"name"`
			Column string `json:"column"`
			Kind   Kind   `json:"kind"`
		}{f.Name, f.Column, f.Kind})
	}
}

// FeatureNames returns the names of the features in model-input order.
func (e *Encoding) FeatureNames() []string {
	names := make([]string, len(e.Features))
	for i, f := range e.Features {
		names[i] = f.Name
	}
	return names
}

// FeatureColumns returns the data columns the features are computed from, each once, in feature order.
func (e *Encoding) FeatureColumns() []string {
	var cols []string
	for _, f := range e.Features {
		if !slices.Contains(cols, f.Column) {
			cols = append(cols, f.Column)
		}
	}
	return cols
}

// specIssue is a semantic problem in a spec: feature is the feature index or -1 for a top-level key.
type specIssue struct {
	feature int
	key     string
	msg     string
}

// Validate checks the spec's consistency (version, source, label, sensitive columns, unique feature names,
// kinds and their fields).
func (e *Encoding) Validate() error {
	if is := e.check(); is != nil {
		if is.feature >= 0 {
			return fmt.Errorf("%w: feature %d (%q): %s", ErrSpec, is.feature, e.Features[is.feature].Name, is.msg)
		}
		return fmt.Errorf("%w: %s", ErrSpec, is.msg)
	}
	return nil
}

func (e *Encoding) check() *specIssue {
	top := func(key, format string, args ...any) *specIssue {
		return &specIssue{feature: -1, key: key, msg: fmt.Sprintf(format, args...)}
	}
	if e.Version != EncodingVersion {
		return top("version", "unsupported version %d (want %d)", e.Version, EncodingVersion)
	}
	if e.Source != SourceAdult && e.Source != SourceCSV {
		return top("source", "source %q: want %q or %q", e.Source, SourceAdult, SourceCSV)
	}
	if e.Label.Column == "" {
		return top("label", "empty label column")
	}
	switch {
	case len(e.Label.Classes) > 0 && len(e.Label.Positive) > 0:
		return top("label", "label column %q has both positive values and classes", e.Label.Column)
	case len(e.Label.Classes) == 1:
		return top("label", "label column %q has one class", e.Label.Column)
	case len(e.Label.Classes) == 0 && len(e.Label.Positive) == 0:
		return top("label", "label column %q has no positive value", e.Label.Column)
	}
	if len(e.Sensitive) == 0 {
		return top("sensitive", "no sensitive column")
	}
	for i, s := range e.Sensitive {
		switch {
		case s == "":
			return top("sensitive", "empty sensitive column name")
		case sensitiveColumns([]string{s})[0] == e.Label.Column:
			return top("sensitive", "column %q is both the label and sensitive", s)
		case slices.Contains(e.Sensitive[:i], s):
			return top("sensitive", "sensitive column %q listed twice", s)
		}
	}
	if slices.Contains(e.Drop, e.Label.Column) {
		return top("drop", "label column %q is dropped", e.Label.Column)
	}
	if len(e.Features) == 0 {
		return top("features", "no features")
	}
	names := make(map[string]bool, len(e.Features))
	type colVal struct{ col, val string }
	cats := make(map[colVal]bool)
	for i, f := range e.Features {
		bad := func(key, format string, args ...any) *specIssue {
			return &specIssue{feature: i, key: key, msg: fmt.Sprintf(format, args...)}
		}
		switch {
		case f.Name == "":
			return bad("name", "empty name")
		case names[f.Name]:
			return bad("name", "duplicate feature name")
		case f.Column == "":
			return bad("column", "empty column")
		case f.Column == e.Label.Column:
			return bad("column", "computed from the label column %q", f.Column)
		case slices.Contains(e.Drop, f.Column):
			return bad("column", "computed from the dropped column %q", f.Column)
		}
		names[f.Name] = true
		switch f.Kind {
		case Numeric:
			if math.IsNaN(f.Min) || math.IsInf(f.Min, 0) || math.IsNaN(f.Max) || math.IsInf(f.Max, 0) {
				return bad("min", "min and max must be finite")
			}
			if f.Max < f.Min {
				return bad("max", "max %v below min %v", f.Max, f.Min)
			}
		case OneHot:
			k := colVal{f.Column, f.Value}
			if cats[k] {
				return bad("value", "column %q value %q encoded twice", f.Column, f.Value)
			}
			cats[k] = true
		case Raw:
			if !e.Passthrough {
				return bad("kind", "kind %q needs \"passthrough\":true", f.Kind)
			}
		default:
			return bad("kind", "unknown kind %q (want %q, %q or %q)", f.Kind, Numeric, OneHot, Raw)
		}
		if e.Passthrough && f.Kind != Raw {
			return bad("kind", "kind %q in a passthrough encoding (want %q)", f.Kind, Raw)
		}
	}
	return nil
}

// ParseEncoding decodes and validates a JSON encoding spec. name says where the spec came from (for example
// "model.onnx: metadata fairbinn.encoding") and starts every error message, followed by the line and column of
// the offending JSON.
func ParseEncoding(name string, data []byte) (*Encoding, error) {
	r := &specReader{name: name, data: data, dec: json.NewDecoder(strings.NewReader(string(data)))}
	r.dec.UseNumber()
	e, err := r.encoding()
	if err != nil {
		return nil, err
	}
	if is := e.check(); is != nil {
		off := r.topOff[is.key]
		what := ""
		if is.feature >= 0 {
			off = r.featOff[is.feature]
			if o, ok := r.featKeyOff[is.feature][is.key]; ok {
				off = o
			}
			what = fmt.Sprintf("feature %d (%q): ", is.feature, e.Features[is.feature].Name)
		}
		return nil, r.errorf(off, "%s%s", what, is.msg)
	}
	return e, nil
}

// specReader walks a spec token by token so that every error can point at the offending bytes.
type specReader struct {
	name       string
	data       []byte
	dec        *json.Decoder
	topOff     map[string]int64
	featOff    []int64
	featKeyOff []map[string]int64
}

// next returns the offset of the next token: the decoder's offset with separators skipped.
func (r *specReader) next() int64 {
	off := r.dec.InputOffset()
	for off < int64(len(r.data)) {
		switch r.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (r *specReader) errorf(off int64, format string, args ...any) error {
	line, col := position(r.data, off)
	return &InputError{File: r.name, Line: line, Col: col, Err: fmt.Errorf("%w: %s", ErrSpec, fmt.Sprintf(format, args...))}
}

func (r *specReader) jsonErr(off int64, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return r.errorf(se.Offset, "%s", strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return r.errorf(int64(len(r.data)), "unexpected end of input")
	}
	return r.errorf(off, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// position converts a byte offset into a 1-based line and byte column.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	line = 1 + strings.Count(string(data[:off]), "\n")
	start := int64(strings.LastIndexByte(string(data[:off]), '\n') + 1)
	return line, int(off-start) + 1
}

func (r *specReader) delim(want json.Delim, what string) error {
	off := r.next()
	tok, err := r.dec.Token()
	if err != nil {
		return r.jsonErr(off, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		kind := map[json.Delim]string{'{': "an object", '[': "a list"}[want]
		return r.errorf(off, "%s: want %s", what, kind)
	}
	return nil
}

// object reads a JSON object, calling field for each key with the key's offset.
func (r *specReader) object(what string, field func(key string, off int64) error) error {
	if err := r.delim('{', what); err != nil {
		return err
	}
	seen := make(map[string]bool)
	for r.dec.More() {
		off := r.next()
		tok, err := r.dec.Token()
		if err != nil {
			return r.jsonErr(off, err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return r.errorf(off, "%s: duplicate key %q", what, key)
		}
		seen[key] = true
		if err := field(key, off); err != nil {
			return err
		}
	}
	off := r.next()
	if _, err := r.dec.Token(); err != nil {
		return r.jsonErr(off, err)
	}
	return nil
}

func (r *specReader) str(what string, v *string) error {
	off := r.next()
	tok, err := r.dec.Token()
	if err != nil {
		return r.jsonErr(off, err)
	}
	s, ok := tok.(string)
	if !ok {
		return r.errorf(off, "%s: want a string", what)
	}
	*v = s
	return nil
}

func (r *specReader) strings(what string, v *[]string) error {
	if err := r.delim('[', what); err != nil {
		return err
	}
	*v = []string{}
	for r.dec.More() {
		var s string
		if err := r.str(what, &s); err != nil {
			return err
		}
		*v = append(*v, s)
	}
	off := r.next()
	if _, err := r.dec.Token(); err != nil {
		return r.jsonErr(off, err)
	}
	return nil
}

func (r *specReader) number(what string, v *float64) error {
	off := r.next()
	tok, err := r.dec.Token()
	if err != nil {
		return r.jsonErr(off, err)
	}
	n, ok := tok.(json.Number)
	if !ok {
		return r.errorf(off, "%s: want a number", what)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return r.errorf(off, "%s: number %s out of range", what, n)
	}
	*v = f
	return nil
}

func (r *specReader) boolean(what string, v *bool) error {
	off := r.next()
	tok, err := r.dec.Token()
	if err != nil {
		return r.jsonErr(off, err)
	}
	b, ok := tok.(bool)
	if !ok {
		return r.errorf(off, "%s: want true or false", what)
	}
	*v = b
	return nil
}

func (r *specReader) encoding() (*Encoding, error) {
	e := &Encoding{Drop: []string{}}
	r.topOff = make(map[string]int64)
	err := r.object("spec", func(key string, off int64) error {
		r.topOff[key] = off
		switch key {
		case "version":
			var v float64
			if err := r.number(key, &v); err != nil {
				return err
			}
			if v != math.Trunc(v) || v < 0 || v > 1<<30 {
				return r.errorf(off, "version: want a small whole number")
			}
			e.Version = int(v)
			return nil
		case "source":
			return r.str(key, &e.Source)
		case "label":
			return r.object(key, func(k string, koff int64) error {
				switch k {
				case "column":
					return r.str("label column", &e.Label.Column)
				case "positive":
					return r.strings("label positive", &e.Label.Positive)
				case "classes":
					return r.strings("label classes", &e.Label.Classes)
				}
				return r.errorf(koff, "label: unknown key %q", k)
			})
		case "sensitive":
			return r.strings(key, &e.Sensitive)
		case "missing":
			return r.str(key, &e.Missing)
		case "drop":
			return r.strings(key, &e.Drop)
		case "passthrough":
			return r.boolean(key, &e.Passthrough)
		case "features":
			return r.features(e)
		}
		return r.errorf(off, "unknown key %q", key)
	})
	if err != nil {
		return nil, err
	}
	if off := r.next(); off < int64(len(r.data)) {
		return nil, r.errorf(off, "data after the spec")
	}
	for _, key := range []string{"version", "source", "label", "sensitive", "features"} {
		if _, ok := r.topOff[key]; !ok {
			return nil, r.errorf(0, "missing key %q", key)
		}
	}
	return e, nil
}

func (r *specReader) features(e *Encoding) error {
	if err := r.delim('[', "features"); err != nil {
		return err
	}
	e.Features = []Feature{}
	for r.dec.More() {
		i := len(e.Features)
		start := r.next()
		r.featOff = append(r.featOff, start)
		keys := make(map[string]int64)
		r.featKeyOff = append(r.featKeyOff, keys)
		var f Feature
		what := fmt.Sprintf("feature %d", i)
		err := r.object(what, func(key string, off int64) error {
			keys[key] = off
			switch key {
			case "name":
				return r.str(what+" name", &f.Name)
			case "column":
				return r.str(what+" column", &f.Column)
			case "kind":
				var k string
				err := r.str(what+" kind", &k)
				f.Kind = Kind(k)
				return err
			case "min":
				return r.number(what+" min", &f.Min)
			case "max":
				return r.number(what+" max", &f.Max)
			case "value":
				return r.str(what+" value", &f.Value)
			}
			return r.errorf(off, "%s: unknown key %q", what, key)
		})
		if err != nil {
			return err
		}
		need := []string{"name", "column", "kind"}
		switch f.Kind {
		case Numeric:
			need = append(need, "min", "max")
		case OneHot:
			need = append(need, "value")
		case Raw:
		default:
			if off, ok := keys["kind"]; ok {
				return r.errorf(off, "%s (%q): unknown kind %q (want %q, %q or %q)", what, f.Name, f.Kind, Numeric, OneHot, Raw)
			}
		}
		for _, k := range need {
			if _, ok := keys[k]; !ok {
				return r.errorf(start, "%s (%q): missing key %q", what, f.Name, k)
			}
		}
		for _, k := range []string{"min", "max", "value"} {
			if off, ok := keys[k]; ok && !slices.Contains(need, k) {
				return r.errorf(off, "%s (%q): key %q does not apply to kind %q", what, f.Name, k, f.Kind)
			}
		}
		e.Features = append(e.Features, f)
	}
	off := r.next()
	if _, err := r.dec.Token(); err != nil {
		return r.jsonErr(off, err)
	}
	return nil
}

// fieldError is a problem with one cell or header column; the loaders add the file and position.
type fieldError struct {
	field  int // index into the record or header; -1 when the column is absent
	column string
	err    error
}

func (e *fieldError) Error() string { return fmt.Sprintf("column %q: %v", e.column, e.err) }

func (e *fieldError) Unwrap() error { return e.err }

// Encoder is an Encoding bound to the columns of a header: it encodes records of that header.
type Encoder struct {
	enc    *Encoding
	header []string
	col    []int // per feature
	label  int
	sens   []int
	used   []int // every column read, ascending
	// categories counts, per one-hot encoded column (two or more one-hot features), its features; a row
	// matching none of them holds a category the encoding never saw.
	categories map[string]int
	// clipped counts, per numeric column, the cells outside the encoding's range (scaled to 0 or 1).
	clipped map[string]int
}

// Bind resolves the spec's columns (features, label, sensitive) against a header. A column the spec needs
// and the header lacks is an error wrapping ErrMissingColumn.
func (e *Encoding) Bind(header []string) (*Encoder, error) {
	x, fe := e.bind(header)
	if fe != nil {
		return nil, fe
	}
	return x, nil
}

func (e *Encoding) bind(header []string) (*Encoder, *fieldError) { return e.bindColumns(header, false) }

// bindColumns is bind; featuresOnly binds the feature columns alone (rows to score need no label or
// group), and then x.label is -1.
func (e *Encoding) bindColumns(header []string, featuresOnly bool) (*Encoder, *fieldError) {
	index := make(map[string]int, len(header))
	dups := map[string]bool{}
	for i, h := range header {
		if _, dup := index[h]; dup {
			dups[h] = true
		} else {
			index[h] = i
		}
	}
	x := &Encoder{enc: e, header: header, col: make([]int, len(e.Features)), sens: make([]int, len(e.Sensitive))}
	used := make(map[int]bool)
	find := func(col, role string) (int, *fieldError) {
		i, ok := index[col]
		if !ok {
			return 0, &fieldError{field: -1, column: col, err: fmt.Errorf("%w (needed as %s)", ErrMissingColumn, role)}
		}
		if dups[col] {
			return 0, &fieldError{field: i, column: col, err: fmt.Errorf("%w: the header names %q more than once and it is needed as %s", ErrDuplicate, col, role)}
		}
		used[i] = true
		return i, nil
	}
	var fe *fieldError
	x.label = -1
	if !featuresOnly {
		if x.label, fe = find(e.Label.Column, "the label"); fe != nil {
			return nil, fe
		}
		for j, s := range sensitiveColumns(e.Sensitive) {
			if x.sens[j], fe = find(s, "a sensitive attribute"); fe != nil {
				return nil, fe
			}
		}
	}
	for j, f := range e.Features {
		if x.col[j], fe = find(f.Column, fmt.Sprintf("feature %q of the encoding", f.Name)); fe != nil {
			return nil, fe
		}
	}
	for i := range header {
		if used[i] {
			x.used = append(x.used, i)
		}
	}
	x.categories = map[string]int{}
	for _, f := range e.Features {
		if f.Kind == OneHot {
			x.categories[f.Column]++
		}
	}
	return x, nil
}

// Unseen returns the one-hot encoded columns of rec whose value the encoding never saw (such a cell
// encodes to all zeros).
func (x *Encoder) Unseen(rec []string) []string {
	var out []string
	for col, n := range x.categories {
		if n < 2 {
			continue // one indicator (Adult's sex): its zero is a category of its own
		}
		seen := false
		for j, f := range x.enc.Features {
			if f.Kind == OneHot && f.Column == col && rec[x.col[j]] == f.Value {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, col)
		}
	}
	return out
}

// Missing reports whether a record has the missing-value token in a column the encoding reads.
func (x *Encoder) Missing(rec []string) bool {
	for _, i := range x.used {
		if rec[i] == x.enc.Missing {
			return true
		}
	}
	return false
}

// Label returns the record's label: 1 when the label cell is one of the positive values, else 0; with
// classes, the index of its class (−1 for a value that is none of them).
func (x *Encoder) Label(rec []string) float32 {
	if len(x.enc.Label.Classes) > 0 {
		return float32(slices.Index(x.enc.Label.Classes, rec[x.label]))
	}
	if slices.Contains(x.enc.Label.Positive, rec[x.label]) {
		return 1
	}
	return 0
}

func (x *Encoder) encodeRow(rec []string, dst []float32) *fieldError {
	for j, f := range x.enc.Features {
		i := x.col[j]
		cell := rec[i]
		switch f.Kind {
		case OneHot:
			if cell == f.Value {
				dst[j] = 1
			} else {
				dst[j] = 0
			}
		case Numeric, Raw:
			if cell == x.enc.Missing {
				return &fieldError{field: i, column: f.Column, err: ErrMissingValue}
			}
			v, err := parseNumber(cell)
			if err != nil {
				return &fieldError{field: i, column: f.Column, err: err}
			}
			if f.Kind == Numeric {
				if v < f.Min || v > f.Max {
					if x.clipped == nil {
						x.clipped = map[string]int{}
					}
					x.clipped[f.Column]++
				}
				v = scale(v, f.Min, f.Max)
			}
			dst[j] = float32(v)
		}
	}
	return nil
}

// scale is min-max scaling clipped to [0, 1]; a constant column (max == min) scales to 0.
func scale(v, lo, hi float64) float64 {
	if hi <= lo {
		return 0
	}
	return min(max((v-lo)/(hi-lo), 0), 1)
}

// parseNumber parses a numeric cell; NaN and infinities are errors.
func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return 0, fmt.Errorf("%w: %q", ErrNonFinite, s)
		}
		return 0, fmt.Errorf("%w: %q", ErrNotNumeric, s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: %q", ErrNonFinite, s)
	}
	return v, nil
}

// Encode encodes rows read under header, one []float32 of len(Features) per row. Errors name the 0-based row
// and the column; the loaders report file positions instead.
func (e *Encoding) Encode(header []string, rows [][]string) ([][]float32, error) {
	x, fe := e.bind(header)
	if fe != nil {
		return nil, fe
	}
	out := make([][]float32, len(rows))
	flat := make([]float32, len(rows)*len(e.Features))
	for r, rec := range rows {
		if len(rec) != len(header) {
			return nil, fmt.Errorf("row %d: %w: %d fields, header has %d", r, ErrRagged, len(rec), len(header))
		}
		out[r] = flat[r*len(e.Features) : (r+1)*len(e.Features) : (r+1)*len(e.Features)]
		if fe := x.encodeRow(rec, out[r]); fe != nil {
			return nil, fmt.Errorf("row %d: %w", r, fe)
		}
	}
	return out, nil
}
