package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/fairbinn/fairbinn-go/train"
)

// progress prints one line per epoch, redrawn in place with a bar on a terminal.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	drew  bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) epoch(e train.Epoch, total int) error {
	if p.quiet {
		return nil
	}
	line := fmt.Sprintf("epoch %d/%d  loss %.4f  fair %.5f  val acc %.4f  val dp %.4f  %.0f rows/s",
		e.Epoch, total, e.AccLoss, e.FairLoss, e.ValAcc, e.ValDP, e.RowsPerS)
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

func (p *progress) done() {
	if p.drew {
		fmt.Fprintln(p.w)
	}
}
