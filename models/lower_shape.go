package models

import "fmt"

func lowerFlatten(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Flatten not implemented yet", ErrUnsupportedOp)
}

func lowerReshape(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Reshape not implemented yet", ErrUnsupportedOp)
}

func lowerConstant(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Constant not implemented yet", ErrUnsupportedOp)
}

func lowerConcat(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Concat not implemented yet", ErrUnsupportedOp)
}

func lowerTranspose(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Transpose not implemented yet", ErrUnsupportedOp)
}

func lowerSqueeze(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Squeeze not implemented yet", ErrUnsupportedOp)
}

func lowerUnsqueeze(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Unsqueeze not implemented yet", ErrUnsupportedOp)
}

func lowerShape(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Shape not implemented yet", ErrUnsupportedOp)
}

func lowerGather(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Gather not implemented yet", ErrUnsupportedOp)
}
