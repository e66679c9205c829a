package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/clarolint/clarolint/config"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

const name = ".clarolint.yaml"

// fp is a well-formed fingerprint; allow lists never need the key behind it.
var fp = "sha256:" + strings.Repeat("0123456789abcdef", 4)

func ptr(f float64) *float64 { return &f }

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     config.Config
	}{
		{"full file", `# the repository's own config
entropy: 4.5
allow:
  paths: ["testdata/**", "**/*.golden"]
  fingerprints:
    - ` + fp + ` # revoked
disable: [env-not-ignored, claro-key-reused]
baseline: .clarolint-baseline.json
max-file-size: 10MiB
`, config.Config{
			Entropy:           ptr(4.5),
			AllowPaths:        []string{"testdata/**", "**/*.golden"},
			AllowFingerprints: []string{fp},
			Disable:           []rules.RuleID{rules.EnvNotIgnored, rules.KeyReused},
			MaxFileSize:       10 << 20,
			Baseline:          ".clarolint-baseline.json",
		}},
		{"empty file", "", config.Config{}},
		{"only comments", "# nothing yet\n\n# still nothing\n", config.Config{}},
		{"empty document", "---\n", config.Config{}},
		{"empty mapping", "{}", config.Config{}},
		{"null fields", "entropy:\nallow:\ndisable: ~\nmax-file-size: null\n", config.Config{}},
		{"null lists", "allow: {paths: ~, fingerprints: []}\n", config.Config{}},
		{"integer entropy", "entropy: 5", config.Config{Entropy: ptr(5)}},
		{"entropy 0", "entropy: 0", config.Config{Entropy: ptr(0)}},
		{"entropy at its maximum", "entropy: 5.39", config.Config{Entropy: ptr(5.39)}},
		{"document end marker", "entropy: 4\n...\n", config.Config{Entropy: ptr(4)}},
		{"anchor and alias", "allow:\n  paths: &p [vendor/**]\n  fingerprints: [" + fp + "]\ndisable: [&r env-file-tracked, *r]\n",
			config.Config{AllowPaths: []string{"vendor/**"}, AllowFingerprints: []string{fp}, Disable: []rules.RuleID{rules.EnvFileTracked, rules.EnvFileTracked}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := config.Parse(name, []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.want.Path = name
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	live, test := rulestest.Key(rules.Live, 1), rulestest.Key(rules.Test, 2)
	const known = "known fields: entropy, allow, disable, baseline, max-file-size"
	tests := []struct {
		name, in, want string
	}{
		{"unknown field", "entropy: 4\nallow:\n  paths: [a]\nalow: {}\n",
			`.clarolint.yaml:4:1: unknown field "alow"; ` + known},
		{"unknown nested field", "allow: {pathz: [testdata/**]}",
			`.clarolint.yaml:1:9: unknown field "pathz" in allow; known fields: paths, fingerprints`},
		{"non-scalar key", "[entropy]: 4",
			`.clarolint.yaml:1:1: unknown field a list; ` + known},
		{"duplicate field", "entropy: 4\ndisable: []\nentropy: 5\n",
			`.clarolint.yaml:3:1: field "entropy" is already set on line 1; keep one`},
		{"duplicate nested field", "allow:\n  paths: [a]\n  paths: [b]\n",
			`.clarolint.yaml:3:3: field "paths" in allow is already set on line 2; keep one`},
		{"file is a list", "- entropy: 4\n",
			`.clarolint.yaml:1:1: the file must be a mapping of the fields entropy, allow, disable, baseline, max-file-size; got a list`},
		{"file is a scalar", "entropy 4\n",
			`.clarolint.yaml:1:1: the file must be a mapping of the fields entropy, allow, disable, baseline, max-file-size; got "entropy 4"`},
		{"second document", "entropy: 4\n---\ndisable: []\n",
			`.clarolint.yaml:2:1: a second YAML document; put every setting in one document`},

		{"entropy a word", "entropy: high",
			`.clarolint.yaml:1:10: entropy must be a number of bits per character, such as 4.0; got "high"`},
		{"entropy quoted", `entropy: "4.0"`,
			`.clarolint.yaml:1:10: entropy must be a number of bits per character, such as 4.0; got "4.0"`},
		{"entropy a list", "entropy: [4]",
			`.clarolint.yaml:1:10: entropy must be a number of bits per character, such as 4.0; got a list`},
		{"entropy too high", "entropy: 5.4",
			`.clarolint.yaml:1:10: entropy 5.4 is out of range; use a number from 0 (check off) to 5.39, the entropy of 42 distinct characters`},
		{"entropy negative", "entropy: -1",
			`.clarolint.yaml:1:10: entropy -1 is out of range; use a number from 0 (check off) to 5.39, the entropy of 42 distinct characters`},
		{"entropy NaN", "entropy: .nan",
			`.clarolint.yaml:1:10: entropy .nan is out of range; use a number from 0 (check off) to 5.39, the entropy of 42 distinct characters`},

		{"allow a list", "allow: [testdata/**]",
			`.clarolint.yaml:1:8: allow must be a mapping of the fields paths, fingerprints; got a list`},
		{"paths a string", "allow:\n  paths: testdata/**\n",
			`.clarolint.yaml:2:10: allow.paths must be a list of globs, such as ["testdata/**"]; got "testdata/**"`},
		{"paths holds a mapping", "allow:\n  paths:\n    - testdata/**\n    - {dir: vendor}\n",
			`.clarolint.yaml:4:7: allow.paths must be a list of globs, such as ["testdata/**"]; got a mapping in it`},
		{"paths holds null", "allow:\n  paths: [a, ~]\n",
			`.clarolint.yaml:2:14: allow.paths must be a list of globs, such as ["testdata/**"]; got null in it`},
		{"bad glob", "allow:\n  paths: [\"testdata/[\"]\n",
			`.clarolint.yaml:2:11: bad glob "testdata/[" in allow.paths; close every [ and {, and escape a literal one with \`},
		{"unbalanced brace", "allow: {paths: ['{a,b']}",
			`.clarolint.yaml:1:17: bad glob "{a,b" in allow.paths; close every [ and {, and escape a literal one with \`},
		{"absolute glob", "allow: {paths: [/testdata/**]}",
			`.clarolint.yaml:1:17: glob "/testdata/**" in allow.paths never matches; write it slash-separated and relative to the scan root, without a leading / or ./ or a trailing /, as in "testdata/**"`},
		{"dot-slash glob", "allow: {paths: [./testdata/**]}",
			`.clarolint.yaml:1:17: glob "./testdata/**" in allow.paths never matches; write it slash-separated and relative to the scan root, without a leading / or ./ or a trailing /, as in "testdata/**"`},
		{"trailing slash", "allow: {paths: [testdata/]}",
			`.clarolint.yaml:1:17: glob "testdata/" in allow.paths never matches; write it slash-separated and relative to the scan root, without a leading / or ./ or a trailing /, as in "testdata/**"`},
		{"empty glob", "allow: {paths: ['']}",
			`.clarolint.yaml:1:17: glob "" in allow.paths never matches; write it slash-separated and relative to the scan root, without a leading / or ./ or a trailing /, as in "testdata/**"`},

		{"fingerprint upper-case", "allow:\n  fingerprints: [" + strings.ToUpper(fp) + "]\n",
			`.clarolint.yaml:2:18: bad fingerprint "` + strings.ToUpper(fp) + `" in allow.fingerprints; write "sha256:" and 64 lower-case hex digits, as in the fingerprint field of the json report`},
		{"fingerprint short", "allow:\n  fingerprints: [" + fp[:70] + "]\n",
			`.clarolint.yaml:2:18: bad fingerprint "` + fp[:70] + `" in allow.fingerprints; write "sha256:" and 64 lower-case hex digits, as in the fingerprint field of the json report`},
		{"fingerprint without prefix", "allow:\n  fingerprints: [" + fp[7:] + "]\n",
			`.clarolint.yaml:2:18: bad fingerprint "` + fp[7:] + `" in allow.fingerprints; write "sha256:" and 64 lower-case hex digits, as in the fingerprint field of the json report`},
		{"key instead of fingerprint", "allow:\n  fingerprints:\n    - " + live + "\n",
			`.clarolint.yaml:3:7: allow.fingerprints holds a key, not its fingerprint; replace it with "` + rules.Fingerprint([]byte(live)) + `", and rotate the key if this file was ever shared`},

		{"unknown rule", "disable: [env-not-ignore]",
			`.clarolint.yaml:1:11: unknown rule "env-not-ignore" in disable; known rules: claro-live-key, claro-test-key, env-file-tracked, env-not-ignored, claro-key-client-exposed, claro-key-reused, config-widened`},
		{"disable a string", "disable: env-not-ignored",
			`.clarolint.yaml:1:10: disable must be a list of rule IDs, such as [env-not-ignored]; got "env-not-ignored"`},

		{"negative size", "max-file-size: -1",
			`.clarolint.yaml:1:16: max-file-size "-1": a size must not be negative; use 0 for no limit`},
		{"negative size with unit", "max-file-size: -1MB",
			`.clarolint.yaml:1:16: max-file-size "-1MB": a size must not be negative; use 0 for no limit`},
		{"fractional size", "max-file-size: 1.5",
			`.clarolint.yaml:1:16: max-file-size must be a whole number of bytes or a size such as "10MB", "10MiB" or "512K"; got "1.5"`},
		{"size a word", "max-file-size: big",
			`.clarolint.yaml:1:16: max-file-size "big": want a whole number of bytes, optionally with a unit, such as "10MB", "10MiB" or "512K"`},
		{"unknown unit", "max-file-size: 10XB",
			`.clarolint.yaml:1:16: max-file-size "10XB": unknown unit; use B, KB, MB, GB or TB (powers of 1000), or K, M, G or T, alone or as KiB, MiB, GiB or TiB (powers of 1024)`},
		{"bits", "max-file-size: 10Mbit",
			`.clarolint.yaml:1:16: max-file-size "10Mbit": unknown unit; use B, KB, MB, GB or TB (powers of 1000), or K, M, G or T, alone or as KiB, MiB, GiB or TiB (powers of 1024)`},
		{"size too large", "max-file-size: 9000000T",
			`.clarolint.yaml:1:16: max-file-size "9000000T": too large; use at most 8 EiB`},
		{"size overflows int64", "max-file-size: 9223372036854775808",
			`.clarolint.yaml:1:16: max-file-size "9223372036854775808": too large; use at most 8 EiB`},

		// Syntax errors point at the line of the mistake (issue 11), not
		// where the parser noticed it.
		{"baseline not a string", "baseline: [a.json]",
			`.clarolint.yaml:1:11: baseline must be the path of a JSON report, relative to this file, such as .clarolint-baseline.json; got a list`},
		{"empty baseline", "baseline: ''",
			`.clarolint.yaml:1:11: baseline must be the path of a JSON report, relative to this file, such as .clarolint-baseline.json; got ""`},
		{"syntax error", "allow:\n  paths: [a]\n bad: 1\n",
			`.clarolint.yaml:3: invalid YAML: did not find expected key`},
		{"syntax error on line 1", "entropy: 4: 5\n",
			`.clarolint.yaml:1: invalid YAML: mapping values are not allowed in this context`},
		{"tab indentation", "allow:\n\tpaths: [a]\n",
			`.clarolint.yaml:2: invalid YAML: found character that cannot start any token`},
		{"unclosed flow sequence", "entropy: 4\nallow:\n  paths: [\"a/**\"\n  fingerprints: []\n",
			`.clarolint.yaml:3: invalid YAML: did not find expected ',' or ']'`},
		{"unclosed flow mapping", "entropy: 4\nallow: {paths: [a]\n\n\ndisable: []\n",
			`.clarolint.yaml:2: invalid YAML: did not find expected ',' or '}'`},
		{"sequence misindented", "disable:\n  - env-not-ignored\n - claro-key-reused\n",
			`.clarolint.yaml:3: invalid YAML: did not find expected key`},
		{"missing colon", "entropy: 4\nallow\n  paths: []\n",
			`.clarolint.yaml:2: invalid YAML: could not find expected ':'`},
		{"unclosed quote", "entropy: 4\n\nallow:\n  paths: \"a\n  fingerprints: []\n",
			`.clarolint.yaml:4: invalid YAML: found unexpected end of stream`},
		{"unknown anchor", "entropy: 4\ndisable: [*rule]",
			`.clarolint.yaml:2: invalid YAML: unknown anchor 'rule' referenced`},
		{"syntax error in a second document", "entropy: 4\n---\n[\n",
			`.clarolint.yaml:3: invalid YAML: did not find expected node content`},

		// Messages quote the file; keys in it are redacted wherever they are.
		{"key as a field", test + ": 1",
			`.clarolint.yaml:1:1: unknown field "sk_test_…` + test[46:] + `"; ` + known},
		{"key in a glob", "allow: {paths: ['x" + live + "[']}",
			`.clarolint.yaml:1:17: bad glob "xsk_live_…` + live[46:] + `[" in allow.paths; close every [ and {, and escape a literal one with \`},
		{"key in a syntax error", "disable: [*" + live + "]",
			`.clarolint.yaml:1: invalid YAML: unknown anchor 'sk_live_…` + live[46:] + `' referenced`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := config.Parse(name, []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", c, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse error\n got: %s\nwant: %s", got, tt.want)
			}
			if !errors.Is(err, config.ErrBadConfig) {
				t.Errorf("errors.Is(%v, ErrBadConfig) = false, want true", err)
			}
			if c != nil {
				t.Errorf("Parse returned %+v with its error, want nil", c)
			}
		})
	}
}

func TestMaxFileSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1048576", 1 << 20},
		{`"1024"`, 1024},
		{"512B", 512},
		{"512k", 512 << 10},
		{"512K", 512 << 10},
		{"512Ki", 512 << 10},
		{"512KiB", 512 << 10},
		{"10KB", 10_000},
		{"10kb", 10_000},
		{"10MB", 10_000_000},
		{"10 MB", 10_000_000},
		{"10 MiB", 10 << 20},
		{"10M", 10 << 20},
		{"1G", 1 << 30},
		{"1GB", 1_000_000_000},
		{"2TiB", 2 << 40},
		{"2TB", 2_000_000_000_000},
		{"0MB", 0},
	}
	for _, tt := range tests {
		c, err := config.Parse(name, []byte("max-file-size: "+tt.in))
		switch {
		case err != nil:
			t.Errorf("max-file-size: %s: %v", tt.in, err)
		case c.MaxFileSize != tt.want:
			t.Errorf("max-file-size: %s = %d, want %d", tt.in, c.MaxFileSize, tt.want)
		}
	}
}

func TestMinEntropy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
	}{
		{"", 0},            // unset: the matcher's default
		{"entropy: 0", -1}, // the check is off, not the default
		{"entropy: 3.5", 3.5},
		{"entropy: 4", 4},
	}
	for _, tt := range tests {
		c, err := config.Parse(name, []byte(tt.in))
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if got := c.MinEntropy(); got != tt.want {
			t.Errorf("%q: MinEntropy() = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := new(config.Config).MinEntropy(); got != 0 {
		t.Errorf("zero Config: MinEntropy() = %v, want 0", got)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	write(t, good, "disable: [claro-test-key]\n")
	write(t, bad, "disable: [claro-test-keys]\n")

	c, err := config.Load(good)
	if err != nil {
		t.Fatalf("Load(%s): %v", good, err)
	}
	if want := (config.Config{Path: good, Disable: []rules.RuleID{rules.TestKey}}); !reflect.DeepEqual(*c, want) {
		t.Errorf("Load(%s) = %+v, want %+v", good, *c, want)
	}

	_, err = config.Load(bad)
	if !errors.Is(err, config.ErrBadConfig) || !strings.HasPrefix(err.Error(), bad+":1:11: ") {
		t.Errorf("Load(%s) error = %v, want ErrBadConfig at %s:1:11", bad, err, bad)
	}

	missing := filepath.Join(dir, "missing.yaml")
	_, err = config.Load(missing)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(%s) error = %v, want fs.ErrNotExist", missing, err)
	}
	if errors.Is(err, config.ErrBadConfig) {
		t.Errorf("Load(%s) error = %v wraps ErrBadConfig, want a read error only", missing, err)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzParse checks that Parse never panics, that every error wraps
// ErrBadConfig and quotes no key from the input, and that a Config it
// returns holds only valid values.
func FuzzParse(f *testing.F) {
	f.Add([]byte("entropy: 4.0\nallow:\n  paths: [\"testdata/**\", \"**/*.golden\"]\n  fingerprints: [\"" + fp + "\"]\ndisable: [env-not-ignored]\nmax-file-size: 10 MiB\n"))
	f.Add([]byte("allow: {pathz: [a]}"))
	f.Add([]byte("allow: &a {paths: *a}"))
	f.Add([]byte("disable: [&x a, *x, *x]\n---\n"))
	f.Add([]byte("max-file-size: 9223372036854775807B"))
	f.Add([]byte(rulestest.Key(rules.Live, 3) + ": [" + rulestest.Key(rules.Test, 4) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse(name, data)
		if err != nil {
			if !errors.Is(err, config.ErrBadConfig) {
				t.Fatalf("Parse error %v does not wrap ErrBadConfig", err)
			}
			m := rules.Matcher{MinEntropy: -1}
			for _, k := range m.Find(data) {
				if key := data[k.Start:k.End]; strings.Contains(err.Error(), string(key)) {
					t.Fatalf("Parse error quotes the key %s", rules.Redact(key))
				}
			}
			return
		}
		if c.Entropy != nil && !(*c.Entropy >= 0 && *c.Entropy <= 5.4) {
			t.Errorf("Entropy = %v, out of range", *c.Entropy)
		}
		if c.MaxFileSize < 0 {
			t.Errorf("MaxFileSize = %d, negative", c.MaxFileSize)
		}
		for _, g := range c.AllowPaths {
			if !doublestar.ValidatePattern(g) {
				t.Errorf("AllowPaths holds the invalid glob %q", g)
			}
		}
		for _, id := range c.Disable {
			if _, ok := rules.Lookup(id); !ok {
				t.Errorf("Disable holds the unknown rule %q", id)
			}
		}
		for _, s := range c.AllowFingerprints {
			if !strings.HasPrefix(s, "sha256:") || len(s) != 71 {
				t.Errorf("AllowFingerprints holds %q", s)
			}
		}
	})
}

func TestBaselinePath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ cfg, baseline, want string }{
		{"/repo/.clarolint.yaml", "", ""},
		{"/repo/.clarolint.yaml", ".clarolint-baseline.json", "/repo/.clarolint-baseline.json"},
		{"/repo/ci/clarolint.yaml", "../baseline.json", "/repo/baseline.json"},
		{"/repo/.clarolint.yaml", "/etc/baseline.json", "/etc/baseline.json"},
		{".clarolint.yaml", "b.json", "b.json"},
	} {
		c := config.Config{Path: tt.cfg, Baseline: tt.baseline}
		if got := c.BaselinePath(); got != filepath.FromSlash(tt.want) {
			t.Errorf("BaselinePath of %q in %s = %q, want %q", tt.baseline, tt.cfg, got, tt.want)
		}
	}
}
