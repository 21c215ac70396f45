package models

import "fmt"

func lowerMaxPool(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: MaxPool not implemented yet", ErrUnsupportedOp)
}

func lowerAveragePool(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: AveragePool not implemented yet", ErrUnsupportedOp)
}

func lowerGlobalAveragePool(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: GlobalAveragePool not implemented yet", ErrUnsupportedOp)
}
