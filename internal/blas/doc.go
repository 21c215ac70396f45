// Package blas is the float32 BLAS of fairbinn's training loop and kernels: gonum's pure-Go
// implementation with its matrix product, Sgemm, replaced by OpenBLAS's cblas_sgemm when the build has
// cgo (Debian's libopenblas-dev, linked with -lopenblas). Built with CGO_ENABLED=0 it is gonum's
// implementation unchanged, so a pure-Go build works everywhere, about three times slower at training.
// FAIRBINN_BLAS=gonum makes a cgo build use gonum's Sgemm too (to reproduce a pure-Go build's numbers).
//
// Implementation satisfies gorgonia's BLAS interface (gonum's blas.Float32, Float64, Complex64 and
// Complex128). Importing the package points gorgonia and gorgonia.org/tensor at Default (G.Use), so
// every matrix product gorgonia computes in the process runs on it; models imports it, so training and
// the Go forward pass do. Kernels that call Sgemm directly (models' convolutions) can hold an
// Implementation in place of gonum.Implementation.
//
// Results are deterministic: the same call on the same data gives bit-identical results run to run.
// OpenBLAS's results also depend on its thread count (it picks other kernels and blockings for one
// thread than for several), so the package fixes it at one thread, whatever the machine: at the shapes of
// fairbinn's training (a batch of 100 rows, layers of about 100 units) one thread is also the fastest,
// since a product takes tens of microseconds and waking a second thread costs about as much; the Go
// runtime keeps the other cores for its garbage collector. The two backends differ from each other
// in the last bits (their summation orders differ).
package blas
