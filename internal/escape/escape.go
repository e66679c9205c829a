package escape

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text returns s as it may be printed on one line of a terminal or a CI
// log. Printable text, non-ASCII included, comes back unchanged. Anything
// else (control characters such as a newline or ESC, invalid UTF-8) is
// escaped as in a Go string literal, and then so is every backslash: a
// line can neither be split (a forged "::stop-commands::" workflow
// command) nor send escape sequences to a terminal. The result is
// unambiguous: it holds a backslash only when s was escaped, so a name
// holding a literal backslash and "n" never reads like one holding a
// newline, and strconv.Unquote(`"` + Text(s) + `"`) gives s back for any
// escaped result.
func Text(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// Unprintable reports whether s holds invalid UTF-8 or a character that
// cannot be printed as it is, such as a newline or ESC. Where a name must
// stay as it is when it can (a GitHub annotation's file), print
// Text(s) only when Unprintable(s).
func Unprintable(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !strconv.IsPrint(r) })
}

// needsEscape reports whether r cannot be printed as it is: a control or
// other non-printable character, or a backslash, which would make an
// escaped result ambiguous.
func needsEscape(r rune) bool { return r == '\\' || !strconv.IsPrint(r) }

// markdownSpecial are the characters that GitHub-flavoured Markdown, or
// the HTML it allows, can give a meaning to inside a table cell: the
// escape itself, code spans, emphasis, links and images (which cannot
// start without "["), raw HTML, autolinks in angle brackets, entities,
// the cell separator, strikethrough and math. CommonMark lets any ASCII
// punctuation be escaped with a backslash; the others (such as "(" or ":")
// mean nothing once these are escaped, so they stay readable.
const markdownSpecial = "\\`*_[]<>&|~$!"

// Markdown returns s as the text of one Markdown table cell, to be shown
// literally: Text's escaping first (so no line break or control
// character), then a backslash before every character that Markdown or
// inline HTML would read as syntax. A file named
// ".env.a`[x](javascript:…)`<img …>" shows as those characters, not as a
// code span, a link or an image.
func Markdown(s string) string {
	s = Text(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(markdownSpecial, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Shell quotes p for a POSIX shell when it holds anything but letters,
// digits and ./_-+@%=:,, so that a command in a message can be pasted:
// in single quotes, each single quote in p closed, escaped and reopened.
func Shell(p string) string {
	safe := p != "" && !strings.ContainsFunc(p, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("./_-+@%=:,", r))
	})
	if safe {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
