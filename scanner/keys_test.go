package scanner

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/internal/fixture/gogit"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func TestClientExposed(t *testing.T) {
	t.Parallel()
	key, test := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Test, 2)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		".env.local":        "CLARO_KEY=" + key + "\nNEXT_PUBLIC_CLARO_KEY=" + key + "\n",
		"Dockerfile":        "FROM node:20\nENV VITE_CLARO_KEY " + test + "\n",
		"deploy/values.yml": "env:\n  - name: x\n    REACT_APP_KEY: \"" + key + "\"\n",
		"web/dist/app.js":   "var k=\"" + key + "\";",
		"src/app.js":        "const NEXT_PUBLIC_KEY = \"" + key + "\";\n", // source, not a bundle or an assignment file
	})
	got, _, _ := scanTree(t, Options{}, dir)
	want := []string{
		".env.local:1:11 claro-live-key",
		".env.local:2:23 claro-key-client-exposed",
		"Dockerfile:2:20 claro-key-client-exposed",
		"deploy/values.yml:3:21 claro-key-client-exposed",
		"src/app.js:1:26 claro-live-key",
		"web/dist/app.js:1:8 claro-key-client-exposed",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}

	var f finding.Finding
	mustNew(t, Options{}).Scan(t.Context(), Tree(dir+"/Dockerfile"), func(x finding.Finding) error { f = x; return nil })
	if f.Severity != rules.Error || !strings.Contains(f.Message, "VITE_CLARO_KEY") || !strings.Contains(f.Message, "Claro test API key") ||
		strings.Contains(f.Message, test[8:]) {
		t.Errorf("exposed test key: %+v", f)
	}

	// With the rule disabled, the keys are ordinary findings again.
	got, _, _ = scanTree(t, Options{Disable: []rules.RuleID{rules.KeyClientExposed}}, dir)
	for _, g := range got {
		if strings.Contains(g, "client-exposed") {
			t.Errorf("disabled rule reported: %s", g)
		}
	}
	if len(got) != 6 {
		t.Errorf("with the rule disabled: %d findings, want 6", len(got))
	}
}

func TestTreeEncoded(t *testing.T) {
	t.Parallel()
	live, test, other := rulestest.Key(rules.Live, 44), rulestest.Key(rules.Test, 45), rulestest.Key(rules.Live, 46)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		"k8s/secret.yaml": "apiVersion: v1\nkind: Secret\ndata:\n  key: " + rulestest.Base64(live) + "\n",
		"auth.http":       "GET /\nAuthorization: Basic " + rulestest.Base64("ana:"+test) + "\n",
		"web/.env":        "NEXT_PUBLIC_TOKEN=" + strings.ReplaceAll(other, "_", "%5F") + "\n",
		"allowed.json":    `{"k": "` + rulestest.EscapeAll(live, `\u%04x`) + `"} // clarolint:allow` + "\n",
		"utf16.txt":       string(rulestest.UTF16("KEY="+test+"\n", false, false)),
	})
	keys := map[string]string{"k8s/secret.yaml": live, "auth.http": test, "web/.env": other, "utf16.txt": test}
	phrases := map[string]string{
		"k8s/secret.yaml": ", base64-encoded; rotate it",
		"auth.http":       ", base64-encoded; rotate it",
		"web/.env":        ", percent-encoded, is assigned to NEXT_PUBLIC_TOKEN",
		"utf16.txt":       ", in UTF-16LE text; rotate it",
	}
	for _, tt := range []struct {
		name             string
		o                Options
		want             []string
		suppressed, bins int
	}{
		{"off", Options{}, nil, 0, 1},
		{"depth 1", Options{DecodeDepth: 1}, []string{
			"auth.http:2:27-94 claro-test-key base64",
			"k8s/secret.yaml:4:8-75 claro-live-key base64",
			"utf16.txt:1:5-55 claro-test-key utf-16le",
			"web/.env:1:19-73 claro-key-client-exposed percent",
		}, 1, 0},
		{"an allowed fingerprint", Options{DecodeDepth: 1, AllowFingerprints: []string{rules.Fingerprint([]byte(test))}}, []string{
			"k8s/secret.yaml:4:8-75 claro-live-key base64",
			"web/.env:1:19-73 claro-key-client-exposed percent",
		}, 3, 0},
	} {
		var got []string
		st, err := mustNew(t, tt.o).Scan(t.Context(), Tree(dir), func(f finding.Finding) error {
			key := keys[f.Path]
			if f.Secret.Reveal() != key || f.Fingerprint != rules.Fingerprint([]byte(key)) || f.Redacted != rules.Redact([]byte(key)) {
				t.Errorf("%s: %s: the secret, redaction or fingerprint is not the decoded key's", tt.name, f.Path)
			}
			if want := rules.Redact([]byte(key)) + phrases[f.Path]; !strings.Contains(f.Message, want) {
				t.Errorf("%s: %s: message %q does not say %q", tt.name, f.Path, f.Message, want)
			}
			got = append(got, fmt.Sprintf("%s:%d:%d-%d %s %s", f.Path, f.Line, f.Column, f.EndColumn, f.RuleID, f.Encoding))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		if st.Suppressed != tt.suppressed || st.BinaryFiles != tt.bins {
			t.Errorf("%s: %d suppressed, %d binary files; want %d, %d (UTF-16 is text when decoding)", tt.name, st.Suppressed, st.BinaryFiles, tt.suppressed, tt.bins)
		}
	}
}

// TestReusedEncoded: a key in one environment's file and base64-encoded in
// another's is one key, reused.
func TestReusedEncoded(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 47)
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, map[string]string{
		".env.development":       "CLARO_KEY=" + key + "\n",
		"deploy/production.yaml": "claro-key: " + rulestest.Base64(key) + "\n",
	})
	s := mustNew(t, Options{DecodeDepth: 1})
	var fs []finding.Finding
	if _, err := s.Scan(t.Context(), Tree(dir), func(f finding.Finding) error { fs = append(fs, f); return nil }); err != nil {
		t.Fatal(err)
	}
	reused := s.Reused(fs)
	if len(fs) != 2 || len(reused) != 1 || reused[0].Path != "deploy/production.yaml" || reused[0].Column != 12 {
		t.Errorf("%d findings, reuse: %v", len(fs), reused)
	}
}

