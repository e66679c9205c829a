package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestGolangciLint builds golangci-lint with the clarolint plugin, as
// golangci-lint custom would from .custom-gcl.yml, and runs it with the
// README's .golangci.yml on a module with keys and on a clean one.
func TestGolangciLint(t *testing.T) {
	if os.Getenv("CLAROLINT_E2E") != "1" {
		t.Skip("builds golangci-lint; set CLAROLINT_E2E=1 to run this end-to-end test")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "custom-gcl")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	config := readmeConfig(t)
	live, test := rulestest.Key(rules.Live, 5101), rulestest.Key(rules.Test, 5102)
	keys := []string{live, test}
	hide := func(s string) string {
		for _, k := range keys {
			s = strings.ReplaceAll(s, k, rules.Redact([]byte(k)))
		}
		return s
	}
	leaky := "package leaky\n\nconst Token = \"" + live + "\"\n\nvar Header = \"Bearer \" + \"" + test + "\"\n"
	for _, tt := range []struct {
		name   string
		src    string
		config string
		args   []string
		code   int
		want   []string
	}{
		{"keys", leaky, config, []string{"run", "./..."}, 1, []string{
			"a.go:3:16: hardcoded Claro live API key " + rules.Redact([]byte(live)) + "; load it from the environment",
			"a.go:5:27: hardcoded Claro test API key " + rules.Redact([]byte(test)) + `; load it from the environment, e.g. os.Getenv("BAYT_TEST_API_KEY") (clarolint)`,
		}},
		{"clean", "package clean\n\nimport \"os\"\n\nvar Token = os.Getenv(\"BAYT_API_KEY\")\n", config, []string{"run", "./..."}, 0, []string{"0 issues."}},
		{"test keys ignored", leaky, strings.Replace(config, "test-keys: report", "test-keys: ignore", 1), []string{"run", "./..."}, 1, []string{"1 issues:"}},
		{"bad setting", leaky, strings.Replace(config, "test-keys: report", "test-keys: skip", 1), []string{"run", "./..."}, 3, []string{
			`plugin(clarolint): newPlugin clarolint settings: test-keys is "skip"; use report or ignore`,
		}},
		{"config verify", leaky, config, []string{"config", "verify"}, 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n", "a.go": tt.src, ".golangci.yml": tt.config} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, code := golangciLint(t, bin, dir, tt.args...)
			for _, k := range keys {
				if strings.Contains(out, k) {
					t.Errorf("output holds the full key %s:\n%s", rules.Redact([]byte(k)), hide(out))
				}
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", code, tt.code, hide(out))
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("output does not hold %q:\n%s", want, hide(out))
				}
			}
		})
	}
}

// golangciLint runs the custom golangci-lint in dir, offline and with a
// cache of its own, and returns its output and exit status.
func golangciLint(t *testing.T, bin, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOLANGCI_LINT_CACHE="+t.TempDir(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "NO_COLOR=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("run %s: %v", bin, err)
	}
	return out.String(), 0
}

// readmeConfig returns the .golangci.yml that the README recommends: its
// yaml block that starts with "# .golangci.yml".
func readmeConfig(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# \\.golangci\\.yml\n.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no yaml block starting with \"# .golangci.yml\"")
	}
	config := string(m[1])
	for _, want := range []string{"type: module", "print-issued-lines: false", "test-keys: report"} {
		if !strings.Contains(config, want) {
			t.Fatalf("the README's .golangci.yml lacks %q:\n%s", want, config)
		}
	}
	return config
}

// TestCustomGclConfig checks that .custom-gcl.yml, from which golangci-lint
// custom builds, asks for what this module builds: the same golangci-lint
// version, and the plugin package of this checkout.
func TestCustomGclConfig(t *testing.T) {
	t.Parallel()
	custom, err := os.ReadFile(filepath.Join("..", "..", ".custom-gcl.yml"))
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	field := func(src []byte, re string) string {
		m := regexp.MustCompile(re).FindSubmatch(src)
		if m == nil {
			t.Fatalf("no match for %s", re)
		}
		return string(m[1])
	}
	want := field(gomod, `github\.com/golangci/golangci-lint/v2 (v\S+)`)
	if got := field(custom, `(?m)^version: (\S+)`); got != want {
		t.Errorf(".custom-gcl.yml builds golangci-lint %s, but this module builds and tests %s", got, want)
	}
	if got := field(custom, `(?m)^\s+import: (\S+)`); got != "github.com/clarolint/clarolint/golangci" {
		t.Errorf(".custom-gcl.yml imports %s, want github.com/clarolint/clarolint/golangci", got)
	}
	if got := field(custom, `(?m)^\s+path: (\S+)`); got != "." {
		t.Errorf(".custom-gcl.yml builds the plugin from %s, want . (this checkout)", got)
	}
}
