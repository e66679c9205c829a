package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func TestRedactor(t *testing.T) {
	t.Parallel()
	live, test := rulestest.Key(rules.Live, 31), rulestest.Key(rules.Test, 32)
	text := "3\tconst k = \"" + live + "\"\n-var v = \"" + test + "\"\nlast line, no newline " + live
	want := rules.RedactText(text)
	// Every way of cutting the text into two writes: a key split across
	// them is still caught.
	for cut := range len(text) + 1 {
		var b strings.Builder
		r := &redactor{w: &b}
		r.Write([]byte(text[:cut]))
		r.Write([]byte(text[cut:]))
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != want {
			hide := strings.NewReplacer(live, "<live key>", test, "<test key>")
			t.Fatalf("cut at %d: wrote %q, want %q", cut, hide.Replace(got), hide.Replace(want))
		}
	}
}

// failing is a writer that always fails.
type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRedactorErrors(t *testing.T) {
	t.Parallel()
	r := &redactor{w: failing{}}
	if n, err := r.Write([]byte("no newline yet")); n != 14 || err != nil {
		t.Errorf("Write of part of a line = %d, %v; want 14, nil: nothing reaches the writer yet", n, err)
	}
	if _, err := r.Write([]byte("\n")); err == nil {
		t.Error("Write of a whole line did not return the writer's error")
	}
	r.Write([]byte("rest"))
	if err := r.Close(); err == nil {
		t.Error("Close did not return the writer's error")
	}
}
