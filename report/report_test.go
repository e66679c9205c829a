package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

var update = flag.Bool("update", false, "rewrite golden files")

var formats = []report.Format{report.Text, report.JSON, report.SARIF, report.GitHub, report.Markdown}

// keyFinding returns a finding for a fake key at path, as the scanner
// makes them: 1-based byte columns, the end exclusive.
func keyFinding(id rules.RuleID, sev rules.Severity, path string, line, col int, key, msg string) finding.Finding {
	red := rules.Redact([]byte(key))
	return finding.Finding{
		RuleID:      id,
		Severity:    sev,
		Path:        path,
		Line:        line,
		Column:      col,
		EndColumn:   col + len(key),
		Secret:      rules.Secret(key),
		Redacted:    red,
		Fingerprint: rules.Fingerprint([]byte(key)),
		Message:     strings.ReplaceAll(msg, "{key}", red),
	}
}

// fixture returns sorted findings covering every case the formats treat
// differently, and stats with a fixed duration.
func fixture() ([]finding.Finding, finding.Stats) {
	inHead, notInHead := true, false
	date := time.Date(2024, 3, 1, 10, 20, 30, 0, time.UTC)

	gone := keyFinding(rules.LiveKey, rules.Error, "deploy/old.env", 2, 15, rulestest.Key(rules.Live, 3),
		"hardcoded Claro live key {key}; read it from the environment")
	gone.Commit, gone.Author, gone.Email, gone.Date, gone.InHead = "4f1c2a9e8b7d6c5b4a39281706f5e4d3c2b1a090", "Ana Author", "ana@example.com", date, &notInHead

	exposed := keyFinding(rules.KeyClientExposed, rules.Error, "web/app, v2/.env.local", 1, 22, rulestest.Key(rules.Live, 4),
		"Claro key {key} in NEXT_PUBLIC_CLARO_KEY is bundled into client code; revoke it and call the API from a server")
	exposed.Commit, exposed.Author, exposed.Email, exposed.Date, exposed.InHead = "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3", "Bo Builder", "bo@example.com", date.AddDate(0, 2, 0), &inHead
	exposed.Verification = &finding.Verification{Status: finding.Active, Reason: "the API accepted the key (200)"}
	gone.Verification = &finding.Verification{Status: finding.Invalid, Reason: "the API rejected the key (401): deleted or revoked"}

	// A key found base64-encoded: the span is the encoded text.
	encoded := keyFinding(rules.LiveKey, rules.Error, "k8s/secret.yaml", 4, 8, rulestest.Key(rules.Live, 7),
		"Claro live API key {key}, base64-encoded; rotate it")
	encoded.EndColumn, encoded.Encoding = 8+67, "base64"

	fs := []finding.Finding{
		keyFinding(rules.LiveKey, rules.Error, "config/100% app settings/café #1.yaml", 3, 12, rulestest.Key(rules.Live, 1),
			"hardcoded Claro live key {key}; read it from the environment"),
		encoded,
		keyFinding(rules.TestKey, rules.Warning, "src/main.go", 7, 18, rulestest.Key(rules.Test, 2),
			"hardcoded Claro test key {key}; read it from the environment"),
		gone,
		exposed,
		// The scanner's convention for a whole file: line and columns 0.
		{RuleID: rules.EnvFileTracked, Severity: rules.Error, Path: ".env.production",
			Message: ".env.production is tracked by git; run git rm --cached .env.production, add it to .gitignore and rotate its keys"},
		// The other convention for a whole file: line 1, an empty span at column 1.
		{RuleID: rules.EnvNotIgnored, Severity: rules.Warning, Path: ".gitignore", Line: 1, Column: 1, EndColumn: 1,
			Message: "the committed .gitignore misses these patterns: .env.local, .env.production\nadd .env and .env.* to it"},
	}
	finding.Sort(fs)
	return fs, finding.Stats{
		FilesScanned:      1234,
		BytesScanned:      5678901,
		BinaryFiles:       7, // 4 scanned as bytes, 3 skipped
		SkippedBinary:     3,
		SkippedUnreadable: 1,
		Ignored:           42,
		Symlinks:          2,
		AllowedPaths:      5,
		Suppressed:        2,
		Warnings:          3,
		NotScanned:        1,
		DroppedInvalid:    2,
		Unverified:        1,
		Duration:          1234567890 * time.Nanosecond,
	}
}

