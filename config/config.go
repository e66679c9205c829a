package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/clarolint/clarolint/rules"
)

// ErrBadConfig is wrapped by every error about what a config file says: a
// YAML syntax error, an unknown field, a wrong type, a bad glob, an unknown
// rule or a value out of range. cmd/clarolint exits with status 2 on it.
// Errors reading the file do not wrap it.
var ErrBadConfig = errors.New("bad config")

// Config is a validated .clarolint.yaml. The zero value is the default
// configuration: default entropy threshold, nothing allowed or disabled, no
// size limit. Every field of a Config returned by Parse or Load has been
// validated, and the package never modifies a Config it has returned.
type Config struct {
	// Path is the file the config came from, as given to Load or Parse;
	// empty in the zero Config.
	Path string

	// Entropy is the minimum Shannon entropy, in bits per character of the
	// 42-character body, below which a key is taken for a placeholder: from
	// 0 to log2(42) ≈ 5.39, the entropy of 42 distinct characters. Nil when
	// the file does not set it. Configure a rules.Matcher with MinEntropy,
	// not with this field.
	Entropy *float64

	// AllowPaths are doublestar globs (allow.paths), slash-separated and
	// relative to the scan root (the repository root for history and
	// staged scans), of files to pass over. Each has passed
	// doublestar.ValidatePattern, so callers may match with
	// doublestar.MatchUnvalidated. Patterns that could never match a
	// relative path ("/x", "./x", "x/", "a//b") are rejected.
	AllowPaths []string

	// AllowFingerprints are keys to accept wherever they appear
	// (allow.fingerprints), such as revoked ones, given as rules.Fingerprint
	// writes them: "sha256:" and 64 lower-case hex digits.
	AllowFingerprints []string

	// Disable lists rules not to run; each is a rule that rules.Lookup knows.
	Disable []rules.RuleID

	// MaxFileSize is the size in bytes above which a file is passed over; 0,
	// the default, means no limit. The file gives it as a whole number of
	// bytes (max-file-size: 1048576) or as a string of decimal digits and a
	// unit, with or without a space between them ("10MB", "10 MiB",
	// "512k"). Units ignore case: B is bytes; KB, MB, GB and TB are
	// decimal (1000ⁿ); KiB, MiB, GiB and TiB are binary (1024ⁿ), and so are
	// K, M, G and T alone or with a bare i (Ki, Mi), as in du, ls -h and
	// git's core.bigFileThreshold.
	MaxFileSize int64

	// Baseline is the baseline file the config names (baseline:), a JSON
	// report of accepted findings, as written in the file: a path relative
	// to the config file's directory, or absolute. Empty when not set; see
	// BaselinePath.
	Baseline string
}

// BaselinePath returns the baseline file to read, relative to the
// directory of the config file (c.Path), or "" when the config names none.
func (c *Config) BaselinePath() string {
	if c.Baseline == "" || filepath.IsAbs(c.Baseline) {
		return c.Baseline
	}
	return filepath.Join(filepath.Dir(c.Path), filepath.FromSlash(c.Baseline))
}

// MinEntropy returns the value for rules.Matcher.MinEntropy: 0, which
// means rules.DefaultMinEntropy, when the file does not set entropy; the
// configured value otherwise; and -1 for "entropy: 0", because the matcher
// reads 0 as the default while the file means the check is off (no body
// has an entropy below 0).
func (c *Config) MinEntropy() float64 {
	switch {
	case c.Entropy == nil:
		return 0
	case *c.Entropy == 0:
		return -1
	}
	return *c.Entropy
}

// Load reads and validates the config file at path. An error reading the
// file wraps the error from package os, so errors.Is(err, fs.ErrNotExist)
// tells a missing file; every other error wraps ErrBadConfig (see Parse).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse validates the config in data, read from the file name, which
// errors and Config.Path show. An empty file, or one holding only
// comments, is a valid empty config, and so is a field set to null. Every
// error wraps ErrBadConfig and reads "name:line:col: what is wrong; what
// to do", except YAML syntax errors, which read "name: invalid YAML: " and
// the parser's message. Parse never panics.
func Parse(name string, data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return &Config{Path: name}, nil
	} else if err != nil {
		return nil, syntaxError(name, data, err)
	}
	p := parser{name: name}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, p.errorf(&next, "a second YAML document; put every setting in one document")
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(name, data, err)
	}
	c := &Config{Path: name}
	if err := p.root(c, doc.Content[0]); err != nil {
		return nil, err
	}
	return c, nil
}

// parser checks the nodes of one file against the schema of .clarolint.yaml:
// version, min_entropy, allow (paths, fingerprints), disable,
// max_file_size and baseline.
type parser struct {
	name string // for messages
}

