package main

import (
	"io"
	"os"

	"golang.org/x/term"

	"github.com/fairbinn/fairbinn-go"
)

// newProgress prints training progress on w, with a bar when w is a terminal.
func newProgress(w io.Writer, quiet bool) *fairbinn.Progress {
	f, ok := w.(*os.File)
	return fairbinn.NewProgress(w, ok && term.IsTerminal(int(f.Fd())), quiet)
}
