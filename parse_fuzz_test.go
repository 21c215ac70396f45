package fairbinn

import (
	"testing"

	"github.com/fairbinn/fairbinn-go/fairness"
	"github.com/fairbinn/fairbinn-go/train"
)

// FuzzParseFlags feeds arbitrary text to the parsers behind the command line's values (sweep lists,
// constraints, selection rules, head choices): each returns a value or an error, never panics, and what
// it accepts prints back as text that parses to the same value.
func FuzzParseFlags(f *testing.F) {
	for _, s := range []string{"dp<=0.02", "dp<=0.01,eo<=0.05", "val-acc-at-dp=0.01", "last", "1-5", "erm,bilevel", "0,20,1e3", "logit", "eo <= 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if g, err := ParseGrid(s, s, s); err == nil && (len(g.Methods) == 0 || len(g.Etas) == 0 || len(g.Seeds) == 0) {
			t.Fatalf("ParseGrid(%q) accepted an empty list: %+v", s, g)
		}
		if cs, err := fairness.ParseConstraints(s); err == nil {
			again, err := fairness.ParseConstraints(cs.String())
			if err != nil || again.String() != cs.String() {
				t.Fatalf("constraints %q print as %q, which parses to %v, %v", s, cs.String(), again, err)
			}
		}
		if sel, err := train.ParseSelection(s); err == nil {
			again, err := train.ParseSelection(sel.String())
			if err != nil || again != sel {
				t.Fatalf("selection %q prints as %q, which parses to %v, %v", s, sel.String(), again, err)
			}
		}
		if c, err := ParseHeadChoice("", s, 1); err == nil && c != nil && c.Kind == "" {
			t.Fatalf("head %q accepted as no kind", s)
		}
	})
}
