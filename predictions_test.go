package fairbinn

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fairbinn/fairbinn-go/dataset"
)

// A K-class model's predictions give each class's probability and the most probable class, by its label
// value when the classes are named (quoted when the value needs it), else by its index; a binary model's
// the probability and 0/1.
func TestWritePredictions(t *testing.T) {
	s := &dataset.Split{Rows: 2, Row: []int{4, 9}}
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		prob    []float32
		classes []string
		want    string
	}{
		{"binary", []float32{0.25, 0.5}, nil, "row,prob,pred\n4,0.25,0\n9,0.5,1\n"},
		{"classes by index", []float32{0.5, 0.25, 0.25, 0.125, 0.125, 0.75}, nil, "row,prob_0,prob_1,prob_2,pred\n4,0.5,0.25,0.25,0\n9,0.125,0.125,0.75,2\n"},
		{"classes by name", []float32{0.5, 0.25, 0.25, 0.125, 0.125, 0.75}, []string{"low", "mid", "high, top"}, "row,prob_0,prob_1,prob_2,pred\n4,0.5,0.25,0.25,low\n9,0.125,0.125,0.75,\"high, top\"\n"},
	} {
		path := filepath.Join(dir, tc.name+".csv")
		if err := WritePredictions(path, s, tc.prob, tc.classes); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}
