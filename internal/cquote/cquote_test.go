package cquote

import (
	"slices"
	"testing"
)

func TestSplitList(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{"", nil, false},
		{"/a:/b", []string{"/a", "/b"}, false},
		{"/a::/b:", []string{"/a", "/b"}, false},
		{`"/with:colon":/b`, []string{"/with:colon", "/b"}, false},
		{`"/tab\there\nnl\\bs\"q\101":/c`, []string{"/tab\there\nnl\\bs\"qA", "/c"}, false},
		{`"/unterminated`, nil, true},
		{`"/bad\9"`, nil, true},
		{`"/bad\477"`, nil, true},
	} {
		got, err := SplitList(tt.in)
		if (err != nil) != tt.bad || !slices.Equal(got, tt.want) {
			t.Errorf("SplitList(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestUnquote(t *testing.T) {
	if s, err := Unquote("plain"); s != "plain" || err != nil {
		t.Errorf("Unquote(plain) = %q, %v", s, err)
	}
	if _, err := Unquote(`"x\`); err == nil {
		t.Error(`Unquote("x\) succeeded`)
	}
}
