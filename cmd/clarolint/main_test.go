package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// clarolint runs the CLI in-process and returns stdout, stderr and the
// exit status.
func clarolint(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// project writes a small project with keys in several places, built from
// generated fake keys so that no key is written in this file.
func project(t *testing.T) (dir string, keys []string) {
	t.Helper()
	dir = t.TempDir()
	live1, live2, test1 := rulestest.Key(rules.Live, 101), rulestest.Key(rules.Live, 102), rulestest.Key(rules.Test, 103)
	files := map[string]string{
		"src/client.go":      "package client\n\nconst apiKey = \"" + live1 + "\"\n",
		"src/client_test.go": "package client\n\nvar sandbox = `" + test1 + "` // a sandbox key\n",
		"deploy/values.yaml": "claro:\n  key: " + live2 + "\n  stripe: sk_live_" + live1[8:32] + "\n",
		"docs/setup.md":      "Set `BAYT_API_KEY=sk_live_your_key_goes_here_0123456789abcdefgh` in .env\n",
		"allowed.txt":        "KEY=" + live2 + "  # clarolint:allow: revoked\n",
	}
	fixture.WriteFiles(t, dir, files)
	return dir, []string{live1, live2, test1}
}

// normalize removes what changes from run to run: durations.
var durations = regexp.MustCompile(`in [0-9.]+(ns|µs|ms|s)\b|"duration_ms": [0-9]+`)

func normalize(s string) string {
	return durations.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, `"`) {
			return `"duration_ms": 0`
		}
		return "in 0s"
	})
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (run go test -update and review the diff):\n%s", path, got)
	}
}

func TestScanGolden(t *testing.T) {
	t.Parallel()
	dir, _ := project(t)
	for _, format := range []string{"text", "json", "github"} {
		out, errOut, code := clarolint(t, "scan", "--format", format, dir)
		if code != exitFindings || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q", format, code, errOut)
		}
		golden(t, "scan-"+format, normalize(out))
	}
}

// TestScanNeverLeaks runs every format without and with --show-secrets.
func TestScanNeverLeaks(t *testing.T) {
	t.Parallel()
	dir, keys := project(t)
	for _, format := range []string{"text", "json", "sarif", "github"} {
		for _, show := range []bool{false, true} {
			args := []string{"scan", "--format", format, dir}
			if show {
				args = append(args, "--show-secrets")
			}
			out, errOut, _ := clarolint(t, args...)
			for i, k := range keys {
				if got := strings.Contains(out+errOut, k[8:]); got != show {
					t.Errorf("%s, --show-secrets=%v: key %d in output: %v", format, show, i, got)
				}
			}
		}
	}
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	dir, _ := project(t)
	clean := t.TempDir()
	os.WriteFile(filepath.Join(clean, "a.txt"), []byte("no keys here"), 0o644)
	onlyTest := t.TempDir()
	os.WriteFile(filepath.Join(onlyTest, "a.txt"), []byte(rulestest.Key(rules.Test, 1)), 0o644)
	badConfig := t.TempDir()
	os.WriteFile(filepath.Join(badConfig, ".clarolint.yaml"), []byte("entropy: 4\nalow:\n  paths: [x]\n"), 0o644)

	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"findings", []string{"scan", dir}, exitFindings, ""},
		{"clean", []string{"scan", clean}, exitClean, ""},
		{"warning fails by default", []string{"scan", onlyTest}, exitFindings, ""},
		{"--fail-on error ignores warnings", []string{"scan", "--fail-on", "error", onlyTest}, exitClean, ""},
		{"flags after the path", []string{"scan", onlyTest, "--fail-on", "error"}, exitClean, ""},
		{"-- ends flags", []string{"scan", "--fail-on", "error", "--", onlyTest}, exitClean, ""},
		{"bad --fail-on", []string{"scan", "--fail-on", "info", clean}, exitError, `--fail-on "info": use error or warning`},
		{"bad --format", []string{"scan", "--format", "xml", clean}, exitError, "unknown format"},
		{"unknown flag", []string{"scan", "--nope", clean}, exitError, "flag provided but not defined: -nope"},
		{"missing path", []string{"scan", filepath.Join(clean, "missing")}, exitError, "no such file or directory"},
		{"bad config", []string{"scan", badConfig}, exitError, ".clarolint.yaml:2:1"},
		{"missing --config", []string{"scan", "--config", filepath.Join(clean, "none.yaml"), clean}, exitError, "none.yaml"},
		{"missing --baseline", []string{"scan", "--baseline", filepath.Join(clean, "none.json"), clean}, exitError, "none.json"},
		{"no command", nil, exitError, "Usage:"},
		{"unknown command", []string{"scna"}, exitError, `unknown command "scna"`},
	} {
		_, errOut, code := clarolint(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, code, errOut, tt.code, tt.stderr)
		}
	}
}

// commonFlags are the flags every scanning command documents.
var commonFlags = []string{"format", "output", "report", "config", "baseline", "fail-on", "show-secrets", "no-color", "quiet", "verbose", "verify", "api-url", "only-active", "decode-depth", "archive-depth"}

