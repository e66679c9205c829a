package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clarolint/clarolint/config"
	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/escape"
	"github.com/clarolint/clarolint/report"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/scanner"
	"github.com/clarolint/clarolint/verify"
)

// common holds the flags every scanning command takes, and when the
// command started.
type common struct {
	format, output, config, baseline, failOn string
	showSecrets, noColor, quiet, verbose     bool
	strict                                   bool
	reports                                  extraReports
	verify, onlyActive                       bool
	apiURL                                   string
	verifyTimeout                            time.Duration
	decodeDepth, archiveDepth, exitCode      int
	start                                    time.Time
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
	o.start = time.Now()
	c.stringFlag(&o.format, "format", "FORMAT", "text", "output format: text, json, sarif, github (workflow-command annotations) or markdown (a job summary)", "--format sarif --output clarolint.sarif")
	c.stringFlag(&o.output, "output", "FILE", "", "write the report to FILE instead of standard output; the summary line still goes to standard error, unless --quiet", "--output report.json")
	c.varFlag(&o.reports, "report", "FORMAT=FILE", "also write a report in FORMAT to FILE; repeatable, so that one scan gives several outputs", "--report sarif=clarolint.sarif --report markdown=\"$GITHUB_STEP_SUMMARY\"")
	c.stringFlag(&o.config, "config", "FILE", "", "read settings from FILE (default: .clarolint.yaml at the top of the git work tree, wherever in it clarolint runs, else in the scan root); allow.paths in it are relative to the top of the work tree", "--config ci/clarolint.yaml")
	c.stringFlag(&o.baseline, "baseline", "FILE", "", "ignore the findings recorded in FILE, a JSON report (matched by key fingerprint and path); default: the config's baseline:", "--baseline .clarolint-baseline.json")
	c.stringFlag(&o.failOn, "fail-on", "SEVERITY", "warning", "fail on findings of this severity or worse: error or warning", "--fail-on error")
	c.intFlag(&o.exitCode, "exit-code", "N", exitFindings, "the exit status when failing findings exist; 0 reports them without failing, as when writing a baseline", "--exit-code 0 --format json --output .clarolint-baseline.json")
	c.boolFlag(&o.strict, "strict", "exit 2 when anything could not be scanned (an unreadable file or blob, an archive past its budget or depth): the summary then says \"incomplete: N not scanned\"; the GitHub Action and the pre-commit hooks run strict", "--strict")
	c.boolFlag(&o.showSecrets, "show-secrets", "print full keys instead of sk_live_…Ab3x (never in CI logs)", "--show-secrets --format json")
	c.boolFlag(&o.noColor, "no-color", "no colour in text output (also when NO_COLOR is set; colour is used only on a terminal)", "--no-color")
	c.boolFlag(&o.quiet, "quiet", "print only findings: no summary line", "--quiet")
	c.boolFlag(&o.verbose, "verbose", "print the settings used and what was scanned to standard error", "--verbose")
	c.boolFlag(&o.verify, "verify", "check each distinct key once against the Claro API (GET /v1/health): active, invalid, active-no-permission or unknown; keys go to that API and nowhere else", "--verify --format json")
	c.stringFlag(&o.apiURL, "api-url", "URL", "", "the Claro API for --verify (default: $CLARO_API_URL, else "+verify.DefaultAPIURL+"); https only, except on loopback", "--verify --api-url https://claro-proxy.internal")
	c.durationFlag(&o.verifyTimeout, "verify-timeout", "DURATION", verify.DefaultTimeout, "with --verify, the most the whole verification may take; keys not checked by then are unknown, and kept", "--verify --verify-timeout 2m")
	c.boolFlag(&o.onlyActive, "only-active", "with --verify, drop the findings whose key the API rejected (invalid); unknown and active-no-permission keys stay, so that a failed check never hides a leak", "--verify --only-active")
	c.intFlag(&o.decodeDepth, "decode-depth", "N", 1, fmt.Sprintf("undo up to N layers of encoding to find keys written in base64 (a Kubernetes Secret's data, a basic-auth header), percent-encoding or JSON \\u escapes, and in UTF-16 files; a finding points at the encoded text and says how it was encoded. 0 finds only keys written as themselves; 2 also finds, say, a percent-encoded key that was then base64-encoded; at most %d", rules.MaxDecodeDepth), "--decode-depth 2")
	c.intFlag(&o.archiveDepth, "archive-depth", "N", 0, fmt.Sprintf("open zip (and jar, war, apk…), gzip and tar archives up to N levels deep and scan the files inside, reported as archive.zip!path/in/it; 0 scans an archive as bytes only, like any binary file; at most %d", scanner.MaxArchiveDepth), "--archive-depth 2")
}

