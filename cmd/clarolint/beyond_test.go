package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// beyondFixture holds keys exposed to client code and one key shared by
// two environments.
func beyondFixture(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	shared, public, bundled := rulestest.Key(rules.Live, 201), rulestest.Key(rules.Live, 202), rulestest.Key(rules.Test, 203)
	fixture.WriteFiles(t, dir, map[string]string{
		".env.development": "CLARO_KEY=" + shared + "\n",
		".env.production":  "CLARO_KEY=" + shared + "\nNEXT_PUBLIC_CLARO_KEY=" + public + "\n",
		"web/dist/main.js": "!function(){var k=\"" + bundled + "\"}();",
	})
	return dir, []string{shared, public, bundled}
}

func TestBeyondGolden(t *testing.T) {
	t.Parallel()
	dir, _ := beyondFixture(t)
	out, errOut, code := clarolint(t, "scan", dir)
	if code != exitFindings || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "scan-beyond-text", normalize(out))
}

// TestVerify runs --verify against a stand-in Claro API on loopback.
func TestVerify(t *testing.T) {
	t.Parallel()
	dir, keys := beyondFixture(t)
	var requests atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.Header.Get("Authorization") {
		case "Bearer " + keys[0]:
			w.WriteHeader(http.StatusOK)
		case "Bearer " + keys[1]:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	defer api.Close()

	out, errOut, code := clarolint(t, "scan", "--verify", "--api-url", api.URL, "--format", "json", "--verbose", dir)
	var rep struct {
		Findings []struct {
			RuleID       string `json:"rule_id"`
			Verification *struct {
				Status, Reason string
			} `json:"verification"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFindings {
		t.Fatalf("exit %d, %v\n%s", code, err, errOut)
	}
	statuses := map[string]int{}
	for _, f := range rep.Findings {
		if f.Verification == nil {
			t.Fatalf("%s finding without verification", f.RuleID)
		}
		statuses[f.Verification.Status]++
	}
	// The shared key has two key findings and a reuse finding.
	if statuses["active"] != 3 || statuses["invalid"] != 1 || statuses["active-no-permission"] != 1 || requests.Load() != 3 {
		t.Errorf("statuses %v after %d requests (want each of 3 keys checked once)", statuses, requests.Load())
	}
	if !strings.Contains(errOut, "verified 3 keys: 1 active, 1 active-no-permission, 1 invalid, 0 unknown") {
		t.Errorf("--verbose does not sum up the verification:\n%s", errOut)
	}

	// --only-active drops only what the API rejected: a working key
	// without permission stays (issue 11).
	out, _, code = clarolint(t, "scan", "--verify", "--only-active", "--api-url", api.URL, dir)
	if code != exitFindings || strings.Count(out, "\n") != 5 || !strings.Contains(out, "[verified: active:") ||
		!strings.Contains(out, "[verified: active-no-permission:") || strings.Contains(out, "invalid") ||
		!strings.Contains(out, "; 1 finding dropped: the API rejected the key") {
		t.Errorf("--only-active: exit %d\n%s", code, out)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--only-active", dir}, "--only-active needs --verify"},
		{[]string{"scan", "--api-url", api.URL, dir}, "--api-url is for --verify"},
		{[]string{"scan", "--verify", "--api-url", "http://api.example.com", dir}, "keys are sent only over https"},
	} {
		if _, errOut, code := clarolint(t, tt.args...); code != exitError || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, %s", tt.args, code, errOut)
		}
	}
}

// TestIssue11OnlyActiveKeepsUnknown: a key the API could not judge (a
// network failure, a 5xx) is kept by --only-active and counted, so that a
// failed check never turns a leak into exit 0.
func TestIssue11OnlyActiveKeepsUnknown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := rulestest.Key(rules.Live, 211)
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte("key: "+key+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0") // retry at once: the test need not wait out the backoff
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer api.Close()
	out, errOut, code := clarolint(t, "scan", "--verify", "--only-active", "--api-url", api.URL, "--verify-timeout", "2s", dir)
	if code != exitFindings || !strings.Contains(out, "app.yaml:1:6: error claro-live-key") || !strings.Contains(out, "[verified: unknown:") ||
		!strings.Contains(out, "; 1 key could not be verified (kept)") {
		t.Errorf("unknown key with --only-active: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, key) {
		t.Error("the output holds the full key")
	}
}

// TestVerifyAPIFromEnvironment reads CLARO_API_URL; it sets the
// environment, so it cannot run in parallel.
func TestVerifyAPIFromEnvironment(t *testing.T) {
	dir, _ := beyondFixture(t)
	var hits atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer api.Close()
	t.Setenv("CLARO_API_URL", api.URL)
	out, _, _ := clarolint(t, "scan", "--verify", dir)
	if hits.Load() != 3 || !strings.Contains(out, "[verified: invalid:") {
		t.Errorf("CLARO_API_URL not used: %d requests\n%s", hits.Load(), out)
	}
}
