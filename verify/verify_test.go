package verify

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// keyFindings returns findings for keys made from seeds, as the scanner
// would: Secret and Fingerprint set.
func keyFindings(seeds ...uint64) []finding.Finding {
	var fs []finding.Finding
	for _, s := range seeds {
		k := rulestest.Key(rules.Live, s)
		fs = append(fs, finding.Finding{RuleID: rules.LiveKey, Secret: rules.Secret(k), Fingerprint: rules.Fingerprint([]byte(k)), Path: "f"})
	}
	return fs
}

// statusServer answers each key with the status chosen for it, counting
// requests per key and checking the request's form.
type statusServer struct {
	t        *testing.T
	status   map[string]int // key -> status
	mu       sync.Mutex
	requests map[string]int
}

func (s *statusServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if r.Method != http.MethodGet || r.URL.Path != "/v1/health" || !ok {
		s.t.Errorf("request %s %s, authorization present %v", r.Method, r.URL.Path, ok)
	}
	s.mu.Lock()
	s.requests[key]++
	s.mu.Unlock()
	w.WriteHeader(s.status[key])
}

func TestVerifyStatuses(t *testing.T) {
	t.Parallel()
	fs := keyFindings(1, 2, 3, 4, 5, 1) // the last shares the first's key
	srv := &statusServer{t: t, requests: map[string]int{}, status: map[string]int{
		fs[0].Secret.Reveal(): 200, fs[1].Secret.Reveal(): 401, fs[2].Secret.Reveal(): 403,
		fs[3].Secret.Reveal(): 404, fs[4].Secret.Reveal(): 503,
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := verify(t, context.Background(), fs, Options{APIURL: ts.URL, Retries: -1}); err != nil {
		t.Fatal(err)
	}
	want := []string{finding.Active, finding.Invalid, finding.ActiveNoPermission, finding.Unknown, finding.Unknown, finding.Active}
	for i, f := range fs {
		if f.Verification == nil || f.Verification.Status != want[i] || f.Verification.Reason == "" {
			t.Errorf("finding %d: %+v, want %s", i, f.Verification, want[i])
		}
	}
	if n := srv.requests[fs[0].Secret.Reveal()]; n != 1 {
		t.Errorf("a key held by two findings was checked %d times, want once", n)
	}
	for _, f := range fs {
		if strings.Contains(f.Verification.Reason, f.Secret.Reveal()[8:]) {
			t.Errorf("a reason holds the key")
		}
	}
}

func TestVerifyRetries(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer ts.Close()
	fs := keyFindings(1)
	verify(t, context.Background(), fs, Options{APIURL: ts.URL})
	if fs[0].Verification.Status != finding.Active || calls.Load() != 2 {
		t.Errorf("429 then 200: %+v after %d calls", fs[0].Verification, calls.Load())
	}

	// 5xx every time: retried, then unknown.
	calls.Store(0)
	ts5 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer ts5.Close()
	fs = keyFindings(2)
	verify(t, context.Background(), fs, Options{APIURL: ts5.URL, Retries: 2})
	if fs[0].Verification.Status != finding.Unknown || calls.Load() != 3 || !strings.Contains(fs[0].Verification.Reason, "502") {
		t.Errorf("502 three times: %+v after %d calls", fs[0].Verification, calls.Load())
	}
}

func TestVerifySlowAndUnreachable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	fs := keyFindings(1)
	verify(t, context.Background(), fs, Options{APIURL: slow.URL, Timeout: 50 * time.Millisecond})
	if v := fs[0].Verification; v.Status != finding.Unknown || !strings.Contains(v.Reason, "no answer within") {
		t.Errorf("slow server: %+v", v)
	}

	// The total cap: keys not checked in time are unknown too.
	fs = keyFindings(2, 3, 4)
	verify(t, context.Background(), fs, Options{APIURL: slow.URL, Concurrency: 1, Total: 100 * time.Millisecond})
	for _, f := range fs {
		if v := f.Verification; v.Status != finding.Unknown || !strings.Contains(v.Reason, "time limit") {
			t.Errorf("over the total cap: %+v", v)
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	fs = keyFindings(5)
	verify(t, context.Background(), fs, Options{APIURL: "http://" + addr})
	if v := fs[0].Verification; v.Status != finding.Unknown || !strings.Contains(v.Reason, "refused") {
		t.Errorf("connection refused: %+v", v)
	}
}

func TestVerifyRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer other.Close()
	// localhost and 127.0.0.1 are different hosts to the client.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/v1/health", http.StatusFound)
	}))
	defer redirecting.Close()
	fs := keyFindings(1)
	verify(t, context.Background(), fs, Options{APIURL: redirecting.URL})
	if v := fs[0].Verification; v.Status != finding.Unknown || !strings.Contains(v.Reason, "refused a redirect") || elsewhere.Load() != 0 {
		t.Errorf("redirect to another host: %+v, %d requests reached it", v, elsewhere.Load())
	}
}

func TestVerifyConcurrency(t *testing.T) {
	t.Parallel()
	var now, peak atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := now.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(10 * time.Millisecond)
		now.Add(-1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer ts.Close()
	fs := keyFindings(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	verify(t, context.Background(), fs, Options{APIURL: ts.URL, Concurrency: 2})
	if peak.Load() > 2 {
		t.Errorf("%d requests at once, want at most 2", peak.Load())
	}
}

func TestVerifyAPIURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		api, want string
		ok        bool
	}{
		{"", "https://api.baytos.ai/v1/health", true},
		{"https://proxy.example.com/claro", "https://proxy.example.com/claro/v1/health", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/health", true},
		{"http://localhost:1", "http://localhost:1/v1/health", true},
		{"http://api.baytos.ai", "", false},
		{"ftp://x", "", false},
		{"api.baytos.ai", "", false},
	} {
		got, err := healthURL(tt.api)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("healthURL(%q) = %q, %v", tt.api, got, err)
		}
	}
	if err := verify(t, context.Background(), keyFindings(1), Options{APIURL: "http://example.com"}); err == nil {
		t.Error("Verify sent keys over plain http to a remote host")
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		v    string
		want time.Duration
	}{
		{"", -1}, {"x", -1}, {"-3", -1}, {"0", 0}, {"7", 7 * time.Second},
		{"Mon, 02 Jan 2006 15:04:05 GMT", 0}, // in the past
	} {
		if got := retryAfter(tt.v); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
	if got := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); got < 59*time.Minute {
		t.Errorf("retryAfter of a date an hour ahead = %v", got)
	}
}

// verify runs a Verifier made from o on fs.
func verify(t *testing.T, ctx context.Context, fs []finding.Finding, o Options) error {
	t.Helper()
	v, err := New(o)
	if err != nil {
		return err
	}
	v.Verify(ctx, fs)
	return nil
}

// TestIssue12RetryAfterPastTheLimit: a 429 asking to wait far longer than
// the verification may take makes the key unknown at once, instead of
// waiting (90 s before the fix, with Retry-After: 99999); the findings
// stay.
func TestIssue12RetryAfterPastTheLimit(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "99999")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer ts.Close()
	fs := keyFindings(1, 2)
	// Had it waited, the time limit would have ended the wait with
	// another reason.
	verify(t, context.Background(), fs, Options{APIURL: ts.URL, Total: 10 * time.Second})
	for _, f := range fs {
		if v := f.Verification; v == nil || v.Status != finding.Unknown || !strings.Contains(v.Reason, "asked to wait 27h46m39s, past the verification time limit (10s)") {
			t.Errorf("Retry-After 99999: %+v", v)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d requests, want one per key", n)
	}
}
