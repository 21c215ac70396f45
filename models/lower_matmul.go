package models

import "fmt"

func lowerGemm(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Gemm not implemented yet", ErrUnsupportedOp)
}

func lowerMatMul(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: MatMul not implemented yet", ErrUnsupportedOp)
}
