package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Default split fractions, used when the Options field is 0.
const (
	DefaultValFrac  = 0.2
	DefaultTestFrac = 0.2
)

// Options configure Load. For adult:DIR only Sensitive, Encoding, ValFrac and Seed apply (the label, its
// positive values, the missing-value token and the dropped column are fixed); for csv:FILE, Label, Positive
// and Sensitive are required unless Encoding is given, which then supplies them.
type Options struct {
	// Label is the label column; a row is positive (label 1) when its label cell equals one of Positive.
	Label    string
	Positive []string
	// Classes, for a K-class model, are the label values of classes 0 to K−1 (instead of Positive): a
	// row's label is the index of its label cell among them, and any other value is an error.
	Classes []string
	// Sensitive are the columns whose values form the groups: with one column its values, with several the
	// intersections of their values ("Female|Black"). Sensitive columns are also features, as in Adult,
	// unless listed in Drop.
	Sensitive []string
	// Drop lists columns that are not features (for example a row id).
	Drop []string
	// Features, when given, are the only feature columns, in the file's order: every other column but
	// the label is dropped (a sensitive column not listed only forms groups). Only when the encoding is
	// fitted: a given encoding fixes its features.
	Features []string
	// Missing is the missing-value token of a CSV file; "" (the default) means empty cells. Rows with a
	// missing value in any column read (features, label, sensitive) are dropped and counted.
	Missing string
	// TestFile is a CSV test file with the same columns. Without it, a stratified TestFrac of the file is
	// held out as the test split.
	TestFile string
	// ValFile is a CSV file of validation rows with the same columns (the user's own, for example rows
	// the backbone was not trained on). Without it, a stratified ValFrac of the training rows is held out.
	ValFile string
	// Encoding, when not nil, is used instead of fitting one (for example the spec stored in a model).
	Encoding *Encoding
	// Passthrough uses the feature columns as they are, parsed as numbers, without scaling or one-hot
	// encoding. The features are every column except the label and Drop; a sensitive column is a feature
	// when all its training values are numbers (as Adult keeps sex as a 0/1 column) and otherwise only forms
	// groups; any other column with a non-numeric value is an error.
	Passthrough bool
	// ValFrac is the fraction of the training rows held out, stratified by group × label, as the validation
	// split: 0 means DefaultValFrac and a negative value means no validation split.
	ValFrac float64
	// TestFrac is the held-out test fraction of a CSV file without TestFile: 0 means DefaultTestFrac.
	TestFrac float64
	// Seed seeds the random stratified splits (math/rand/v2 PCG).
	Seed uint64
	// StrictCategories refuses a row whose category in a one-hot encoded column the encoding never saw
	// (otherwise such rows are counted in Split.Unseen and encode to all zeros there).
	StrictCategories bool
	// Inputs names the model's inputs, in order: an npz:FILE data set holds one array for each.
	Inputs []string
}

// SourceFile describes one data file that was read.
type SourceFile struct {
	// Role is "train" (the training file, which also yields the validation split) or "test".
	Role string `json:"role"`
	Path string `json:"path"`
	// SHA256 is the hex digest of the file's decompressed content, so a gzip'd copy hashes like the original.
	SHA256 string `json:"sha256"`
	// Records counts the data records (header excluded); Dropped those with a missing value.
	Records int `json:"records"`
	Dropped int `json:"dropped"`
}

// Data is a loaded data set: encoded splits, the sensitive groups and the encoding that produced them.
type Data struct {
	// Spec is the data spec it was loaded from (adult:DIR, csv:FILE).
	Spec string
	// Source is SourceAdult or SourceCSV.
	Source           string
	Train, Val, Test *Split
	GroupNames       []string // group id → name
	FeatureNames     []string
	Encoding         *Encoding
	// Fitted says the encoding was fitted on the training rows (none was given).
	Fitted bool
	// Attributes, with several sensitive attributes, are each one's groups (GroupNames are then their
	// intersections); Split.AttrGroups holds each row's group of each. Nil with one attribute.
	Attributes []Attribute
	// Ignored are the groups left out of the fairness gaps (WithoutGroups): their rows have group id -1,
	// and IgnoredRows counts them per split and group.
	Ignored     []string
	IgnoredRows map[string]map[string]int
	Files       []SourceFile
	// SHA256 identifies the data files together: the hex SHA-256 of the lines "<sha256>  <role>\n" of
	// Files, in order (train, then test).
	SHA256 string
}

