package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
)

// table is a delimited text file held in memory with the position of every field, so that any later error
// can name its line and column.
type table struct {
	path    string
	sha256  string // of the decompressed content
	header  []string
	hdrLine int   // 1-based line of the header (1 when the header is implied)
	hdrCol  []int // 1-based byte column of each header cell (0 when implied)
	recs    [][]string
	dup     map[string]int // header names given more than once → their second field; an error when used
	pos     []int32        // line and column of field c of record r at 2*(r*len(header)+c)
}

// at returns the 1-based line and byte column of field c of record r.
func (t *table) at(r, c int) (line, col int) {
	k := 2 * (r*len(t.header) + c)
	return int(t.pos[k]), int(t.pos[k+1])
}

// cellError positions an error about field c of record r.
func (t *table) cellError(r int, fe *fieldError) error {
	line, col := t.at(r, fe.field)
	return &InputError{File: t.path, Line: line, Col: col, Column: fe.column, Err: fe.err}
}

// headerError positions an error about a header column (c < 0 when the column is absent).
func (t *table) headerError(c int, column string, err error) error {
	col := 0
	if c >= 0 {
		col = t.hdrCol[c]
	}
	return &InputError{File: t.path, Line: t.hdrLine, Col: col, Column: column, Err: err}
}

// readFile returns a file's content, gunzipped when it starts with the gzip magic number.
func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &InputError{File: path, Err: err}
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, &InputError{File: path, Err: fmt.Errorf("%w: gzip: %v", ErrSyntax, err)}
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			return nil, &InputError{File: path, Err: fmt.Errorf("%w: gzip: %v", ErrSyntax, err)}
		}
		data = plain
	}
	return data, nil
}

// headerRule decides what a file's first record is: a line to skip, the header (consumed), or already data
// (not consumed, and header is the implied one).
type headerRule func(rec []string) (header []string, consumed bool, skip bool)

// readTable reads a comma-separated file: fields are trimmed of surrounding blanks, blank lines are
// skipped, and every record must have as many fields as the header. rule, if not nil, may skip a leading
// comment record or supply an implied header; by default the first record is the header.
func readTable(path string, rule headerRule) (*table, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	t := &table{path: path, sha256: hex.EncodeToString(sum[:]), hdrLine: 1}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	haveHeader := false
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &InputError{File: path, Line: pe.Line, Col: pe.Column, Err: fmt.Errorf("%w: %v", ErrSyntax, pe.Err)}
			}
			return nil, &InputError{File: path, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if !haveHeader {
			header, consumed, skip := rec, true, false
			if rule != nil {
				header, consumed, skip = rule(rec)
			}
			if skip {
				continue
			}
			haveHeader = true
			t.header = header
			t.hdrCol = make([]int, len(header))
			if consumed {
				line, _ := r.FieldPos(0)
				t.hdrLine = line
				for c := range header {
					_, t.hdrCol[c] = r.FieldPos(c)
				}
				if err := t.checkHeader(); err != nil {
					return nil, err
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
			return nil, &InputError{File: path, Line: line, Col: col,
				Err: fmt.Errorf("%w: %d fields, header has %d", ErrRagged, len(rec), len(t.header))}
		}
		for c := range rec {
			line, col := r.FieldPos(c)
			t.pos = append(t.pos, int32(line), int32(col))
		}
		t.recs = append(t.recs, rec)
	}
	if !haveHeader {
		return nil, &InputError{File: path, Line: 1, Col: 1, Err: fmt.Errorf("%w: empty file", ErrEmpty)}
	}
	if len(t.recs) == 0 {
		return nil, &InputError{File: path, Line: t.hdrLine + 1, Col: 1, Err: fmt.Errorf("%w: a header but no rows", ErrEmpty)}
	}
	return t, nil
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
