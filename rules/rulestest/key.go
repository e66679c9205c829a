// Package rulestest makes deterministic fake Claro keys for tests, so that no
// test source holds a literal key, their encodings, and key-free real
// source text for benchmarks.
package rulestest

import "github.com/clarolint/clarolint/rules"

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Key returns a well-formed key of the given kind whose body is derived
// from seed: the same seed always gives the same key, different seeds give
// different keys, and the key passes every placeholder check of the
// default rules.Matcher, so rules.Matcher.Find reports it.
func Key(kind rules.Kind, seed uint64) string {
	prefix := "sk_live_"
	if kind == rules.Test {
		prefix = "sk_test_"
	}
	// Scramble the seed first: SplitMix64 steps by a constant, so raw
	// consecutive seeds would give the same sequence shifted by one.
	state := seed
	state = splitmix(&state)
	var m rules.Matcher
	for {
		b := []byte(prefix)
		for range rules.BodyLen {
			b = append(b, base62[splitmix(&state)%62])
		}
		if len(m.Find(b)) == 1 { // a rare random body looks like a placeholder; draw again
			return string(b)
		}
	}
}

// splitmix is SplitMix64: a fast, well-mixed sequence from any seed.
func splitmix(s *uint64) uint64 {
	*s += 0x9E3779B97F4A7C15
	z := *s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}
