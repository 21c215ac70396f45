package report

import (
	"fmt"
	"html/template"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

func groupChartsSection(a *Audit) (section, error) {
	s := section{ID: "group-charts", Title: "Group comparison charts", Intro: []string{
		"The per-group rates side by side, the backbone's bar next to the audited model's: bars of the same height across groups mean that the groups are treated alike. An undefined rate has no bar and reads n/a.",
	}}
	var r *SplitResults
	for i := len(a.Results) - 1; i >= 0 && r == nil; i-- {
		if len(a.Results[i].beforeAfter()) > 0 {
			r = &a.Results[i]
		}
	}
	if r == nil {
		s.NA = "Not available: no per-group figures were given."
		return s, nil
	}
	ms := r.beforeAfter()
	names := groupOrder(ms)
	b := block{Heading: splitHeading(r.Split)}
	for _, rc := range []struct {
		title, caption string
		value          func(*fairness.GroupRow) *float64
	}{
		{"Selection rate per group", "Selection rate: the share of the group's rows predicted positive.", func(g *fairness.GroupRow) *float64 { return &g.SelectionRate }},
		{"True positive rate (TPR) per group", "TPR: among the group's rows whose true label is positive, the share predicted positive.", func(g *fairness.GroupRow) *float64 { return g.TPR }},
		{"False positive rate (FPR) per group", "FPR: among the group's rows whose true label is negative, the share predicted positive.", func(g *fairness.GroupRow) *float64 { return g.FPR }},
	} {
		var series []barSeries
		for _, m := range ms {
			sr := barSeries{name: strings.ToLower(m.name), color: colorAfter}
			if m.ev == r.Before {
				sr.color = colorBefore
			}
			for _, name := range names {
				var v *float64
				if g := findGroup(m.ev.Metrics.Groups, name); g != nil {
					v = rc.value(g)
				}
				sr.values = append(sr.values, v)
			}
			series = append(series, sr)
		}
		svg, err := barChart(rc.title+" ("+r.Split+")", "rate", names, series)
		if err != nil {
			return s, err
		}
		b.Figures = append(b.Figures, figure{SVG: svg, Caption: rc.caption})
	}
	s.Blocks = []block{b}
	return s, nil
}

func calibrationSection(a *Audit) (section, error) {
	s := section{ID: "calibration", Title: "Calibration", Intro: []string{
		"A model is calibrated when its predicted probabilities match what happens: among the rows given a probability of 70 %, about 70 % have a positive label. A model can be accurate overall and still be calibrated differently for different groups, so that the same score means different things for them.",
		"ECE (expected calibration error): the rows are put in bins of similar predicted probability, and ECE is the average distance between a bin's mean predicted probability and the share of its rows that are positive, weighted by the bin's rows. 0 is perfect; lower is better.",
	}}
	c := a.Calibration
	if c == nil || (c.Before == nil && c.After == nil) {
		s.NA = "Not available: calibration was not measured."
		return s, nil
	}
	var models []string
	var cals []*fairness.CalibrationReport
	if c.Before != nil {
		models, cals = append(models, "backbone"), append(cals, c.Before)
	}
	if c.After != nil {
		models, cals = append(models, "audited model"), append(cals, c.After)
	}
	t := &table{Head: [][]cell{{label("Group"), {Text: "Rows", Class: "num"}}}}
	for _, m := range models {
		t.Head[0] = append(t.Head[0], cell{Text: "ECE, " + m, Class: "num"})
	}
	if len(models) == 2 {
		t.Head[0] = append(t.Head[0], cell{Text: "Change", Class: "num"})
	}
	// Rows: all rows first, then the groups in the audited model's order.
	names := []string{""}
	seen := map[string]bool{}
	for i := len(cals) - 1; i >= 0; i-- {
		for _, g := range cals[i].Groups {
			if !seen[g.Group] {
				seen[g.Group] = true
				names = append(names, g.Group)
			}
		}
	}
	for _, name := range names {
		var found []*fairness.CalibrationRow
		var some *fairness.CalibrationRow
		for _, cal := range cals {
			r := calibrationRow(cal, name)
			found = append(found, r)
			if r != nil {
				some = r
			}
		}
		if some == nil {
			continue // no rows at all
		}
		title := name
		if name == "" {
			title = "All rows"
		}
		row := []cell{label(title), {Text: fmt.Sprint(some.Rows), Class: "num"}}
		for _, r := range found {
			if r == nil {
				row = append(row, cell{Text: "absent", Class: "missing"})
				continue
			}
			row = append(row, num(r.ECE, nil))
		}
		if len(found) == 2 {
			if found[0] != nil && found[1] != nil {
				row = append(row, cell{Text: signed(found[1].ECE - found[0].ECE), Class: "num"})
			} else {
				row = append(row, cell{Text: "n/a", Class: "num"})
			}
		}
		t.Rows = append(t.Rows, row)
	}
	b := block{Table: t}
	b.Heading = splitHeading(c.Split)
	bins := cals[0].Bins
	b.Notes = append(b.Notes, fmt.Sprintf("%d equal-width bins of predicted probability.", bins))
	for i := len(cals) - 1; i >= 0; i-- {
		title := "Reliability, " + models[i]
		if c.Split != "" {
			title += " (" + c.Split + ")"
		}
		svg, err := reliabilityChart(title, cals[i])
		if err != nil {
			return s, err
		}
		b.Figures = append(b.Figures, figure{SVG: svg, Caption: "Each point is a bin of rows with similar predicted probability: across, their mean predicted probability; up, the share of them that is positive. Points on the dashed diagonal are perfectly calibrated; below it the model is overconfident, above it underconfident."})
	}
	s.Blocks = []block{b}
	return s, nil
}

func calibrationRow(c *fairness.CalibrationReport, name string) *fairness.CalibrationRow {
	if name == "" {
		return c.Overall
	}
	for i := range c.Groups {
		if c.Groups[i].Group == name {
			return &c.Groups[i]
		}
	}
	return nil
}

// reliabilityChart draws each group's reliability curve, all rows' dashed in black, and the diagonal.
func reliabilityChart(title string, c *fairness.CalibrationReport) (template.HTML, error) {
	ch := newChart(title, "mean predicted probability", "observed positive rate")
	ch.p.X.Min, ch.p.X.Max, ch.p.Y.Min, ch.p.Y.Max = 0, 1, 0, 1
	if err := ch.guide(0, 0, 1, 1, colorGuide, "perfect calibration"); err != nil {
		return "", err
	}
	if c.Overall != nil {
		if err := ch.addLine(curveXYs(*c.Overall), color.Black, true, "all rows"); err != nil {
			return "", err
		}
	}
	for i, g := range c.Groups {
		if err := ch.addLine(curveXYs(g), palette[i%len(palette)], false, g.Group); err != nil {
			return "", err
		}
	}
	return ch.svg(chartWidth, squareSide)
}

func curveXYs(r fairness.CalibrationRow) plotter.XYs {
	xys := make(plotter.XYs, len(r.Curve))
	for i, b := range r.Curve {
		xys[i] = plotter.XY{X: b.MeanPredicted, Y: b.ObservedRate}
	}
	return xys
}

func trainingSection(a *Audit) (section, error) {
	s := section{ID: "training", Title: "Training", Intro: []string{
		"How the model changed during fine-tuning, one point per epoch (one pass over the training rows), measured on the validation split. Fine-tuning trades accuracy for fairness; the epoch kept is chosen on these validation figures.",
	}}
	tr := a.Training
	if tr == nil || len(tr.History) == 0 {
		s.NA = "Not available: no training history was given."
		return s, nil
	}
	h := tr.History
	var b block
	switch last := h[len(h)-1].Epoch; {
	case tr.Selected > 0:
		b.Text = []string{fmt.Sprintf("The audited model is the one at the end of epoch %d of %d.", tr.Selected, last)}
	default:
		b.Text = []string{fmt.Sprintf("No epoch of the %d was kept: the audited model is the model before fine-tuning.", last)}
	}
	crit := criterionName(tr.Criterion)
	for _, line := range []struct {
		title, y string
		value    func(train.Epoch) float64
	}{
		{"Validation accuracy per epoch", "accuracy", func(e train.Epoch) float64 { return e.ValAcc }},
		{"Validation " + crit + " difference per epoch", crit + " difference (lower is fairer)", func(e train.Epoch) float64 {
			return tr.Criterion.Gap(fairness.Metrics{DP: e.ValDP, EO: e.ValEO, EOpp: e.ValEOpp})
		}},
	} {
		ch := newChart(line.title, "epoch", line.y)
		var xys plotter.XYs
		for _, e := range h {
			xys = append(xys, plotter.XY{X: float64(e.Epoch), Y: line.value(e)})
		}
		if err := ch.addLine(xys, colorAfter, false, "validation"); err != nil {
			return s, err
		}
		if err := ch.markSelected(h, tr.Selected, line.value); err != nil {
			return s, err
		}
		svg, err := ch.svg(chartWidth, chartHeight)
		if err != nil {
			return s, err
		}
		b.Figures = append(b.Figures, figure{SVG: svg})
	}
	n := 0
	for _, e := range h {
		n = max(n, len(e.ConstraintValues), len(e.Multipliers))
	}
	name := func(k int) string {
		if k < len(tr.Constraints) {
			return tr.Constraints[k].String()
		}
		return fmt.Sprintf("constraint %d", k+1)
	}
	if n > 0 {
		for _, kind := range []struct {
			title, y, caption string
			values            func(train.Epoch) []float64
			limits            bool
		}{
			{"Constraint values per epoch", "value on validation", "Each stated constraint's value after each epoch, with its limit dashed in the same colour: the constraint is met where the line is below its limit.",
				func(e train.Epoch) []float64 { return e.ConstraintValues }, true},
			{"Multipliers per epoch", "multiplier λ", "The weight training gave each constraint after each epoch: it grows while the constraint is not met and shrinks once it is.",
				func(e train.Epoch) []float64 { return e.Multipliers }, false},
		} {
			ch := newChart(kind.title, "epoch", kind.y)
			drawn := false
			for k := range n {
				var xys plotter.XYs
				for _, e := range h {
					if vs := kind.values(e); k < len(vs) {
						xys = append(xys, plotter.XY{X: float64(e.Epoch), Y: vs[k]})
					}
				}
				if len(xys) == 0 {
					continue
				}
				drawn = true
				col := palette[k%len(palette)]
				if err := ch.addLine(xys, col, false, name(k)); err != nil {
					return s, err
				}
				if kind.limits && k < len(tr.Constraints) {
					limit := tr.Constraints[k].Limit
					if err := ch.guide(float64(h[0].Epoch), limit, float64(h[len(h)-1].Epoch), limit, col, "limit of "+name(k)); err != nil {
						return s, err
					}
				}
			}
			if !drawn {
				continue
			}
			svg, err := ch.svg(chartWidth, chartHeight)
			if err != nil {
				return s, err
			}
			b.Figures = append(b.Figures, figure{SVG: svg, Caption: kind.caption})
		}
	}
	s.Blocks = []block{b}
	return s, nil
}

// markSelected rings the selected epoch's point, when it is in the history.
func (c *chart) markSelected(h []train.Epoch, selected int, value func(train.Epoch) float64) error {
	for _, e := range h {
		if e.Epoch == selected && selected > 0 {
			sty := draw.GlyphStyle{Color: color.Black, Radius: vg.Points(5), Shape: draw.RingGlyph{}}
			return c.addPoints(plotter.XYs{{X: float64(e.Epoch), Y: value(e)}}, sty, fmt.Sprintf("kept (epoch %d)", selected))
		}
	}
	return nil
}

func sweepSection(a *Audit) (section, error) {
	s := section{ID: "sweep", Title: "Sweep", Intro: []string{
		"Many training runs with different settings, each drawn at its test accuracy (up) against its test fairness gap (across). Up and to the left is better: more accurate and fairer. The runs along the upper-left edge are the best trade-offs on offer.",
	}}
	sw := a.Sweep
	if sw == nil || (len(sw.Runs) == 0 && sw.Chosen == nil && sw.Baseline == nil && sw.Backbone == nil) {
		s.NA = "Not available: no sweep of training settings was run."
		return s, nil
	}
	crit := criterionName(sw.Criterion)
	ch := newChart("Test accuracy against test "+crit+" difference", "test "+crit+" difference (lower is fairer)", "test accuracy")
	var series []string
	bySeries := map[string]plotter.XYs{}
	for _, r := range sw.Runs {
		name := r.Series
		if name == "" {
			name = "runs"
		}
		if _, ok := bySeries[name]; !ok {
			series = append(series, name)
		}
		bySeries[name] = append(bySeries[name], plotter.XY{X: r.Gap, Y: r.Accuracy})
	}
	for i, name := range series {
		sty := draw.GlyphStyle{Color: sweepPalette[i%len(sweepPalette)], Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		if err := ch.addPoints(bySeries[name], sty, name); err != nil {
			return s, err
		}
	}
	t := &table{Head: [][]cell{{label("Model"), {Text: "Test accuracy", Class: "num"}, {Text: "Test " + crit + " difference", Class: "num"}}}}
	for _, m := range []struct {
		name string
		p    *SweepPoint
		sty  draw.GlyphStyle
	}{
		{"backbone", sw.Backbone, draw.GlyphStyle{Color: colorBefore, Radius: vg.Points(5), Shape: draw.PyramidGlyph{}}},
		{"threshold baseline", sw.Baseline, draw.GlyphStyle{Color: colorBaseline, Radius: vg.Points(4.5), Shape: draw.BoxGlyph{}}},
		{"audited model", sw.Chosen, draw.GlyphStyle{Color: colorAfter, Radius: vg.Points(7), Shape: StarGlyph{}}},
	} {
		if m.p == nil {
			continue
		}
		if err := ch.addPoints(plotter.XYs{{X: m.p.Gap, Y: m.p.Accuracy}}, m.sty, m.name); err != nil {
			return s, err
		}
		name := titleCase(m.name)
		if m.p.Label != "" {
			name += " (" + m.p.Label + ")"
		}
		t.Rows = append(t.Rows, []cell{label(name), num(m.p.Accuracy, nil), num(m.p.Gap, nil)})
	}
	padAxis(&ch.p.X.Min, &ch.p.X.Max)
	padAxis(&ch.p.Y.Min, &ch.p.Y.Max)
	svg, err := ch.svg(chartWidth, squareSide)
	if err != nil {
		return s, err
	}
	b := block{
		Text:    []string{fmt.Sprintf("%d run(s) in %d series.", len(sw.Runs), len(series))},
		Figures: []figure{{SVG: svg, Caption: "Circles: the runs, one colour per series. Star: the audited model. Square: per-group thresholds on the backbone. Triangle: the backbone."}},
	}
	if len(t.Rows) > 0 {
		b.Table = t
	}
	s.Blocks = []block{b}
	return s, nil
}

// sweepPalette colours the sweep's series apart from the colours of the three marked models.
var sweepPalette = []color.Color{
	color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
	color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
	color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
	color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff},
	color.RGBA{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff},
}

// padAxis widens an axis range by 5 % of its span on each side, so that markers stay inside the frame.
func padAxis(lo, hi *float64) {
	span := *hi - *lo
	if span <= 0 || math.IsInf(span, 0) || math.IsNaN(span) {
		return
	}
	*lo -= 0.05 * span
	*hi += 0.05 * span
}

// StarGlyph is a filled five-pointed star: the mark of the model a chart is about (the audited model in
// the report, the backbone in a sweep's Pareto chart).
type StarGlyph struct{}

// DrawGlyph draws the star at pt.
func (StarGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	for i := range 10 {
		r := sty.Radius
		if i%2 == 1 {
			r *= 0.42
		}
		angle := math.Pi/2 + float64(i)*math.Pi/5
		q := vg.Point{X: pt.X + r*vg.Length(math.Cos(angle)), Y: pt.Y + r*vg.Length(math.Sin(angle))}
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