// Split returns the split named "train", "val" or "test".
func (d *Data) Split(name string) (*Split, error) {
	switch name {
	case "train":
		return d.Train, nil
	case "val", "validation":
		return d.Val, nil
	case "test":
		return d.Test, nil
	}
	return nil, badOption("split %q: want train, val or test", name)
}

// Load reads the data set named by spec: "adult:DIR" (UCI Adult: DIR/adult.data and DIR/adult.test, or
// their .gz copies) or "csv:FILE" (a CSV file with a header row; gzip'd files are read transparently).
//
// The encoding is fitted on the rows of the training file (training and validation splits, never the test
// split), unless opts.Encoding is given. Groups are numbered in byte order of their names over all loaded
// rows, except Adult's sex, which is fixed as Male = 0, Female = 1. Without a test file, a CSV's test split
// is a seeded stratified TestFrac of the file (PCG stream independent of the validation split's).
//
// Every bad-input error matches ErrBadInput; those about a file are *InputError values naming the file, the
// line and byte column, and the data column.
func Load(spec string, opts Options) (*Data, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	if arg == "" {
		return nil, badOption("data spec %q: want adult:DIR or csv:FILE", spec)
	}
	if opts.ValFrac >= 1 || math.IsNaN(opts.ValFrac) {
		return nil, badOption("validation fraction %v: want a value below 1", opts.ValFrac)
	}
	if opts.TestFrac < 0 || opts.TestFrac >= 1 || math.IsNaN(opts.TestFrac) {
		return nil, badOption("test fraction %v: want a value in [0, 1)", opts.TestFrac)
	}
	if opts.Encoding != nil {
		if err := opts.Encoding.Validate(); err != nil {
			return nil, err
		}
	}
	var data *Data
	var err error
	switch kind {
	case "adult":
		data, err = loadAdult(arg, opts)
	case "csv":
		data, err = loadCSV(arg, opts)
	case "npz":
		data, err = loadNPZ(arg, opts)
	default:
		return nil, badOption("data spec %q: want adult:DIR, csv:FILE or npz:FILE", spec)
	}
	if err != nil {
		return nil, err
	}
	data.Spec = spec
	return data, nil
}

// plan is everything build needs, whichever loader made it.
type plan struct {
	source      string
	train, test *table
	val         *table // the validation file, or nil for a held-out part of train
	label       string
	positive    []string
	classes     []string // the label values of classes 0..K−1 (instead of positive)
	sensitive   []string // as given: a column, or COLUMN:BINS
	attrs       []sensitiveAttr
	// strataSensitive are the attributes the splits are stratified by: the encoding's, so that scoring a
	// model on another attribute keeps the rows of its validation and test splits (nil: sensitive).
	strataSensitive []string
	strata          []sensitiveAttr
	drop            []string
	missing         string
	passthrough     bool
	enc             *Encoding // given, or nil to fit
	fit             func(t *table, recs []int) (*Encoding, error)
	groupOrder      []string // group names that come first, in this order
	valFrac         float64
	testFrac        float64
	seed            uint64
	strict          bool // an unseen category is an error
}