// write returns the report of fs in format f.
func write(t *testing.T, f report.Format, fs []finding.Finding, st finding.Stats, o report.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write(&b, f, fs, st, o); err != nil {
		t.Fatalf("write %s: %v", f, err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	t.Parallel()
	fs, st := fixture()
	none := finding.Stats{FilesScanned: 3, BytesScanned: 512, Duration: 4 * time.Millisecond}
	tests := []struct {
		name   string
		format report.Format
		fs     []finding.Finding
		st     finding.Stats
		o      report.Options
	}{
		{"text", report.Text, fs, st, report.Options{}},
		{"text-color", report.Text, fs, st, report.Options{Color: true}},
		{"text-secrets", report.Text, fs, st, report.Options{ShowSecrets: true}},
		{"text-empty", report.Text, nil, none, report.Options{}},
		{"json", report.JSON, fs, st, report.Options{Version: "1.2.3"}},
		{"json-secrets", report.JSON, fs, st, report.Options{Version: "1.2.3", ShowSecrets: true}},
		{"json-empty", report.JSON, nil, none, report.Options{Version: "1.2.3"}},
		{"sarif", report.SARIF, fs, st, report.Options{Version: "1.2.3"}},
		{"sarif-empty", report.SARIF, nil, none, report.Options{Version: "1.2.3"}},
		{"github", report.GitHub, fs, st, report.Options{}},
		{"github-empty", report.GitHub, nil, none, report.Options{}},
		{"markdown", report.Markdown, fs, st, report.Options{}},
		{"markdown-empty", report.Markdown, nil, none, report.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := write(t, tt.format, tt.fs, tt.st, tt.o)
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				// Goldens may hold fake keys: say where, not what.
				t.Errorf("output differs from %s at line %d; run go test ./report -update and review the diff", golden, firstDiffLine(got, string(want)))
			}
		})
	}
}

