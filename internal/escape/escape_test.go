package escape

import (
	"strconv"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"src/main.go", "src/main.go"},
		{"café/ключ 😀.txt", "café/ключ 😀.txt"},
		{"x\n::stop-commands::tok", `x\n::stop-commands::tok`},
		{"a\x1b]8;;https://evil\x07b", `a\x1b]8;;https://evil\ab`},
		{`lit\n`, `lit\\n`}, // a literal backslash is told from a newline
		{"new\nline", `new\nline`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"tab\there", `tab\there`},
		{`quote"d`, `quote"d`},
	}
	for _, tt := range tests {
		got := Text(tt.in)
		if got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(got, "\n\r\x1b") {
			t.Errorf("Text(%q) = %q holds a control character", tt.in, got)
		}
		if strings.Contains(got, `\`) {
			if back, err := strconv.Unquote(`"` + strings.ReplaceAll(got, `"`, `\"`) + `"`); err != nil || back != tt.in {
				t.Errorf("Text(%q) = %q does not unquote back: %q, %v", tt.in, got, back, err)
			}
		}
	}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	hostile := ".env.a`[x](javascript:alert(1))`<img src=x onerror=alert(1)>|&amp;\n# h"
	got := Markdown(hostile)
	if strings.Contains(got, "\n") {
		t.Errorf("Markdown(%q) = %q holds a line break", hostile, got)
	}
	// Every special character is escaped, so a renderer shows it literally.
	for i := 0; i < len(got); i++ {
		if strings.IndexByte(markdownSpecial, got[i]) >= 0 {
			if got[i] == '\\' && i+1 < len(got) && strings.IndexByte(markdownSpecial, got[i+1]) >= 0 {
				i++ // an escape and what it escapes
				continue
			}
			t.Fatalf("Markdown(%q) = %q: unescaped %q at %d", hostile, got, got[i], i)
		}
	}
	if got := Markdown("src/app/main.go"); got != "src/app/main.go" {
		t.Errorf("Markdown of a plain path = %q", got)
	}
}

// TestShell: a path pasted into a shell from a message is one word, and
// it is the path.
func TestShell(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{".env", ".env"},
		{"config/.env.prod", "config/.env.prod"},
		{"my dir/.env", "'my dir/.env'"},
		{"it's/.env", `'it'\''s/.env'`},
		{"$(rm -rf x)/.env", "'$(rm -rf x)/.env'"},
		{"", "''"},
	} {
		if got := Shell(tt.in); got != tt.want {
			t.Errorf("Shell(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
