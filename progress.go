package fairbinn

import (
	"fmt"
	"io"
	"strings"

	"github.com/fairbinn/fairbinn-go/train"
)

// Progress prints one line per epoch of a fine-tuning run, redrawn in place with a bar on a terminal: an
// Options.OnEpoch hook.
type Progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	drew  bool
	// Config names what the lines show: the gap of its criterion, and each of its constraints' values.
	Config train.Config
}

// NewProgress prints to w; tty draws a bar redrawn in place, quiet prints nothing.
func NewProgress(w io.Writer, tty, quiet bool) *Progress {
	return &Progress{w: w, tty: tty, quiet: quiet}
}

// Epoch prints the line of one epoch.
func (p *Progress) Epoch(e train.Epoch, total int) error {
	if p.quiet {
		return nil
	}
	crit := p.Config.Fairness
	line := fmt.Sprintf("epoch %d/%d  loss %.4f  fair %.5f  val acc %.4f  val %s %.4f",
		e.Epoch, total, e.AccLoss, e.FairLoss, e.ValAcc, crit.Label(), e.ValGap(crit))
	for i, c := range p.Config.Constraints.List() {
		if i < len(e.ConstraintValues) {
			line += fmt.Sprintf("  %s: %.4f", c, e.ConstraintValues[i])
		}
	}
	line += fmt.Sprintf("  %.0f rows/s", e.RowsPerS)
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return nil
	}
	const width = 20
	filled := width * e.Epoch / max(total, 1)
	bar := strings.Repeat("█", filled) + strings.Repeat("·", width-filled)
	fmt.Fprintf(p.w, "\r\033[K[%s] %s", bar, line)
	p.drew = true
	return nil
}

// Done ends the bar.
func (p *Progress) Done() {
	if p.drew {
		fmt.Fprintln(p.w)
	}
}
