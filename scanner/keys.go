package scanner

import (
	"fmt"

	"github.com/clarolint/clarolint/rules"
)

// keyFinding turns a key found at path into a Finding. It reports false
// when the rule is disabled or the key's fingerprint is allowed (counted as
// suppressed).
func (s *Scanner) keyFinding(st *Stats, path string, h hit) (Finding, bool) {
	id := h.kind.Rule()
	if !s.enabled(id) {
		return Finding{}, false
	}
	fp := rules.Fingerprint(h.key)
	if s.allowFP[fp] {
		st.Suppressed++
		return Finding{}, false
	}
	rule, _ := rules.Lookup(id)
	red := rules.Redact(h.key)
	return Finding{
		RuleID:      id,
		Severity:    rule.Severity,
		Path:        path,
		Line:        h.line,
		Column:      h.column,
		EndColumn:   h.column + rules.KeyLen,
		Secret:      rules.Secret(h.key),
		Redacted:    red,
		Fingerprint: fp,
		Message:     fmt.Sprintf("Claro %s API key %s; rotate it and load it from the environment or a .env file that .gitignore covers", h.kind, red),
	}, true
}