// setup is what the common flags and the config resolve to.
type setup struct {
	format   report.Format
	failOn   rules.Severity
	cfg      *config.Config // nil without a config file
	cfgPath  string
	baseline *report.Baseline
	verifier *verify.Verifier // nil without --verify
	opts     scanner.Options
}

// place is where a command scans, for finding its config.
type place struct {
	// top is the top of the git work tree (or the bare repository) the
	// scan is in; "" outside one. The config is looked for there first,
	// and allow.paths are relative to it.
	top string
	// root is the directory finding paths are relative to: the scan root,
	// or the current directory when a scan has several roots or a file.
	root string
	// With rev, the config and the baseline it names are read from that
	// commit of repo, not from the work tree (history --config-rev).
	repo *scanner.Repository
	rev  string
}

// pathBase returns where p.root's paths start, from p.top, slash-separated:
// "" when they are the same or when the root is not under the top.
func (p place) pathBase() string {
	if p.top == "" {
		return ""
	}
	top, err1 := filepath.Abs(p.top)
	root, err2 := filepath.Abs(p.root)
	if err1 != nil || err2 != nil {
		return ""
	}
	rel, err := filepath.Rel(top, root)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ""
	}
	return filepath.ToSlash(rel)
}

// resolve validates the flags and reads the config (from --config, or
// .clarolint.yaml at the top of the work tree, else in the scan root) and
// the baseline (from --baseline, else the config's baseline:).
func (o *common) resolve(e env, where place) (*setup, error) {
	// Flags are checked here, by their names; scanner.New checks the
	// options again for other callers of the library.
	if o.decodeDepth < 0 || o.decodeDepth > rules.MaxDecodeDepth {
		return nil, fmt.Errorf("--decode-depth %d: use 0 (no decoding) to %d", o.decodeDepth, rules.MaxDecodeDepth)
	}
	if o.archiveDepth < 0 || o.archiveDepth > scanner.MaxArchiveDepth {
		return nil, fmt.Errorf("--archive-depth %d: use 0 (archives as bytes) to %d", o.archiveDepth, scanner.MaxArchiveDepth)
	}
	if o.exitCode < 0 || o.exitCode > 125 {
		return nil, fmt.Errorf("--exit-code %d: use 0 to 125", o.exitCode)
	}
	s := &setup{opts: scanner.Options{Warnings: e.stderr, DecodeDepth: o.decodeDepth, ArchiveDepth: o.archiveDepth, PathBase: where.pathBase()}}
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
	baseline := o.baseline
	if where.rev != "" {
		if o.config != "" {
			return nil, errors.New("--config and --config-rev name two configs; give one")
		}
		if err := s.readConfigAt(where.repo, where.rev); err != nil {
			return nil, err
		}
		if baseline == "" && s.cfg != nil && s.cfg.Baseline != "" {
			if s.baseline, err = baselineAt(where.repo, where.rev, s.cfg.Baseline); err != nil {
				return nil, err
			}
			baseline = where.rev + ":" + s.cfg.Baseline
		}
	} else {
		if err := s.readConfig(o.config, where); err != nil {
			return nil, err
		}
		if baseline == "" && s.cfg != nil {
			baseline = s.cfg.BaselinePath()
		}
	}
	if baseline != "" && s.baseline == nil {
		if s.baseline, err = report.ReadBaseline(baseline); err != nil {
			return nil, err
		}
	}
	switch {
	case o.verify:
		api := o.apiURL
		if api == "" {
			api = os.Getenv("CLARO_API_URL")
		}
		if o.verifyTimeout <= 0 {
			return nil, fmt.Errorf("--verify-timeout %v: give a positive duration, such as 30s", o.verifyTimeout)
		}
		if s.verifier, err = verify.New(verify.Options{APIURL: api, Total: o.verifyTimeout}); err != nil {
			return nil, fmt.Errorf("--verify: %w", err)
		}
	case o.onlyActive:
		return nil, errors.New("--only-active needs --verify")
	case o.apiURL != "":
		return nil, errors.New("--api-url is for --verify; add --verify")
	}
	if o.verbose {
		o.describe(e.stderr, s, baseline)
	}
	return s, nil
}

