package ir

import "fmt"

// Typed attribute readers. Each returns def when the attribute is absent and an ErrBadAttribute naming
// the attribute, the wanted and the found type when it is present with another type.

func (n *Node) attrOfType(name string, want AttrType) (Attr, bool, error) {
	a, ok := n.Attrs[name]
	if !ok {
		return Attr{}, false, nil
	}
	if a.Type != want {
		return Attr{}, false, fmt.Errorf("%w: attribute %q: want %s, got %s", ErrBadAttribute, name, want, a.Type)
	}
	return a, true, nil
}

// AttrInt returns the INT attribute name, or def when it is absent.
func (n *Node) AttrInt(name string, def int64) (int64, error) {
	a, ok, err := n.attrOfType(name, AttrInt)
	if err != nil || !ok {
		return def, err
	}
	return a.Int, nil
}

// AttrFloat returns the FLOAT attribute name, or def when it is absent.
func (n *Node) AttrFloat(name string, def float32) (float32, error) {
	a, ok, err := n.attrOfType(name, AttrFloat)
	if err != nil || !ok {
		return def, err
	}
	return a.Float, nil
}

// AttrString returns the STRING attribute name, or def when it is absent.
func (n *Node) AttrString(name string, def string) (string, error) {
	a, ok, err := n.attrOfType(name, AttrString)
	if err != nil || !ok {
		return def, err
	}
	return a.String, nil
}

// AttrInts returns the INTS attribute name, or def when it is absent.
func (n *Node) AttrInts(name string, def []int64) ([]int64, error) {
	a, ok, err := n.attrOfType(name, AttrInts)
	if err != nil || !ok {
		return def, err
	}
	return a.Ints, nil
}

// AttrFloats returns the FLOATS attribute name, or def when it is absent.
func (n *Node) AttrFloats(name string, def []float32) ([]float32, error) {
	a, ok, err := n.attrOfType(name, AttrFloats)
	if err != nil || !ok {
		return def, err
	}
	return a.Floats, nil
}

// AttrTensor returns the TENSOR attribute name, or nil when it is absent.
func (n *Node) AttrTensor(name string) (*Tensor, error) {
	a, ok, err := n.attrOfType(name, AttrTensor)
	if err != nil || !ok {
		return nil, err
	}
	return a.Tensor, nil
}

// HasAttr reports whether the node sets the attribute name.
func (n *Node) HasAttr(name string) bool {
	_, ok := n.Attrs[name]
	return ok
}
