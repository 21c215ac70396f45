package bilevel

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"

	"github.com/fairbinn/fairbinn-go/dataset"
	"github.com/fairbinn/fairbinn-go/importer"
	"github.com/fairbinn/fairbinn-go/models"
)

func TestZZTraj(t *testing.T) {
	G.Use(gonum.Implementation{})
	g, _ := importer.ReadFile("../testdata/models/adult_mlp/model.onnx", importer.Options{})
	positions, _ := models.Positions(g)
	pos, _ := models.FindPosition(positions, "2")
	models.Insert(g, pos, models.InsertOptions{Layers: 1, Seed: 1})
	_ = os.Getenv
	data, err := dataset.Load("adult:"+filepath.Join("/work/shared/data/adult"), dataset.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig(MethodBilevel)
	tr, err := NewTrainer(g, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(tr.pcg)
	i := 0
	for b := range tr.data.Train.Batches(rng, 100) {
		acc, fair, err := tr.step(b)
		if err != nil {
			t.Fatal(err)
		}
		if i < 3 || i%60 == 0 {
			fmt.Printf("batch %d acc %.10f fair %.10f\n", i, acc, fair)
		}
		i++
		if i > 241 {
			break
		}
	}
}