// readConfig reads the config file at path, or the first
// .clarolint.yaml of the work tree's top and the scan root, into s.
func (s *setup) readConfig(path string, where place) error {
	if path == "" {
		for _, dir := range []string{where.top, where.root} {
			if p := filepath.Join(dir, ".clarolint.yaml"); dir != "" && fileExists(p) {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	s.useConfig(cfg, path)
	return nil
}

// useConfig applies cfg, read from path, to s.
func (s *setup) useConfig(cfg *config.Config, path string) {
	s.cfg, s.cfgPath = cfg, path
	s.opts.Matcher.MinEntropy = cfg.MinEntropy()
	s.opts.AllowPaths = cfg.AllowPaths
	s.opts.AllowFingerprints = cfg.AllowFingerprints
	s.opts.Disable = cfg.Disable
	s.opts.MaxFileSize = cfg.MaxFileSize
}

// scan runs one scan of sources with the resolved options and returns its
// findings, in no particular order, and the stats of all of them.
func (s *setup) scan(ctx context.Context, sources ...scanner.Source) (*scanner.Scanner, []finding.Finding, finding.Stats, error) {
	sc, err := scanner.New(s.opts)
	if err != nil {
		return nil, nil, finding.Stats{}, err
	}
	var fs []finding.Finding
	var total finding.Stats
	for _, src := range sources {
		st, err := sc.Scan(ctx, src, func(f finding.Finding) error {
			fs = append(fs, f)
			return nil
		})
		total.Add(st)
		if err != nil {
			return sc, fs, total, err
		}
	}
	return sc, fs, total, nil
}

// describe writes the resolved settings, so that a user can see which
// config was read and what it allows.
func (o *common) describe(w io.Writer, s *setup, baseline string) {
	if s.cfg == nil {
		fmt.Fprintf(w, "config: none (no .clarolint.yaml at the top of the work tree or in the scan root; defaults apply)\n")
	} else {
		fmt.Fprintf(w, "config: %s (%s, %s, %s)\n", escape.Text(s.cfgPath),
			plural(len(s.opts.AllowPaths), "allowed path"), plural(len(s.opts.AllowFingerprints), "allowed fingerprint"), plural(len(s.opts.Disable), "disabled rule"))
	}
	if s.opts.PathBase != "" {
		fmt.Fprintf(w, "paths: relative to %s, matched against allow.paths as %s/…\n", escape.Text(s.opts.PathBase), escape.Text(s.opts.PathBase))
	}
	if baseline != "" {
		fmt.Fprintf(w, "baseline: %s\n", escape.Text(baseline))
	}
}

// finish sorts the findings, drops those in the baseline, verifies the
// keys with --verify, writes the reports and returns the exit status.
func (o *common) finish(ctx context.Context, e env, s *setup, fs []finding.Finding, st finding.Stats) int {
	finding.Sort(fs)
	fs = slices.DeleteFunc(fs, func(f finding.Finding) bool {
		if s.inBaseline(f) {
			st.Suppressed++
			return true
		}
		return false
	})
	if s.verifier != nil {
		fs = o.verifyKeys(ctx, e, s.verifier, fs, &st)
	}
	st.Duration = time.Since(o.start) // the whole run, verification included

	color := s.format == report.Text && o.output == "" && !o.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(e.stdout)
	ro := report.Options{ShowSecrets: o.showSecrets, Color: color, Version: version(), Quiet: o.quiet}
	if err := writeReport(e.stdout, o.output, s.format, fs, st, ro); err != nil {
		return fail(e, "", err)
	}
	ro.Color = false
	for _, r := range o.reports {
		if err := writeReport(nil, r.path, r.format, fs, st, ro); err != nil {
			return fail(e, "", err)
		}
	}
	if o.output != "" && !o.quiet {
		// The report went to a file: the terminal, or the CI log, still
		// hears the outcome.
		fmt.Fprintln(e.stderr, escape.Text(report.Summary(fs, st)))
	}
	if o.verbose {
		fmt.Fprintf(e.stderr, "scanned %s, %s in %s; %s (scanned as bytes unless --skip-binary)\n",
			plural(st.FilesScanned, "file"), plural64(st.BytesScanned, "byte"), report.Duration(st.Duration), plural(st.BinaryFiles, "binary file"))
	}
	return o.status(e, s, fs, st)
}

// status is the exit status: 2 when --strict and something could not be
// scanned (which it says), else --exit-code's when a finding fails, else 0.
func (o *common) status(e env, s *setup, fs []finding.Finding, st finding.Stats) int {
	if o.strict && st.NotScanned > 0 {
		fmt.Fprintf(e.stderr, "clarolint: incomplete: %d not scanned (see the warnings above); --strict makes that an error\n", st.NotScanned)
		return exitError
	}
	for _, f := range fs {
		if f.Severity.AtLeast(s.failOn) {
			return o.exitCode
		}
	}
	return exitClean
}

// inBaseline reports whether the baseline accepts f, at its path or, for
// a scan of a subdirectory, at its path from the top of the work tree,
// where a baseline made at the top records it.
func (s *setup) inBaseline(f finding.Finding) bool {
	if s.baseline.Has(f) {
		return true
	}
	if s.opts.PathBase == "" {
		return false
	}
	f.Path = path.Join(s.opts.PathBase, f.Path)
	return s.baseline.Has(f)
}

// verifyKeys checks the findings' keys and, with --only-active, drops the
// findings whose key the API rejected; findings it could not judge stay.
// It counts both in st.
func (o *common) verifyKeys(ctx context.Context, e env, v *verify.Verifier, fs []finding.Finding, st *finding.Stats) []finding.Finding {
	v.Verify(ctx, fs)
	counts, keys := verificationCounts(fs)
	st.Unverified = counts[finding.Unknown]
	if o.verbose {
		fmt.Fprintf(e.stderr, "verified %s: %d active, %d active-no-permission, %d invalid, %d unknown\n", plural(keys, "key"),
			counts[finding.Active], counts[finding.ActiveNoPermission], counts[finding.Invalid], counts[finding.Unknown])
	}
	if !o.onlyActive {
		return fs
	}
	return slices.DeleteFunc(fs, func(f finding.Finding) bool {
		if f.Verification != nil && f.Verification.Status == finding.Invalid {
			st.DroppedInvalid++
			return true
		}
		return false
	})
}

// verificationCounts returns how many distinct keys got each status, and
// how many keys were verified.
func verificationCounts(fs []finding.Finding) (map[string]int, int) {
	counts := map[string]int{}
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Verification != nil && !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			counts[f.Verification.Status]++
		}
	}
	return counts, len(seen)
}

// writeReport writes one report to the file at path, or to w when path
// is empty.
func writeReport(w io.Writer, path string, f report.Format, fs []finding.Finding, st finding.Stats, o report.Options) error {
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

// fail prints err for a command ("" when the command does not matter)
// and returns the error status. A bad config says which file to fix;
// other errors say what failed. Errors name paths and refs of the
// repository, so the line is escaped.
func fail(e env, cmd string, err error) int {
	who := "clarolint"
	if cmd != "" {
		who += " " + cmd
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", who, escape.Text(err.Error()))
	return exitError
}

// plural returns n and noun, with an s unless n is 1.
func plural(n int, noun string) string { return plural64(int64(n), noun) }

func plural64(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
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
