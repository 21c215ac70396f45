package ort_test

import (
	"fmt"
	"log"

	ort "github.com/fairbinn/fairbinn-go/ort"
	"github.com/fairbinn/fairbinn-go/tensor"
)

// ExampleRunBatched scores rows of a [N, 3] input in chunks of 100 rows with testdata/relu.onnx. It has no
// checked output because it needs the ONNX Runtime library (see scripts/install-ort.sh).
func ExampleRunBatched() {
	s, err := ort.OpenFile("testdata/relu.onnx", ort.Options{Threads: 1})
	if err != nil {
		log.Fatal(err) // errors.Is(err, ort.ErrRuntimeUnavailable) when the library is missing
	}
	defer s.Close()
	in := tensor.Tensor{Shape: []int64{2, 3}, Data: []float32{-1, 0, 1, 2, -3, 4}}
	out, err := ort.RunBatched(s, in, 100)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Shape, out.Data)
}
