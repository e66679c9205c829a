package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// encodedFixture writes a project with a key in each encoding that
// clarolint decodes by default, one that takes two layers, and a key
// written as itself, built from generated fake keys.
func encodedFixture(t *testing.T) (dir string, keys []string) {
	t.Helper()
	dir = t.TempDir()
	for i := range 7 {
		keys = append(keys, rulestest.Key(rules.Kind(1+i%2), uint64(600+i)))
	}
	utf16 := []byte{0xFF, 0xFE}
	for _, c := range []byte("# exported by a Windows tool\r\nCLARO_KEY=" + keys[4] + "\r\n") {
		utf16 = append(utf16, c, 0)
	}
	files := map[string]string{
		"k8s/secret.yaml":  "apiVersion: v1\nkind: Secret\ndata:\n  claro-key: " + rulestest.Base64(keys[0]) + "\n",
		"api.http":         "GET https://api.example.test/v1/health\nAuthorization: Basic " + rulestest.Base64("apikey:"+keys[1]) + "\n",
		"web/links.html":   `<a href="https://app.example.test/connect?key=` + strings.ReplaceAll(keys[2], "_", "%5F") + `">connect</a>` + "\n",
		"data/export.json": `{"name": "prod", "token": "` + rulestest.EscapeAll(keys[3], `\u%04x`) + `"}` + "\n",
		"win/settings.ini": string(utf16),
		"ci/token.txt":     rulestest.Base64(rulestest.EscapeAll(keys[5], "%%%02X")) + "\n",
		"plain.env.txt":    "CLARO_KEY=" + keys[6] + "\n",
	}
	fixture.WriteFiles(t, dir, files)
	return dir, keys
}

func TestScanEncodedGolden(t *testing.T) {
	t.Parallel()
	dir, keys := encodedFixture(t)
	checkGoldenFormats(t, "scan-encoded", []string{"scan", dir}, keys)

	// 0 turns decoding off; 2 finds the percent-encoded key in base64.
	for _, tt := range []struct {
		depth    string
		findings int
		has      string
	}{
		{"0", 1, "plain.env.txt:1:11:"},
		{"1", 6, "k8s/secret.yaml:4:14:"},
		{"2", 7, "ci/token.txt:1:1: warning claro-test-key: Claro test API key " + rules.Redact([]byte(keys[5])) + ", percent-encoded, then base64-encoded;"},
	} {
		out, errOut, code := clarolint(t, "scan", "--quiet", "--decode-depth", tt.depth, dir)
		if code != exitFindings || strings.Count(out, "\n") != tt.findings || !strings.Contains(out, tt.has) {
			t.Errorf("--decode-depth %s: exit %d, %d findings, want %d with %q\n%s%s", tt.depth, code, strings.Count(out, "\n"), tt.findings, tt.has, out, errOut)
		}
	}
	for _, bad := range []string{"-1", "4", "x"} {
		if _, errOut, code := clarolint(t, "scan", "--decode-depth", bad, dir); code != exitError || !strings.Contains(errOut, "decode-depth") {
			t.Errorf("--decode-depth %s: exit %d, %s", bad, code, errOut)
		}
	}
}

// TestScanArchives: --archive-depth opens a zip to report the key inside
// it at its own path and line, with the message and exit status of any
// key; 0, the default, leaves a deflated entry unread; a bad depth is an
// error that names the flag.
func TestScanArchives(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 7401)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("conf/prod.env")
	fmt.Fprintf(w, "# production\nCLARO_API_KEY=%s\n", key)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "backup.zip"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := clarolint(t, "scan", "--archive-depth", "1", dir)
	want := "backup.zip!conf/prod.env:2:15: error claro-live-key: Claro live API key " + rules.Redact([]byte(key))
	if code != exitFindings || !strings.Contains(out, want) || strings.Contains(out+errOut, key) {
		t.Errorf("--archive-depth 1: exit %d, want %d and %q\n%s%s", code, exitFindings, want, out, errOut)
	}
	if out, errOut, code := clarolint(t, "scan", dir); code != exitClean {
		t.Errorf("no --archive-depth: exit %d, want %d: a deflated entry is not read\n%s%s", code, exitClean, out, errOut)
	}
	for _, bad := range []string{"-1", "6", "x"} {
		if _, errOut, code := clarolint(t, "scan", "--archive-depth", bad, dir); code != exitError || !strings.Contains(errOut, "archive-depth") {
			t.Errorf("--archive-depth %s: exit %d, %s", bad, code, errOut)
		}
	}
}