func (p parser) root(c *Config, n *yaml.Node) error {
	return p.mapping(n, "", []string{"entropy", "allow", "disable", "baseline", "max-file-size"}, func(key string, v *yaml.Node) error {
		switch key {
		case "entropy":
			return p.entropy(c, v)
		case "allow":
			return p.allow(c, v)
		case "disable":
			return p.list(v, "disable", "rule IDs, such as [env-not-ignored]", func(s string, n *yaml.Node) error {
				id := rules.RuleID(s)
				if _, ok := rules.Lookup(id); !ok {
					return p.errorf(n, "unknown rule %s in disable; known rules: %s", strconv.Quote(s), ruleIDs())
				}
				c.Disable = append(c.Disable, id)
				return nil
			})
		case "baseline":
			return p.baseline(c, v)
		default: // max-file-size
			return p.maxFileSize(c, v)
		}
	})
}

func (p parser) allow(c *Config, n *yaml.Node) error {
	return p.mapping(n, "allow", []string{"paths", "fingerprints"}, func(key string, v *yaml.Node) error {
		if key == "paths" {
			return p.list(v, "allow.paths", `globs, such as ["testdata/**"]`, func(s string, n *yaml.Node) error {
				if !doublestar.ValidatePattern(s) {
					return p.errorf(n, `bad glob %s in allow.paths; close every [ and {, and escape a literal one with \`, strconv.Quote(s))
				}
				if neverMatches(s) {
					return p.errorf(n, `glob %s in allow.paths never matches; write it slash-separated and relative to the scan root, without a leading / or ./ or a trailing /, as in "testdata/**"`, strconv.Quote(s))
				}
				c.AllowPaths = append(c.AllowPaths, s)
				return nil
			})
		}
		return p.list(v, "allow.fingerprints", `fingerprints, such as ["sha256:…"]`, func(s string, n *yaml.Node) error {
			if rules.IsKey([]byte(s)) {
				return p.errorf(n, "allow.fingerprints holds a key, not its fingerprint; replace it with %q, and rotate the key if this file was ever shared", rules.Fingerprint([]byte(s)))
			}
			if !isFingerprint(s) {
				return p.errorf(n, `bad fingerprint %s in allow.fingerprints; write "sha256:" and 64 lower-case hex digits, as in the fingerprint field of the json report`, strconv.Quote(s))
			}
			c.AllowFingerprints = append(c.AllowFingerprints, s)
			return nil
		})
	})
}

func (p parser) entropy(c *Config, n *yaml.Node) error {
	v := resolve(n)
	if isNull(v) {
		return nil
	}
	var f float64
	if t := v.ShortTag(); v.Kind != yaml.ScalarNode || t != "!!int" && t != "!!float" || v.Decode(&f) != nil {
		return p.errorf(n, "entropy must be a number of bits per character, such as 4.0; got %s", describe(v))
	}
	maxEntropy := math.Log2(rules.BodyLen)
	if !(f >= 0 && f <= maxEntropy) { // NaN too
		return p.errorf(n, "entropy %s is out of range; use a number from 0 (check off) to %.2f, the entropy of %d distinct characters", v.Value, maxEntropy, rules.BodyLen)
	}
	c.Entropy = &f
	return nil
}

func (p parser) baseline(c *Config, n *yaml.Node) error {
	v := resolve(n)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || strings.TrimSpace(v.Value) == "" {
		return p.errorf(n, "baseline must be the path of a JSON report, relative to this file, such as .clarolint-baseline.json; got %s", describe(v))
	}
	c.Baseline = v.Value
	return nil
}

func (p parser) maxFileSize(c *Config, n *yaml.Node) error {
	v := resolve(n)
	if isNull(v) {
		return nil
	}
	if t := v.ShortTag(); v.Kind != yaml.ScalarNode || t != "!!int" && t != "!!str" {
		return p.errorf(n, `max-file-size must be a whole number of bytes or a size such as "10MB", "10MiB" or "512K"; got %s`, describe(v))
	}
	size, err := parseSize(v.Value)
	if err != nil {
		return p.errorf(n, "max-file-size %s: %v", strconv.Quote(v.Value), err)
	}
	c.MaxFileSize = size
	return nil
}

// parseSize parses the value of max-file-size; see Config.MaxFileSize.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		return 0, errors.New("a size must not be negative; use 0 for no limit")
	}
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits == 0 {
		return 0, errors.New(`want a whole number of bytes, optionally with a unit, such as "10MB", "10MiB" or "512K"`)
	}
	n, err := strconv.ParseInt(s[:digits], 10, 64) // only ErrRange: s[:digits] is all digits
	unit := strings.ToLower(strings.TrimSpace(s[digits:]))
	mult := int64(1)
	if unit != "" && unit != "b" {
		power := strings.IndexByte("kmgt", unit[0]) + 1
		base := int64(1024)
		switch unit[1:] {
		case "", "i", "ib":
		case "b":
			base = 1000
		default:
			power = 0
		}
		if power == 0 {
			return 0, errors.New("unknown unit; use B, KB, MB, GB or TB (powers of 1000), or K, M, G or T, alone or as KiB, MiB, GiB or TiB (powers of 1024)")
		}
		for range power {
			mult *= base
		}
	}
	if err != nil || n > math.MaxInt64/mult {
		return 0, errors.New("too large; use at most 8 EiB")
	}
	return n * mult, nil
}

// mapping checks that n is a mapping whose keys are among known, each at
// most once, and calls field for each key in order; null is an empty
// mapping. where names the mapping in messages: "" for the whole file.
func (p parser) mapping(n *yaml.Node, where string, known []string, field func(key string, v *yaml.Node) error) error {
	m := resolve(n)
	if isNull(m) {
		return nil
	}
	in := ""
	if where != "" {
		in = " in " + where
	}
	if m.Kind != yaml.MappingNode {
		what := "the file"
		if where != "" {
			what = where
		}
		return p.errorf(n, "%s must be a mapping of the fields %s; got %s", what, strings.Join(known, ", "), describe(m))
	}
	seen := make(map[string]int, len(known)) // key → line
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		kv := resolve(k)
		if kv.Kind != yaml.ScalarNode || !slices.Contains(known, kv.Value) {
			return p.errorf(k, "unknown field %s%s; known fields: %s", describe(kv), in, strings.Join(known, ", "))
		}
		if line, ok := seen[kv.Value]; ok {
			return p.errorf(k, "field %q%s is already set on line %d; keep one", kv.Value, in, line)
		}
		seen[kv.Value] = k.Line
		if err := field(kv.Value, v); err != nil {
			return err
		}
	}
	return nil
}

// list checks that n is a sequence of non-null scalars and calls item for
// each; null is an empty list. field names the list and want its items in
// messages.
func (p parser) list(n *yaml.Node, field, want string, item func(s string, n *yaml.Node) error) error {
	l := resolve(n)
	if isNull(l) {
		return nil
	}
	if l.Kind != yaml.SequenceNode {
		return p.errorf(n, "%s must be a list of %s; got %s", field, want, describe(l))
	}
	for _, e := range l.Content {
		v := resolve(e)
		if v.Kind != yaml.ScalarNode || isNull(v) {
			return p.errorf(e, "%s must be a list of %s; got %s in it", field, want, describe(v))
		}
		if err := item(v.Value, e); err != nil {
			return err
		}
	}
	return nil
}

// errorf returns a *fileError at n's position. Messages quote the file, so
// everything shaped like a key is redacted: a key pasted into the file must
// not reach a terminal or a CI log.
func (p parser) errorf(n *yaml.Node, format string, args ...any) error {
	return &fileError{name: p.name, line: n.Line, col: n.Column, msg: rules.RedactText(fmt.Sprintf(format, args...))}
}

// syntaxError turns an error of the YAML parser about data into a
// *fileError at the line of the mistake.
func syntaxError(name string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return &fileError{name: name, line: syntaxLine(data, &msg), msg: "invalid YAML: " + rules.RedactText(msg)}
}

// syntaxLine returns the 1-based line that a YAML parser message is about,
// and drops the "line N: " the message starts with. The parser numbers
// lines inconsistently (go-yaml/yaml#205): its scanner errors ("found
// …", "could not find …") give the line of the mistake, but its parser
// errors ("did not find expected …") give the line before the token they
// stopped at, counted from 0; and it leaves the number out on the first
// line. An unknown anchor has no number: it is the line of its first
// use. The line is at most the file's last.
func syntaxLine(data []byte, msg *string) int {
	line := 1
	if rest, ok := strings.CutPrefix(*msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if v, err := strconv.Atoi(n); err == nil {
				line, *msg = v, after
				if strings.HasPrefix(after, "did not find expected") && !strings.Contains(after, "hexdecimal") && !strings.Contains(after, "URI escaped") {
					line++
				}
			}
		}
	} else if a, ok := strings.CutPrefix(*msg, "unknown anchor '"); ok {
		if name, _, ok := strings.Cut(a, "' referenced"); ok {
			if i := bytes.Index(data, []byte("*"+name)); i >= 0 {
				line = 1 + bytes.Count(data[:i], []byte("\n"))
			}
		}
	}
	last := 1 + bytes.Count(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	return min(line, last)
}

// fileError is an error about what a config file says.
type fileError struct {
	name      string
	line, col int // 1-based; col is 0 for YAML syntax errors, which name a line
	msg       string
}

func (e *fileError) Error() string {
	if e.col == 0 {
		return fmt.Sprintf("%s:%d: %s", e.name, e.line, e.msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.name, e.line, e.col, e.msg)
}

func (e *fileError) Unwrap() error { return ErrBadConfig }

// resolve follows an alias to the node it names. Aliases never chain, and
// the walk above only descends a fixed depth, so anchors cannot make it loop
// or blow up.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what n holds, for "got …" in messages.
func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "null"
	}
	return strconv.Quote(n.Value)
}

// neverMatches reports whether the valid glob g could never match a
// slash-separated path relative to the scan root.
func neverMatches(g string) bool {
	return g == "" || path.IsAbs(g) || path.Clean(g) != g || g == ".." || strings.HasPrefix(g, "../")
}

func isFingerprint(s string) bool {
	hex, ok := strings.CutPrefix(s, "sha256:")
	return ok && len(hex) == 64 && strings.Trim(hex, "0123456789abcdef") == ""
}

// ruleIDs lists the known rule IDs for messages.
func ruleIDs() string {
	var ids []string
	for _, r := range rules.Rules() {
		ids = append(ids, string(r.ID))
	}
	return strings.Join(ids, ", ")
}
