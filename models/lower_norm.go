package models

import "fmt"

func lowerBatchNormalization(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: BatchNormalization not implemented yet", ErrUnsupportedOp)
}
