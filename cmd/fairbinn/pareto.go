package main

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/fairbinn/fairbinn-go/bilevel"
	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/internal/fsutil"
)

// methodStyle gives each method a fixed colour and marker, the same in every sweep.
func methodStyle(method string) draw.GlyphStyle {
	sty := draw.GlyphStyle{Radius: vg.Points(3.5)}
	switch method {
	case bilevel.MethodBilevel:
		sty.Color, sty.Shape = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, draw.CircleGlyph{}
	case bilevel.MethodReference:
		sty.Color, sty.Shape = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, draw.PyramidGlyph{}
	case bilevel.MethodLagrangian:
		sty.Color, sty.Shape = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, draw.BoxGlyph{}
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

// starGlyph is a filled five-pointed star: the backbone's reference point.
type starGlyph struct{}

func (starGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	for i := range 10 {
		r := sty.Radius
		if i%2 == 1 {
			r *= 0.42
		}
		a := math.Pi/2 + float64(i)*math.Pi/5
		q := vg.Point{X: pt.X + r*vg.Length(math.Cos(a)), Y: pt.Y + r*vg.Length(math.Sin(a))}
		if i == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	c.SetColor(sty.Color)
	c.Fill(p)
}

// paretoTitle names the data set and the criterion: "Adult: test accuracy vs DP (validation-selected)".
func paretoTitle(res *sweepResult) string {
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
	if res.BaseConfig.Select == "last" || res.BaseConfig.Select == "" {
		how = "last epoch"
	}
	return fmt.Sprintf("%s: test accuracy vs %s (%s)", name, criterionName(res), how)
}

// criterionName is the fairness gap on the x axis: the one the sweep trained for.
func criterionName(res *sweepResult) string {
	switch res.BaseConfig.FairnessStr {
	case "eo":
		return "EO"
	case "eopp":
		return "EOpp"
	}
	return "DP"
}

// writePareto draws test accuracy against the test fairness gap of every finished run (the model the
// selection rule picked), one colour and marker per method, each (method, η) mean labelled with its η,
// and the backbone as a black star; it is rendered in memory and written atomically.
func writePareto(path string, res *sweepResult) error {
	crit, err := fairness.ParseCriterion(res.BaseConfig.FairnessStr)
	if err != nil {
		crit = fairness.DP
	}
	p := plot.New()
	p.Title.Text = paretoTitle(res)
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = "test " + criterionName(res) + " difference (lower is fairer)"
	p.Y.Label.Text = "test accuracy"
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.Padding = vg.Points(2)

	points := 0
	for _, m := range res.Grid.Methods {
		var xys plotter.XYs
		for _, r := range res.Runs {
			if r.Method == m && r.ok() {
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
		p.Legend.Add(m, sc)
		points += len(xys)

		if m == bilevel.MethodERM || len(res.Grid.Etas) < 2 {
			continue // one η: nothing to tell apart
		}
		var lab plotter.XYLabels
		for _, s := range res.Summary {
			if s.Method != m || s.Runs == 0 {
				continue
			}
			gap := s.Test.DP.Mean
			switch crit {
			case fairness.EO:
				gap = s.Test.EO.Mean
			case fairness.EOpp:
				gap = s.Test.EOpp.Mean
			}
			lab.XYs = append(lab.XYs, plotter.XY{X: gap, Y: s.Test.Accuracy.Mean})
			lab.Labels = append(lab.Labels, "η="+formatEta(s.Eta))
		}
		if len(lab.XYs) > 0 {
			l, err := plotter.NewLabels(lab)
			if err != nil {
				return err
			}
			for i := range l.TextStyle {
				l.TextStyle[i].Color = methodStyle(m).Color
				l.TextStyle[i].Font.Size = vg.Points(8)
			}
			l.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(3)}
			p.Add(l)
		}
	}
	if ref := res.Reference; ref != nil {
		gap := ref.Test.DP.Mean
		switch crit {
		case fairness.EO:
			gap = ref.Test.EO.Mean
		case fairness.EOpp:
			gap = ref.Test.EOpp.Mean
		}
		sc, err := plotter.NewScatter(plotter.XYs{{X: gap, Y: ref.Test.Accuracy.Mean}})
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(7), Shape: starGlyph{}}
		p.Add(sc)
		p.Legend.Add("backbone", sc)
		points++
	}
	if points == 0 {
		return errors.New("no finished run to plot")
	}

	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(7*vg.Inch, 5*vg.Inch), vgimg.UseDPI(140))}
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644)
}
