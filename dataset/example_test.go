package dataset_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/fairbinn/fairbinn-go/dataset"
)

func ExampleLoad() {
	d, err := dataset.Load("csv:testdata/small_train.csv", dataset.Options{
		Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, ValFrac: -1, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.FeatureNames, d.GroupNames)
	for i := range d.Train.Rows {
		fmt.Println(d.Train.Row[i], d.Train.At(i), d.Train.Y[i], d.GroupNames[d.Train.Group[i]])
	}
	spec, _ := d.Encoding.Marshal()
	fmt.Println(string(spec))
	// Output:
	// [age sex_F sex_M] [F M]
	// 0 [0 1 0] 1 F
	// 1 [0.5 0 1] 0 M
	// 2 [1 1 0] 0 F
	// 3 [0.25 0 1] 1 M
	// {"version":1,"source":"csv","label":{"column":"income","positive":["yes"]},"sensitive":["sex"],"missing":"","drop":[],"features":[{"name":"age","column":"age","kind":"numeric","min":30,"max":50},{"name":"sex_F","column":"sex","kind":"onehot","value":"F"},{"name":"sex_M","column":"sex","kind":"onehot","value":"M"}]}
}

func ExampleSplit_Batches() {
	d, err := dataset.Load("csv:testdata/small_train.csv", dataset.Options{
		Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, ValFrac: -1, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for epoch := range 2 {
		for b := range d.Train.Batches(rng, 3) {
			fmt.Println(epoch, b.Rows, b.Index)
		}
	}
	// Output:
	// 0 3 [2 3 1]
	// 0 1 [0]
	// 1 3 [1 3 0]
	// 1 1 [2]
}
