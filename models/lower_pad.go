package models

import "fmt"

func lowerPad(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Pad not implemented yet", ErrUnsupportedOp)
}
