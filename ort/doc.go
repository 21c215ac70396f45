// Package ort runs ONNX models with ONNX Runtime (through github.com/yalue/onnxruntime_go) so that the
// toolkit can show that onnxruntime gives the same predictions as its own Go forward pass.
//
// It is the only package that imports onnxruntime_go, and its exported API uses Go types only: tensors are
// float32 slices with int64 shapes, and no cgo type leaks out. ONNX Runtime is a shared library that no Go
// module ships; LibraryPath finds it (ONNXRUNTIME_LIB, or the .deps/onnxruntime folder that
// scripts/install-ort.sh fills), and Init loads it once per process. Open calls Init itself.
//
// Builds without cgo still compile: Init and Open then return ErrRuntimeUnavailable, so the rest of the
// toolkit (training, the Go forward pass) works where the library cannot be loaded.
//
// The package name shadows the standard library's runtime; import it under another name where both are
// needed, for example ortrt "github.com/fairbinn/fairbinn-go/ort".
package ort
