package dataset

import (
	"iter"
	"math/rand/v2"
	"slices"

	"github.com/fairbinn/fairbinn-go/tensor"
)

// Attribute is one sensitive attribute of several: its column and its groups.
type Attribute struct {
	Name   string
	Groups []string
}

// Split is one part of a data set (train, val or test), encoded.
type Split struct {
	// Name is "train", "val" or "test"; File the data file its rows come from.
	Name string
	File string
	// X holds the features row-major: row i is X[i*Cols : (i+1)*Cols].
	X          []float32
	Rows, Cols int
	// Y is the label (0 or 1) and Group the sensitive group id (an index into Data.GroupNames) of each row.
	Y     []float32
	Group []int
	// AttrGroups holds, when the data have several sensitive attributes (Data.Attributes), each row's
	// group of each attribute alone: AttrGroups[a][i] indexes Data.Attributes[a].Groups.
	AttrGroups [][]int
	// Row is each row's 0-based data record index in File, header excluded: the line number minus the
	// header's for files without blank lines or quoted line breaks (what `predict` writes as "row").
	Row []int
	// Unseen counts, per one-hot encoded column, the rows whose category the encoding never saw (they
	// encode to all zeros in that column's features).
	Unseen map[string]int
	// Clipped counts, per min-max scaled column, the cells outside the range the encoding was fitted on:
	// they are scaled to 0 or 1 (what the model saw in training), and the count says how often.
	Clipped map[string]int
	// Inputs, for data read from tensors (npz:FILE), holds every model input's rows, in the model's input
	// order; X is then set only when the model has a single float [rows, width] input.
	Inputs []tensor.Tensor
}

// ModelInputs returns the split's rows as the model's inputs: Inputs, or X as the one input.
func (s *Split) ModelInputs() []tensor.Tensor {
	if s.Inputs != nil {
		return s.Inputs
	}
	return []tensor.Tensor{s.Features(0)}
}

// Len returns the number of rows.
func (s *Split) Len() int { return s.Rows }

// Features returns the features of the first rows rows (every row when rows ≤ 0 or beyond the split) as
// a [rows, Cols] tensor, a view into X: the input a model of the split takes.
func (s *Split) Features(rows int) tensor.Tensor {
	if rows <= 0 || rows > s.Rows {
		rows = s.Rows
	}
	return tensor.Tensor{Shape: []int64{int64(rows), int64(s.Cols)}, Data: s.X[:rows*s.Cols]}
}

// At returns the features of row i (a view into X).
func (s *Split) At(i int) []float32 { return s.X[i*s.Cols : (i+1)*s.Cols : (i+1)*s.Cols] }

// Batch is a set of rows of a split, copied out of it.
type Batch struct {
	// X holds Rows × Cols features, row-major.
	X          []float32
	Rows, Cols int
	Y          []float32
	Group      []int
	AttrGroups [][]int // as Split.AttrGroups
	// Index holds the rows' positions in the split.
	Index []int
}

// Gather copies the rows at the given positions into a batch.
func (s *Split) Gather(index []int) Batch {
	b := Batch{
		X: make([]float32, len(index)*s.Cols), Rows: len(index), Cols: s.Cols,
		Y: make([]float32, len(index)), Group: make([]int, len(index)), Index: append([]int(nil), index...),
	}
	for range s.AttrGroups {
		b.AttrGroups = append(b.AttrGroups, make([]int, len(index)))
	}
	for k, i := range index {
		copy(b.X[k*s.Cols:(k+1)*s.Cols], s.At(i))
		b.Y[k] = s.Y[i]
		b.Group[k] = s.Group[i]
		for a, g := range s.AttrGroups {
			b.AttrGroups[a][k] = g[i]
		}
	}
	return b
}

// Batches yields the split in batches of size rows, the last one possibly shorter. Each time the sequence
// is ranged over, the rows are shuffled by rng (one rng.Perm per pass, so a seeded rng gives the same
// epochs on every run); a nil rng keeps the split's order. A size of 0 or less yields one batch of every
// row. Each batch owns its slices.
func (s *Split) Batches(rng *rand.Rand, size int) iter.Seq[Batch] {
	return func(yield func(Batch) bool) {
		n := s.Rows
		if n == 0 {
			return
		}
		if size <= 0 || size > n {
			size = n
		}
		var order []int
		if rng != nil {
			order = rng.Perm(n)
		} else {
			order = make([]int, n)
			for i := range order {
				order[i] = i
			}
		}
		for start := 0; start < n; start += size {
			if !yield(s.Gather(order[start:min(start+size, n)])) {
				return
			}
		}
	}
}

// NumBatches returns how many batches Batches yields for the given size.
func (s *Split) NumBatches(size int) int {
	if s.Rows == 0 {
		return 0
	}
	if size <= 0 || size > s.Rows {
		return 1
	}
	return (s.Rows + size - 1) / size
}

// MergeGroups puts the rows of the named groups, in every split, into one group called into (appended to
// GroupNames, or the existing group of that name), and renumbers the groups: the others keep their order.
func (d *Data) MergeGroups(names []string, into string) error {
	if len(names) == 0 {
		return nil
	}
	merged := map[string]bool{}
	for _, n := range names {
		if !slices.Contains(d.GroupNames, n) {
			return badOption("group %q to merge is not a group of the data", n)
		}
		merged[n] = true
	}
	var kept []string
	for _, n := range d.GroupNames {
		if !merged[n] && n != into {
			kept = append(kept, n)
		}
	}
	if len(kept) == 0 {
		return badOption("merging %d group(s) into %q leaves a single group", len(names), into)
	}
	newNames := append(kept, into)
	id := make([]int, len(d.GroupNames))
	for old, n := range d.GroupNames {
		if merged[n] || n == into {
			id[old] = len(kept)
		} else {
			id[old] = slices.Index(kept, n)
		}
	}
	for _, s := range []*Split{d.Train, d.Val, d.Test} {
		if s == nil {
			continue
		}
		for i, g := range s.Group {
			s.Group[i] = id[g]
		}
	}
	d.GroupNames = newNames
	return nil
}

// WithoutGroups returns a copy of d whose rows of the named groups are in no group (group id -1): they
// count in the accuracy and the training loss, not in the fairness gaps or losses. The group names and
// ids stay; Ignored lists the names and IgnoredRows their rows per split. d is not changed.
func (d *Data) WithoutGroups(names []string) (*Data, error) {
	if len(names) == 0 {
		return d, nil
	}
	out := *d
	out.Ignored = append(slices.Clone(d.Ignored), names...)
	out.IgnoredRows = map[string]map[string]int{}
	left := map[int]bool{}
	for _, n := range names {
		g := slices.Index(d.GroupNames, n)
		if g < 0 {
			return nil, badOption("group %q to leave out is not a group of the data", n)
		}
		left[g] = true
	}
	for _, sp := range []**Split{&out.Train, &out.Val, &out.Test} {
		if *sp == nil {
			continue
		}
		s := **sp
		s.Group = slices.Clone(s.Group)
		rows := map[string]int{}
		for i, g := range s.Group {
			if left[g] {
				rows[d.GroupNames[g]]++
				s.Group[i] = -1
			}
		}
		out.IgnoredRows[s.Name] = rows
		*sp = &s
	}
	return &out, nil
}
