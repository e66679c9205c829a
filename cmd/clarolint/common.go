package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clarolint/clarolint/config"
	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/scanner"
)

// common holds the flags every scanning command takes (SPEC §3).
type common struct {
	format, output, config, baseline, failOn string
	showSecrets, noColor, quiet, verbose     bool
	reports                                  extraReports
	verify, onlyActive                       bool
	apiURL                                   string
	decodeDepth, archiveDepth                int
}

// extraReports is the repeatable --report FORMAT=FILE flag: one scan,
// several outputs (SARIF for upload, Markdown for a CI job summary, and
// the console report).
type extraReports []extraReport

type extraReport struct {
	format report.Format
	path   string
}

func (r *extraReports) String() string { return "" }

func (r *extraReports) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || path == "" {
		return fmt.Errorf("want FORMAT=FILE, such as sarif=clarolint.sarif")
	}
	f, err := report.ParseFormat(name)
	if err != nil {
		return err
	}
	*r = append(*r, extraReport{f, path})
	return nil
}

func (o *common) register(c *command) {
	c.stringFlag(&o.format, "format", "FORMAT", "text", "output format: text, json, sarif, github (workflow-command annotations) or markdown (a job summary)", "--format sarif --output clarolint.sarif")
	c.stringFlag(&o.output, "output", "FILE", "", "write the report to FILE instead of standard output", "--output report.json")
	c.varFlag(&o.reports, "report", "FORMAT=FILE", "also write a report in FORMAT to FILE; repeatable, so that one scan gives several outputs", "--report sarif=clarolint.sarif --report markdown=\"$GITHUB_STEP_SUMMARY\"")
	c.stringFlag(&o.config, "config", "FILE", "", "read settings from FILE (default: .clarolint.yaml at the root, if present)", "--config ci/clarolint.yaml")
	c.stringFlag(&o.baseline, "baseline", "FILE", "", "ignore the findings recorded in FILE, a JSON report (matched by key fingerprint and path)", "--baseline .clarolint-baseline.json")
	c.stringFlag(&o.failOn, "fail-on", "SEVERITY", "warning", "exit 1 on findings of this severity or worse: error or warning", "--fail-on error")
	c.boolFlag(&o.showSecrets, "show-secrets", "print full keys instead of sk_live_…Ab3x (never in CI logs)", "--show-secrets --format json")
	c.boolFlag(&o.noColor, "no-color", "no colour in text output (also when NO_COLOR is set; colour is used only on a terminal)", "--no-color")
	c.boolFlag(&o.quiet, "quiet", "print only findings: no summary line", "--quiet")
	c.boolFlag(&o.verbose, "verbose", "print the settings used and what was scanned to standard error", "--verbose")
	c.boolFlag(&o.verify, "verify", "check each distinct key once against the Claro API (GET /v1/health): active, invalid, active-no-permission or unknown; keys go to that API and nowhere else", "--verify --format json")
	c.stringFlag(&o.apiURL, "api-url", "URL", "", "the Claro API for --verify (default: $CLARO_API_URL, else "+scanner.DefaultAPIURL+"); https only, except on loopback", "--verify --api-url https://claro-proxy.internal")
	c.boolFlag(&o.onlyActive, "only-active", "with --verify, report only keys the API accepts (to triage a large history)", "--verify --only-active")
	c.intFlag(&o.decodeDepth, "decode-depth", "N", 1, fmt.Sprintf("undo up to N layers of encoding to find keys written in base64 (a Kubernetes Secret's data, a basic-auth header), percent-encoding or JSON \\u escapes, and in UTF-16 files; a finding points at the encoded text and says how it was encoded. 0 finds only keys written as themselves; 2 also finds, say, a percent-encoded key that was then base64-encoded; at most %d", rules.MaxDecodeDepth), "--decode-depth 2")
	c.intFlag(&o.archiveDepth, "archive-depth", "N", 0, fmt.Sprintf("open zip (and jar, war, apk…), gzip and tar archives up to N levels deep and scan the files inside, reported as archive.zip!path/in/it; 0 scans an archive as bytes only, like any binary file; at most %d", scanner.MaxArchiveDepth), "--archive-depth 2")
}

// setup is what the common flags and the config resolve to.
type setup struct {
	format   report.Format
	failOn   rules.Severity
	cfg      *config.Config // nil without a config file
	baseline *report.Baseline
	verifier *scanner.Verifier // nil without --verify
	opts     scanner.Options
}

