package lower

import "testing"

// BenchmarkGemmLayer times a Linear layer of the Adult training step (batch 100, 101 → 101, weight
// in ONNX's [out, in] layout, a bias) forward and backward: the fused gemmNode against the general
// graph it replaces (a batched product read through a transpose flag, reshapes, a broadcast bias and an
// addition), measured in the same run.
func BenchmarkGemmLayer(b *testing.B) {
	for _, fused := range []bool{false, true} {
		name := "general"
		if fused {
			name = "fused"
		}
		b.Run(name, func(b *testing.B) {
			vm, _, _ := buildGemmGraph(b, fused, false, true, 100, 101, 101, []int{101}, 1)
			defer vm.Close()
			b.ReportAllocs()
			for b.Loop() {
				vm.Reset()
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
