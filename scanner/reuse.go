package scanner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
)

// Reused returns a claro-key-reused finding for each extra location of a
// key that appears in the configuration of more than one environment
// (.env.development and .env.production, config/staging.yaml and
// config/prod.yaml): the first location, by path, is the key's home, and
// every location in another environment gets a finding naming the others.
// fs are the findings of one scan; Reused does not modify them.
func (s *Scanner) Reused(fs []finding.Finding) []finding.Finding {
	if !s.enabled(rules.KeyReused) {
		return nil
	}
	type place struct {
		env string
		f   finding.Finding
	}
	byKey := map[string][]place{}
	for _, f := range fs {
		if f.Secret == "" {
			continue
		}
		if env := rules.Environment(f.Path); env != "" {
			byKey[f.Fingerprint] = append(byKey[f.Fingerprint], place{env, f})
		}
	}
	rule, _ := rules.Lookup(rules.KeyReused)
	var out []finding.Finding
	for _, places := range byKey {
		slices.SortFunc(places, func(a, b place) int {
			return strings.Compare(a.f.Path+"\x00"+strconv.Itoa(a.f.Line), b.f.Path+"\x00"+strconv.Itoa(b.f.Line))
		})
		home := places[0].env
		for _, p := range places[1:] {
			if p.env == home {
				continue
			}
			var others []string
			for _, o := range places {
				if o.env != p.env {
					others = append(others, fmt.Sprintf("%s:%d (%s)", o.f.Path, o.f.Line, o.env))
				}
			}
			if len(others) > 3 {
				others = append(others[:3], fmt.Sprintf("%d more", len(others)-3))
			}
			r := p.f
			r.RuleID, r.Severity = rule.ID, rule.Severity
			r.Message = fmt.Sprintf("Claro key %s for %s is also used in %s; issue a separate key for each environment, so that rotating one does not break the others",
				p.f.Redacted, p.env, strings.Join(others, ", "))
			out = append(out, r)
		}
	}
	finding.Sort(out)
	return out
}
