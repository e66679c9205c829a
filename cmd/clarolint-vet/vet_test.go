package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestRunLeavesToChecker checks what the front end leaves to the checker
// in its own process: what prints nothing of the source.
func TestRunLeavesToChecker(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	factsOnly := filepath.Join(dir, "facts.cfg")
	if err := os.WriteFile(factsOnly, []byte(`{"ID": "p", "VetxOnly": true, "GoFiles": ["p.go"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-V=full"},
		{"-flags"},
		{"-json", factsOnly},
		{filepath.Join(dir, "missing.cfg")}, // the checker reports it
	} {
		var out strings.Builder
		if _, handled := run(args, &out, &out); handled || out.Len() > 0 {
			t.Errorf("run(%q) handled it (%v), printing %q; want it left to the checker", args, handled, out.String())
		}
	}
}

func TestVetUnit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-json", "/tmp/go-build1/b001/vet.cfg"}, "/tmp/go-build1/b001/vet.cfg"},
		{[]string{"vet.cfg"}, "vet.cfg"},
		{[]string{"./..."}, ""},
		{[]string{"vet.cfg", "./..."}, ""},
		{nil, ""},
	} {
		if got, ok := vetUnit(tt.args); got != tt.want || ok != (tt.want != "") {
			t.Errorf("vetUnit(%q) = %q, %v; want %q", tt.args, got, ok, tt.want)
		}
	}
}

func TestRedactFile(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 4401)
	name := filepath.Join(t.TempDir(), "vet.stdout")
	diff := "-var V = \"" + key + "\"\n+var V = os.Getenv(\"BAYT_API_KEY\")\n"
	if err := os.WriteFile(name, []byte(diff), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := redactFile(name); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(name)
	if want := rules.RedactText(diff); err != nil || string(b) != want {
		t.Errorf("after redactFile: %q, %v; want %q", secrets{key}.hide(string(b)), err, want)
	}
	if err := redactFile(name + ".missing"); err != nil {
		t.Errorf("redactFile of a missing file: %v, want nil", err)
	}
}
