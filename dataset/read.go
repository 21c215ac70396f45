package dataset

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
)

// table is a delimited text file: its header, where each header cell is, how many data records it holds
// and the digest of its content. The records themselves are not held: every pass over them (scan) reads
// the file again, so that loading a large file takes memory for the encoded rows, not for their text.
type table struct {
	path    string
	rule    headerRule // how the first record is read; nil: it is the header
	sha256  string     // of the decompressed content
	header  []string
	hdrLine int            // 1-based line of the header (1 when the header is implied)
	hdrCol  []int          // 1-based byte column of each header cell (0 when implied)
	dup     map[string]int // header names given more than once → their second field; an error when used
	lead    int            // records before the first data record (skipped lines and the header)
	rows    int            // data records
}

// fieldPos returns the 1-based line and byte column of a field of the record being scanned.
type fieldPos func(field int) (line, col int)

// cellAt is where a field was read, kept for an error that is reported after the pass.
type cellAt struct{ line, col int }

// where returns the position of a field of the record being scanned.
func where(pos fieldPos, field int) cellAt {
	line, col := pos(field)
	return cellAt{line, col}
}

// cellError positions an error about a field of the record being scanned.
func (t *table) cellError(pos fieldPos, fe *fieldError) error {
	return t.errorAt(where(pos, fe.field), fe.column, fe.err)
}

// errorAt positions an error about a field found at the given place.
func (t *table) errorAt(at cellAt, column string, err error) error {
	return &InputError{File: t.path, Line: at.line, Col: at.col, Column: column, Err: err}
}

// headerError positions an error about a header column (c < 0 when the column is absent).
func (t *table) headerError(c int, column string, err error) error {
	col := 0
	if c >= 0 {
		col = t.hdrCol[c]
	}
	return &InputError{File: t.path, Line: t.hdrLine, Col: col, Column: column, Err: err}
}

// headerRule decides what a file's first record is: a line to skip, the header (consumed), or already data
// (not consumed, and header is the implied one).
type headerRule func(rec []string) (header []string, consumed bool, skip bool)

// readTable reads a comma-separated file once, through: fields are trimmed of surrounding blanks, blank lines
// are skipped, and every record must have as many fields as the header. rule, if not nil, may skip a leading
// comment record or supply an implied header; by default the first record is the header. A gzip'd file
// (gzip magic number first) is decompressed as it is read. The table keeps what later passes need.
func readTable(path string, rule headerRule) (*table, error) {
	t := &table{path: path, rule: rule, hdrLine: 1}
	if err := t.read(true, nil); err != nil {
		return nil, err
	}
	return t, nil
}

// scan reads the file again and calls fn with each data record: its index (header excluded), its fields
// (trimmed; valid only during the call, as the reader reuses them) and their positions. An error fn
// returns ends the scan and is returned.
func (t *table) scan(fn func(r int, rec []string, pos fieldPos) error) error {
	return t.read(false, fn)
}

// errFileChanged is a file that no longer holds the records it held when it was first read.
var errFileChanged = errors.New("the file changed while it was being read")

