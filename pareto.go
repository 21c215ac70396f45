package fairbinn

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
	"github.com/fairbinn/fairbinn-go/report"
	"github.com/fairbinn/fairbinn-go/train"
)

// methodStyle gives each method a fixed colour and marker, the same in every sweep.
func methodStyle(method train.Method) draw.GlyphStyle {
	sty := draw.GlyphStyle{Radius: vg.Points(3.5)}
	switch method {
	case train.MethodPaper:
		sty.Color, sty.Shape = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, draw.CircleGlyph{}
	case train.MethodReference:
		sty.Color, sty.Shape = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, draw.PyramidGlyph{}
	case train.MethodLagrangian:
		sty.Color, sty.Shape = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, draw.BoxGlyph{}
	case train.MethodBilevel:
		sty.Color, sty.Shape = color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, draw.TriangleGlyph{}
	case train.MethodConstrained:
		sty.Color, sty.Shape = color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}, draw.SquareGlyph{}
	default:
		sty.Color, sty.Shape = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, crossGlyph{}
	}
	return sty
}

// crossGlyph is an × drawn with strokes heavy enough to read next to the filled markers.
type crossGlyph struct{}

func (crossGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.6)})
	r := sty.Radius * 0.9
	for _, d := range []vg.Point{{X: r, Y: r}, {X: r, Y: -r}} {
		var p vg.Path
		p.Move(pt.Sub(d))
		p.Line(pt.Add(d))
		c.Stroke(p)
	}
}

// paretoTitle names the data set and the criterion: "Adult: test accuracy vs DP (validation-selected)".
func paretoTitle(res *SweepResult) string {
	name := res.Data
	switch {
	case strings.HasPrefix(name, "adult:"):
		name = "Adult"
	case strings.HasPrefix(name, "csv:"):
		name = filepath.Base(strings.TrimPrefix(name, "csv:"))
		for _, ext := range []string{".gz", ".csv"} {
			name = strings.TrimSuffix(name, ext)
		}
	}
	how := "validation-selected"
	if res.BaseConfig.Select.Rule == train.SelectLast {
		how = "last epoch"
	}
	return fmt.Sprintf("%s: test accuracy vs %s (%s)", name, criterionName(res), how)
}

// criterionName is the fairness gap on the x axis: the one the sweep trained for.
func criterionName(res *SweepResult) string { return res.BaseConfig.Fairness.Label() }

