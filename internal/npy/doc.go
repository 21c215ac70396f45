// Package npy reads and writes NumPy .npy files holding float32 tensors, the format of fairbinn's
// `predict --input X.npy` and of its outputs.
//
// It is built on codeberg.org/sbinet/npyio for the header and element decoding and adds what a command-line
// tool needs around it: the whole file is checked before any data is trusted (dtype, memory order, and a
// data size that matches the shape exactly, so truncated or padded files are rejected), errors name the file,
// and writes are atomic.
//
// Read accepts float32 ('<f4', and big-endian '>f4') in C order. float64 files ('<f8', '>f8'), which numpy
// produces by default, are converted to float32; values beyond float32's range are an error rather than a
// silent infinity. Other dtypes and Fortran-ordered arrays are rejected. NaN and infinities are read as they
// are: whether they are acceptable is the caller's decision.
package npy
