package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// leak is a key that the temporary module holds, and where it must be
// reported.
type leak struct {
	key     string
	file    string // slash-separated, relative to the module root
	at      string // the text that the report must point at: the key, or the operand where it starts
	inConst bool   // whether the message explains that a const gets no fix
	fix     bool   // whether -fix removes it
	// integration marks a key in a file that only a build with -tags
	// integration includes, and so only such a build reports.
	integration bool
}

// module is a temporary Go module with keys in several forms, and no
// dependencies.
type module struct {
	files   map[string]string
	leaks   []leak
	secrets []string // every key in files, reported or not
}

func newModule() module {
	k := func(kind rules.Kind, seed uint64) string { return rulestest.Key(kind, seed) }
	direct, token, joined := k(rules.Live, 1101), k(rules.Live, 1202), k(rules.Live, 1303)
	printed, inTag, raw := k(rules.Test, 1404), k(rules.Live, 1505), k(rules.Live, 1606)
	inTest, inSub, allowed := k(rules.Test, 1707), k(rules.Live, 1808), k(rules.Live, 1909)
	integration := k(rules.Live, 2020)
	placeholder := direct[:8] + "your" + direct[12:]
	return module{
		secrets: []string{direct, token, joined, printed, inTag, raw, inTest, inSub, allowed, integration, placeholder},
		files: map[string]string{
			"go.mod": "module example.com/leaky\n\ngo 1.26\n",
			"leaky.go": `package leaky

import "fmt"

const prefix = "sk_live_"

// Token is a key in a const: reported, but no fix can call a function here.
const Token = "` + token + `"

var Direct = "` + direct + `"

var Joined = prefix + "` + joined[len("sk_live_"):] + `"

var Allowed = "` + allowed + `" //clarolint:allow

var Placeholder = "` + placeholder + `"

func Print() {
	fmt.Println("` + printed + `", Token)
}
`,
			// A struct tag holds no constant: clarolint scan reports
			// its key, and the analyzer does not.
			"config.go": `package leaky

type Config struct {
	Key string ` + "`default:\"" + inTag + "\"`" + `
}

var Default = ` + "`" + `
region: eu
key: ` + raw + "`\n",
			"leaky_test.go": `package leaky

import "testing"

func TestKey(t *testing.T) {
	if "` + inTest + `" == Direct {
		t.Fatal("same key")
	}
}
`,
			// Only a build with -tags integration includes this file,
			// and only go vet -tags integration checks it.
			"integration_test.go": `//go:build integration

package leaky

import "testing"

func TestLive(t *testing.T) {
	t.Setenv("BAYT_API_KEY", "` + integration + `")
}
`,
			"sub/sub.go": "package sub\n\nvar Key = \"" + inSub + "\"\n",
		},
		leaks: []leak{
			{key: token, file: "leaky.go", at: token, inConst: true},
			{key: direct, file: "leaky.go", at: direct, fix: true},
			{key: joined, file: "leaky.go", at: `prefix + "`},
			{key: printed, file: "leaky.go", at: printed, fix: true},
			{key: raw, file: "config.go", at: raw},
			{key: inTest, file: "leaky_test.go", at: inTest, fix: true},
			{key: inSub, file: "sub/sub.go", at: inSub, fix: true},
			{key: integration, file: "integration_test.go", at: integration, fix: true, integration: true},
		},
	}
}

