package analyzer

import "testing"

func TestSourceOffset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lit string
		n, want   int
	}{
		{"first byte", `"abc"`, 0, 1},
		{"end is the closing quote", `"abc"`, 3, 4},
		{"after short escapes", `"\n\tsk"`, 2, 5},
		{"after a quote escape", `"\"sk"`, 1, 3},
		{"after a hex escape", `"\x41B"`, 1, 5},
		{"after an octal escape", `"\101B"`, 1, 5},
		{"after UTF-8 text", `"é x"`, 3, 4},
		{"after a \\u escape", `"\u00e9x"`, 2, 7},
		{"after a \\U escape", `"\U0001F600x"`, 4, 11},
		{"raw", "`ab`", 1, 2},
		{"raw drops carriage returns", "`a\r\nb`", 2, 4},
		{"raw end", "`a\r\nb`", 3, 5},
	}
	for _, tt := range tests {
		if got := sourceOffset(tt.lit, tt.n); got != tt.want {
			t.Errorf("%s: sourceOffset(%q, %d) = %d, want %d", tt.name, tt.lit, tt.n, got, tt.want)
		}
	}
}
