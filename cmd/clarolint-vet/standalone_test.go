package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// secrets are the fake keys of a test, which its output must never hold.
type secrets []string

// check fails t if out, the output of what, holds a full key. Its message
// names the key by its redacted form only.
func (s secrets) check(t *testing.T, what, out string) {
	t.Helper()
	for _, key := range s {
		if strings.Contains(out, key) {
			t.Errorf("%s holds the full key %s:\n%s", what, rules.Redact([]byte(key)), s.hide(out))
		}
	}
}

// hide replaces the keys in out, so that a failure message can show it.
func (s secrets) hide(out string) string {
	for _, key := range s {
		out = strings.ReplaceAll(out, key, "<key "+rules.Redact([]byte(key))+">")
	}
	return out
}

// keyModule writes a module whose keys clarolint-vet would echo if it did
// not redact: on the lines that -c shows, on the lines that a fix removes,
// and in a build-tagged file. It returns the module's directory and keys.
func keyModule(t *testing.T) (string, secrets, map[string]string) {
	t.Helper()
	k := map[string]string{
		"const":  rulestest.Key(rules.Live, 4101),
		"var":    rulestest.Key(rules.Live, 4102),
		"joined": rulestest.Key(rules.Test, 4103),
		"tagged": rulestest.Key(rules.Live, 4104),
	}
	dir := writeTree(t, map[string]string{
		"go.mod": "module example.com/keys\n\ngo 1.26\n",
		"a.go": "package keys\n\nconst K = \"" + k["const"] + "\"\n\nvar V = \"" + k["var"] + "\"\n\n" +
			"var H = \"Bearer \" + \"" + k["joined"] + "\"\n",
		"tagged.go": "//go:build integration\n\npackage keys\n\nvar T = \"" + k["tagged"] + "\"\n",
	})
	return dir, secrets{k["const"], k["var"], k["joined"], k["tagged"]}, k
}

// moduleEnv keeps the go command off the network and off any workspace or
// toolchain switch.
var moduleEnv = []string{"GOTOOLCHAIN=local", "GOWORK=off", "GOPROXY=off", "GO111MODULE=on"}

// TestNoFullKey runs the checker on a module with keys in each way that
// clarolint-vet's output could echo them, standalone, and checks that
// none is printed in full.
func TestNoFullKey(t *testing.T) {
	t.Parallel()
	dir, keys, k := keyModule(t)
	red := func(name string) string { return rules.Redact([]byte(k[name])) }
	for _, tt := range []struct {
		name       string
		args       []string
		code       int
		wantStdout []string
		wantStderr []string
	}{
		{"-c", []string{"-c", "1", "./..."}, 3, nil, []string{
			"3\tconst K = \"" + red("const") + "\"\n", // a context line, redacted
			"hardcoded Claro test API key " + red("joined") + `; load it from the environment, e.g. os.Getenv("BAYT_TEST_API_KEY")`,
		}},
		{"-fix -diff", []string{"-fix", "-diff", "./..."}, 0, []string{
			"-var V = \"" + red("var") + "\"\n",
			"+var V = os.Getenv(\"BAYT_API_KEY\")\n",
			"+var H = \"Bearer \" + os.Getenv(\"BAYT_TEST_API_KEY\")\n",
		}, nil},
		{"-json", []string{"-json", "./..."}, 0, []string{`"message": "hardcoded Claro live API key ` + red("var")}, nil},
		{"-tags", []string{"-tags", "integration", "./..."}, 3, nil, []string{"tagged.go:5:10: hardcoded Claro live API key " + red("tagged")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseArgs(tt.args, new(strings.Builder))
			if err != nil {
				t.Fatal(err)
			}
			env, err := o.env()
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr strings.Builder
			code := check(o, dir, o.args, append(env, moduleEnv...), &stdout, &stderr)
			keys.check(t, "standard output", stdout.String())
			keys.check(t, "standard error", stderr.String())
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, keys.hide(stderr.String()))
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("standard output does not hold %q:\n%s", want, keys.hide(stdout.String()))
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("standard error does not hold %q:\n%s", want, keys.hide(stderr.String()))
				}
			}
			if tt.name == "-json" && !json.Valid([]byte(stdout.String())) {
				t.Errorf("-json output is not JSON:\n%s", keys.hide(stdout.String()))
			}
		})
	}
	if src, err := os.ReadFile(filepath.Join(dir, "a.go")); err != nil || !strings.Contains(string(src), k["var"]) {
		t.Errorf("-fix -diff changed a.go (%v)", err)
	}
}

// TestTypeErrorRedacted checks a message that clarolint-vet does not
// write: a type error from the go command and the type checker, which
// quotes the constant that does not fit.
func TestTypeErrorRedacted(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 4201)
	dir := writeTree(t, map[string]string{
		"go.mod": "module example.com/broken\n\ngo 1.26\n",
		"b.go":   "package broken\n\nvar N int = \"" + key + "\"\n",
	})
	o, err := parseArgs([]string{"./..."}, new(strings.Builder))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code := check(o, dir, o.args, moduleEnv, &stdout, &stderr)
	secrets{key}.check(t, "output", stdout.String()+stderr.String())
	if want := `cannot use "` + rules.Redact([]byte(key)) + `"`; code != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, want 1 and standard error holding %q:\n%s", code, want, secrets{key}.hide(stderr.String()))
	}
}