// read is one pass over the file. The first (readTable) reads the header, checks every record and hashes
// the content; later passes skip the leading records and call fn with the data records.
func (t *table) read(first bool, fn func(r int, rec []string, pos fieldPos) error) error {
	f, err := os.Open(t.path)
	if err != nil {
		return t.readError(err)
	}
	defer f.Close()
	raw := bufio.NewReaderSize(f, 1<<16)
	var in io.Reader = raw
	magic, err := raw.Peek(2)
	if err != nil && err != io.EOF {
		return t.readError(err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return t.readError(&gzipError{err})
		}
		in = gunzip{zr}
	}
	var sum hash.Hash
	if first {
		sum = sha256.New()
		in = io.TeeReader(in, sum)
	}
	text := bufio.NewReaderSize(in, 1<<16)
	if bom, _ := text.Peek(3); string(bom) == "\ufeff" {
		text.Discard(3)
	}
	// fail returns a first pass's error about the text, unless the rest of the file cannot be read or
	// decompressed: that error comes first, as the whole file is read before its text is looked at.
	fail := func(err error) error {
		if first {
			if _, rerr := io.Copy(io.Discard, text); t.readError(rerr) != nil {
				return t.readError(rerr)
			}
		}
		return err
	}

	r := csv.NewReader(text)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	haveHeader := !first
	records, rows := 0, 0
	for ; ; records++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if rerr := t.readError(err); rerr != nil {
				return rerr
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fail(&InputError{File: t.path, Line: pe.Line, Col: pe.Column, Err: fmt.Errorf("%w: %v", ErrSyntax, pe.Err)})
			}
			return fail(&InputError{File: t.path, Err: fmt.Errorf("%w: %v", ErrSyntax, err)})
		}
		if !first && records < t.lead {
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if !haveHeader {
			header, consumed, skip := rec, true, false
			if t.rule != nil {
				header, consumed, skip = t.rule(rec)
			}
			if skip {
				continue
			}
			haveHeader = true
			t.header = slices.Clone(header)
			t.hdrCol = make([]int, len(header))
			t.lead = records
			if consumed {
				t.lead++
				line, _ := r.FieldPos(0)
				t.hdrLine = line
				for c := range header {
					_, t.hdrCol[c] = r.FieldPos(c)
				}
				if err := t.checkHeader(); err != nil {
					return fail(err)
				}
				continue
			}
		}
		if len(rec) != len(t.header) {
			c := min(len(rec), len(t.header)) - 1
			if len(rec) > len(t.header) {
				c = len(t.header)
			}
			line, col := r.FieldPos(max(c, 0))
			return fail(&InputError{File: t.path, Line: line, Col: col,
				Err: fmt.Errorf("%w: %d fields, header has %d", ErrRagged, len(rec), len(t.header))})
		}
		if fn != nil {
			if err := fn(rows, rec, r.FieldPos); err != nil {
				return err
			}
		}
		rows++
	}
	if !first {
		if rows != t.rows {
			return &InputError{File: t.path, Err: fmt.Errorf("%w: %d records, %d when first read", errFileChanged, rows, t.rows)}
		}
		return nil
	}
	if !haveHeader {
		return &InputError{File: t.path, Line: 1, Col: 1, Err: fmt.Errorf("%w: empty file", ErrEmpty)}
	}
	if rows == 0 {
		return &InputError{File: t.path, Line: t.hdrLine + 1, Col: 1, Err: fmt.Errorf("%w: a header but no rows", ErrEmpty)}
	}
	t.rows = rows
	t.sha256 = hex.EncodeToString(sum.Sum(nil))
	return nil
}

// gzipError is a failure to decompress a gzip'd file.
type gzipError struct{ err error }

func (e *gzipError) Error() string { return "gzip: " + e.err.Error() }

func (e *gzipError) Unwrap() error { return e.err }

// gunzip marks the errors of a gzip stream as gzipError, so that they read as a malformed file and not as
// malformed text.
type gunzip struct{ zr *gzip.Reader }

func (g gunzip) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		err = &gzipError{err}
	}
	return n, err
}

// readError is the error of a file that cannot be read (the operating system's reason, without the path
// twice) or decompressed, or nil for any other error.
func (t *table) readError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &InputError{File: t.path, Err: pe.Err}
	}
	var ge *gzipError
	if errors.As(err, &ge) {
		return &InputError{File: t.path, Err: fmt.Errorf("%w: gzip: %v", ErrSyntax, ge.err)}
	}
	return nil
}

func (t *table) checkHeader() error {
	seen := make(map[string]int, len(t.header))
	for c, h := range t.header {
		if h == "" {
			return t.headerError(c, "", fmt.Errorf("%w: empty column name in header (field %d)", ErrSyntax, c+1))
		}
		if _, dup := seen[h]; dup {
			if t.dup == nil {
				t.dup = map[string]int{}
			}
			if _, again := t.dup[h]; !again {
				t.dup[h] = c
			}
			continue
		}
		seen[h] = c
	}
	return nil
}

// column returns the index of a header column, or an error positioned at the header.
func (t *table) column(name, role string) (int, error) {
	if c, dup := t.dup[name]; dup {
		first := slices.Index(t.header, name)
		return -1, t.headerError(c, name, fmt.Errorf("%w: fields %d and %d (needed as %s)", ErrDuplicate, first+1, c+1, role))
	}
	for c, h := range t.header {
		if h == name {
			return c, nil
		}
	}
	return -1, t.headerError(-1, name, fmt.Errorf("%w (needed as %s; header: %s)", ErrMissingColumn, role, strings.Join(t.header, ", ")))
}

// adultColumns are the 15 columns of the UCI Adult files, in file order.
var adultColumns = []string{
	"age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
	"relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "Y",
}

// adultHeader accepts the UCI Adult layouts: a header row (this project's copies), no header (the original
// UCI files, whose test file starts with a "|1x3 Cross validator" line, skipped).
func adultHeader(rec []string) (header []string, consumed, skip bool) {
	if len(rec) == 1 && strings.HasPrefix(rec[0], "|") {
		return nil, false, true
	}
	if len(rec) == len(adultColumns) {
		if _, err := strconv.ParseFloat(rec[0], 64); err == nil {
			return adultColumns, false, false
		}
	}
	return rec, true, false
}
