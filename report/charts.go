package report

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The colours of the report (Okabe–Ito, readable with the common colour-vision deficiencies): the same
// model has the same colour in every chart.
var (
	colorBefore   = color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff} // orange: the backbone
	colorAfter    = color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff} // blue: the audited model
	colorBaseline = color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff} // green: per-group thresholds
	colorGuide    = color.RGBA{R: 0x88, G: 0x88, B: 0x88, A: 0xff} // grey: diagonals, limits, markers
	// palette colours the lines of groups, constraints and sweep series, in order.
	palette = []color.Color{
		color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff},
		color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
		color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff},
		color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
		color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
		color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff},
		color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		color.RGBA{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff},
	}
)

// Chart sizes: wide enough to read at the page's width, small enough to print two on a page.
const (
	chartWidth  = 6.5 * vg.Inch
	chartHeight = 3.1 * vg.Inch
	squareSide  = 4.2 * vg.Inch
)

// chart is a plot with its legend, drawn to the right of the plotting area so that it never hides data.
type chart struct {
	p       *plot.Plot
	legend  plot.Legend
	entries int // in legend
}

func newChart(title, x, y string) *chart {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	p.Title.TextStyle.Font.Variant = "Sans"
	p.Title.TextStyle.Font.Size = vg.Points(12)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font.Variant = "Sans"
		ax.Label.TextStyle.Font.Size = vg.Points(10)
		ax.Tick.Label.Font.Variant = "Sans"
		ax.Tick.Label.Font.Size = vg.Points(9)
	}
	leg := plot.NewLegend()
	leg.TextStyle.Font.Variant = "Sans"
	leg.TextStyle.Font.Size = vg.Points(9)
	leg.Left = true
	leg.Top = true
	leg.Padding = vg.Points(3)
	leg.ThumbnailWidth = vg.Points(16)
	return &chart{p: p, legend: leg}
}

// key adds a legend entry.
func (c *chart) key(name string, thumbs ...plot.Thumbnailer) {
	c.legend.Add(name, thumbs...)
	c.entries++
}

// svg draws the chart w × h and returns it as an inline <svg> element labelled with the chart's title.
// A panic of the plotting library (it has a few on degenerate input) is returned as an error.
func (c *chart) svg(w, h vg.Length) (out template.HTML, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart %q: %v", c.p.Title.Text, r)
		}
	}()
	canvas := vgsvg.New(w, h)
	dc := draw.New(canvas)
	plotArea := dc
	if c.entries > 0 {
		gap := vg.Points(10)
		// The browser may draw the text in a wider font than the one it was measured in.
		lw := c.legend.Rectangle(dc).Size().X * 1.15
		plotArea = draw.Crop(dc, 0, -(lw + 2*gap), 0, 0)
		side := draw.Crop(dc, dc.Size().X-lw-gap, 0, 0, -vg.Points(22)) // below the title's line
		c.legend.Draw(side)
	}
	c.p.Draw(plotArea)
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("chart %q: %w", c.p.Title.Text, err)
	}
	return inlineSVG(buf.String(), c.p.Title.Text), nil
}

// inlineSVG makes vgsvg's document an element to put inside HTML: without the XML prolog and the
// generator comment, labelled for screen readers, scaling to the width of the page, and with fallbacks
// for the Liberation fonts the plot was measured with. Every text in it is already escaped by vgsvg.
func inlineSVG(doc, label string) template.HTML {
	if i := strings.Index(doc, "<svg"); i >= 0 {
		doc = doc[i:]
	}
	doc = strings.Replace(doc, "<svg ", `<svg role="img" aria-label="`+html.EscapeString(label)+`" `, 1)
	doc = strings.ReplaceAll(doc, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;")
	return template.HTML(doc)
}

// finite keeps the points whose coordinates are both finite: the plotting library refuses the others.
func finite(xys plotter.XYs) plotter.XYs {
	out := plotter.XYs{}
	for _, xy := range xys {
		if !math.IsNaN(xy.X) && !math.IsInf(xy.X, 0) && !math.IsNaN(xy.Y) && !math.IsInf(xy.Y, 0) {
			out = append(out, xy)
		}
	}
	return out
}

// addLine adds a line through the points in colour col (dashed when dashed), with dots at the points,
// under name in the legend ("" adds no entry). Nothing is drawn for no finite point.
func (c *chart) addLine(xys plotter.XYs, col color.Color, dashed bool, name string) error {
	xys = finite(xys)
	if len(xys) == 0 {
		return nil
	}
	line, dots, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.5)}
	if dashed {
		line.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	dots.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
	c.p.Add(line, dots)
	if name != "" {
		c.key(name, line, dots)
	}
	return nil
}

// addPoints adds markers at the points, under name in the legend.
func (c *chart) addPoints(xys plotter.XYs, sty draw.GlyphStyle, name string) error {
	xys = finite(xys)
	if len(xys) == 0 {
		return nil
	}
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return err
	}
	sc.GlyphStyle = sty
	c.p.Add(sc)
	c.key(name, sc)
	return nil
}

// guide adds a thin dashed grey line from (x0, y0) to (x1, y1), under name in the legend when not "".
func (c *chart) guide(x0, y0, x1, y1 float64, col color.Color, name string) error {
	line, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}})
	if err != nil {
		return err
	}
	line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	c.p.Add(line)
	if name != "" {
		c.key(name, line)
	}
	return nil
}

// barSeries is one model's rate per group, nil where the rate is undefined.
type barSeries struct {
	name   string
	color  color.Color
	values []*float64
}

// barChart draws grouped bars: one cluster per group, one bar per series side by side. An undefined rate
// draws no bar and the words "n/a" in its place.
func barChart(title, ylabel string, groups []string, series []barSeries) (template.HTML, error) {
	c := newChart(title, "", ylabel)
	c.p.NominalX(groups...)
	c.p.X.Tick.Label.Font.Size = vg.Points(9)
	c.p.X.Min, c.p.X.Max = -0.5, float64(len(groups))-0.5
	c.p.Y.Min, c.p.Y.Max = 0, 1

	// The plotting area is about two thirds of the chart's width once axes and legend are taken.
	slot := chartWidth * 0.62 / vg.Length(max(len(groups), 1))
	width := min(slot*0.8/vg.Length(len(series)), vg.Points(36))
	for k, s := range series {
		offset := (vg.Length(k) - vg.Length(len(series)-1)/2) * width
		var na plotter.XYLabels
		for i, v := range s.values {
			if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
				na.XYs = append(na.XYs, plotter.XY{X: float64(i), Y: 0})
				na.Labels = append(na.Labels, "n/a")
				continue
			}
			bar, err := plotter.NewBarChart(plotter.Values{*v}, width)
			if err != nil {
				return "", err
			}
			bar.XMin, bar.Offset, bar.Color = float64(i), offset, s.color
			bar.LineStyle.Width = 0
			c.p.Add(bar)
		}
		key, err := plotter.NewBarChart(plotter.Values{0}, width)
		if err != nil {
			return "", err
		}
		key.Color, key.LineStyle.Width = s.color, 0
		c.key(s.name, key)
		if len(na.XYs) == 0 {
			continue
		}
		labels, err := plotter.NewLabels(na)
		if err != nil {
			return "", err
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].Font.Variant = "Sans"
			labels.TextStyle[i].Font.Size = vg.Points(7)
			labels.TextStyle[i].XAlign = draw.XCenter
		}
		labels.Offset = vg.Point{X: offset, Y: vg.Points(2)}
		c.p.Add(labels)
	}
	return c.svg(chartWidth, chartHeight)
}
