package blas

import (
	"os"

	G "gorgonia.org/gorgonia"
)

// Default is the implementation gorgonia uses in every program that imports this package.
var Default Implementation

// init points gorgonia and gorgonia.org/tensor at Default and fixes OpenBLAS at one thread (see the
// package documentation). Doing it when the package is loaded, rather than when training starts,
// keeps every product of a process on one BLAS: a forward pass run before training gives bit for bit
// what the same pass gives after it.
func init() {
	selectBackend(os.Getenv(BackendEnv))
	SetThreads(1)
	G.Use(Default)
}

// BackendEnv names the environment variable that, set to "gonum", makes a cgo build compute Sgemm with
// gonum's pure Go, as a CGO_ENABLED=0 build does: the same numbers, bit for bit, slower.
const BackendEnv = "FAIRBINN_BLAS"

// Backend names the implementation of Sgemm: "openblas" (cgo) or "gonum" (pure Go).
func Backend() string { return backend }

// Threads returns the number of threads the backend's Sgemm may use: OpenBLAS's setting, or
// GOMAXPROCS for gonum.
func Threads() int { return threads() }

// SetThreads limits the threads of OpenBLAS's Sgemm (n ≥ 1); it has no effect on the gonum backend,
// whose Sgemm follows GOMAXPROCS.
func SetThreads(n int) {
	if n >= 1 {
		setThreads(n)
	}
}
