package dataset

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// ErrBadInput marks every error caused by the user's data, options or encoding spec (as opposed to an I/O
// failure). A command line maps it to exit status 2: errors.Is(err, ErrBadInput).
var ErrBadInput = errors.New("bad input")

// The kinds of bad input. The loaders wrap each in an *InputError that says where it was found; errors.Is
// matches both the kind and ErrBadInput.
var (
	ErrMissingColumn = badInput("column not in header")
	ErrMissingValue  = badInput("missing value")
	ErrOneClass      = badInput("label has only one class")
	ErrOneGroup      = badInput("sensitive attribute has only one group")
	ErrNotNumeric    = badInput("not a number")
	ErrNonFinite     = badInput("not a finite number")
	ErrEmpty         = badInput("no data")
	ErrRagged        = badInput("wrong number of fields")
	ErrDuplicate     = badInput("duplicate column")
	ErrSyntax        = badInput("malformed file")
	ErrSpec          = badInput("invalid encoding spec")
	ErrOption        = badInput("invalid option")
)

// inputKind is a kind of bad input: it is itself ErrBadInput to errors.Is.
type inputKind struct{ msg string }

func badInput(msg string) error { return &inputKind{msg: msg} }

func (k *inputKind) Error() string { return k.msg }

func (k *inputKind) Is(target error) bool { return target == ErrBadInput }

// FaultKind classifies every kind of bad input as the user's to fix.
func (k *inputKind) FaultKind() fault.Kind { return fault.BadInput }

// InputError is a bad-input error with its position: the file, the 1-based line and byte column, and the name
// of the data column involved when there is one. Line 0 means the whole file; Col 0 means the whole line.
type InputError struct {
	File   string
	Line   int
	Col    int
	Column string
	Err    error
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Is reports whether target is ErrBadInput, which every InputError is.
func (e *InputError) Is(target error) bool { return target == ErrBadInput }

// optionError is a bad option or data spec, where no file position applies.
type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }

func (e *optionError) Unwrap() error { return ErrOption }

func badOption(format string, args ...any) error {
	return &optionError{msg: fmt.Sprintf(format, args...)}
}
