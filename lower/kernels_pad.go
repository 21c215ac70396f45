package lower

// padGeom is the geometry of Pad over a tensor of any rank. Pads may be negative (cropping).
type padGeom struct {
	mode       string // constant, edge, reflect or wrap
	in, out    []int
	padB, padE []int
}

// source returns the input index along axis a that output index o reads, or -1 for the constant.
func (g *padGeom) source(a, o int) int {
	i, n := o-g.padB[a], g.in[a]
	if i >= 0 && i < n {
		return i
	}
	switch g.mode {
	case "edge":
		return min(max(i, 0), n-1)
	case "reflect":
		// Checked by the lowering: pads are below n, so one reflection suffices.
		if i < 0 {
			return -i
		}
		return 2*(n-1) - i
	case "wrap":
		return ((i % n) + n) % n
	}
	return -1
}

// forEach calls f with every output's flat index and the flat input index it reads (-1 for the constant).
func (g *padGeom) forEach(f func(o, i int)) {
	rank := len(g.out)
	if rank == 0 {
		f(0, 0)
		return
	}
	// src[a][o] is the input index along axis a for output index o, computed once per axis.
	src := make([][]int, rank)
	for a := range rank {
		src[a] = make([]int, g.out[a])
		for o := range src[a] {
			src[a][o] = g.source(a, o)
		}
	}
	stride := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		stride[a] = s
		s *= g.in[a]
	}
	total := 1
	for _, d := range g.out {
		total *= d
	}
	idx := make([]int, rank)
	for o := 0; o < total; o++ {
		in := 0
		for a, j := range idx {
			v := src[a][j]
			if v < 0 {
				in = -1
				break
			}
			in += v * stride[a]
		}
		f(o, in)
		for a := rank - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < g.out[a] {
				break
			}
			idx[a] = 0
		}
	}
}

func padForward(g *padGeom, x []float32, value float32, y []float32) {
	g.forEach(func(o, i int) {
		if i < 0 {
			y[o] = value
		} else {
			y[o] = x[i]
		}
	})
}

// padGradInput sums dy back onto the input elements each output read.
func padGradInput(g *padGeom, dy, dx []float32) {
	acc := make([]float64, len(dx))
	g.forEach(func(o, i int) {
		if i >= 0 {
			acc[i] += float64(dy[o])
		}
	})
	for i, v := range acc {
		dx[i] = float32(v)
	}
}

// padGradValue sums dy over the outputs that hold the constant.
func padGradValue(g *padGeom, dy []float32) float32 {
	s := 0.0
	g.forEach(func(o, i int) {
		if i < 0 {
			s += float64(dy[o])
		}
	})
	return float32(s)
}
