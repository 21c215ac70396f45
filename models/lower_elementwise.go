package models

import "fmt"

func lowerAdd(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Add not implemented yet", ErrUnsupportedOp)
}

func lowerSub(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Sub not implemented yet", ErrUnsupportedOp)
}

func lowerMul(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Mul not implemented yet", ErrUnsupportedOp)
}

func lowerDiv(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Div not implemented yet", ErrUnsupportedOp)
}

func lowerRelu(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Relu not implemented yet", ErrUnsupportedOp)
}

func lowerLeakyRelu(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: LeakyRelu not implemented yet", ErrUnsupportedOp)
}

func lowerSigmoid(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Sigmoid not implemented yet", ErrUnsupportedOp)
}

func lowerTanh(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Tanh not implemented yet", ErrUnsupportedOp)
}

func lowerSoftmax(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Softmax not implemented yet", ErrUnsupportedOp)
}

func lowerIdentity(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Identity not implemented yet", ErrUnsupportedOp)
}

func lowerDropout(lc *lowerCtx, n *Node, in []operand) ([]operand, error) {
	return nil, fmt.Errorf("%w: Dropout not implemented yet", ErrUnsupportedOp)
}
