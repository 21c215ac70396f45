package insert

import "github.com/fairbinn/fairbinn-go/internal/fault"

// ErrBadPosition is wrapped when an insertion position does not name a valid position.
var ErrBadPosition = fault.New(fault.BadInput, "bad position")
