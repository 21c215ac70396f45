package npy_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/fairbinn/fairbinn-go/internal/npy"
	"github.com/fairbinn/fairbinn-go/tensor"
)

func ExampleRead() {
	a, err := npy.Read("testdata/f4_2x3.npy") // written by numpy: np.save(..., float32 array)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Shape, a.Data)
	// Output: [2 3] [-1 -0.5 0 0.5 1 1.5]
}

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "npy")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pred.npy")
	if err := npy.Write(path, tensor.Tensor{Shape: []int64{2, 1}, Data: []float32{0.25, 0.75}}); err != nil {
		log.Fatal(err)
	}
	a, err := npy.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Shape, a.Data)
	// Output: [2 1] [0.25 0.75]
}
