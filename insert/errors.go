package insert

import "errors"

// ErrBadPosition is wrapped when an insertion position does not name a valid position.
var ErrBadPosition = errors.New("bad position")
