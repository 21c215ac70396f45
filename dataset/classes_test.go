package dataset

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A K-class label: each row's label is the index of its value among the classes, the splits are
// stratified by group × class, and the fitted encoding records the classes (and reads them back).
func TestCSVClasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 0))
	var b strings.Builder
	b.WriteString("age,sex,grade\n")
	grades := []string{"low", "mid", "high"}
	count := map[string]int{}
	for range 600 {
		g := grades[rng.IntN(3)]
		count[g]++
		fmt.Fprintf(&b, "%d,%s,%s\n", 20+rng.IntN(40), []string{"F", "M"}[rng.IntN(2)], g)
	}
	path := writeFile(t, "grades.csv", b.String())
	d, err := Load("csv:"+path, Options{Label: "grade", Classes: grades, Sensitive: []string{"sex"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[float32]int{}
	for _, s := range []*Split{d.Train, d.Val, d.Test} {
		for _, y := range s.Y {
			seen[y]++
		}
	}
	for c, g := range grades {
		if seen[float32(c)] != count[g] {
			t.Errorf("class %d (%s): %d rows, the file has %d", c, g, seen[float32(c)], count[g])
		}
	}
	if !slices.Equal(d.Encoding.Label.Classes, grades) || len(d.Encoding.Label.Positive) != 0 {
		t.Errorf("encoding label %+v", d.Encoding.Label)
	}
	raw, err := d.Encoding.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseEncoding("spec", raw)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Label.Classes, grades) {
		t.Errorf("read back: classes %q", back.Label.Classes)
	}
	// The stored encoding gives the classes to a later load.
	again, err := Load("csv:"+path, Options{Encoding: back, Seed: 1})
	if err != nil || !slices.Equal(again.Test.Y, d.Test.Y) {
		t.Fatalf("load with the stored encoding: %v", err)
	}

	// A value that is none of the classes is named with its line and column; one class is refused.
	bad := writeFile(t, "bad.csv", "age,sex,grade\n30,F,low\n31,M,top\n")
	_, err = Load("csv:"+bad, Options{Label: "grade", Classes: grades, Sensitive: []string{"sex"}})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 3 || ie.Col != 6 || !strings.Contains(err.Error(), `label "top" is none of the classes`) {
		t.Errorf("unknown class: %v", err)
	}
	one := writeFile(t, "one.csv", "age,sex,grade\n30,F,low\n31,M,low\n32,F,low\n")
	if _, err := Load("csv:"+one, Options{Label: "grade", Classes: grades, Sensitive: []string{"sex"}}); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: %v", err)
	}
	if _, err := Load("csv:"+path, Options{Label: "grade", Classes: grades, Positive: []string{"high"}, Sensitive: []string{"sex"}}); !errors.Is(err, ErrBadInput) {
		t.Errorf("classes and positive values together: %v", err)
	}
}
