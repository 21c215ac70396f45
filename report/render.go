package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"

	"github.com/fairbinn/fairbinn-go/internal/fsutil"
)

//go:embed report.html.tmpl
var pageText string

var pageTemplate = template.Must(template.New("report").Parse(pageText))

// Render writes the audit as one self-contained HTML page. It writes nothing to w when it fails.
func Render(w io.Writer, a *Audit) error {
	if a == nil {
		return errors.New("report: no audit")
	}
	p, err := build(a)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// WriteFile renders the audit to path atomically: the file appears whole, or not at all when rendering
// or writing fails.
func WriteFile(path string, a *Audit) error {
	return fsutil.WriteAtomic(path, 0o644, func(w io.Writer) error { return Render(w, a) })
}

// page is what the template shows: the sections in order, each made of blocks.
type page struct {
	Title    string
	Date     string
	Sections []section
}

// section is one <h2> part of the report. When NA is set the section has no data and says so.
type section struct {
	ID, Title string
	Intro     []string // what the section's numbers mean
	NA        string
	Blocks    []block
}

// block is a piece of a section: an optional <h3>, then paragraphs, a list, a table, notes and figures,
// each shown when set.
type block struct {
	Heading string
	Text    []string
	List    []item
	Table   *table
	Notes   []string // small print under the table
	Figures []figure
}

// item is a list entry; Class colours it ("ok", "bad").
type item struct {
	Text, Class string
}

// table is a table with header rows.
type table struct {
	Head [][]cell
	Rows [][]cell
}

// cell is one table cell: its text, an interval shown after it in small print, a footnote mark, and
// spans. Class sets its style: "num" (right-aligned figures), "ok", "bad", "warn", "mono".
type cell struct {
	Text, CI, Mark, Class string
	ColSpan, RowSpan      int
}

// figure is a chart with its caption.
type figure struct {
	SVG     template.HTML
	Caption string
}