// write writes the module into a new temporary directory.
func (m module) write(t *testing.T) string {
	dir := t.TempDir()
	for name, src := range m.files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// position returns where leak l must be reported, as file:line:col.
func (m module) position(l leak) string {
	src := m.files[l.file]
	i := strings.Index(src, l.at)
	line := strings.Count(src[:i], "\n") + 1
	col := i - strings.LastIndex(src[:i], "\n")
	return fmt.Sprintf("%s:%d:%d", l.file, line, col)
}

// noSecrets fails t if out holds any full key of m.
func (m module) noSecrets(t *testing.T, what, out string) {
	t.Helper()
	for _, key := range m.secrets {
		if strings.Contains(out, key) {
			t.Errorf("%s holds the full key %s", what, rules.Redact([]byte(key)))
		}
	}
}

// hide replaces the keys of m in out, so that a failure message can show
// it.
func (m module) hide(out string) string {
	for _, key := range m.secrets {
		out = strings.ReplaceAll(out, key, rules.Redact([]byte(key)))
	}
	return out
}

// report is one report as the tests compare them: position and message.
type report struct{ pos, msg string }

// wantReports returns the reports that m's leaks must produce, sorted.
func (m module) wantReports(only func(leak) bool) []report {
	var want []report
	for _, l := range m.leaks {
		if !only(l) {
			continue
		}
		kind := "live"
		if strings.HasPrefix(l.key, "sk_test_") {
			kind = "test"
		}
		env := "BAYT_API_KEY"
		if kind == "test" {
			env = "BAYT_TEST_API_KEY"
		}
		msg := "hardcoded Claro " + kind + " API key " + rules.Redact([]byte(l.key)) +
			`; load it from the environment, e.g. os.Getenv("` + env + `")`
		if l.inConst {
			msg += "; a const cannot call os.Getenv, so move it to a var or function"
		}
		want = append(want, report{m.position(l), msg})
	}
	slices.SortFunc(want, func(a, b report) int { return strings.Compare(a.pos, b.pos) })
	return want
}

// parseText returns the reports in text output, with paths made relative
// to dir and slash-separated, sorted.
func parseText(t *testing.T, dir, out string) []report {
	t.Helper()
	var got []report
	for _, m := range regexp.MustCompile(`(?m)^(\S+?:\d+:\d+): (.*)$`).FindAllStringSubmatch(out, -1) {
		pos := m[1]
		if rel, err := filepath.Rel(dir, pos); err == nil && filepath.IsAbs(pos) {
			pos = rel
		}
		got = append(got, report{filepath.ToSlash(pos), m[2]})
	}
	slices.SortFunc(got, func(a, b report) int { return strings.Compare(a.pos, b.pos) })
	return got
}

// run runs a command in dir and returns its output and exit status.
func run(t *testing.T, dir string, env []string, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", name, err)
	}
	return out.String(), errOut.String(), code
}

// moduleEnv keeps the go command off the network and off any workspace or
// toolchain switch; the build cache is the default one, for speed.
func moduleEnv() []string {
	return []string{"GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off", "GO111MODULE=on"}
}

// needE2E skips t unless CLAROLINT_E2E=1: it builds clarolint-vet and
// runs go vet, which takes seconds, while the other tests of the package
// run the front end in process and the checker as this test binary.
func needE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("CLAROLINT_E2E") != "1" {
		t.Skip("builds clarolint-vet and runs go vet; set CLAROLINT_E2E=1 to run this end-to-end test")
	}
}

