package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/clarolint/clarolint/finding"
)

// Options configure Verify. Zero fields take the defaults.
type Options struct {
	// APIURL is the Claro API's base URL (default DefaultAPIURL). It must
	// be https, except on a loopback address, so that a key never crosses
	// a network in the clear.
	APIURL string
	// Concurrency is how many keys are checked at once (default 4).
	Concurrency int
	// Timeout bounds each request (default 5s).
	Timeout time.Duration
	// Retries is how many times a 429 or 5xx answer is retried, with
	// backoff that honours Retry-After (default 3).
	Retries int
	// Total bounds the whole verification (default 30s, --verify-timeout):
	// keys not checked by then are Unknown, and a key whose check would
	// have to wait past it (a Retry-After of hours) is Unknown at once.
	Total time.Duration
	// Transport is the HTTP transport; nil means a clone of
	// http.DefaultTransport, which verifies TLS certificates.
	Transport http.RoundTripper
}

// DefaultAPIURL is the Claro API.
const DefaultAPIURL = "https://api.baytos.ai"

// DefaultTimeout bounds a whole verification unless told otherwise.
const DefaultTimeout = 30 * time.Second

// backoff is the first wait before a retry; it doubles each time, and a
// Retry-After header replaces it (capped at maxBackoff).
const (
	backoff    = 500 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// Verifier checks keys against the Claro API. Make one with New; it is
// safe for concurrent use.
type Verifier struct {
	endpoint string
	opts     Options
	client   *http.Client
}

// New checks o (the API URL above all) and returns a Verifier.
func New(o Options) (*Verifier, error) {
	endpoint, err := healthURL(o.APIURL)
	if err != nil {
		return nil, err
	}
	o = o.withDefaults()
	return &Verifier{endpoint: endpoint, opts: o, client: &http.Client{
		Transport: o.Transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return fmt.Errorf("refused a redirect to %s: keys are only sent to %s", req.URL.Host, via[0].URL.Host)
			}
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}}, nil
}

// Verify checks each distinct key among fs once, with GET {api}/v1/health
// and the key as a bearer token, and sets Verification on every finding
// that holds that key. It sends keys to the configured API and nowhere
// else: redirects to another host are refused. Every failure to verify a
// key is an Unknown status with a reason.
func (v *Verifier) Verify(ctx context.Context, fs []finding.Finding) {
	o, client, endpoint := v.opts, v.client, v.endpoint
	ctx, cancel := context.WithTimeout(ctx, o.Total)
	defer cancel()

	// One check per key, however many findings share it.
	index := map[string]int{} // fingerprint -> position in keys
	var keys []string
	for _, f := range fs {
		if _, seen := index[f.Fingerprint]; f.Secret != "" && !seen {
			index[f.Fingerprint] = len(keys)
			keys = append(keys, f.Secret.Reveal())
		}
	}
	results := make([]finding.Verification, len(keys))
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				results[i] = check(ctx, client, endpoint, key, o)
			case <-ctx.Done():
				results[i] = finding.Verification{Status: finding.Unknown, Reason: "not checked: " + cause(ctx, o)}
			}
		})
	}
	wg.Wait()
	for i, f := range fs {
		if j, ok := index[f.Fingerprint]; ok && f.Secret != "" {
			v := results[j]
			fs[i].Verification = &v
		}
	}
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 3
	}
	if o.Total <= 0 {
		o.Total = DefaultTimeout
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	return o
}

// healthURL checks the API base URL and returns its health endpoint.
func healthURL(api string) (string, error) {
	if api == "" {
		api = DefaultAPIURL
	}
	u, err := url.Parse(api)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("API URL %q: want https://host[/path]", api)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("API URL %q: keys are sent only over https (plain http is allowed on a loopback address, for tests)", api)
	}
	return u.JoinPath("v1", "health").String(), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// check asks the API about one key, retrying 429 and 5xx answers.
func check(ctx context.Context, client *http.Client, endpoint, key string, o Options) finding.Verification {
	wait := backoff
	for attempt := 0; ; attempt++ {
		status, retryAfter, err := get(ctx, client, endpoint, key, o.Timeout)
		switch {
		case err != nil && ctx.Err() != nil:
			return finding.Verification{Status: finding.Unknown, Reason: cause(ctx, o)}
		case err != nil:
			return finding.Verification{Status: finding.Unknown, Reason: err.Error()}
		case status == http.StatusOK:
			return finding.Verification{Status: finding.Active, Reason: "the API accepted the key (200)"}
		case status == http.StatusUnauthorized:
			return finding.Verification{Status: finding.Invalid, Reason: "the API rejected the key (401): deleted or revoked"}
		case status == http.StatusForbidden:
			return finding.Verification{Status: finding.ActiveNoPermission, Reason: "the key exists but may not call /v1/health (403)"}
		case status != http.StatusTooManyRequests && status < 500:
			return finding.Verification{Status: finding.Unknown, Reason: fmt.Sprintf("unexpected answer %d %s", status, http.StatusText(status))}
		case attempt >= o.Retries:
			return finding.Verification{Status: finding.Unknown, Reason: fmt.Sprintf("answer %d %s after %d attempts", status, http.StatusText(status), attempt+1)}
		}
		if retryAfter >= 0 { // the server said when
			wait = retryAfter
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			why := "the next retry would come"
			if retryAfter >= 0 {
				why = fmt.Sprintf("the API asked to wait %v,", wait.Round(time.Second))
			}
			return finding.Verification{Status: finding.Unknown, Reason: fmt.Sprintf("answer %d %s; %s past the verification time limit (%v)", status, http.StatusText(status), why, o.Total)}
		}
		wait = min(wait, maxBackoff)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return finding.Verification{Status: finding.Unknown, Reason: cause(ctx, o)}
		}
		wait = min(2*wait, maxBackoff)
	}
}

// get sends one request and returns the status and the Retry-After
// header's wait, negative without one. Its errors never hold the key:
// only the URL, which holds no key.
func get(ctx context.Context, client *http.Client, endpoint, key string, timeout time.Duration) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return 0, -1, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("User-Agent", "clarolint")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, -1, fmt.Errorf("no answer within %v", timeout)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, -1, fmt.Errorf("request failed: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After")), nil
}

// retryAfter parses a Retry-After header, seconds or an HTTP date; it is
// negative when the header is absent or malformed.
func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return -1
}

// cause says why the verification context ended.
func cause(ctx context.Context, o Options) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("the verification time limit (%v) was reached", o.Total)
	}
	return "verification was cancelled"
}