func loadAdult(dir string, opts Options) (*Data, error) {
	def := adultDefaults()
	switch {
	case opts.Label != "" && opts.Label != def.Label.Column:
		return nil, badOption("adult data: the label column is %q, not %q", def.Label.Column, opts.Label)
	case len(opts.Positive) > 0 && !slices.Equal(opts.Positive, def.Label.Positive):
		return nil, badOption("adult data: the positive label values are fixed (%s)", strings.Join(def.Label.Positive, ", "))
	case len(opts.Drop) > 0 && !slices.Equal(opts.Drop, def.Drop):
		return nil, badOption("adult data: the dropped columns are fixed (%s)", strings.Join(def.Drop, ", "))
	case opts.Missing != "" && opts.Missing != def.Missing:
		return nil, badOption("adult data: the missing-value token is fixed (%q)", def.Missing)
	case opts.TestFile != "":
		return nil, badOption("adult data: the test file is DIR/adult.test")
	case opts.ValFile != "" || len(opts.Features) > 0:
		return nil, badOption("adult data: the features and splits are fixed; give the files as csv: data for your own")
	case opts.Passthrough:
		return nil, badOption("adult data: passthrough needs numeric columns; use the usual encoding")
	}
	p := &plan{source: SourceAdult, label: def.Label.Column, positive: def.Label.Positive, sensitive: def.Sensitive,
		drop: def.Drop, missing: def.Missing, enc: opts.Encoding, valFrac: opts.ValFrac, seed: opts.Seed,
		strict: opts.StrictCategories}
	if len(opts.Sensitive) > 0 {
		p.sensitive = opts.Sensitive
	}
	if p.enc != nil {
		if err := agree(p.enc, opts); err != nil {
			return nil, err
		}
		p.label, p.positive, p.drop, p.missing = p.enc.Label.Column, p.enc.Label.Positive, p.enc.Drop, p.enc.Missing
		p.strataSensitive = p.enc.Sensitive
		p.enc, p.sensitive = withSensitive(p.enc, opts.Sensitive)
	}
	sens := p.sensitive
	p.fit = func(t *table, recs []int) (*Encoding, error) { return fitAdult(t, recs, sens) }
	if slices.Equal(p.sensitive, []string{"sex"}) {
		p.groupOrder = []string{"Male", "Female"}
	}
	var err error
	for _, f := range []struct {
		name string
		dst  **table
	}{{"adult.data", &p.train}, {"adult.test", &p.test}} {
		path, ferr := findFile(dir, f.name)
		if ferr != nil {
			return nil, ferr
		}
		if *f.dst, err = readTable(path, adultHeader); err != nil {
			return nil, err
		}
		if p.enc == nil {
			if err := checkAdultHeader(*f.dst); err != nil {
				return nil, err
			}
		}
	}
	return build(p)
}

// findFile returns dir/name, or dir/name.gz when only that exists.
func findFile(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := os.Stat(path + ".gz"); err == nil {
		return path + ".gz", nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", &InputError{File: dir, Err: fmt.Errorf("not a directory holding %s", name)}
	}
	return "", &InputError{File: path, Err: fmt.Errorf("no such file (nor %s.gz)", name)}
}

func checkAdultHeader(t *table) error {
	for c, h := range t.header {
		if !slices.Contains(adultColumns, h) {
			return t.headerError(c, h, fmt.Errorf("%w: not an Adult column (want %s)", ErrSyntax, strings.Join(adultColumns, ", ")))
		}
	}
	for _, a := range adultColumns {
		if _, err := t.column(a, "an Adult column"); err != nil {
			return err
		}
	}
	return nil
}

func loadCSV(file string, opts Options) (*Data, error) {
	p := &plan{source: SourceCSV, label: opts.Label, positive: opts.Positive, classes: opts.Classes, sensitive: opts.Sensitive,
		drop: opts.Drop, missing: opts.Missing, passthrough: opts.Passthrough, enc: opts.Encoding,
		valFrac: opts.ValFrac, testFrac: opts.TestFrac, seed: opts.Seed, strict: opts.StrictCategories}
	if p.enc != nil {
		if err := agree(p.enc, opts); err != nil {
			return nil, err
		}
		p.label, p.positive, p.classes, p.drop, p.missing = p.enc.Label.Column, p.enc.Label.Positive, p.enc.Label.Classes, p.enc.Drop, p.enc.Missing
		p.strataSensitive = p.enc.Sensitive
		p.enc, p.sensitive = withSensitive(p.enc, opts.Sensitive)
		p.passthrough = p.enc.Passthrough
		p.source = p.enc.Source
		if p.source == SourceAdult && slices.Equal(p.sensitive, []string{"sex"}) {
			p.groupOrder = []string{"Male", "Female"}
		}
	} else {
		switch {
		case p.label == "":
			return nil, badOption("csv data: no label column given")
		case len(p.positive) == 0 && len(p.classes) == 0:
			return nil, badOption("csv data: no positive label value given")
		case len(p.positive) > 0 && len(p.classes) > 0:
			return nil, badOption("csv data: positive label values and classes given; a binary label has positive values, a K-class label classes")
		case len(p.sensitive) == 0:
			return nil, badOption("csv data: no sensitive column given")
		case slices.Contains(p.sensitive, p.label):
			return nil, badOption("csv data: column %q is both the label and sensitive", p.label)
		case slices.Contains(p.drop, p.label):
			return nil, badOption("csv data: the label column %q is dropped", p.label)
		}
		for i, s := range p.sensitive {
			if slices.Contains(p.sensitive[:i], s) {
				return nil, badOption("csv data: sensitive column %q given twice", s)
			}
		}
		p.fit = func(t *table, recs []int) (*Encoding, error) { return fitCSV(t, recs, p) }
	}
	var err error
	if p.train, err = readTable(file, nil); err != nil {
		return nil, err
	}
	if opts.TestFile != "" {
		if p.test, err = readTable(opts.TestFile, nil); err != nil {
			return nil, err
		}
	}
	if opts.ValFile != "" {
		if p.val, err = readTable(opts.ValFile, nil); err != nil {
			return nil, err
		}
	}
	if len(opts.Features) > 0 {
		if err := p.onlyFeatures(opts.Features); err != nil {
			return nil, err
		}
	}
	return build(p)
}