// TestHistoryEncoded: an encoded key is introduced once, by the commit that
// added it in any form; writing it in another encoding later does not
// introduce it again, and it is in HEAD whatever form HEAD holds it in.
func TestHistoryEncoded(t *testing.T) {
	t.Parallel()
	hr := newHistRepo(t, false)
	f1 := map[string]string{"deploy/secret.yaml": "data:\n  key: " + rulestest.Base64(key(41)) + "\n"}
	c1 := hr.commit("c1", f1)
	f2 := with(f1, "deploy/secret.yaml", "url: https://api.example.test/?key="+strings.ReplaceAll(key(41), "_", "%5F")+"\n")
	c2 := hr.commit("c2", f2, c1)
	hr.branch("main", hr.commit("c3", with(f2, "app.json", `{"k": "`+rulestest.EscapeAll(key(42), `\u%04x`)+`"}`), c2))
	got, fs, _, warn := runHistory(t, hr, Options{DecodeDepth: 1}, HistoryOptions{})
	checkFindings(t, "history", got, []string{"app.json:1:8 c3 in HEAD", "deploy/secret.yaml:2:8 c1 in HEAD"})
	if warn != "" || len(fs) != 2 || fs[0].Encoding != string(rules.JSONUnicode) || fs[1].Encoding != string(rules.Base64) || fs[1].EndColumn != 8+67 {
		t.Errorf("warnings %q, findings %+v", warn, fs)
	}
	got, _, _, _ = runHistory(t, hr, Options{}, HistoryOptions{})
	checkFindings(t, "history without decoding", got, nil)
}

// TestStagedEncoded: a key already in HEAD is not new because it is staged
// in another form; a new encoded key is.
func TestStagedEncoded(t *testing.T) {
	t.Parallel()
	sr := gogit.NewRepo(t)
	sr.Stage(map[string]string{"config.env": "CLARO_KEY=" + key(43) + "\n"})
	sr.Commit("plain key")
	sr.Stage(map[string]string{"config.env": "CLARO_KEY_B64=" + rulestest.Base64(key(43)) + "\nOTHER=" + rulestest.Base64("u:"+key(44)) + "\n"})
	got, fs, _, _ := scanStaged(t, Options{DecodeDepth: 1}, sr.Dir, IndexOptions{})
	// "u:" puts the key at the third byte of a group: it starts two
	// characters into the base64.
	if want := []string{"config.env:2:9 claro-live-key"}; !slices.Equal(got, want) || fs[0].Fingerprint != rules.Fingerprint([]byte(key(44))) {
		t.Errorf("got %q, want %q", got, want)
	}
}
