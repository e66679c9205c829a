package scanner

import (
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func TestReused(t *testing.T) {
	t.Parallel()
	shared, other := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Live, 2)
	at := func(path string, line int, key string) finding.Finding {
		return finding.Finding{RuleID: rules.LiveKey, Severity: rules.Error, Path: path, Line: line, Column: 5,
			Secret: rules.Secret(key), Redacted: rules.Redact([]byte(key)), Fingerprint: rules.Fingerprint([]byte(key))}
	}
	fs := []finding.Finding{
		at(".env.development", 2, shared),
		at(".env.production", 1, shared),
		at("config/staging.yaml", 7, shared),
		at(".env.local", 3, shared),    // development again: not reuse across environments
		at("src/client.go", 9, shared), // not configuration: no environment
		at(".env.production", 2, other),
		at("config/prod.yaml", 4, other), // the same environment
	}
	got := mustNew(t, Options{}).Reused(fs)
	var where []string
	for _, f := range got {
		where = append(where, f.Path)
		if f.RuleID != rules.KeyReused || f.Severity != rules.Warning || f.Line == 0 || strings.Contains(f.Message, shared[8:]) {
			t.Errorf("finding %+v", f)
		}
	}
	if want := []string{".env.production", "config/staging.yaml"}; !slices.Equal(where, want) {
		t.Fatalf("reused at %q, want %q", where, want)
	}
	if m := got[0].Message; !strings.Contains(m, "for production") || !strings.Contains(m, ".env.development:2 (development)") ||
		!strings.Contains(m, "config/staging.yaml:7 (staging)") || !strings.Contains(m, ".env.local:3 (development)") {
		t.Errorf("message does not name the others: %s", m)
	}
	if got := mustNew(t, Options{Disable: []rules.RuleID{rules.KeyReused}}).Reused(fs); got != nil {
		t.Errorf("disabled rule reported %d findings", len(got))
	}
}
