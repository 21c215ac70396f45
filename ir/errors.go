package ir

import (
	"errors"
	"fmt"

	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// Sentinel errors of the IR and of the packages that read it (shape inference, lowering).
var (
	// ErrUnsupportedOp is wrapped when an op, an opset version of it or an attribute value is not supported
	// by the Go forward pass.
	ErrUnsupportedOp = fault.New(fault.BadInput, "unsupported op")
	// ErrShapeMismatch is wrapped when input shapes do not fit an op.
	ErrShapeMismatch = fault.New(fault.BadInput, "shape mismatch")
	// ErrBadAttribute is wrapped when an attribute has the wrong type or an invalid value.
	ErrBadAttribute = fault.New(fault.BadInput, "bad attribute")
)

// NodeError is an error attributed to one node of the graph.
type NodeError struct {
	Node   string
	OpType string
	Err    error
}

func (e *NodeError) Error() string {
	return fmt.Sprintf("node %q (op %s): %v", e.Node, e.OpType, e.Err)
}

func (e *NodeError) Unwrap() error { return e.Err }

// AtNode attributes err to node n, unless it is already attributed to a node.
func AtNode(n *Node, err error) error {
	if err == nil {
		return nil
	}
	var ne *NodeError
	if errors.As(err, &ne) {
		return err
	}
	return &NodeError{Node: n.Name, OpType: n.OpType, Err: err}
}
