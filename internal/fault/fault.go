package fault

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// Kind says whose fault an error is, and so the exit code of the command line.
type Kind int

// The kinds, in the order of the exit codes they map to.
const (
	// Internal is a bug of fairbinn's (exit 1).
	Internal Kind = iota + 1
	// BadInput is anything the user can fix: a file, a flag, a model fairbinn cannot handle, a missing
	// dependency (exit 2).
	BadInput
	// Mismatch is a parity failure: onnxruntime and the Go forward pass disagree (exit 3).
	Mismatch
	// Drift is a metric worse than a recorded baseline (exit 4).
	Drift
	// Unmet is a run whose stated constraints no candidate model met (exit 5; nothing written).
	Unmet
)

// ExitCode is the exit code of the command line for the kind.
func (k Kind) ExitCode() int {
	if k < Internal || k > Unmet {
		return 1
	}
	return int(k)
}

// Classified is implemented by errors that know their kind.
type Classified interface {
	error
	FaultKind() Kind
}

// Of returns the kind of err: that of the outermost error in its chain that says its kind; BadInput for
// a file that does not exist or cannot be read or written, or a full or read-only disk; Internal otherwise. Of(nil) is 0.
func Of(err error) Kind {
	if err == nil {
		return 0
	}
	var c Classified
	if errors.As(err, &c) {
		return c.FaultKind()
	}
	// A missing or unreadable file, and a full or read-only disk, are the user's to fix.
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EDQUOT) {
		return BadInput
	}
	return Internal
}

// sentinel is an error value of a fixed kind, for errors.Is and as a wrapped cause.
type sentinel struct {
	kind Kind
	msg  string
}

func (s *sentinel) Error() string   { return s.msg }
func (s *sentinel) FaultKind() Kind { return s.kind }

// New returns a sentinel error of the given kind.
func New(kind Kind, msg string) error { return &sentinel{kind, msg} }

// wrapped gives err a kind without changing its message.
type wrapped struct {
	kind Kind
	err  error
}

func (w *wrapped) Error() string   { return w.err.Error() }
func (w *wrapped) Unwrap() error   { return w.err }
func (w *wrapped) FaultKind() Kind { return w.kind }

// Wrap returns err classified as kind (nil for nil), with err's message.
func Wrap(kind Kind, err error) error {
	if err == nil {
		return nil
	}
	return &wrapped{kind, err}
}

// Errorf formats an error of the given kind; %w wraps as in fmt.Errorf.
func Errorf(kind Kind, format string, args ...any) error {
	return &wrapped{kind, fmt.Errorf(format, args...)}
}

// Badf formats a BadInput error.
func Badf(format string, args ...any) error { return Errorf(BadInput, format, args...) }

// MaxLine is the most characters Line keeps.
const MaxLine = 600

// Line folds a message onto one line and caps it at MaxLine characters with an ellipsis: a hostile model
// can name a node with a megabyte.
func Line(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > MaxLine {
		s = string(r[:MaxLine]) + "…"
	}
	return s
}