// clarolintStdin runs the CLI in-process with stdin as standard input.
func clarolintStdin(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// TestIssue11Stdin: "clarolint scan -" reads standard input, reported as
// "-", alone or beside paths.
func TestIssue11Stdin(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 1101)
	out, errOut, code := clarolintStdin(t, "apiVersion: v1\nstringData:\n  key: "+key+"\n", "scan", "-")
	if code != exitFindings || !strings.HasPrefix(out, "-:3:8: error claro-live-key:") || errOut != "" {
		t.Errorf("scan -: exit %d\n%s%s", code, out, errOut)
	}
	dir, _ := project(t)
	out, _, code = clarolintStdin(t, "KEY="+key, "scan", dir, "-", "--quiet")
	if code != exitFindings || !strings.Contains(out, "-:1:5: error claro-live-key") || strings.Count(out, "\n") != 4 {
		t.Errorf("scan DIR -: exit %d\n%s", code, out)
	}
	if out, _, code := clarolintStdin(t, "clean\n", "scan", "-"); code != exitClean || !strings.Contains(out, "scanned 1 file") {
		t.Errorf("clean stdin: exit %d\n%s", code, out)
	}
	if _, errOut, code := clarolintStdin(t, "", "scan", "-", "-"); code != exitError || !strings.Contains(errOut, "can be given once") {
		t.Errorf("scan - -: exit %d, %s", code, errOut)
	}
}

