package golangci

import (
	"fmt"
	"math"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/clarolint/clarolint/analyzer"
	"github.com/clarolint/clarolint/rules"
)

// golangci-lint finds module plugins by the name they register under when
// their package is initialised; there is no other hook.
func init() {
	register.Plugin("clarolint", New)
}

// Settings are the plugin's settings in .golangci.yml, under
// linters.settings.custom.clarolint.settings. The zero value reports
// every key with the default entropy threshold.
type Settings struct {
	// TestKeys says what to do with test keys (sk_test_): "report", the
	// default, or "ignore". Live keys are always reported.
	TestKeys string `json:"test-keys"`
	// Entropy is the minimum Shannon entropy, in bits per character of a
	// key's 42-character body, below which it is taken for a
	// placeholder, as entropy in .clarolint.yaml: nil for the default,
	// 4.0; 0 turns the check off; at most log2(42) ≈ 5.39.
	Entropy *float64 `json:"entropy"`
}

// New returns the clarolint plugin configured by settings, as golangci-lint
// hands them over (decoded from YAML). An unknown setting, or a bad value,
// is an error that says what to write instead.
func New(settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("clarolint settings: %w", err)
	}
	opts, err := s.options()
	if err != nil {
		return nil, fmt.Errorf("clarolint settings: %w", err)
	}
	return plugin{opts}, nil
}

// options validates s and returns the analyzer's options for it.
func (s Settings) options() (analyzer.Options, error) {
	var opts analyzer.Options
	switch s.TestKeys {
	case "", "report":
	case "ignore":
		opts.IgnoreTestKeys = true
	default:
		return opts, fmt.Errorf("test-keys is %q; use report or ignore", s.TestKeys)
	}
	if s.Entropy != nil {
		maxEntropy := math.Log2(rules.BodyLen)
		if e := *s.Entropy; !(e >= 0 && e <= maxEntropy) { // NaN too
			return opts, fmt.Errorf("entropy is %v; use 0 (off) to %.2f bits per character, such as 4.0", e, maxEntropy)
		}
		// The matcher takes 0 for its default and a negative value for
		// off, where the setting, like .clarolint.yaml, takes 0 for off.
		opts.MinEntropy = *s.Entropy
		if opts.MinEntropy == 0 {
			opts.MinEntropy = -1
		}
	}
	return opts, nil
}

// plugin is the clarolint module plugin.
type plugin struct {
	opts analyzer.Options
}

// BuildAnalyzers returns the clarolint analyzer with the plugin's options.
func (p plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{analyzer.New(p.opts)}, nil
}

// GetLoadMode returns typesinfo: the analyzer reads the type checker's
// constants.
func (plugin) GetLoadMode() string {
	return register.LoadModeTypesInfo
}
