package models

import "fmt"

// Typed attribute readers. Each returns def when the attribute is absent and an ErrBadAttribute naming
// the attribute, the wanted and the found type when it is present with another type.

func attrOfType(n *Node, name string, want AttrType) (Attr, bool, error) {
	a, ok := n.Attrs[name]
	if !ok {
		return Attr{}, false, nil
	}
	if a.Type != want {
		return Attr{}, false, fmt.Errorf("%w: attribute %q: want %s, got %s", ErrBadAttribute, name, want, a.Type)
	}
	return a, true, nil
}

func attrInt(n *Node, name string, def int64) (int64, error) {
	a, ok, err := attrOfType(n, name, AttrInt)
	if err != nil || !ok {
		return def, err
	}
	return a.Int, nil
}

func attrFloat(n *Node, name string, def float32) (float32, error) {
	a, ok, err := attrOfType(n, name, AttrFloat)
	if err != nil || !ok {
		return def, err
	}
	return a.Float, nil
}

func attrString(n *Node, name string, def string) (string, error) {
	a, ok, err := attrOfType(n, name, AttrString)
	if err != nil || !ok {
		return def, err
	}
	return a.String, nil
}

func attrInts(n *Node, name string, def []int64) ([]int64, error) {
	a, ok, err := attrOfType(n, name, AttrInts)
	if err != nil || !ok {
		return def, err
	}
	return a.Ints, nil
}

func attrFloats(n *Node, name string, def []float32) ([]float32, error) {
	a, ok, err := attrOfType(n, name, AttrFloats)
	if err != nil || !ok {
		return def, err
	}
	return a.Floats, nil
}

func attrTensor(n *Node, name string) (*Tensor, error) {
	a, ok, err := attrOfType(n, name, AttrTensor)
	if err != nil || !ok {
		return nil, err
	}
	return a.Tensor, nil
}

func hasAttr(n *Node, name string) bool {
	_, ok := n.Attrs[name]
	return ok
}
