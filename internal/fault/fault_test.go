package fault

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	errUnsupported := New(BadInput, "unsupported op")
	_, notExist := os.Open("/nonexistent/fairbinn")
	for _, tc := range []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), Internal},
		{"sentinel wrapped by fmt", fmt.Errorf("node x: %w", errUnsupported), BadInput},
		{"missing file", fmt.Errorf("read: %w", notExist), BadInput},
		// A recovered panic marked internal stays internal even though its cause is bad-input shaped.
		{"outermost wins", Wrap(Internal, fmt.Errorf("panic: %w", errUnsupported)), Internal},
		{"mismatch", Errorf(Mismatch, "differ by %g", 1e-3), Mismatch},
		{"drift", Wrap(Drift, errors.New("accuracy lower")), Drift},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Of(tc.err); got != tc.want {
				t.Errorf("Of(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if !errors.Is(fmt.Errorf("x: %w", errUnsupported), errUnsupported) {
		t.Error("a sentinel must match itself through wrapping")
	}
}

func TestExitCode(t *testing.T) {
	for k, want := range map[Kind]int{Internal: 1, BadInput: 2, Mismatch: 3, Drift: 4, Unmet: 5, 0: 1, 99: 1} {
		if got := k.ExitCode(); got != want {
			t.Errorf("Kind(%d).ExitCode() = %d, want %d", k, got, want)
		}
	}
}

func TestLine(t *testing.T) {
	if got := Line("a\n  b\tc"); got != "a b c" {
		t.Errorf("Line = %q", got)
	}
	long := Line(strings.Repeat("x", 1<<20))
	if r := []rune(long); len(r) != MaxLine+1 || r[MaxLine] != '…' {
		t.Errorf("a megabyte-long message kept %d characters", len(r))
	}
}