// onlyFeatures makes the given columns the only features: every other column but the label is dropped.
func (p *plan) onlyFeatures(features []string) error {
	if p.enc != nil {
		return badOption("features given, but the model's stored encoding fixes them (%s)", strings.Join(p.enc.FeatureColumns(), ", "))
	}
	for i, f := range features {
		if _, err := p.train.column(f, "a feature"); err != nil {
			return err
		}
		switch {
		case f == p.label:
			return badOption("feature %q is the label column", f)
		case slices.Contains(p.drop, f):
			return badOption("column %q is both a feature and dropped", f)
		case slices.Contains(features[:i], f):
			return badOption("feature %q given twice", f)
		}
	}
	for _, h := range p.train.header {
		if h != p.label && !slices.Contains(features, h) && !slices.Contains(p.drop, h) {
			p.drop = append(p.drop, h)
		}
	}
	return nil
}

// agree checks that options given next to an encoding spec do not contradict it.
func agree(e *Encoding, opts Options) error {
	switch {
	case opts.Label != "" && opts.Label != e.Label.Column:
		return badOption("label column %q disagrees with the encoding (%q)", opts.Label, e.Label.Column)
	case len(opts.Positive) > 0 && !slices.Equal(opts.Positive, e.Label.Positive):
		return badOption("positive label values %q disagree with the encoding (%q)", opts.Positive, e.Label.Positive)
	case len(opts.Classes) > 0 && !slices.Equal(opts.Classes, e.Label.Classes):
		return badOption("label classes %q disagree with the encoding (%q)", opts.Classes, e.Label.Classes)
	case opts.Passthrough && !e.Passthrough:
		return badOption("passthrough asked for, but the encoding is not a passthrough encoding")
	}
	return nil
}

// withSensitive returns the encoding with other sensitive attributes, when given: groups are the data's
// and may be any attribute (an audit of a model against one it was not trained for); the features stay
// the encoding's.
func withSensitive(e *Encoding, sensitive []string) (*Encoding, []string) {
	if len(sensitive) == 0 || slices.Equal(sensitive, e.Sensitive) {
		return e, e.Sensitive
	}
	c := *e
	c.Sensitive = slices.Clone(sensitive)
	return &c, c.Sensitive
}

// kept are the usable records of a table: those without a missing value, with their label and group.
// Groups are held as ids into lists of their names, not as a string per record.
type kept struct {
	t     *table
	rec   []int // record index in t
	label []float32
	key   []int32 // each record's group: an index into keys
	keys  *interner
	// stratum is each record's key the splits are stratified by, an index into strata (key and keys
	// themselves unless plan.strata is set).
	stratum []int32
	strata  *interner
	// parts, with several sensitive attributes, holds each one's group of each record: the group of
	// attribute a of record i is partNames[a].names[parts[i*len(partNames)+a]].
	parts     []int32
	partNames []*interner
	dropped   int
}

// interner numbers distinct strings in the order they are first seen.
type interner struct {
	ids   map[string]int32
	names []string
}

func newInterner() *interner { return &interner{ids: map[string]int32{}} }

// id returns the number of s, giving it the next one when new (s is copied: it may point into a record).
func (n *interner) id(s string) int32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	id := int32(len(n.names))
	s = strings.Clone(s)
	n.ids[s] = id
	n.names = append(n.names, s)
	return id
}

