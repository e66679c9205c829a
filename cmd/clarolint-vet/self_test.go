package main

import "testing"

func TestBoolFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"-fix", "./..."}, true},
		{[]string{"--fix", "./..."}, true},
		{[]string{"-fix=true"}, true},
		{[]string{"-fix=1"}, true},
		{[]string{"-fix", "-fix=false"}, false},
		{[]string{"-fix=no"}, false}, // not a boolean: the flag package refuses it, and so nothing is set
		{[]string{"-fixes"}, false},
		{[]string{"fix"}, false}, // a package pattern
		{[]string{"-diff", "./fix"}, false},
		{nil, false},
	} {
		if got := boolFlag(tt.args, "fix"); got != tt.want {
			t.Errorf("boolFlag(%q, fix) = %v", tt.args, got)
		}
	}
}

func TestStandaloneFix(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"-fix", "./..."}, true},
		{[]string{"-fix", "-diff", "./..."}, false}, // shows the fixes, applies none
		{[]string{"-fix", "-json", "./..."}, false},
		{[]string{"./..."}, false},
		{[]string{"-fix", "/tmp/go-build1/vet.cfg"}, false}, // go vet's protocol
	} {
		if got := standaloneFix(tt.args); got != tt.want {
			t.Errorf("standaloneFix(%q) = %v", tt.args, got)
		}
	}
}
