package scanner

import (
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func TestClientExposed(t *testing.T) {
	t.Parallel()
	key, test := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Test, 2)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		".env.local":        "CLARO_KEY=" + key + "\nNEXT_PUBLIC_CLARO_KEY=" + key + "\n",
		"Dockerfile":        "FROM node:20\nENV VITE_CLARO_KEY " + test + "\n",
		"deploy/values.yml": "env:\n  - name: x\n    REACT_APP_KEY: \"" + key + "\"\n",
		"web/dist/app.js":   "var k=\"" + key + "\";",
		"src/app.js":        "const NEXT_PUBLIC_KEY = \"" + key + "\";\n", // source, not a bundle or an assignment file
	})
	got, _, _ := scanTree(t, Options{}, dir)
	want := []string{
		".env.local:1:11 claro-live-key",
		".env.local:2:23 claro-key-client-exposed",
		"Dockerfile:2:20 claro-key-client-exposed",
		"deploy/values.yml:3:21 claro-key-client-exposed",
		"src/app.js:1:26 claro-live-key",
		"web/dist/app.js:1:8 claro-key-client-exposed",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}

	var f finding.Finding
	mustNew(t, Options{}).Scan(t.Context(), Tree(dir+"/Dockerfile"), func(x finding.Finding) error { f = x; return nil })
	if f.Severity != rules.Error || !strings.Contains(f.Message, "VITE_CLARO_KEY") || !strings.Contains(f.Message, "Claro test API key") ||
		strings.Contains(f.Message, test[8:]) {
		t.Errorf("exposed test key: %+v", f)
	}

	// With the rule disabled, the keys are ordinary findings again.
	got, _, _ = scanTree(t, Options{Disable: []rules.RuleID{rules.KeyClientExposed}}, dir)
	for _, g := range got {
		if strings.Contains(g, "client-exposed") {
			t.Errorf("disabled rule reported: %s", g)
		}
	}
	if len(got) != 6 {
		t.Errorf("with the rule disabled: %d findings, want 6", len(got))
	}
}
