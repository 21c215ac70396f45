//go:build linux

package bench

import (
	"os"
	"syscall"
)

// peakRSSMB returns a finished child's peak resident set size in MiB (Linux reports KiB).
func peakRSSMB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}

// SelfPeakRSSMB returns this process's peak resident set size so far in MiB.
func SelfPeakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
