package fairbinn_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/fairbinn/fairbinn-go"
)

// Example is what `fairbinn train` does on the shipped Adult backbone and data, with the default
// settings: insert a fairness layer at position 2, fine-tune, check in onnxruntime, write the model.
func Example() {
	backbone, err := fairbinn.Load("testdata/models/adult_mlp/model.onnx")
	if err != nil {
		log.Fatal(err)
	}
	data, err := fairbinn.LoadData(backbone, fairbinn.DataOptions{Spec: "adult:testdata/adult", Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	out := filepath.Join(os.TempDir(), "adult_fair.onnx")
	res, err := fairbinn.FineTune(context.Background(), backbone, data, fairbinn.Options{Position: "2", Out: out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test accuracy %.4f, DP difference %.4f\n", res.Report.After.Test.Accuracy, res.Report.After.Test.DP)
	// Output: test accuracy 0.8278, DP difference 0.0074
}