// WritePareto draws test accuracy against the test fairness gap of every finished run (the model the
// selection rule picked), one colour and marker per method, each (method, η) mean labelled with its η,
// and the backbone as a black star; it is rendered in memory and written atomically.
func WritePareto(path string, res *SweepResult) error {
	crit := res.BaseConfig.Fairness
	p := plot.New()
	p.Title.Text = paretoTitle(res)
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = "test " + criterionName(res) + " difference (lower is fairer)"
	p.Y.Label.Text = "test accuracy"
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.Padding = vg.Points(2)

	points, meanShown := 0, false
	near := nearDistance(res, crit)
	for _, m := range res.Grid.Methods {
		var xys plotter.XYs
		for _, r := range res.Runs {
			if r.Method == m && r.OK() {
				xys = append(xys, plotter.XY{X: crit.Gap(*r.Test), Y: r.Test.Accuracy})
			}
		}
		if len(xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		sc.GlyphStyle = methodStyle(m)
		p.Add(sc)
		p.Legend.Add(string(m), sc)
		points += len(xys)

		if !m.UsesEta() || len(res.Grid.Etas) < 2 {
			continue // one η: nothing to tell apart
		}
		// The (method, η) means over seeds: a ring each, labelled with η, joined in η order.
		var lab plotter.XYLabels
		means := make([]SweepSummary, 0, len(res.Summary))
		for _, s := range res.Summary {
			if s.Method == m && s.Runs > 0 {
				means = append(means, s)
			}
		}
		slices.SortFunc(means, func(a, b SweepSummary) int { return cmp.Compare(a.Eta, b.Eta) })
	means:
		for _, s := range means {
			xy := plotter.XY{X: gapOf(crit, s.Test), Y: s.Test.Accuracy.Mean}
			for i, o := range lab.XYs {
				if math.Abs(o.X-xy.X) <= near.X && math.Abs(o.Y-xy.Y) <= near.Y {
					lab.Labels[i] += "," + FormatEta(s.Eta) // (nearly) the same result: one ring, both η
					continue means
				}
			}
			lab.XYs = append(lab.XYs, xy)
			lab.Labels = append(lab.Labels, "η="+FormatEta(s.Eta))
		}
		if len(lab.XYs) == 0 {
			continue
		}
		sty := methodStyle(m)
		line, err := plotter.NewLine(lab.XYs)
		if err != nil {
			return err
		}
		line.LineStyle = draw.LineStyle{Color: sty.Color, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
		rings, err := plotter.NewScatter(lab.XYs)
		if err != nil {
			return err
		}
		rings.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: vg.Points(7), Shape: ringGlyph{}}
		l, err := plotter.NewLabels(lab)
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Color = sty.Color
			l.TextStyle[i].Font.Size = vg.Points(8)
		}
		// Each method's labels on its own side of the rings, so methods that meet do not overprint.
		switch m {
		case train.MethodReference:
			l.Offset = vg.Point{X: vg.Points(8), Y: vg.Points(-12)}
		case train.MethodLagrangian:
			l.Offset = vg.Point{X: vg.Points(-8), Y: vg.Points(4)}
			for i := range l.TextStyle {
				l.TextStyle[i].XAlign = draw.XRight
			}
		default:
			l.Offset = vg.Point{X: vg.Points(8), Y: vg.Points(4)}
		}
		p.Add(line, rings, l)
		meanShown = true
	}
	if ref := res.Reference; ref != nil {
		gap := gapOf(crit, ref.Test)
		sc, err := plotter.NewScatter(plotter.XYs{{X: gap, Y: ref.Test.Accuracy.Mean}})
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(7), Shape: report.StarGlyph{}}
		p.Add(sc)
		p.Legend.Add("backbone", sc)
		points++
	}
	if points == 0 {
		return errors.New("no finished run to plot")
	}
	if meanShown && len(res.Grid.Seeds) > 1 {
		p.X.Label.Text += "; rings: mean over seeds per η"
	}
	// Room around the points so markers and labels stay inside the frame.
	padAxis(&p.X, 0.05)
	padAxis(&p.Y, 0.05)

	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(7*vg.Inch, 5*vg.Inch), vgimg.UseDPI(140))}
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// gapOf is the mean of the criterion's gap.
func gapOf(crit fairness.Criterion, m MetricStats) float64 { return m.Gap(crit).Mean }

// ringGlyph is the outline of a circle, drawn heavier than draw.RingGlyph.
type ringGlyph struct{}

func (ringGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.2)})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

// padAxis widens an axis range by frac of its span on each side (of the value itself when the span is zero).
func padAxis(a *plot.Axis, frac float64) {
	span := a.Max - a.Min
	if span <= 0 {
		span = math.Max(math.Abs(a.Max), 0.01)
	}
	a.Min -= frac * span
	a.Max += frac * span
}

// nearDistance is how close two means must be, per axis, to share one ring and label: 2.5 % of the
// span of all plotted points (about a ring's size).
func nearDistance(res *SweepResult, crit fairness.Criterion) plotter.XY {
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	add := func(x, y float64) {
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	for _, r := range res.Runs {
		if r.OK() {
			add(crit.Gap(*r.Test), r.Test.Accuracy)
		}
	}
	if ref := res.Reference; ref != nil {
		add(gapOf(crit, ref.Test), ref.Test.Accuracy.Mean)
	}
	if minX > maxX {
		return plotter.XY{}
	}
	return plotter.XY{X: 0.025 * (maxX - minX), Y: 0.025 * (maxY - minY)}
}
