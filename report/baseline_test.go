package report_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// writeFile writes content to name in a new temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBaseline(t *testing.T) {
	t.Parallel()
	findings, st := fixture()
	for _, show := range []bool{false, true} { // a report written with --show-secrets is a fine baseline
		out := write(t, report.JSON, findings, st, report.Options{ShowSecrets: show})
		b, err := report.ReadBaseline(writeFile(t, "baseline.json", out))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			if !b.Has(f) {
				t.Errorf("ShowSecrets %v: the baseline lacks %s at %s", show, f.RuleID, f.Path)
			}
			moved := f
			moved.Line, moved.Column, moved.EndColumn, moved.Commit = f.Line+5, f.Column+2, f.EndColumn+2, "0123456789abcdef"
			if !b.Has(moved) {
				t.Errorf("ShowSecrets %v: the baseline lost %s at %s after a move", show, f.RuleID, f.Path)
			}
			elsewhere := f
			elsewhere.Path = "other/" + f.Path
			if b.Has(elsewhere) {
				t.Errorf("ShowSecrets %v: the baseline accepts %s at %s, a path it does not list", show, f.RuleID, elsewhere.Path)
			}
		}
	}
}

func TestBaselineMatching(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1)
	live := keyFinding(rules.LiveKey, rules.Error, "a/config.yaml", 3, 5, key, "hardcoded Claro live key {key}")
	tracked := finding.Finding{RuleID: rules.EnvFileTracked, Severity: rules.Error, Path: ".env", Message: ".env is tracked by git"}
	out := write(t, report.JSON, []finding.Finding{live, tracked}, finding.Stats{}, report.Options{})
	b, err := report.ReadBaseline(writeFile(t, "baseline.json", out))
	if err != nil {
		t.Fatal(err)
	}
	otherKey := keyFinding(rules.LiveKey, rules.Error, "a/config.yaml", 3, 5, rulestest.Key(rules.Live, 2), "hardcoded Claro live key {key}")
	sameKeyOtherRule := live
	sameKeyOtherRule.RuleID = rules.KeyClientExposed
	otherWholeFile := tracked
	otherWholeFile.RuleID = rules.EnvNotIgnored
	// A finding without a key must not match a key's entry at the same path.
	keylessAtKeyPath := finding.Finding{RuleID: rules.EnvNotIgnored, Severity: rules.Error, Path: "a/config.yaml"}
	tests := []struct {
		name string
		f    finding.Finding
		want bool
	}{
		{"same key and path", live, true},
		{"same key and path, another rule", sameKeyOtherRule, true},
		{"another key at the same path", otherKey, false},
		{"same whole-file rule and path", tracked, true},
		{"another whole-file rule at the same path", otherWholeFile, false},
		{"no key at a key's path", keylessAtKeyPath, false},
	}
	for _, tt := range tests {
		if got := b.Has(tt.f); got != tt.want {
			t.Errorf("%s: Has = %v, want %v", tt.name, got, tt.want)
		}
	}
	var none *report.Baseline
	if none.Has(live) {
		t.Error("a nil baseline accepts a finding")
	}
}

func TestReadBaselineErrors(t *testing.T) {
	t.Parallel()
	findings, st := fixture()
	tests := []struct {
		name, content, want string
	}{
		{"empty.json", "", "not a JSON object"},
		{"notes.txt", "accepted: everything\n", "not a JSON object"},
		{"array.json", `[{"rule_id": "claro-live-key", "path": "a"}]`, "not a JSON object"},
		{"broken.json", `{"findings": [`, "unexpected end of JSON input"},
		{"wrong-type.json", `{"findings": {"rule_id": "claro-live-key"}}`, "cannot unmarshal"},
		{"report.sarif", write(t, report.SARIF, findings, st, report.Options{}), `no "findings" array`},
		{"null.json", `{"version": "1.2.3", "findings": null}`, `no "findings" array`},
		{"no-path.json", `{"findings": [{"rule_id": "claro-live-key", "path": "a"}, {"rule_id": "claro-live-key"}]}`, "finding 2 has no rule_id or path"},
	}
	for _, tt := range tests {
		p := writeFile(t, tt.name, tt.content)
		_, err := report.ReadBaseline(p)
		if err == nil {
			t.Errorf("%s: got no error", tt.name)
			continue
		}
		for _, want := range []string{p, "not a clarolint JSON report", tt.want, "clarolint scan --format json --output FILE"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not say %q", tt.name, err, want)
			}
		}
	}

	missing := filepath.Join(t.TempDir(), "missing.json")
	_, err := report.ReadBaseline(missing)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: got error %v, want one naming %s that is fs.ErrNotExist", err, missing)
	}
}

func TestReadBaselineEmpty(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "baseline.json", write(t, report.JSON, nil, finding.Stats{}, report.Options{}))
	b, err := report.ReadBaseline(p)
	if err != nil {
		t.Fatal(err)
	}
	f := keyFinding(rules.LiveKey, rules.Error, "a.txt", 1, 1, rulestest.Key(rules.Live, 1), "{key}")
	if b.Has(f) {
		t.Error("an empty baseline accepts a finding")
	}
}