// TestHelp: each command's --help documents every flag with an example
// and gives the exit statuses.
func TestHelp(t *testing.T) {
	t.Parallel()
	for cmd, own := range map[string][]string{
		"scan":         {"no-ignore", "skip-binary", "follow-symlinks"},
		"history":      {"range", "since", "branch", "skip-binary"},
		"staged":       {"all", "skip-binary"},
		"install-hook": {"force", "uninstall"},
		"pre-receive":  {"timeout", "fail-open", "allow-skip", "gitlab", "skip-binary"},
	} {
		out, _, code := clarolint(t, cmd, "--help")
		if code != exitClean || !strings.Contains(out, "Usage: clarolint "+cmd+" [flags]") || !strings.Contains(out, "Exit status: 0") {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
			continue
		}
		flags := own
		if cmd != "install-hook" {
			flags = append(slices.Clone(commonFlags), own...)
		}
		for _, name := range flags {
			i := strings.Index(out, "\n  --"+name+"\n")
			if i < 0 {
				i = strings.Index(out, "\n  --"+name+" ")
			}
			if i < 0 {
				t.Errorf("%s: --%s is not documented", cmd, name)
				continue
			}
			next := strings.Index(out[i+1:], "\n  --")
			if next < 0 {
				next = len(out) - i - 1
			}
			if !strings.Contains(out[i:i+1+next], "e.g. ") {
				t.Errorf("%s: --%s has no example", cmd, name)
			}
		}
	}
}

// checkGoldenFormats runs clarolint with args in text and json, compares
// each output with the golden file name-FORMAT, and checks that no key
// appears.
func checkGoldenFormats(t *testing.T, name string, args, keys []string) {
	t.Helper()
	for _, format := range []string{"text", "json"} {
		out, errOut, code := clarolint(t, append([]string{args[0], "--format", format}, args[1:]...)...)
		if code != exitFindings || errOut != "" && (args[0] != "staged" || errOut != commitAdvice+"\n") {
			t.Errorf("%s: exit %d, stderr %q", format, code, errOut)
		}
		golden(t, name+"-"+format, normalize(out))
		for i, k := range keys {
			if strings.Contains(out, k[8:]) {
				t.Errorf("%s: key %d in the output", format, i)
			}
		}
	}
}

// TestBaselineWorkflow: accept today's findings, then only new ones fail.
func TestBaselineWorkflow(t *testing.T) {
	t.Parallel()
	dir, _ := project(t)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if _, errOut, code := clarolint(t, "scan", "--format", "json", "--output", baseline, dir); code != exitFindings {
		t.Fatalf("writing the baseline: exit %d, %s", code, errOut)
	}
	if out, _, code := clarolint(t, "scan", "--baseline", baseline, dir); code != exitClean {
		t.Fatalf("with the baseline: exit %d\n%s", code, out)
	}
	// Moving a key to another line keeps it accepted; a new key fails.
	p := filepath.Join(dir, "src", "client.go")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, append([]byte("// moved down\n\n"), b...), 0o644)
	if out, _, code := clarolint(t, "scan", "--baseline", baseline, dir); code != exitClean {
		t.Fatalf("after a line move: exit %d\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "new.env.txt"), []byte(rulestest.Key(rules.Live, 7)), 0o644)
	out, _, code := clarolint(t, "scan", "--format", "json", "--baseline", baseline, dir)
	var rep struct {
		Findings []struct{ Path string }  `json:"findings"`
		Stats    struct{ Suppressed int } `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != exitFindings || len(rep.Findings) != 1 || rep.Findings[0].Path != "new.env.txt" || rep.Stats.Suppressed < 4 {
		t.Errorf("a new key: exit %d, %+v", code, rep)
	}
}

// TestConfigAllows: the root's .clarolint.yaml is read by default, and
// --config names another.
func TestConfigAllows(t *testing.T) {
	t.Parallel()
	dir, keys := project(t)
	cfg := "allow:\n  paths: [\"src/**\"]\n  fingerprints: [\"" + rules.Fingerprint([]byte(keys[1])) + "\"]\n"
	os.WriteFile(filepath.Join(dir, ".clarolint.yaml"), []byte(cfg), 0o644)
	if out, errOut, code := clarolint(t, "scan", dir); code != exitClean {
		t.Errorf("default config: exit %d\n%s%s", code, out, errOut)
	}
	other := filepath.Join(t.TempDir(), "strict.yaml")
	os.WriteFile(other, []byte("disable: [claro-test-key]\n"), 0o644)
	out, _, code := clarolint(t, "scan", "--config", other, "--quiet", dir)
	if code != exitFindings || strings.Count(out, "claro-live-key") != 2 || strings.Contains(out, "claro-test-key") {
		t.Errorf("--config: exit %d\n%s", code, out)
	}
}

// TestExtraReports: one scan writes the console report and every --report.
func TestExtraReports(t *testing.T) {
	t.Parallel()
	dir, _ := project(t)
	out := t.TempDir()
	sarif, md := filepath.Join(out, "r.sarif"), filepath.Join(out, "summary.md")
	stdout, errOut, code := clarolint(t, "scan", "--format", "github", "--report", "sarif="+sarif, "--report", "markdown="+md, dir)
	if code != exitFindings || !strings.Contains(stdout, "::error file=src/client.go") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	if b, err := os.ReadFile(sarif); err != nil || !strings.Contains(string(b), `"version": "2.1.0"`) {
		t.Errorf("sarif report: %v", err)
	}
	if b, err := os.ReadFile(md); err != nil || !strings.Contains(string(b), "| error | claro-live-key | src/client.go:3:17 |") {
		t.Errorf("markdown report: %v\n%s", err, b)
	}
	for _, bad := range []string{"sarif", "xml=x", "sarif="} {
		if _, errOut, code := clarolint(t, "scan", "--report", bad, dir); code != exitError || !strings.Contains(errOut, "-report") {
			t.Errorf("--report %s: exit %d, %s", bad, code, errOut)
		}
	}
}
