// Package spill holds float32 arrays too large to keep in memory in memory-mapped temporary files: the
// pages are the file's, so the kernel reads them in as they are used and drops them under pressure,
// instead of the process holding every value. The file is unlinked as soon as it is mapped, so nothing is
// left behind however the process ends.
package spill
