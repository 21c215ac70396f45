package fairness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Constraint is a limit on one criterion's gap: Criterion's difference (DP, EO, EOpp, FPR or FNR, as
// Compute measures it on thresholded predictions) must be at most Limit. Its text form is "dp<=0.02", or
// "dp(sex)<=0.02" for the gap between the groups of one sensitive attribute of several (Attribute; without
// it, the gap is between the data's groups, the intersections when there are several attributes).
type Constraint struct {
	Criterion Criterion
	Limit     float64
	Attribute string
}

const constraintSyntax = "want CRITERION<=LIMIT or CRITERION(ATTRIBUTE)<=LIMIT (e.g. dp<=0.02, eo(race)<=0.05) with CRITERION dp, eo, eopp, fpr or fnr and LIMIT in [0, 1]"

// ParseConstraint parses "dp<=0.02", "eo<=0.05", "fpr<=0.03"...: a criterion, "<=" and a limit in [0, 1].
// Spaces around the parts are allowed; no other comparison is.
func ParseConstraint(s string) (Constraint, error) {
	name, limit, ok := strings.Cut(s, "<=")
	if !ok {
		return Constraint{}, fmt.Errorf("constraint %q: %s", s, constraintSyntax)
	}
	name = strings.TrimSpace(name)
	attr := ""
	if open := strings.IndexByte(name, '('); open >= 0 {
		if !strings.HasSuffix(name, ")") {
			return Constraint{}, fmt.Errorf("constraint %q: %s", s, constraintSyntax)
		}
		attr = strings.TrimSpace(name[open+1 : len(name)-1])
		name = strings.TrimSpace(name[:open])
		if attr == "" || strings.ContainsAny(attr, "()") {
			return Constraint{}, fmt.Errorf("constraint %q: %s", s, constraintSyntax)
		}
	}
	c, err := ParseCriterion(name)
	if err != nil {
		return Constraint{}, fmt.Errorf("constraint %q: %s", s, constraintSyntax)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(limit), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1 {
		return Constraint{}, fmt.Errorf("constraint %q: %s", s, constraintSyntax)
	}
	if v == 0 {
		v = 0 // not -0
	}
	return Constraint{Criterion: c, Limit: v, Attribute: attr}, nil
}

// String writes the constraint as ParseConstraint reads it, with the shortest limit that reads back
// exactly.
func (c Constraint) String() string {
	name := c.Criterion.String()
	if c.Attribute != "" {
		name += "(" + c.Attribute + ")"
	}
	return name + "<=" + strconv.FormatFloat(c.Limit, 'g', -1, 64)
}

// Check reports whether the constraint is one ParseConstraint could have returned.
func (c Constraint) Check() error {
	if _, err := c.Criterion.MarshalText(); err != nil {
		return err
	}
	if math.IsNaN(c.Limit) || c.Limit < 0 || c.Limit > 1 {
		return fmt.Errorf("constraint %s: the limit must be in [0, 1]", c)
	}
	return nil
}

// Value is the constraint's gap in computed metrics (its criterion's difference): between the groups of
// its attribute when the metrics hold them (Metrics.Attributes), else between the metrics' groups (data
// with one sensitive attribute, which the constraint then names).
func (c Constraint) Value(m Metrics) float64 {
	if c.Attribute != "" {
		for _, a := range m.Attributes {
			if a.Attribute == c.Attribute {
				return c.Criterion.Gap(a.Metrics)
			}
		}
	}
	return c.Criterion.Gap(m)
}

// Met reports whether the metrics meet the constraint: Value(m) ≤ Limit.
func (c Constraint) Met(m Metrics) bool { return c.Value(m) <= c.Limit }

// Violation is by how much the metrics exceed the limit: max(0, Value(m) − Limit).
func (c Constraint) Violation(m Metrics) float64 { return max(0, c.Value(m)-c.Limit) }

// MarshalText writes the constraint as String does; JSON holds it as that string.
func (c Constraint) MarshalText() ([]byte, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	return []byte(c.String()), nil
}

// UnmarshalText reads a constraint written by MarshalText.
func (c *Constraint) UnmarshalText(b []byte) error {
	v, err := ParseConstraint(string(b))
	if err == nil {
		*c = v
	}
	return err
}

// MaxConstraints is the most constraints a Constraints holds (at most one per criterion and attribute).
const MaxConstraints = 8

// Constraints is a list of at most one constraint per criterion, in the order given. It is a comparable
// value (== compares the lists, order included), so a configuration holding it stays comparable; the zero
// value is the empty list. Build one with NewConstraints or ParseConstraints. Its text form is the
// constraints joined by commas ("dp<=0.02,eo<=0.05"), its JSON form an array of their texts.
type Constraints struct {
	n    int
	list [MaxConstraints]Constraint
}

// NewConstraints checks each constraint and returns the list; a criterion constrained twice is refused.
func NewConstraints(list ...Constraint) (Constraints, error) {
	var cs Constraints
	for _, c := range list {
		if err := c.Check(); err != nil {
			return Constraints{}, err
		}
		for _, prev := range cs.List() {
			if prev.Criterion == c.Criterion && prev.Attribute == c.Attribute {
				return Constraints{}, fmt.Errorf("constraints %s and %s: %s is constrained twice; give one limit per criterion (and attribute)", prev, c, c.Criterion)
			}
		}
		if cs.n == MaxConstraints {
			return Constraints{}, fmt.Errorf("more than %d constraints", MaxConstraints)
		}
		cs.list[cs.n] = c
		cs.n++
	}
	return cs, nil
}

// ParseConstraints parses a list of constraints: each argument is one constraint or several separated by
// commas ("dp<=0.02,eo<=0.05"). No argument, or only empty ones, gives the empty list; an empty item
// between commas is an error.
func ParseConstraints(texts ...string) (Constraints, error) {
	var list []Constraint
	for _, text := range texts {
		if strings.TrimSpace(text) == "" {
			continue
		}
		for item := range strings.SplitSeq(text, ",") {
			if strings.TrimSpace(item) == "" {
				return Constraints{}, fmt.Errorf("constraints %q: an empty item; %s, separated by commas", text, constraintSyntax)
			}
			c, err := ParseConstraint(item)
			if err != nil {
				return Constraints{}, err
			}
			list = append(list, c)
		}
	}
	return NewConstraints(list...)
}

// Len is the number of constraints.
func (cs Constraints) Len() int { return cs.n }

// At returns constraint i (0 ≤ i < Len).
func (cs Constraints) At(i int) Constraint {
	if i < 0 || i >= cs.n {
		panic(fmt.Sprintf("fairness: constraint %d of %d", i, cs.n))
	}
	return cs.list[i]
}

// List returns the constraints as a new slice (nil when there are none).
func (cs Constraints) List() []Constraint {
	if cs.n == 0 {
		return nil
	}
	return append([]Constraint(nil), cs.list[:cs.n]...)
}

// Values returns each constraint's value in computed metrics, in order.
func (cs Constraints) Values(m Metrics) []float64 {
	out := make([]float64, cs.n)
	for i, c := range cs.list[:cs.n] {
		out[i] = c.Value(m)
	}
	return out
}

// Met reports whether the metrics meet every constraint (true for the empty list).
func (cs Constraints) Met(m Metrics) bool {
	for _, c := range cs.list[:cs.n] {
		if !c.Met(m) {
			return false
		}
	}
	return true
}

// Violation is the sum of the constraints' violations: 0 exactly when the metrics meet them all.
func (cs Constraints) Violation(m Metrics) float64 {
	v := 0.0
	for _, c := range cs.list[:cs.n] {
		v += c.Violation(m)
	}
	return v
}

// String joins the constraints with commas, as ParseConstraints reads them ("" for none).
func (cs Constraints) String() string {
	parts := make([]string, cs.n)
	for i, c := range cs.list[:cs.n] {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// MarshalJSON writes the list as a JSON array of constraint texts ([] for none). It writes "<" as it is;
// an encoder that escapes HTML (json.Marshal's default) writes it as \u003c, the same string once read.
func (cs Constraints) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	list := cs.List()
	if list == nil {
		list = []Constraint{}
	}
	if err := enc.Encode(list); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads an array of constraint texts (or null, the empty list).
func (cs *Constraints) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*cs = Constraints{}
		return nil
	}
	var list []Constraint
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	v, err := NewConstraints(list...)
	if err == nil {
		*cs = v
	}
	return err
}

// GobEncode writes the text form, so that encoding/gob (training checkpoints) keeps the list.
func (cs Constraints) GobEncode() ([]byte, error) { return []byte(cs.String()), nil }

// GobDecode reads what GobEncode wrote.
func (cs *Constraints) GobDecode(b []byte) error {
	v, err := ParseConstraints(string(b))
	if err == nil {
		*cs = v
	}
	return err
}

// ReadConstraints reads a constraints file: a JSON array of constraint texts (["dp<=0.02", "eo<=0.05"], as
// a report writes them) or an object holding one under "constraints". Unknown keys are refused, so a
// misspelt one does not drop a limit silently.
func ReadConstraints(path string) (Constraints, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Constraints{}, err
	}
	var cs Constraints
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		var doc struct {
			Constraints *Constraints `json:"constraints"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			return Constraints{}, fmt.Errorf("%s: %v (want {\"constraints\": [\"dp<=0.02\", ...]} or [\"dp<=0.02\", ...])", path, err)
		}
		if doc.Constraints == nil {
			return Constraints{}, fmt.Errorf("%s: no \"constraints\" key", path)
		}
		cs = *doc.Constraints
	} else if err := json.Unmarshal(raw, &cs); err != nil {
		return Constraints{}, fmt.Errorf("%s: %v (want [\"dp<=0.02\", ...] or {\"constraints\": [...]})", path, err)
	}
	if cs.Len() == 0 {
		return Constraints{}, fmt.Errorf("%s: no constraint in the file", path)
	}
	return cs, nil
}
