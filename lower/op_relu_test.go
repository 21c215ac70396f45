package lower

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// reluGraph builds loss = Σ relu(x) ⊙ r with the Relu kernel or gorgonia's Rectify, x holding signed
// zeros, infinities and NaN among normal values, and returns a machine computing it with its gradient
// with respect to x, the Relu output's value and the gradient node.
func reluGraph(tb testing.TB, kernel bool, shape ...int) (G.VM, *G.Value, *G.Node) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	g := G.NewGraph()
	n := shapeSize(shape)
	xs, rs := make([]float32, n), make([]float32, n)
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), -1e-40}
	for i := range xs {
		xs[i], rs[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		if i < len(specials) {
			xs[i] = specials[i]
		}
	}
	x := G.NewTensor(g, tensor.Float32, len(shape), G.WithName("x"), G.WithShape(shape...), G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs))))
	r := G.NewTensor(g, tensor.Float32, len(shape), G.WithName("r"), G.WithShape(shape...), G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(rs))))
	var y *G.Node
	var err error
	if kernel {
		y, err = reluNode(x)
	} else {
		y, err = G.Rectify(x)
	}
	if err != nil {
		tb.Fatal(err)
	}
	yv := new(G.Value)
	G.Read(y, yv)
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	gs, err := G.Grad(loss, x)
	if err != nil {
		tb.Fatal(err)
	}
	return G.NewTapeMachine(g), yv, gs[0]
}

// The Relu kernel computes Rectify's x ⊙ (x ≥ 0) and its gradient bit for bit, specials included.
func TestReluNodeMatchesRectify(t *testing.T) {
	for _, shape := range [][]int{{1}, {7}, {100, 101}, {2, 3, 5}} {
		var ys, gs [2][]float32
		for i, kernel := range []bool{false, true} {
			vm, yv, gn := reluGraph(t, kernel, shape...)
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			ys[i] = append([]float32(nil), (*yv).Data().([]float32)...)
			gs[i] = append([]float32(nil), gn.Value().Data().([]float32)...)
			vm.Close()
		}
		for _, c := range []struct {
			what      string
			got, want []float32
		}{{"relu", ys[1], ys[0]}, {"gradient", gs[1], gs[0]}} {
			for i := range c.want {
				g, w := c.got[i], c.want[i]
				if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
					t.Fatalf("shape %v: %s[%d] = %v, Rectify %v", shape, c.what, i, g, w)
				}
			}
		}
	}
}

// BenchmarkReluLayer times Relu forward and backward on the Adult step's [100, 101] activations, op by
// op: gorgonia's Rectify (x ≥ 0 into a mask, x ⊙ mask, and mask ⊙ dy for the gradient) against the kernel
// (computing into fresh memory as Do does, and into the previous run's as the training plan does), in the
// same run.
func BenchmarkReluLayer(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	shape := []int{100, 101}
	xs, dys := make([]float32, shapeSize(shape)), make([]float32, shapeSize(shape))
	for i := range xs {
		xs[i], dys[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 2, G.WithName("x"), G.WithShape(shape...))
	xv, dyv := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(shape...), tensor.WithBacking(dys))
	do := func(b *testing.B, op G.Op, in ...G.Value) G.Value {
		v, err := op.Do(in...)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	b.Run("rectify", func(b *testing.B) {
		y := G.Must(G.Rectify(x))
		it := g.From(y.ID())
		var kids []*G.Node
		for it.Next() {
			kids = append(kids, it.Node().(*G.Node))
		}
		mask := kids[1]
		it = g.From(mask.ID())
		it.Next()
		it.Next()
		zero := it.Node().(*G.Node).Value()
		b.ReportAllocs()
		for b.Loop() {
			m := do(b, mask.Op(), xv, zero)
			do(b, y.Op(), xv, m)
			do(b, y.Op(), m, dyv)
		}
	})
	k := G.Must(reluNode(x)).Op().(*kernelOp)
	kg := k.grad(0)
	b.Run("kernel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			do(b, k, xv)
			do(b, kg, xv, dyv)
		}
	})
	b.Run("kernel_prealloc", func(b *testing.B) {
		y, dx := do(b, k, xv), do(b, kg, xv, dyv)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.UsePreallocDo(y, xv); err != nil {
				b.Fatal(err)
			}
			if _, err := kg.UsePreallocDo(dx, xv, dyv); err != nil {
				b.Fatal(err)
			}
		}
	})
}
