package dataset

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

// wideCSV writes a seeded CSV of n rows that encodes to many features, as Adult does: two numeric columns,
// a 40-value and a 16-value categorical column, sex, and a label.
func wideCSV(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wide.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(7, 0))
	fmt.Fprintln(w, "age,country,job,hours,sex,income")
	for range n {
		fmt.Fprintf(w, "%d,c%02d,job%d,%d,%s,%s\n", 17+rng.IntN(70), rng.IntN(40), rng.IntN(16), 1+rng.IntN(98),
			[]string{"F", "M"}[rng.IntN(2)], []string{"no", "yes"}[rng.IntN(2)])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakHeap runs f and returns the most heap it had allocated above what was allocated before, sampled
// every millisecond (a lower bound of the true peak).
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak - base
}

// A 200,000-row file loads, encoding fitted, and is scored with the heap never much above the encoded
// rows: the text is streamed through each pass, not held (holding the records took twice the encoded rows).
func TestLoadLargeCSVBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and loads a 200,000-row file")
	}
	path := wideCSV(t, 200_000)
	defer debug.SetGCPercent(debug.SetGCPercent(10)) // keep garbage out of the measurement
	var d *Data
	var err error
	peak := peakHeap(func() {
		d, err = Load("csv:"+path, Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, Seed: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	var encoded uint64
	for _, s := range []*Split{d.Train, d.Val, d.Test} {
		encoded += uint64(len(s.X)) * 4
	}
	if d.Train.Cols != 60 || d.Train.Rows+d.Val.Rows+d.Test.Rows != 200_000 {
		t.Fatalf("%d features, %d rows", d.Train.Cols, d.Train.Rows+d.Val.Rows+d.Test.Rows)
	}
	t.Logf("peak heap %.1f MB for %.1f MB of encoded rows (%.2fx)", float64(peak)/1e6, float64(encoded)/1e6, float64(peak)/float64(encoded))
	if float64(peak) > 1.5*float64(encoded) {
		t.Errorf("loading took up to %.1f MB of heap for %.1f MB of encoded rows (%.2fx; want at most 1.5x)",
			float64(peak)/1e6, float64(encoded)/1e6, float64(peak)/float64(encoded))
	}

	var sc *Scored
	peak = peakHeap(func() { sc, err = ScoreFile("csv:"+path, d.Encoding, false) })
	if err != nil {
		t.Fatal(err)
	}
	encoded = uint64(len(sc.X)) * 4
	if sc.Rows != 200_000 || float64(peak) > 1.5*float64(encoded) {
		t.Errorf("scoring %d rows took up to %.1f MB of heap for %.1f MB of encoded rows (%.2fx; want at most 1.5x)",
			sc.Rows, float64(peak)/1e6, float64(encoded)/1e6, float64(peak)/float64(encoded))
	}
}

// A categorical column with more distinct values than a fitting pass keeps is read again for its
// categories: the encoding is the one fitted without the bound.
func TestFitManyCategories(t *testing.T) {
	path := wideCSV(t, 3000)
	opts := Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, Seed: 1}
	want, err := Load("csv:"+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { maxCategories = n }(maxCategories)
	maxCategories = 5 // country and job have more
	got, err := Load("csv:"+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := want.Encoding.Marshal()
	b, _ := got.Encoding.Marshal()
	if string(a) != string(b) || !slices.Equal(want.Train.X, got.Train.X) {
		t.Errorf("encoding with 5 categories kept per pass:\n%s\nwant\n%s", b, a)
	}
}

// The splits of one file are encoded in one pass, but the error reported is still the training split's
// when both it and the test split have a bad row, whichever comes first in the file.
func TestEncodeErrorOrder(t *testing.T) {
	clean := people(t, 300, 3)
	opts := Options{Label: "income", Positive: []string{"yes"}, Sensitive: []string{"sex"}, Drop: []string{"id"}, Seed: 1}
	d, err := Load("csv:"+clean, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The first test record, and a training record after it, get a non-numeric age.
	testRec := slices.Min(d.Test.Row)
	trainRec := -1
	for _, r := range d.Train.Row {
		if r > testRec {
			trainRec = r
			break
		}
	}
	if trainRec < 0 {
		t.Fatal("no training record after the first test record")
	}
	data, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, r := range []int{testRec, trainRec} {
		f := strings.Split(lines[r+1], ",")
		f[1] = "old"
		lines[r+1] = strings.Join(f, ",")
	}
	dirty := writeFile(t, "dirty.csv", strings.Join(lines, "\n"))
	opts.Encoding = d.Encoding
	_, err = Load("csv:"+dirty, opts)
	want := fmt.Sprintf("%s:%d:", dirty, trainRec+2)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want one at the training record (%s...)", err, want)
	}
}
