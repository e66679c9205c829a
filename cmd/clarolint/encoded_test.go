package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
