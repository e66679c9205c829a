package scanner

import (
	"fmt"
	"strings"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/rules"
)

// keyFinding turns a key found into a Finding. It reports false
// when the rule is disabled or the key's fingerprint is allowed (counted as
// suppressed). A key handed to client-side code, by a variable that
// bundlers expose or by sitting in a built bundle, is a
// claro-key-client-exposed finding instead of a live or test key one,
// unless that rule is disabled. An encoded key's finding spans its
// encoded text and says how it was encoded, and its secret and
// fingerprint are those of the decoded key, so that allow lists,
// baselines and reuse treat it as the same key in any form.
func (s *Scanner) keyFinding(st *finding.Stats, h content.Hit) (finding.Finding, bool) {
	id := h.Kind.Rule()
	red := rules.Redact(h.Key)
	how := encodedAs(h.Encoding)
	msg := fmt.Sprintf("Claro %s API key %s%s; rotate it and load it from the environment or a .env file that .gitignore covers", h.Kind, red, how)
	if why := exposure(h.Path, h.Before); why != "" && s.enabled(rules.KeyClientExposed) {
		id = rules.KeyClientExposed
		if how != "" {
			how += ","
		}
		msg = fmt.Sprintf("Claro %s API key %s%s %s: every visitor can read it, which is worse than a key in a repository; revoke it now and call the Claro API from a server you control", h.Kind, red, how, why)
	}
	if !s.enabled(id) {
		return finding.Finding{}, false
	}
	fp := rules.Fingerprint(h.Key)
	if s.allowFP[fp] {
		st.Suppressed++
		return finding.Finding{}, false
	}
	rule, _ := rules.Lookup(id)
	return finding.Finding{
		RuleID:      id,
		Severity:    rule.Severity,
		Path:        h.Path,
		Line:        h.Line,
		Column:      h.Column,
		EndColumn:   h.Column + h.Width,
		UTF16Column: h.Column16,
		Secret:      rules.Secret(h.Key),
		Redacted:    red,
		Fingerprint: fp,
		Message:     msg,
		Encoding:    string(h.Encoding),
	}, true
}

// keyEmitter returns a hit handler that turns each hit into a finding
// (keyFinding), counting what it drops in st, and passes it to emit.
func (s *Scanner) keyEmitter(st *finding.Stats, emit func(finding.Finding) error) func(content.Hit) error {
	return func(h content.Hit) error {
		if f, ok := s.keyFinding(st, h); ok {
			return emit(f)
		}
		return nil
	}
}

// encodedAs says how a key was written, for its message: "" for a plain
// key, else the layers in the order they were applied, as in
// ", percent-encoded, then base64-encoded" or ", in UTF-16LE text".
func encodedAs(enc rules.Encoding) string {
	if enc == "" {
		return ""
	}
	var b strings.Builder
	for i, layer := range strings.Split(string(enc), "+") {
		switch l := rules.Encoding(layer); {
		case l == rules.UTF16LE || l == rules.UTF16BE:
			b.WriteString(", in " + strings.ToUpper(layer) + " text")
		case i > 0:
			b.WriteString(", then " + encodedWord(l))
		default:
			b.WriteString(", " + encodedWord(l))
		}
	}
	return b.String()
}

func encodedWord(l rules.Encoding) string {
	if l == rules.JSONUnicode {
		return "JSON unicode-escaped"
	}
	return string(l) + "-encoded"
}

// exposure says how a key at path, after the bytes before on its line,
// reaches client-side code, or "" when it does not.
func exposure(path string, before []byte) string {
	if rules.IsClientBundle(path) {
		return "is in a built front-end file, which browsers download"
	}
	if rules.IsAssignmentFile(path) {
		if name, ok := rules.ExposedVariable(before); ok {
			return "is assigned to " + name + ", which the bundler inlines into client code"
		}
	}
	return ""
}