// prepare finds the label and sensitive columns and keeps the records with no missing value in the
// columns read (all columns but the dropped ones before an encoding exists; the encoding's columns after).
func (p *plan) prepare(t *table) (*kept, error) {
	lc, err := t.column(p.label, "the label")
	if err != nil {
		return nil, err
	}
	sc := make([]int, len(p.attrs))
	for i, a := range p.attrs {
		if sc[i], err = t.column(a.column, "a sensitive attribute"); err != nil {
			return nil, err
		}
	}
	stc := make([]int, len(p.strata))
	for i, a := range p.strata {
		if stc[i], err = t.column(a.column, "the sensitive attribute of the model's encoding (its splits are stratified by it)"); err != nil {
			return nil, err
		}
	}
	var used []int
	if p.enc != nil {
		x, fe := p.enc.bind(t.header)
		if fe != nil {
			return nil, t.headerError(fe.field, fe.column, fe.err)
		}
		used = x.used
	} else {
		for _, d := range p.drop {
			if !slices.Contains(t.header, d) { // a duplicated name may be dropped
				_, err := t.column(d, "a dropped column")
				return nil, err
			}
		}
		for c, h := range t.header {
			if !slices.Contains(p.drop, h) || slices.Contains(sensitiveColumns(p.sensitive), h) {
				used = append(used, c)
			}
		}
	}
	k := &kept{t: t, rec: make([]int, 0, t.rows), label: make([]float32, 0, t.rows), key: make([]int32, 0, t.rows),
		keys: newInterner()}
	if len(p.strata) > 0 {
		k.stratum, k.strata = make([]int32, 0, t.rows), newInterner()
	}
	if len(p.attrs) > 1 {
		k.parts = make([]int32, 0, t.rows*len(p.attrs))
		for range p.attrs {
			k.partNames = append(k.partNames, newInterner())
		}
	}
	parts := make([]string, len(sc))
	strataParts := make([]string, len(stc))
	err = t.scan(func(r int, rec []string, pos fieldPos) error {
		if slices.ContainsFunc(used, func(c int) bool { return rec[c] == p.missing }) {
			k.dropped++
			return nil
		}
		k.rec = append(k.rec, r)
		switch {
		case len(p.classes) > 0:
			c := slices.Index(p.classes, rec[lc])
			if c < 0 {
				return t.cellError(pos, &fieldError{field: lc, column: p.label,
					err: fmt.Errorf("%w: label %q is none of the classes %q", ErrOption, rec[lc], p.classes)})
			}
			k.label = append(k.label, float32(c))
		case slices.Contains(p.positive, rec[lc]):
			k.label = append(k.label, 1)
		default:
			k.label = append(k.label, 0)
		}
		key, err := groupKey(t, rec, pos, p.attrs, sc, parts)
		if err != nil {
			return err
		}
		k.key = append(k.key, k.keys.id(key))
		for a, part := range k.partNames {
			k.parts = append(k.parts, part.id(parts[a]))
		}
		if len(p.strata) > 0 {
			if key, err = groupKey(t, rec, pos, p.strata, stc, strataParts); err != nil {
				return err
			}
			k.stratum = append(k.stratum, k.strata.id(key))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(p.strata) == 0 {
		k.stratum, k.strata = k.key, k.keys
	}
	if len(k.rec) == 0 {
		token := "an empty cell"
		if p.missing != "" {
			token = fmt.Sprintf("%q", p.missing)
		}
		return nil, &InputError{File: t.path, Line: t.hdrLine + 1, Col: 1,
			Err: fmt.Errorf("%w: all %d rows have a missing value (%s)", ErrEmpty, k.dropped, token)}
	}
	return k, nil
}

// The PCG streams of the two random splits, so that the test split does not move when ValFrac changes.
const (
	streamTest = 0x7465_7374 // "test"
	streamVal  = 0x0076_616c // "val"
)

func build(p *plan) (*Data, error) {
	if err := p.parseAttrs(); err != nil {
		return nil, err
	}
	tr, err := p.prepare(p.train)
	if err != nil {
		return nil, err
	}
	if err := p.checkTraining(tr); err != nil {
		return nil, err
	}
	if err := p.checkBins(tr); err != nil {
		return nil, err
	}
	var te, ve *kept
	if p.test != nil {
		if te, err = p.prepare(p.test); err != nil {
			return nil, err
		}
	}
	if p.val != nil {
		if ve, err = p.prepare(p.val); err != nil {
			return nil, err
		}
	}

	// Group ids: the fixed order, or a binned attribute's ranges in their order, then byte order.
	names := slices.Clone(p.groupOrder)
	if len(names) == 0 && len(p.attrs) == 1 {
		for _, b := range p.attrs[0].bins {
			names = append(names, b.name)
		}
	}
	seen := make(map[string]bool)
	for _, n := range names {
		seen[n] = true
	}
	var rest []string
	for _, k := range []*kept{tr, ve, te} {
		if k == nil {
			continue
		}
		for _, key := range k.keys.names {
			if !seen[key] {
				seen[key] = true
				rest = append(rest, key)
			}
		}
	}
	slices.Sort(rest)
	names = append(names, rest...)
	gid := make(map[string]int, len(names))
	for i, n := range names {
		gid[n] = i
	}
	// The strata are numbered in byte order of their names (the groups' ids without plan.strata).
	strata := slices.Sorted(slices.Values(tr.strata.names))
	sid := make([]int, len(strata))
	for id, key := range tr.strata.names {
		if len(p.strata) == 0 {
			sid[id] = gid[key]
		} else {
			sid[id], _ = slices.BinarySearch(strata, key)
		}
	}
	classes := max(2, len(p.classes))
	stratum := func(i int) int { return classes*sid[tr.stratum[i]] + int(tr.label[i]) }

	all := allOf(tr)
	trainPos, testPos := all, []int(nil)
	if te == nil {
		frac := p.testFrac
		if frac == 0 {
			frac = DefaultTestFrac
		}
		rng := rand.New(rand.NewPCG(p.seed, streamTest))
		trainPos, testPos = stratify(all, stratum, frac, rng)
	}

	enc := p.enc
	if enc == nil {
		recs := make([]int, len(trainPos))
		for i, pos := range trainPos {
			recs[i] = tr.rec[pos]
		}
		if enc, err = p.fit(p.train, recs); err != nil {
			return nil, err
		}
	}

	valFrac := p.valFrac
	if valFrac == 0 {
		valFrac = DefaultValFrac
	}
	fitPos, valPos := trainPos, []int(nil)
	if valFrac > 0 && ve == nil {
		rng := rand.New(rand.NewPCG(p.seed, streamVal))
		fitPos, valPos = stratify(trainPos, stratum, valFrac, rng)
	}

	d := &Data{Source: p.source, GroupNames: names, FeatureNames: enc.FeatureNames(), Encoding: enc, Fitted: p.enc == nil}
	d.Attributes = p.attributes(tr, ve, te)
	parts := []*part{{name: "train", k: tr, positions: fitPos}, {name: "val", k: tr, positions: valPos},
		{name: "test", k: tr, positions: testPos}}
	if ve != nil {
		parts[1].k, parts[1].positions = ve, allOf(ve)
	}
	if te != nil {
		parts[2].k, parts[2].positions = te, allOf(te)
	}
	if err := encodeSplits(parts, enc, gid, d.Attributes, p.strict); err != nil {
		return nil, err
	}
	d.Train, d.Val, d.Test = parts[0].s, parts[1].s, parts[2].s

	manifest := sha256.New()
	for _, f := range []struct {
		role string
		k    *kept
	}{{"train", tr}, {"val", ve}, {"test", te}} {
		if f.k == nil {
			continue
		}
		d.Files = append(d.Files, SourceFile{Role: f.role, Path: f.k.t.path, SHA256: f.k.t.sha256,
			Records: f.k.t.rows, Dropped: f.k.dropped})
		fmt.Fprintf(manifest, "%s  %s\n", f.k.t.sha256, f.role)
	}
	d.SHA256 = hex.EncodeToString(manifest.Sum(nil))
	return d, nil
}

// groupKey is the group of the record being scanned: its attributes' groups joined by "|".
func groupKey(t *table, rec []string, pos fieldPos, attrs []sensitiveAttr, cols []int, parts []string) (string, error) {
	for i, c := range cols {
		var err error
		if parts[i], err = attrs[i].group(rec[c]); err != nil {
			return "", t.cellError(pos, &fieldError{field: c, column: attrs[i].column, err: err})
		}
	}
	return strings.Join(parts, "|"), nil
}

// parseAttrs parses the sensitive attributes as given.
func (p *plan) parseAttrs() error {
	parse := func(specs []string) ([]sensitiveAttr, error) {
		attrs := make([]sensitiveAttr, len(specs))
		for i, s := range specs {
			a, err := parseSensitive(s)
			if err != nil {
				return nil, err
			}
			if a.column == p.label {
				return nil, badOption("column %q is both the label and sensitive", a.column)
			}
			attrs[i] = a
		}
		return attrs, nil
	}
	var err error
	if p.attrs, err = parse(p.sensitive); err != nil {
		return err
	}
	if slices.Equal(p.strataSensitive, p.sensitive) {
		p.strataSensitive = nil
	}
	p.strata, err = parse(p.strataSensitive)
	return err
}

// checkBins refuses a range of a binned sensitive attribute that no row of the training file falls in: it
// would be a group without rows.
func (p *plan) checkBins(k *kept) error {
	for i, a := range p.attrs {
		for _, b := range a.bins {
			found := false
			for _, key := range k.keys.names {
				if strings.Split(key, "|")[i] == b.name {
					found = true
					break
				}
			}
			if !found {
				c, _ := k.t.column(a.column, "a sensitive attribute")
				return k.t.headerError(c, a.column, fmt.Errorf("%w: range %q of %s holds no row of the file (an empty group); merge it with a neighbour",
					ErrOption, b.name, a.spec))
			}
		}
	}
	return nil
}

// attributes lists, with several sensitive attributes, each one's groups over every kept record: a
// binned attribute's in the order of its ranges, another's in byte order.
func (p *plan) attributes(ks ...*kept) []Attribute {
	if len(p.attrs) < 2 {
		return nil
	}
	out := make([]Attribute, len(p.attrs))
	for a, attr := range p.attrs {
		seen := map[string]bool{}
		var names []string
		for _, b := range attr.bins {
			seen[b.name] = true
			names = append(names, b.name)
		}
		var rest []string
		for _, k := range ks {
			if k == nil {
				continue
			}
			for _, name := range k.partNames[a].names {
				if !seen[name] {
					seen[name] = true
					rest = append(rest, name)
				}
			}
		}
		slices.Sort(rest)
		out[a] = Attribute{Name: attr.column, Groups: append(names, rest...)}
	}
	return out
}

// allOf returns the positions of every kept record.
func allOf(k *kept) []int {
	all := make([]int, len(k.rec))
	for i := range all {
		all[i] = i
	}
	return all
}

// checkTraining requires two label classes and two groups among the training file's rows.
func (p *plan) checkTraining(k *kept) error {
	if len(p.classes) > 0 {
		if !slices.ContainsFunc(k.label, func(y float32) bool { return y != k.label[0] }) {
			c, _ := k.t.column(p.label, "the label")
			return k.t.headerError(c, p.label, fmt.Errorf("%w: all %d rows are of class %q", ErrOneClass, len(k.label), p.classes[int(k.label[0])]))
		}
	} else if pos := positives(k.label); pos == 0 || pos == len(k.label) {
		c, _ := k.t.column(p.label, "the label")
		which := "none"
		if pos > 0 {
			which = "all"
		}
		return k.t.headerError(c, p.label, fmt.Errorf("%w: %s of the %d rows match the positive values %q",
			ErrOneClass, which, len(k.label), p.positive))
	}
	if len(k.keys.names) < 2 {
		c, _ := k.t.column(p.attrs[0].column, "a sensitive attribute")
		return k.t.headerError(c, strings.Join(p.sensitive, "|"), fmt.Errorf("%w: all %d rows are in group %q (two or more needed)",
			ErrOneGroup, len(k.key), k.keys.names[0]))
	}
	return nil
}

// positives counts the labels of 1.
func positives(label []float32) int {
	n := 0
	for _, y := range label {
		n += int(y)
	}
	return n
}

// stratify splits positions into (rest, held): within each stratum (visited in ascending order), a seeded
// shuffle and then round(frac × size) positions held out. Both results are in ascending order.
func stratify(positions []int, stratum func(i int) int, frac float64, rng *rand.Rand) (rest, held []int) {
	groups := make(map[int][]int)
	for _, i := range positions {
		s := stratum(i)
		groups[s] = append(groups[s], i)
	}
	keys := make([]int, 0, len(groups))
	for s := range groups {
		keys = append(keys, s)
	}
	slices.Sort(keys)
	for _, s := range keys {
		members := groups[s]
		rng.Shuffle(len(members), func(a, b int) { members[a], members[b] = members[b], members[a] })
		n := int(math.Round(frac * float64(len(members))))
		held = append(held, members[:n]...)
		rest = append(rest, members[n:]...)
	}
	slices.Sort(rest)
	slices.Sort(held)
	return rest, held
}

// part is a split to encode: the kept records of a table at the given positions (ascending).
type part struct {
	name      string
	k         *kept
	positions []int
	s         *Split
	x         *Encoder
	next      int // the split's row the next record of the pass goes to
	err       error
}

// errStop ends a pass whose remaining records cannot change the result.
var errStop = errors.New("stop")

// encodeSplits encodes the parts, each into its split's preallocated rows, in one pass over each table
// they draw on. The error returned is the first one of the first part (in the order given) that has one,
// so that it does not depend on how the parts share files.
func encodeSplits(parts []*part, enc *Encoding, gid map[string]int, attrs []Attribute, strict bool) error {
	cols := len(enc.Features)
	for _, pt := range parts {
		n := len(pt.positions)
		pt.s = &Split{Name: pt.name, File: pt.k.t.path, Rows: n, Cols: cols,
			X: make([]float32, n*cols), Y: make([]float32, n), Group: make([]int, n), Row: make([]int, n)}
		for range attrs {
			pt.s.AttrGroups = append(pt.s.AttrGroups, make([]int, n))
		}
		var fe *fieldError
		if pt.x, fe = enc.bind(pt.k.t.header); fe != nil {
			pt.err = pt.k.t.headerError(fe.field, fe.column, fe.err)
		}
	}
	failed := func() int { // the first part with an error, or len(parts)
		for i, pt := range parts {
			if pt.err != nil {
				return i
			}
		}
		return len(parts)
	}
	var done []*kept
	for i, pt := range parts {
		k := pt.k
		if slices.Contains(done, k) || failed() < i {
			continue
		}
		done = append(done, k)
		var mine []*part // the parts of this table that can still matter, in order
		for _, q := range parts[i:] {
			if q.k == k && q.err == nil {
				mine = append(mine, q)
			}
		}
		if len(mine) == 0 {
			continue
		}
		// Each kept record's group ids: its group's, and with several attributes its group of each.
		group := make([]int, len(k.keys.names))
		for id, key := range k.keys.names {
			group[id] = gid[key]
		}
		attrGroup := make([][]int, len(attrs))
		for a := range attrs {
			for _, name := range k.partNames[a].names {
				attrGroup[a] = append(attrGroup[a], slices.Index(attrs[a].Groups, name))
			}
		}
		err := k.t.scan(func(r int, rec []string, pos fieldPos) error {
			for _, q := range mine {
				if q.err != nil || q.next == len(q.positions) || k.rec[q.positions[q.next]] != r {
					continue
				}
				if q.err = q.encode(rec, pos, group, attrGroup, strict); q.err != nil && q == mine[0] {
					return errStop // nothing later in the file comes before this error
				}
				break
			}
			return nil
		})
		if err != nil && err != errStop {
			return err
		}
	}
	if i := failed(); i < len(parts) {
		return parts[i].err
	}
	for _, pt := range parts {
		pt.s.Clipped = pt.x.clipped
	}
	return nil
}

// encode encodes the record being scanned as the split's next row.
func (pt *part) encode(rec []string, pos fieldPos, group []int, attrGroup [][]int, strict bool) error {
	t, s, i := pt.k.t, pt.s, pt.next
	if fe := pt.x.encodeRow(rec, s.X[i*s.Cols:(i+1)*s.Cols]); fe != nil {
		return t.cellError(pos, fe)
	}
	for _, col := range pt.x.Unseen(rec) {
		if s.Unseen == nil {
			s.Unseen = map[string]int{}
		}
		if s.Unseen[col]++; s.Unseen[col] == 1 && strict {
			c, _ := t.column(col, "a feature")
			return t.cellError(pos, &fieldError{field: c, column: col,
				err: fmt.Errorf("%w: %q is a category the encoding never saw (strict categories)", ErrOption, rec[c])})
		}
	}
	kp := pt.positions[i]
	s.Y[i] = pt.k.label[kp]
	s.Group[i] = group[pt.k.key[kp]]
	for a := range attrGroup {
		s.AttrGroups[a][i] = attrGroup[a][pt.k.parts[kp*len(attrGroup)+a]]
	}
	s.Row[i] = pt.k.rec[kp]
	pt.next++
	return nil
}
