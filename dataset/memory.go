package dataset

import (
	"os"
	"runtime/debug"
)

// garbageBound is about the most garbage BoundGarbage lets pile up between collections.
const garbageBound = 128 << 20

// Bytes returns the memory the splits' rows take: X, and Y, Group and Row.
func (d *Data) Bytes() int64 {
	var n int64
	for _, s := range []*Split{d.Train, d.Val, d.Test} {
		if s != nil {
			n += int64(len(s.X))*4 + int64(s.Rows)*(4+8+8)
		}
	}
	return n
}

// BoundGarbage lowers the garbage collector's GOGC when d is large, for a program whose heap is mostly d
// (fairbinn's commands): with the default GOGC of 100 the heap grows to twice the live data before a
// collection, gigabytes for millions of rows, and BoundGarbage makes that about garbageBound (128 MB) on
// top of them, but at least 10 % of them. The rows hold no pointers, so the more frequent collections cost
// little. It does nothing for data under 128 MB, when GOGC is given in the environment, or when the program
// has set another GOGC than 100.
func BoundGarbage(d *Data) {
	if os.Getenv("GOGC") != "" {
		return
	}
	percent := 100 * garbageBound / max(d.Bytes(), 1)
	if percent >= 100 {
		return
	}
	if old := debug.SetGCPercent(int(max(percent, 10))); old != 100 {
		debug.SetGCPercent(old)
	}
}
