package rules

import (
	"bytes"
	"math"
)

// placeholderWords are the words that mark a body as a placeholder wherever
// they appear in it, compared case-insensitively.
var placeholderWords = [...]string{"your", "example", "xxxx", "dummy", "fake", "placeholder", "redacted", "changeme"}

// isPlaceholder reports whether a 42-byte body is a placeholder: too little
// entropy, a sequential run, a repeating unit or a placeholder word.
func (m *Matcher) isPlaceholder(body []byte) bool {
	threshold := m.MinEntropy
	if threshold == 0 {
		threshold = DefaultMinEntropy
	}
	return (threshold > 0 && entropy(body) < threshold) || hasRun(body) || isPeriodic(body) || hasWord(body)
}

// entropy returns the Shannon entropy of b in bits per byte.
func entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	n := float64(len(b))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// runLen is how many characters, each above (or each below) the one before
// it in ASCII, make a placeholder run: abcdefgh, 12345678, ZYXWVUTS.
const runLen = 8

// hasRun reports whether b holds runLen or more characters each strictly
// above, or each strictly below, the previous one.
func hasRun(b []byte) bool {
	up, down := 1, 1
	for i := 1; i < len(b); i++ {
		switch {
		case b[i] > b[i-1]:
			up, down = up+1, 1
		case b[i] < b[i-1]:
			up, down = 1, down+1
		default:
			up, down = 1, 1
		}
		if up >= runLen || down >= runLen {
			return true
		}
	}
	return false
}

// maxPeriod is the longest unit whose repetition makes a placeholder.
const maxPeriod = 8

// isPeriodic reports whether b is one unit of 1 to maxPeriod characters
// repeated, the last copy possibly cut short: aaaa…, abcabc…, 12345678123….
func isPeriodic(b []byte) bool {
	for p := 1; p <= maxPeriod && p < len(b); p++ {
		if bytes.Equal(b[p:], b[:len(b)-p]) {
			return true
		}
	}
	return false
}

// hasWord reports whether b holds a placeholder word, ignoring case.
func hasWord(b []byte) bool {
	var lower [BodyLen]byte
	if len(b) > len(lower) {
		return false // only bodies are judged
	}
	l := lower[:len(b)]
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	for _, w := range placeholderWords {
		if bytes.Contains(l, []byte(w)) {
			return true
		}
	}
	return false
}
