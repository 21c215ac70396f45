package lower

import (
	"fmt"
	"hash"
	"hash/fnv"
	"slices"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/fairbinn/fairbinn-go/ir"
)

// kernelOp is a gorgonia op computed by a pure-Go float32 kernel, for the ops whose ONNX semantics
// gorgonia's own nodes do not have (asymmetric and auto padding, groups, ceil_mode, dilated pooling,
// count_include_pad, Pad modes). Shapes are fixed when the op is built, since lowering knows them all.
//
// It is differentiable through SymDiff: the gradient with respect to input i is another kernelOp, built by
// grad(i), that takes the op's inputs followed by the output's gradient.
type kernelOp struct {
	// name identifies the computation for String and for gorgonia's hash-based node merging, so it holds
	// every parameter that changes the result.
	name string
	in   [][]int
	out  []int
	do   func(in [][]float32, out []float32)
	// diff says which inputs have a gradient; grad builds the op computing it.
	diff []bool
	grad func(i int) *kernelOp
	// fills says that do writes every element of out, so that an output buffer of an earlier run needs
	// no clearing first; otherwise do is given zeros, as from make.
	fills bool
}

var (
	_ G.Op   = (*kernelOp)(nil)
	_ G.SDOp = (*kernelOp)(nil)
	_ Kernel = (*kernelOp)(nil)
)

// Kernel is an op of this package computed by a kernel of its own (the fused Gemm and its gradients,
// Relu, the convolution and pooling kernels, ...). Such an op only reads its inputs, data and metadata
// alike, so kernels of nodes that do not depend on each other may run at the same time, and it computes
// into fresh memory: UsePreallocDo writes the whole result into prealloc, a value the op returned
// before (any other value gives a fresh one), and returns it, with the same numbers Do gives.
type Kernel interface {
	G.Op
	G.UsePreallocDoer
	kernel()
}

func (op *kernelOp) kernel() {}

func (op *kernelOp) Arity() int { return len(op.in) }

func shapeType(shape []int, a hm.TypeVariable) hm.Type {
	if len(shape) == 0 {
		return a
	}
	return G.TensorType{Dims: len(shape), Of: a}
}

func (op *kernelOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, 0, len(op.in)+1)
	for _, s := range op.in {
		ts = append(ts, shapeType(s, a))
	}
	ts = append(ts, shapeType(op.out, a))
	return hm.NewFnType(ts...)
}

func (op *kernelOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != len(op.in) {
		return nil, fmt.Errorf("%s: want %d inputs, got %d", op.name, len(op.in), len(inputs))
	}
	return tensor.Shape(append([]int{}, op.out...)), nil
}

func (op *kernelOp) Do(inputs ...G.Value) (G.Value, error) {
	data, err := op.inputData(inputs)
	if err != nil {
		return nil, err
	}
	out := make([]float32, nchwElems(op.out))
	op.do(data, out)
	if len(op.out) == 0 {
		return G.NewF32(out[0]), nil
	}
	return tensor.New(tensor.WithShape(op.out...), tensor.WithBacking(out)), nil
}

// UsePreallocDo computes the op into prealloc when it is a float32 tensor of the output's shape owning
// its memory (as Do's results are), else as Do does.
func (op *kernelOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	d, ok := prealloc.(*tensor.Dense)
	if !ok || len(op.out) == 0 || d.IsView() || d.Dtype() != tensor.Float32 || !slices.Equal([]int(d.Shape()), op.out) {
		return op.Do(inputs...)
	}
	out := d.Float32s()
	if len(out) != nchwElems(op.out) {
		return op.Do(inputs...)
	}
	data, err := op.inputData(inputs)
	if err != nil {
		return nil, err
	}
	if !op.fills {
		clear(out)
	}
	op.do(data, out)
	return d, nil
}

// inputData returns the float32 elements of each input, checking their number.
func (op *kernelOp) inputData(inputs []G.Value) ([][]float32, error) {
	if len(inputs) != len(op.in) {
		return nil, fmt.Errorf("%s: want %d inputs, got %d", op.name, len(op.in), len(inputs))
	}
	data := make([][]float32, len(inputs))
	for i, v := range inputs {
		d, err := float32Data(v, nchwElems(op.in[i]))
		if err != nil {
			return nil, fmt.Errorf("%s: input %d: %w", op.name, i, err)
		}
		data[i] = d
	}
	return data, nil
}

func (op *kernelOp) ReturnsPtr() bool      { return false }
func (op *kernelOp) CallsExtern() bool     { return false }
func (op *kernelOp) OverwritesInput() int  { return -1 }
func (op *kernelOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s%v->%v", op.name, op.in, op.out) }
func (op *kernelOp) String() string        { return op.name }

func (op *kernelOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *kernelOp) DiffWRT(inputs int) []bool {
	out := make([]bool, inputs)
	copy(out, op.diff)
	return out
}

func (op *kernelOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != len(op.in) {
		return nil, fmt.Errorf("%s: want %d inputs, got %d", op.name, len(op.in), len(inputs))
	}
	children := append(append(G.Nodes{}, inputs...), grad)
	out := make(G.Nodes, len(inputs))
	for i := range inputs {
		if i >= len(op.diff) || !op.diff[i] {
			continue
		}
		g, err := G.ApplyOp(op.grad(i), children...)
		if err != nil {
			return nil, fmt.Errorf("%s: gradient of input %d: %w", op.name, i, err)
		}
		out[i] = g
	}
	return out, nil
}

// gradOp builds the gradient op of an op with the given input shapes: it takes those inputs plus dy
// (shaped like out) and returns a tensor shaped like input i.
func gradOp(name string, in [][]int, out []int, i int, do func(in [][]float32, out []float32)) *kernelOp {
	ins := append(append([][]int{}, in...), out)
	return &kernelOp{name: fmt.Sprintf("%s.grad%d", name, i), in: ins, out: in[i], do: do}
}

// filling marks op's do as writing every element of its output (kernelOp.fills) and returns op.
func filling(op *kernelOp) *kernelOp {
	op.fills = true
	return op
}

func nchwElems(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// float32Data returns the n float32 elements of a value in row-major order, copying views.
func float32Data(v G.Value, n int) ([]float32, error) {
	if d, ok := v.(*tensor.Dense); ok && d.IsMaterializable() {
		v = d.Materialize()
	}
	switch d := v.Data().(type) {
	case []float32:
		if len(d) < n {
			return nil, fmt.Errorf("%w: holds %d elements, want %d", ir.ErrShapeMismatch, len(d), n)
		}
		return d[:n], nil
	case float32:
		if n != 1 {
			return nil, fmt.Errorf("%w: holds a scalar, want %d elements", ir.ErrShapeMismatch, n)
		}
		return []float32{d}, nil
	}
	return nil, fmt.Errorf("%w: holds %T, want float32", ir.ErrUnsupportedOp, v.Data())
}
