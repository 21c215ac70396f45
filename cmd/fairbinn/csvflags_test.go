package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairbinn/fairbinn-go"
)

// A user's CSV with a row id and "?" for missing values: --drop keeps the id out of the features and
// --missing drops (and counts) the rows with the token; without --missing the "?" is refused by name.
func TestCSVDropAndMissing(t *testing.T) {
	dir := t.TempDir()
	src := peopleCSV(t, dir, 600, 1)
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var b strings.Builder
	b.WriteString("id," + lines[0] + "\n")
	for i, l := range lines[1:] {
		if i%50 == 7 {
			l = "?" + l[strings.Index(l, ","):] // age unknown
		}
		b.WriteString(strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "," + l + "\n")
	}
	csv := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	backbone := mlpFile(t, dir, encodedWidth(t, src, "sex"))
	base := []string{"eval", "--model", backbone, "--data", "csv:" + csv, "--label", "income", "--positive", "yes", "--sensitive", "sex", "--drop", "id"}
	code, _, stderr := runCLI(t, base...)
	if code != exitBadInput || !strings.Contains(stderr, "age") {
		t.Errorf("\"?\" in a numeric column without --missing: exit %d, stderr %q; want exit 2 naming the column", code, stderr)
	}
	var ev fairbinn.EvalReport
	if err := json.Unmarshal([]byte(mustRun(t, append(base, "--missing", "?", "--json")...)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Rows == 0 || ev.Metrics.Accuracy == 0 {
		t.Errorf("eval with --drop id --missing ?: %+v", ev)
	}
}