// resolve validates the flags and reads the config (from --config, or
// .clarolint.yaml in root) and the baseline.
func (o *common) resolve(e env, root string) (*setup, error) {
	if o.decodeDepth < 0 || o.decodeDepth > rules.MaxDecodeDepth {
		return nil, fmt.Errorf("--decode-depth %d: use 0 (no decoding) to %d", o.decodeDepth, rules.MaxDecodeDepth)
	}
	if o.archiveDepth < 0 || o.archiveDepth > scanner.MaxArchiveDepth {
		return nil, fmt.Errorf("--archive-depth %d: use 0 (archives as bytes) to %d", o.archiveDepth, scanner.MaxArchiveDepth)
	}
	s := &setup{opts: scanner.Options{Warnings: e.stderr, DecodeDepth: o.decodeDepth, ArchiveDepth: o.archiveDepth}}
	var err error
	if s.format, err = report.ParseFormat(o.format); err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	switch sev := rules.Severity(o.failOn); sev {
	case rules.Error, rules.Warning:
		s.failOn = sev
	default:
		return nil, fmt.Errorf("--fail-on %q: use error or warning", o.failOn)
	}

	path := o.config
	if path == "" {
		if p := filepath.Join(root, ".clarolint.yaml"); fileExists(p) {
			path = p
		}
	}
	if path != "" {
		if s.cfg, err = config.Load(path); err != nil {
			return nil, err
		}
		s.opts.Matcher.MinEntropy = s.cfg.MinEntropy()
		s.opts.AllowPaths = s.cfg.AllowPaths
		s.opts.AllowFingerprints = s.cfg.AllowFingerprints
		s.opts.Disable = s.cfg.Disable
		s.opts.MaxFileSize = s.cfg.MaxFileSize
	}
	if o.baseline != "" {
		if s.baseline, err = report.ReadBaseline(o.baseline); err != nil {
			return nil, err
		}
	}
	switch {
	case o.verify:
		api := o.apiURL
		if api == "" {
			api = os.Getenv("CLARO_API_URL")
		}
		if s.verifier, err = scanner.NewVerifier(scanner.VerifyOptions{APIURL: api}); err != nil {
			return nil, fmt.Errorf("--verify: %w", err)
		}
	case o.onlyActive:
		return nil, errors.New("--only-active needs --verify")
	case o.apiURL != "":
		return nil, errors.New("--api-url is for --verify; add --verify")
	}
	if o.verbose {
		o.describe(e.stderr, s, path)
	}
	return s, nil
}

// describe writes the resolved settings, so that a user can see which
// config was read and what it allows.
func (o *common) describe(w io.Writer, s *setup, cfgPath string) {
	if cfgPath == "" {
		fmt.Fprintf(w, "config: none (no .clarolint.yaml at the root; defaults apply)\n")
	} else {
		fmt.Fprintf(w, "config: %s (%d allowed paths, %d allowed fingerprints, %d disabled rules)\n",
			cfgPath, len(s.opts.AllowPaths), len(s.opts.AllowFingerprints), len(s.opts.Disable))
	}
	if o.baseline != "" {
		fmt.Fprintf(w, "baseline: %s\n", o.baseline)
	}
}

// finish sorts the findings, drops those in the baseline, verifies the
// keys with --verify, writes the reports and returns the exit status.
func (o *common) finish(ctx context.Context, e env, s *setup, fs []scanner.Finding, st scanner.Stats) int {
	scanner.Sort(fs)
	if s.baseline != nil {
		fs = slices.DeleteFunc(fs, func(f scanner.Finding) bool {
			if s.baseline.Has(f) {
				st.Suppressed++
				return true
			}
			return false
		})
	}
	if s.verifier != nil {
		s.verifier.Verify(ctx, fs)
		if o.verbose {
			describeVerification(e.stderr, fs)
		}
		if o.onlyActive {
			fs = slices.DeleteFunc(fs, func(f scanner.Finding) bool {
				return f.Verification == nil || f.Verification.Status != scanner.Active
			})
		}
	}

	color := s.format == report.Text && o.output == "" && !o.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(e.stdout)
	ro := report.Options{ShowSecrets: o.showSecrets, Color: color, Version: version(), Quiet: o.quiet}
	if err := writeReport(e.stdout, o.output, s.format, fs, st, ro); err != nil {
		fmt.Fprintf(e.stderr, "clarolint: %v\n", err)
		return exitError
	}
	ro.Color = false
	for _, r := range o.reports {
		if err := writeReport(nil, r.path, r.format, fs, st, ro); err != nil {
			fmt.Fprintf(e.stderr, "clarolint: %v\n", err)
			return exitError
		}
	}
	if o.verbose {
		fmt.Fprintf(e.stderr, "scanned %d files, %d bytes in %v; %d binary files (scanned as bytes unless --skip-binary)\n",
			st.FilesScanned, st.BytesScanned, st.Duration.Round(1e6), st.BinaryFiles)
	}
	for _, f := range fs {
		if f.Severity.AtLeast(s.failOn) {
			return exitFindings
		}
	}
	return exitClean
}

// describeVerification writes how many distinct keys got each status.
func describeVerification(w io.Writer, fs []scanner.Finding) {
	counts := map[string]int{}
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Verification != nil && !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			counts[f.Verification.Status]++
		}
	}
	fmt.Fprintf(w, "verified %d keys: %d active, %d active-no-permission, %d invalid, %d unknown\n", len(seen),
		counts[scanner.Active], counts[scanner.ActiveNoPermission], counts[scanner.Invalid], counts[scanner.Unknown])
}

// writeReport writes one report to the file at path, or to w when path
// is empty.
func writeReport(w io.Writer, path string, f report.Format, fs []scanner.Finding, st scanner.Stats, o report.Options) error {
	if path == "" {
		if err := report.Write(w, f, fs, st, o); err != nil {
			return fmt.Errorf("write %s report: %w", f, err)
		}
		return nil
	}
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := report.Write(file, f, fs, st, o); err != nil {
		file.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return file.Close()
}

// fail prints err for a command and returns the error status. A bad
// config says which file to fix; other errors say what failed.
func fail(e env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "clarolint %s: %v\n", cmd, err)
	return exitError
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return !errors.Is(err, fs.ErrNotExist)
}

// isTerminal reports whether w is a character device: a terminal, where
// colour and progress belong.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
