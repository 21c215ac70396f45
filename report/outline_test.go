package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// outline lists the structure of a rendered page, one line each: the headings with their ids, the
// header rows of each table, each chart by its label, and the sections that say they have no data. The
// page is read with encoding/xml in its lenient HTML mode, enough for the page Render writes.
func outline(page []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var (
		out     strings.Builder
		text    strings.Builder // the text of the element being read, when capturing
		capture string          // the element whose text is captured ("" when none)
		id      string
		inHead  bool // in a <thead>
		heads   []string
		svg     int // depth inside an <svg>
		naText  bool
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out.String(), nil
		}
		if err != nil {
			return out.String(), err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if svg > 0 {
				svg++
				continue
			}
			attr := func(name string) string {
				for _, a := range tok.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch name := tok.Name.Local; name {
			case "h1", "h2", "h3", "th":
				if name != "th" || inHead {
					capture, id = name, attr("id")
					text.Reset()
				}
			case "thead":
				inHead = true
			case "p":
				naText = attr("class") == "na"
			case "svg":
				svg = 1
				fmt.Fprintf(&out, "    chart: %s\n", attr("aria-label"))
			}
		case xml.EndElement:
			if svg > 0 {
				svg--
				continue
			}
			switch name := tok.Name.Local; {
			case name == capture:
				t := strings.Join(strings.Fields(text.String()), " ")
				switch name {
				case "h1", "h2":
					fmt.Fprintf(&out, "%s #%s %s\n", name, id, t)
				case "h3":
					fmt.Fprintf(&out, "  h3 %s\n", t)
				case "th":
					heads = append(heads, t)
				}
				capture = ""
			case name == "tr" && inHead:
				fmt.Fprintf(&out, "    head: %s\n", strings.Join(heads, " | "))
				heads = nil
			case name == "thead":
				inHead = false
			case name == "p":
				naText = false
			}
		case xml.CharData:
			if capture != "" && svg == 0 {
				text.Write(tok)
			}
			if naText {
				fmt.Fprintf(&out, "    not available\n")
				naText = false
			}
		}
	}
}
