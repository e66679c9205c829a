package golangci_test

import (
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis/analysistest"

	_ "github.com/clarolint/clarolint/golangci" // registers the plugin, as in a golangci-lint build
)

// TestPlugin builds the plugin as golangci-lint does, from the registry
// and the settings it decoded from .golangci.yml, and runs its analyzer.
func TestPlugin(t *testing.T) {
	t.Parallel()
	newPlugin, err := register.GetPlugin("clarolint")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pkg      string
		settings any
	}{
		{"reported", nil}, // no settings: key in .golangci.yml
		{"reported", map[string]any{"test-keys": "report"}},
		{"ignored", map[string]any{"test-keys": "ignore"}},
		{"lowentropy", map[string]any{"entropy": 0}},
		{"strict", map[string]any{"entropy": 5.3}},
	} {
		t.Run(tt.pkg, func(t *testing.T) {
			t.Parallel()
			p, err := newPlugin(tt.settings)
			if err != nil {
				t.Fatalf("settings %v: %v", tt.settings, err)
			}
			if mode := p.GetLoadMode(); mode != register.LoadModeTypesInfo {
				t.Errorf("load mode %q, want %q", mode, register.LoadModeTypesInfo)
			}
			analyzers, err := p.BuildAnalyzers()
			if err != nil || len(analyzers) != 1 || analyzers[0].Name != "clarolint" {
				t.Fatalf("BuildAnalyzers = %v, %v; want the clarolint analyzer", analyzers, err)
			}
			analysistest.Run(t, analysistest.TestData(), analyzers[0], tt.pkg)
		})
	}
}

func TestBadSettings(t *testing.T) {
	t.Parallel()
	newPlugin, err := register.GetPlugin("clarolint")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		settings any
		want     string
	}{
		{map[string]any{"test-keys": "skip"}, `clarolint settings: test-keys is "skip"; use report or ignore`},
		{map[string]any{"entropy": 6}, "clarolint settings: entropy is 6; use 0 (off) to 5.39 bits per character, such as 4.0"},
		{map[string]any{"entropy": -1}, "clarolint settings: entropy is -1; use 0 (off) to 5.39"},
		{map[string]any{"entropy": "high"}, "clarolint settings: decoding settings: json: cannot unmarshal string"},
		{map[string]any{"testkeys": "ignore"}, `clarolint settings: decoding settings: json: unknown field "testkeys"`},
	} {
		if _, err := newPlugin(tt.settings); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("settings %v: error %v, want one starting %q", tt.settings, err, tt.want)
		}
	}
}
