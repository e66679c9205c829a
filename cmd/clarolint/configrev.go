package main

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/clarolint/clarolint/config"
	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/scanner"
)

// configFile is where a repository keeps its settings, from its top.
const configFile = ".clarolint.yaml"

// readConfigAt reads the config as commit rev of repo holds it; a commit
// without one has none, and the defaults apply.
func (s *setup) readConfigAt(repo *scanner.Repository, rev string) error {
	cfg, err := configAt(repo, rev)
	if err != nil || cfg == nil {
		return err
	}
	s.useConfig(cfg, cfg.Path)
	return nil
}

// configAt returns the config at rev, nil when rev has none.
func configAt(repo *scanner.Repository, rev string) (*config.Config, error) {
	data, ok, err := repo.ReadFile(rev, configFile)
	if err != nil || !ok {
		return nil, err
	}
	return config.Parse(rev+":"+configFile, data)
}

// baselineAt reads the baseline a config at rev names (relative to the
// config's directory, the top of the tree) from rev.
func baselineAt(repo *scanner.Repository, rev, name string) (*report.Baseline, error) {
	p := path.Clean(name)
	data, ok, err := repo.ReadFile(rev, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("baseline %s:%s, which the config at %s names, is not in that commit", rev, p, rev)
	}
	return report.ParseBaseline(rev+":"+p, data)
}

// widening compares the settings that the commit head proposes with
// those of rev, which the scan used: it returns a finding about the
// config for what head lets through that rev does not, or false.
func widening(repo *scanner.Repository, s *setup, rev, head string) (finding.Finding, bool, error) {
	hc, err := configAt(repo, head)
	if err != nil || hc == nil {
		return finding.Finding{}, false, err
	}
	base := s.cfg
	if base == nil {
		base = &config.Config{}
	}
	var more []string
	add := func(what string, items []string) {
		if len(items) > 0 {
			more = append(more, what+" "+strings.Join(items, ", "))
		}
	}
	add("allow.paths", added(base.AllowPaths, hc.AllowPaths))
	add("allow.fingerprints", added(base.AllowFingerprints, hc.AllowFingerprints))
	var disabled []string
	for _, id := range hc.Disable {
		if !slices.Contains(base.Disable, id) {
			disabled = append(disabled, string(id))
		}
	}
	add("disable", disabled)
	if entropy(hc) > entropy(base) {
		more = append(more, fmt.Sprintf("a higher entropy threshold (%.2f, was %.2f), so more keys pass for placeholders", entropy(hc), entropy(base)))
	}
	if hc.MaxFileSize > 0 && (base.MaxFileSize == 0 || hc.MaxFileSize < base.MaxFileSize) {
		more = append(more, fmt.Sprintf("a lower max-file-size (%d bytes), so larger files are not read", hc.MaxFileSize))
	}
	if hc.Baseline != "" {
		hb, err := baselineAt(repo, head, hc.Baseline)
		if err != nil {
			return finding.Finding{}, false, err
		}
		if n := hb.Beyond(s.baseline); n > 0 {
			more = append(more, fmt.Sprintf("%s in the baseline %s", plural(n, "new accepted finding"), hc.Baseline))
		}
	}
	if len(more) == 0 {
		return finding.Finding{}, false, nil
	}
	rule, _ := rules.Lookup(rules.ConfigWidened)
	return finding.Finding{
		RuleID: rule.ID, Severity: rule.Severity, Path: configFile, Line: 1, Column: 1, EndColumn: 1,
		Message: fmt.Sprintf("this change widens what clarolint lets through: %s; the scan used the settings of %s instead, so a change cannot allow its own key; review the new allowances, which must be for fake or revoked keys only",
			strings.Join(more, "; "), rev),
	}, true, nil
}

// added returns the items of now that were not in before.
func added(before, now []string) []string {
	var out []string
	for _, x := range now {
		if !slices.Contains(before, x) {
			out = append(out, x)
		}
	}
	return out
}

// entropy returns the entropy threshold a config applies.
func entropy(c *config.Config) float64 {
	switch v := c.MinEntropy(); {
	case v < 0:
		return 0
	case v == 0:
		return rules.DefaultMinEntropy
	default:
		return v
	}
}

// rangeTip returns the revision a history range ends at: B of A..B or
// A...B (HEAD when empty), HEAD without a range.
func rangeTip(rng string) string {
	_, b, ok := strings.Cut(rng, "...")
	if !ok {
		_, b, _ = strings.Cut(rng, "..")
	}
	if b == "" {
		return "HEAD"
	}
	return b
}
