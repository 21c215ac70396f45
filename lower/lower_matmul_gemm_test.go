package lower

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gemmGraph builds loss = Σ (op(A)·op(B) + C) ⊙ R and its gradients with respect to A, B and C,
// either as one gemmNode or as the general graph (matMulTrans, then a broadcast addition), runs it once
// and returns Y and the gradients.
func gemmGraph(t testing.TB, fused, transA, transB bool, m, k, n int, cShape []int, seed uint64) (y []float32, grads [][]float32) {
	t.Helper()
	vm, yv, gs := buildGemmGraph(t, fused, transA, transB, m, k, n, cShape, seed)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	y = append([]float32(nil), (*yv).Data().([]float32)...)
	for _, gn := range gs {
		grads = append(grads, append([]float32(nil), gn.Value().Data().([]float32)...))
	}
	return y, grads
}

func buildGemmGraph(t testing.TB, fused, transA, transB bool, m, k, n int, cShape []int, seed uint64) (G.VM, *G.Value, G.Nodes) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	g := G.NewGraph()
	param := func(name string, shape ...int) *G.Node {
		data := make([]float32, shapeSize(shape))
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		v := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithName(name), G.WithShape(shape...), G.WithValue(v))
	}
	sa, sb := []int{m, k}, []int{k, n}
	if transA {
		sa = []int{k, m}
	}
	if transB {
		sb = []int{n, k}
	}
	a, b := param("a", sa...), param("b", sb...)
	wrt := G.Nodes{a, b}
	var c *G.Node
	if cShape != nil {
		c = param("c", cShape...)
		wrt = append(wrt, c)
	}
	r := param("r", m, n)
	var out *G.Node
	var err error
	if fused {
		var ok bool
		if out, ok, err = gemmNode(a, b, c, transA, transB, m, k, n); err == nil && !ok {
			t.Fatalf("C of shape %v was not fused", cShape)
		}
	} else if out, err = matMulTrans(a, b, transA, transB, m, n); err == nil && c != nil {
		out, err = broadcastNodes(binAdd, out, c)
	}
	if err != nil {
		t.Fatal(err)
	}
	yv := new(G.Value)
	G.Read(out, yv)
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(out, r))))
	gs, err := G.Grad(loss, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	return G.NewTapeMachine(g), yv, gs
}

// The fused Gemm computes exactly what the general graph computes, bit for bit, forward and backward,
// for every transpose combination and every C it takes: the same BLAS calls on the same operands.
func TestGemmNodeMatchesGeneralGraph(t *testing.T) {
	for _, dims := range [][3]int{{7, 5, 3}, {100, 101, 37}, {100, 101, 101}, {100, 1, 101}} {
		testGemmNodeMatches(t, dims[0], dims[1], dims[2])
	}
}

func testGemmNodeMatches(t *testing.T, m, k, n int) {
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, cs := range [][]int{nil, {n}, {1, n}, {m, n}} {
				name := fmt.Sprintf("%dx%dx%d,transA=%t,transB=%t,C=%v", m, k, n, tA, tB, cs)
				seed := uint64(len(cs)*4) + uint64(len(name))
				wantY, wantG := gemmGraph(t, false, tA, tB, m, k, n, cs, seed)
				gotY, gotG := gemmGraph(t, true, tA, tB, m, k, n, cs, seed)
				close := func(what string, got, want []float32) {
					if len(got) != len(want) {
						t.Fatalf("%s: %s has %d values, want %d", name, what, len(got), len(want))
					}
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s: %s[%d] = %v, general graph %v", name, what, i, got[i], want[i])
						}
					}
				}
				close("Y", gotY, wantY)
				for i := range wantG {
					close(fmt.Sprintf("gradient %d", i), gotG[i], wantG[i])
				}
			}
		}
	}
}

// A C that broadcasts along columns ([m, 1]) or a scalar is left to the general graph.
func TestGemmNodeLeavesOtherBiases(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("a"))
	b := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 2), G.WithName("b"))
	c := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 1), G.WithName("c"))
	if _, ok, err := gemmNode(a, b, c, false, false, 4, 3, 2); ok || err != nil {
		t.Fatalf("C of shape [4 1]: ok %v, err %v; want the general graph", ok, err)
	}
}
