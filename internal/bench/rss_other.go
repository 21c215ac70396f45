//go:build !linux

package bench

import "os"

// peakRSSMB is 0 (unknown) where the rusage units differ from Linux's.
func peakRSSMB(*os.ProcessState) float64 { return 0 }

// SelfPeakRSSMB is 0 (unknown) where the rusage units differ from Linux's.
func SelfPeakRSSMB() float64 { return 0 }
