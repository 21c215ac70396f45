//go:build !cgo

package blas

import (
	"runtime"

	"gonum.org/v1/gonum/blas/gonum"
)

const backend = "gonum"

// Implementation is gonum's pure-Go BLAS (this build has no cgo, so no OpenBLAS).
type Implementation struct{ gonum.Implementation }

func threads() int { return runtime.GOMAXPROCS(0) }

func setThreads(int) {}

func selectBackend(string) {}
