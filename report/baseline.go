package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
)

// Baseline is a set of accepted findings (--baseline), read from a json
// report. A finding with a key is accepted when an entry has the same
// fingerprint and path, whatever its line, column, rule or commit: moving
// the key within the file keeps it accepted, the same key in another file
// does not. A finding without a key (a whole-file finding) is accepted when
// an entry without a fingerprint has the same rule and path.
//
// A nil *Baseline accepts nothing. A Baseline is never modified after
// ReadBaseline, so it is safe for concurrent use.
type Baseline struct {
	accepted map[baselineKey]struct{}
}

// baselineKey identifies a finding for a baseline: fingerprint and path, or
// rule and path for a finding without a fingerprint.
type baselineKey struct {
	fingerprint, rule, path string
}

func newBaselineKey(rule rules.RuleID, path, fingerprint string) baselineKey {
	if fingerprint != "" {
		return baselineKey{fingerprint: fingerprint, path: path}
	}
	return baselineKey{rule: string(rule), path: path}
}

// baselineEntry is the part of a json finding that a baseline reads. Every
// other field, a "secret" from --show-secrets included, is ignored.
type baselineEntry struct {
	RuleID      rules.RuleID `json:"rule_id"`
	Path        string       `json:"path"`
	PathBytes   []byte       `json:"path_bytes"` // the path itself when it is not UTF-8
	Fingerprint string       `json:"fingerprint"`
}

// ReadBaseline reads the json report at path (clarolint scan --format json)
// as a Baseline. A file that is not such a report is an error naming the
// file and saying how to make one.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err) // the error names the file
	}
	return ParseBaseline(path, data)
}

// ParseBaseline reads data, a json report read from name (a file, or a
// file at a commit), as a Baseline; see ReadBaseline.
func ParseBaseline(path string, data []byte) (*Baseline, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return nil, notReport(path, errors.New("not a JSON object"))
	}
	var r struct {
		Findings *[]baselineEntry `json:"findings"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, notReport(path, err)
	}
	if r.Findings == nil {
		return nil, notReport(path, errors.New(`no "findings" array`))
	}
	b := &Baseline{accepted: make(map[baselineKey]struct{}, len(*r.Findings))}
	for i, e := range *r.Findings {
		if e.RuleID == "" || e.Path == "" {
			return nil, notReport(path, fmt.Errorf("finding %d has no rule_id or path", i+1))
		}
		p := e.Path
		if e.PathBytes != nil {
			p = string(e.PathBytes)
		}
		b.accepted[newBaselineKey(e.RuleID, p, e.Fingerprint)] = struct{}{}
	}
	return b, nil
}

func notReport(path string, err error) error {
	return fmt.Errorf("baseline %s: not a clarolint JSON report: %w; create one with clarolint scan --format json --output FILE", path, err)
}

// Beyond returns how many entries b accepts that base does not: a change
// that adds them accepts findings the base did not. A nil Baseline
// accepts nothing.
func (b *Baseline) Beyond(base *Baseline) int {
	if b == nil {
		return 0
	}
	n := 0
	for k := range b.accepted {
		if base == nil {
			n++
			continue
		}
		if _, ok := base.accepted[k]; !ok {
			n++
		}
	}
	return n
}

// Has reports whether the baseline accepts f.
func (b *Baseline) Has(f finding.Finding) bool {
	if b == nil {
		return false
	}
	_, ok := b.accepted[newBaselineKey(f.RuleID, f.Path, f.Fingerprint)]
	return ok
}