// firstDiffLine returns the 1-based number of the first line where a and b
// differ.
func firstDiffLine(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// TestSecrets: no format holds a key, nor its 42-character
// body, unless ShowSecrets, and every format shows every key with it.
func TestSecrets(t *testing.T) {
	t.Parallel()
	fs, st := fixture()
	// A message that holds the full key by mistake must not leak it either.
	leaky := keyFinding(rules.LiveKey, rules.Error, "z.txt", 1, 1, rulestest.Key(rules.Live, 5), "")
	leaky.Message = "key " + leaky.Secret.Reveal() + " found"
	// A message without the redacted key still gets the key with ShowSecrets.
	terse := keyFinding(rules.KeyReused, rules.Warning, "z.txt", 2, 1, rulestest.Key(rules.Test, 6), "key reused across environments")
	fs = append(fs, leaky, terse)
	for _, f := range formats {
		for _, o := range []report.Options{{}, {Color: true}, {ShowSecrets: true}, {ShowSecrets: true, Color: true}} {
			out := write(t, f, fs, st, o)
			for _, fd := range fs {
				if fd.Secret == "" {
					continue
				}
				body := fd.Secret.Reveal()[len("sk_live_"):]
				if got := strings.Contains(out, fd.Secret.Reveal()); got != o.ShowSecrets {
					t.Errorf("%s %+v: output holds key %s: %v, want %v", f, o, fd.Secret, got, o.ShowSecrets)
				}
				if !o.ShowSecrets && strings.Contains(out, body) {
					t.Errorf("%s %+v: output holds the body of key %s", f, o, fd.Secret)
				}
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for _, f := range formats {
		if got, err := report.ParseFormat(string(f)); got != f || err != nil {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, nil", f, got, err, f)
		}
	}
	for _, s := range []string{"", "xml", "JSON", "sarif2"} {
		_, err := report.ParseFormat(s)
		if err == nil || !strings.Contains(err.Error(), "text, json, sarif, github or markdown") {
			t.Errorf("ParseFormat(%q): got error %v, want one listing the formats", s, err)
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := report.Write(&b, "xml", nil, finding.Stats{}, report.Options{}); err == nil {
		t.Error("Write with format xml: got nil error")
	}
}

var errBroken = errors.New("broken pipe")

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errBroken }

func TestWriteError(t *testing.T) {
	t.Parallel()
	fs, st := fixture()
	for _, f := range formats {
		if err := report.Write(brokenWriter{}, f, fs, st, report.Options{}); !errors.Is(err, errBroken) {
			t.Errorf("%s: got error %v, want %v", f, err, errBroken)
		}
	}
}

// TestTextControlCharacters checks that a file name cannot add lines to the
// text report or send escape sequences to the terminal.
func TestTextControlCharacters(t *testing.T) {
	t.Parallel()
	f := keyFinding(rules.LiveKey, rules.Error, "evil\x1b[2J\n::error::x.txt", 1, 1, rulestest.Key(rules.Live, 7), "hardcoded Claro live key {key}")
	out := write(t, report.Text, []finding.Finding{f}, finding.Stats{}, report.Options{})
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("text output holds an escape character: %q", out)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("text output has %d lines, want 2 (finding and summary): %q", n, out)
	}
	if want := `evil\x1b[2J\n::error::x.txt:1:1: error claro-live-key:`; !strings.HasPrefix(out, want) {
		t.Errorf("text output starts %q, want %q", out, want)
	}
}

// TestQuiet checks that Quiet drops the summary line of text and github
// output, and nothing else.
func TestQuiet(t *testing.T) {
	t.Parallel()
	fs, st := fixture()
	for _, f := range formats {
		full := write(t, f, fs, st, report.Options{})
		want := full
		if f == report.Text || f == report.GitHub {
			lines := strings.SplitAfter(strings.TrimSuffix(full, "\n"), "\n")
			want = strings.Join(lines[:len(lines)-1], "")
		}
		if got := write(t, f, fs, st, report.Options{Quiet: true}); got != want {
			t.Errorf("%s with Quiet: got %d bytes, want %d: the report without its summary line", f, len(got), len(want))
		}
	}
	if got := write(t, report.Text, nil, st, report.Options{Quiet: true}); got != "" {
		t.Errorf("quiet text report of no findings: got %q, want nothing", got)
	}
}

// TestHostileNames checks every format against file names that try to
// break out of where they land (issue 12): a forged workflow command, a
// terminal escape, a literal backslash, Markdown and HTML, and invalid
// UTF-8.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 12)
	names := []string{
		"x\n::stop-commands::tok",
		"a\x1b]8;;https://evil\x07b.txt",
		`lit\n.txt`,
		".env.a`[x](javascript:alert(1))`<img src=x onerror=alert(1)>|",
		"bad\xffname.env",
	}
	var fs []finding.Finding
	for i, n := range names {
		fs = append(fs, keyFinding(rules.LiveKey, rules.Error, n, i+1, 3, key, "hardcoded Claro live key {key} in "+n))
	}
	finding.Sort(fs)
	for _, f := range []report.Format{report.Text, report.GitHub, report.Markdown} {
		out := write(t, f, fs, finding.Stats{}, report.Options{})
		if strings.ContainsAny(out, "\x1b\x07") || !utf8.ValidString(out) {
			t.Errorf("%s output holds a control character or invalid UTF-8: %q", f, out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for _, l := range lines {
			if strings.HasPrefix(l, "::stop-commands") || strings.HasPrefix(l, "::") && f != report.GitHub {
				t.Errorf("%s output has a forged workflow command line: %q", f, l)
			}
		}
	}
	text := write(t, report.Text, fs, finding.Stats{}, report.Options{Quiet: true})
	if !strings.Contains(text, `lit\\n.txt:3:3:`) || !strings.Contains(text, `x\n::stop-commands::tok:1:3:`) {
		t.Errorf("text output does not tell a literal backslash from a newline:\n%s", text)
	}
	md := write(t, report.Markdown, fs, finding.Stats{}, report.Options{})
	if !strings.Contains(md, "| .env.a\\`\\[x\\](javascript:alert(1))\\`\\<img src=x onerror=alert(1)\\>\\|:4:3 |") {
		t.Errorf("markdown output lets a file name break out of its cell:\n%s", md)
	}
	// JSON keeps a name that is not UTF-8 recoverable.
	var r struct {
		Findings []struct {
			Path      string `json:"path"`
			PathBytes []byte `json:"path_bytes"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(write(t, report.JSON, fs, finding.Stats{}, report.Options{})), &r); err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, jf := range r.Findings {
		switch {
		case jf.PathBytes == nil:
		case string(jf.PathBytes) == "bad\xffname.env":
			got++
		default:
			t.Errorf("path_bytes %q for path %q", jf.PathBytes, jf.Path)
		}
	}
	if got != 1 {
		t.Errorf("%d findings carry path_bytes, want 1 (the name that is not UTF-8)", got)
	}
	// A baseline made from that report accepts the finding again.
	b, err := report.ReadBaseline(writeFile(t, "baseline.json", write(t, report.JSON, fs, finding.Stats{}, report.Options{})))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if !b.Has(f) {
			t.Errorf("baseline does not accept the finding at %q", f.Path)
		}
	}
}

// TestSummary checks the summary's plurals, durations and the incomplete
// note (issue 11, issue 12).
func TestSummary(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 5)
	one := []finding.Finding{keyFinding(rules.LiveKey, rules.Error, "a.env", 1, 5, key, "{key}")}
	tests := []struct {
		fs   []finding.Finding
		st   finding.Stats
		want string
	}{
		{nil, finding.Stats{FilesScanned: 1, BytesScanned: 10}, "no Claro keys found; scanned 1 file (10 B) in 0ms"},
		{one, finding.Stats{FilesScanned: 2, Duration: 3200 * time.Millisecond}, "1 finding (1 error, 0 warnings); scanned 2 files (0 B) in 3.2s"},
		{nil, finding.Stats{Duration: 850 * time.Millisecond, Suppressed: 1, Warnings: 1}, "no Claro keys found; scanned 0 files (0 B) in 850ms; 1 finding suppressed; 1 warning"},
		{nil, finding.Stats{Duration: 725 * time.Second, Unverified: 1, NotScanned: 2, Warnings: 2},
			"no Claro keys found; scanned 0 files (0 B) in 12m05s; 1 key could not be verified (kept); 2 warnings; incomplete: 2 not scanned"},
	}
	for _, tt := range tests {
		if got := report.Summary(tt.fs, tt.st); got != tt.want {
			t.Errorf("Summary = %q, want %q", got, tt.want)
		}
	}
}

// TestStashOnly: a key only in the stash names refs/stash and says it is
// in this clone alone, not that every clone can read it (issue 11).
func TestStashOnly(t *testing.T) {
	t.Parallel()
	notInHead := false
	f := keyFinding(rules.LiveKey, rules.Error, "a.txt", 2, 1, rulestest.Key(rules.Live, 31), "Claro live API key {key}")
	f.Commit, f.InHead, f.StashOnly = "4f1c2a9e8b7d6c5b4a39281706f5e4d3c2b1a090", &notInHead, true
	for _, format := range []report.Format{report.Text, report.GitHub, report.Markdown, report.JSON} {
		out := write(t, format, []finding.Finding{f}, finding.Stats{}, report.Options{})
		if format == report.JSON {
			if !strings.Contains(out, `"stash_only": true`) {
				t.Errorf("json lacks stash_only:\n%s", out)
			}
			continue
		}
		if !strings.Contains(out, "only in refs/stash") || !strings.Contains(out, "never pushed") || strings.Contains(out, "every clone can read it") {
			t.Errorf("%s:\n%s", format, out)
		}
	}
}
