package models

import "fmt"

func lowerConv(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Conv not implemented yet", ErrUnsupportedOp)
}