// TestIssue11OutputSummary: with --output FILE the summary line still
// goes to standard error, so a CI log says why the step failed.
func TestIssue11OutputSummary(t *testing.T) {
	t.Parallel()
	dir, keys := project(t)
	report := filepath.Join(t.TempDir(), "report.json")
	out, errOut, code := clarolint(t, "scan", "--format", "json", "--output", report, dir)
	if code != exitFindings || out != "" || !strings.HasPrefix(errOut, "3 findings (2 errors, 1 warning); scanned 5 files") {
		t.Errorf("--output: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, errOut, _ := clarolint(t, "scan", "--format", "json", "--output", report, "--quiet", dir); errOut != "" {
		t.Errorf("--output --quiet: stderr %q", errOut)
	}
	for _, k := range keys {
		if strings.Contains(errOut, k) {
			t.Error("the summary holds a full key")
		}
	}
}

// TestIssue11ExitCode: --exit-code sets the status of failing findings; 0
// writes a baseline without failing.
func TestIssue11ExitCode(t *testing.T) {
	t.Parallel()
	dir, _ := project(t)
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if _, errOut, code := clarolint(t, "scan", "--format", "json", "--output", baseline, "--exit-code", "0", dir); code != exitClean {
		t.Errorf("--exit-code 0: exit %d, %s", code, errOut)
	}
	if _, _, code := clarolint(t, "scan", "--exit-code", "7", dir); code != 7 {
		t.Errorf("--exit-code 7: exit %d", code)
	}
	if _, _, code := clarolint(t, "scan", "--exit-code", "7", "--baseline", baseline, dir); code != exitClean {
		t.Errorf("--exit-code 7 with every finding in the baseline: exit %d", code)
	}
	if _, errOut, code := clarolint(t, "scan", "--exit-code", "300", dir); code != exitError || !strings.Contains(errOut, "--exit-code 300") {
		t.Errorf("--exit-code 300: exit %d, %s", code, errOut)
	}
}

// TestIssue11ConfigFromSubdirectory: a scan of a subdirectory of a work
// tree reads .clarolint.yaml at the top, whose paths stay relative to the
// top; so does its baseline: (relative to the config file).
func TestIssue11ConfigFromSubdirectory(t *testing.T) {
	t.Parallel()
	allowed, disabled, kept := rulestest.Key(rules.Live, 1111), rulestest.Key(rules.Test, 1112), rulestest.Key(rules.Live, 1113)
	r := newLooseRepo(t)
	files := map[string]string{
		".clarolint.yaml":           "allow:\n  paths: [\"sub/fixtures/**\"]\ndisable: [claro-test-key]\n",
		"sub/fixtures/replay.json":  `{"key": "` + allowed + `"}` + "\n",
		"sub/app/settings.py":       "SANDBOX = '" + disabled + "'\nLIVE = '" + kept + "'\n",
		"sub/other/notes.txt":       "nothing here\n",
		".gitignore":                ".env\n.env.*\n",
		"sub/fixtures/second.json":  `{"key": "` + allowed + `"}` + "\n",
		"sub/app/more/deep/data.md": "nothing\n",
	}
	r.commitAndStage(files)
	sub := filepath.Join(r.dir, "sub")
	out, errOut, code := clarolint(t, "scan", "--verbose", sub)
	if code != exitFindings || strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, "app/settings.py:2:9: error claro-live-key") ||
		!strings.Contains(errOut, "config: "+filepath.Join(r.dir, ".clarolint.yaml")) || !strings.Contains(errOut, "paths: relative to sub") {
		t.Errorf("scan sub/: exit %d\n%s%s", code, out, errOut)
	}

	// A baseline made at the top, named in the config, accepts the
	// finding in a scan of sub/.
	baseline := filepath.Join(r.dir, "ci", "baseline.json")
	os.MkdirAll(filepath.Dir(baseline), 0o755)
	if _, errOut, code := clarolint(t, "scan", "--format", "json", "--output", baseline, "--exit-code", "0", r.dir); code != exitClean {
		t.Fatalf("writing the baseline: exit %d, %s", code, errOut)
	}
	r.file(".clarolint.yaml", files[".clarolint.yaml"]+"baseline: ci/baseline.json\n")
	if out, errOut, code := clarolint(t, "scan", sub); code != exitClean || !strings.Contains(out, "1 finding suppressed") {
		t.Errorf("scan sub/ with the config's baseline: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code := clarolint(t, "scan", r.dir); code != exitClean {
		t.Errorf("scan of the top with the config's baseline: exit %d\n%s%s", code, out, errOut)
	}
}

// TestIssue12StrictIncomplete: what could not be scanned is counted and
// named in the summary; --strict makes it exit 2, even when a finding
// would exit 1, and without --strict a clean scan still exits 0 but says
// "incomplete".
func TestIssue12StrictIncomplete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := rulestest.Key(rules.Live, 1201)
	var inner, outer bytes.Buffer
	zw := zip.NewWriter(&inner)
	w, _ := zw.Create("deep.env")
	w.Write([]byte("KEY=" + key + "\n"))
	zw.Close()
	zw = zip.NewWriter(&outer)
	w, _ = zw.Create("inner.zip")
	w.Write(inner.Bytes())
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "bundle.zip"), outer.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := clarolint(t, "scan", "--archive-depth", "1", dir)
	if code != exitClean || !strings.Contains(out, "; incomplete: 1 not scanned") || !strings.Contains(errOut, "bundle.zip!inner.zip: a zip archive nested deeper than --archive-depth 1") {
		t.Errorf("incomplete scan: exit %d\n%s%s", code, out, errOut)
	}
	if _, _, code := clarolint(t, "scan", "--archive-depth", "1", "--strict", dir); code != exitError {
		t.Errorf("incomplete scan with --strict: exit %d, want %d", code, exitError)
	}
	if out, _, code := clarolint(t, "scan", "--archive-depth", "2", "--strict", dir); code != exitFindings || strings.Contains(out, "incomplete") ||
		!strings.Contains(out, "bundle.zip!inner.zip!deep.env:1:5: error claro-live-key") {
		t.Errorf("complete scan with --strict: exit %d\n%s", code, out)
	}
}