// TestEndToEnd builds clarolint-vet and runs it on a temporary module the
// ways a user would: as go vet's tool, standalone, with -json and with -fix.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	needE2E(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("find the go command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "clarolint-vet")
	if _, stderr, code := run(t, ".", []string{"GOTOOLCHAIN=local"}, goTool, "build", "-o", bin, "."); code != 0 {
		t.Fatalf("go build: exit %d\n%s", code, stderr)
	}
	m := newModule()
	all := func(leak) bool { return true }
	built := func(l leak) bool { return !l.integration } // what a build without tags checks

	// Standalone, the build flags come from GOFLAGS, as for any command
	// that loads packages through go list.
	withTags := append(moduleEnv(), "GOFLAGS=-mod=mod -tags=integration")
	for _, c := range []struct {
		name string
		env  []string
		args []string // go vet's, or clarolint-vet's own flags
		code int
		want []report
	}{
		{"go vet", moduleEnv(), []string{"vet", "-vettool=" + bin}, 1, m.wantReports(built)},
		{"go vet -tags", moduleEnv(), []string{"vet", "-vettool=" + bin, "-tags", "integration"}, 1, m.wantReports(all)},
		{"standalone", moduleEnv(), nil, 3, m.wantReports(built)},
		{"standalone -tags", moduleEnv(), []string{"-tags", "integration"}, 3, m.wantReports(all)},
		{"standalone GOFLAGS=-tags", withTags, nil, 3, m.wantReports(all)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := m.write(t)
			name, args := goTool, append(c.args, "./...")
			if !strings.HasPrefix(c.name, "go vet") {
				name = bin
			}
			stdout, stderr, code := run(t, dir, c.env, name, args...)
			m.noSecrets(t, c.name+" output", stdout+stderr)
			if code != c.code {
				t.Errorf("%s: exit %d, want %d\n%s", c.name, code, c.code, m.hide(stderr))
			}
			if got := parseText(t, dir, stderr); !slices.Equal(got, c.want) {
				t.Errorf("%s reports:\n%s\nwant:\n%s", c.name, show(got), show(c.want))
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		t.Parallel()
		dir := m.write(t)
		stdout, stderr, code := run(t, dir, moduleEnv(), bin, "-json", "./...")
		m.noSecrets(t, "JSON output", stdout+stderr)
		if code != 0 {
			t.Errorf("-json: exit %d, want 0 (-json always exits 0)\n%s", code, m.hide(stderr))
		}
		var tree map[string]map[string][]struct {
			Category       string
			Posn           string
			Message        string
			SuggestedFixes []struct{ Message string } `json:"suggested_fixes"`
		}
		if err := json.Unmarshal([]byte(stdout), &tree); err != nil {
			t.Fatalf("-json output: %v", err)
		}
		// A file of a package with tests is loaded twice, in the package
		// and in its test variant; the JSON must still list it once.
		seen := map[report]bool{}
		var got []report
		for id, byAnalyzer := range tree {
			for _, d := range byAnalyzer["clarolint"] {
				pos, _ := filepath.Rel(dir, d.Posn)
				r := report{filepath.ToSlash(pos), d.Message}
				if seen[r] {
					t.Errorf("%s: %s reported twice", id, r.pos)
				}
				wantCategory := "claro-live-key"
				if strings.Contains(d.Message, "sk_test_") {
					wantCategory = "claro-test-key"
				}
				if d.Category != wantCategory {
					t.Errorf("%s: category %q, want %q", r.pos, d.Category, wantCategory)
				}
				wantFix := "Read the key from BAYT_API_KEY"
				if wantCategory == "claro-test-key" {
					wantFix = "Read the key from BAYT_TEST_API_KEY"
				}
				for _, fix := range d.SuggestedFixes {
					if fix.Message != wantFix {
						t.Errorf("%s: fix message %q, want %q", r.pos, fix.Message, wantFix)
					}
				}
				if !seen[r] {
					seen[r] = true
					got = append(got, r)
				}
			}
		}
		slices.SortFunc(got, func(a, b report) int { return strings.Compare(a.pos, b.pos) })
		if want := m.wantReports(built); !slices.Equal(got, want) {
			t.Errorf("JSON reports:\n%s\nwant:\n%s", show(got), show(want))
		}
	})

	t.Run("fix", func(t *testing.T) {
		t.Parallel()
		dir := m.write(t)
		stdout, stderr, code := run(t, dir, moduleEnv(), bin, "-fix", "./...")
		m.noSecrets(t, "-fix output", stdout+stderr)
		// -fix applies the fixes, then reports the keys that are left, as
		// a plain run does: the fixed files moved lines, so compare
		// messages only.
		if code != 3 {
			t.Fatalf("-fix: exit %d, want 3 for the keys it cannot fix\n%s", code, m.hide(stderr))
		}
		var got, want []string
		for _, r := range parseText(t, dir, stderr) {
			got = append(got, r.msg)
		}
		for _, r := range m.wantReports(func(l leak) bool { return !l.fix && built(l) }) {
			want = append(want, r.msg)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("after -fix, reports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(stderr, "have no automatic fix") {
			t.Errorf("-fix does not say that the keys left need a person:\n%s", m.hide(stderr))
		}
		for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
			if _, stderr, code := run(t, dir, moduleEnv(), goTool, args...); code != 0 {
				t.Fatalf("go %s after -fix: exit %d\n%s", strings.Join(args, " "), code, m.hide(stderr))
			}
		}
		if _, _, code := run(t, dir, moduleEnv(), bin, "-fix", "./..."); code != 3 {
			t.Errorf("-fix again: exit %d, want 3: the same keys are left", code)
		}
		fixed, err := os.ReadFile(filepath.Join(dir, "sub", "sub.go"))
		if err != nil {
			t.Fatal(err)
		}
		m.noSecrets(t, "sub/sub.go after -fix", string(fixed))
		if want := "package sub\n\nimport \"os\"\n\nvar Key = os.Getenv(\"BAYT_API_KEY\")\n"; string(fixed) != want {
			t.Errorf("sub/sub.go after -fix is not:\n%s", want)
		}
	})

	// Under go vet, the checker's output reaches the user through the go
	// command: -json and -fix -diff as the tool's standard output, which
	// the go command caches and prints. Neither may hold a key.
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"go vet -json", []string{"-json"}, 0, `"category": "claro-live-key"`},
		{"go vet -fix -diff", []string{"-fix", "-diff"}, 1, "+var Direct = os.Getenv(\"BAYT_API_KEY\")"}, // go vet exits 1 for a diff
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := m.write(t)
			for range 2 { // the second run prints from go's cache
				stdout, stderr, code := run(t, dir, moduleEnv(), goTool, append(append([]string{"vet", "-vettool=" + bin}, c.args...), "./...")...)
				m.noSecrets(t, c.name+" output", stdout+stderr)
				if code != c.code || !strings.Contains(stdout, c.want) {
					t.Errorf("%s: exit %d, want %d and standard output holding %q\n%s", c.name, code, c.code, c.want, m.hide(stdout+stderr))
				}
			}
		})
	}

	// go vet does not pass -c to its tool: it prints the lines around each
	// report itself, from the files, and so shows a key that such a line
	// holds. The reports themselves stay redacted, and every full key in
	// the output is on one of go's context lines ("N\tsource").
	t.Run("go vet -c", func(t *testing.T) {
		t.Parallel()
		dir := m.write(t)
		_, stderr, code := run(t, dir, moduleEnv(), goTool, "vet", "-vettool="+bin, "-c=0", "./...")
		if code != 1 {
			t.Errorf("go vet -c=0: exit %d, want 1\n%s", code, m.hide(stderr))
		}
		context := regexp.MustCompile(`^\d+\t`)
		for _, line := range strings.Split(stderr, "\n") {
			if !context.MatchString(line) {
				m.noSecrets(t, "go vet -c=0 report line", line)
			}
		}
		if got, want := parseText(t, dir, stderr), m.wantReports(func(l leak) bool { return !l.integration }); !slices.Equal(got, want) {
			t.Errorf("go vet -c=0 reports:\n%s\nwant:\n%s", show(got), show(want))
		}
	})

	t.Run("fix, nothing left", func(t *testing.T) {
		t.Parallel()
		key := rulestest.Key(rules.Live, 2121)
		dir := module{files: map[string]string{
			"go.mod":  "module example.com/fixable\n\ngo 1.26\n",
			"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"" + key + "\") }\n",
		}}.write(t)
		stdout, stderr, code := run(t, dir, moduleEnv(), bin, "-fix", "./...")
		if code != 0 || stdout+stderr != "" {
			t.Errorf("-fix: exit %d, output %q; want 0 and none", code, strings.ReplaceAll(stdout+stderr, key, rules.Redact([]byte(key))))
		}
		if src, err := os.ReadFile(filepath.Join(dir, "main.go")); err != nil || strings.Contains(string(src), key) {
			t.Errorf("main.go still holds the key (%v)", err)
		}
	})
}

// show lists reports one a line, for failure messages.
func show(rs []report) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\t%s: %s\n", r.pos, r.msg)
	}
	return b.String()
}
