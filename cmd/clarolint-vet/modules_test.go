package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// writeTree writes files (slash-separated names, relative to a new
// temporary directory) and returns the directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	fixture.WriteFiles(t, dir, files)
	return dir
}

func TestModulesOf(t *testing.T) {
	t.Parallel()
	mod := func(path string) string { return "module " + path + "\n\ngo 1.26\n" }
	files := map[string]string{
		"svc/go.mod":        mod("example.com/svc"),
		"svc/x.go":          "package svc\n",
		"svc/sub/y.go":      "package sub\n",
		"svc/nested/go.mod": mod("example.com/nested"),
		"svc/nested/z.go":   "package nested\n",
		"tools/go.mod":      mod("example.com/tools"),
		"tools/t.go":        "package tools\n",
		"lone.go":           "package lone\n",
		"scripts/gen.go":    "package main\n",
	}
	args := []string{"svc/x.go", "lone.go", "svc/sub/y.go", "tools/t.go", "svc/nested/z.go", "scripts/gen.go"}
	for _, tt := range []struct {
		name    string
		work    string   // go.work at the top, if any
		offWork []string // modules that the go.work leaves out
	}{
		{"no workspace", "", nil},
		{"workspace of svc and tools", "go 1.26\n\nuse (\n\t./svc\n\t./tools\n)\n", []string{"svc/nested"}},
		{"workspace of svc", "go 1.26\n\nuse ./svc\n", []string{"svc/nested", "tools"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tree := map[string]string{}
			for k, v := range files {
				tree[k] = v
			}
			if tt.work != "" {
				tree["go.work"] = tt.work
			}
			dir := writeTree(t, tree)
			mods, lost, err := modulesOf(dir, args) // relative names, as pre-commit passes them

			if err != nil {
				t.Fatal(err)
			}
			var got, gotOff []string
			for _, m := range mods {
				rel, _ := filepath.Rel(dir, m.dir)
				got = append(got, filepath.ToSlash(rel))
				if m.offWork {
					gotOff = append(gotOff, filepath.ToSlash(rel))
				}
			}
			if want := []string{"svc", "svc/nested", "tools"}; !slices.Equal(got, want) {
				t.Errorf("modules %q, want %q", got, want)
			}
			if !slices.Equal(gotOff, tt.offWork) {
				t.Errorf("modules left out of go.work: %q, want %q", gotOff, tt.offWork)
			}
			if want := []string{"lone.go", "scripts/gen.go"}; !slices.Equal(lost, want) {
				t.Errorf("files in no module: %q, want %q", lost, want)
			}
		})
	}
}

// TestCheckModules runs -files on a repository with a workspace of two
// modules, a module outside the workspace and a file outside any module.
func TestCheckModules(t *testing.T) {
	t.Parallel()
	svcKey, toolsKey := rulestest.Key(rules.Live, 4301), rulestest.Key(rules.Test, 4302)
	keys := secrets{svcKey, toolsKey}
	dir := writeTree(t, map[string]string{
		"go.work":    "go 1.26\n\nuse (\n\t./svc\n\t./lib\n)\n",
		"lib/go.mod": "module example.com/lib\n\ngo 1.26\n",
		"lib/lib.go": "package lib\n\nconst Prefix = \"Bearer \"\n",
		// svc needs the workspace: it imports lib, which it does not require.
		"svc/go.mod":      "module example.com/svc\n\ngo 1.26\n",
		"svc/svc.go":      "package svc\n\nimport \"example.com/lib\"\n\nvar Auth = lib.Prefix + \"" + svcKey + "\"\n",
		"tools/go.mod":    "module example.com/tools\n\ngo 1.26\n",
		"tools/tools.go":  "package tools\n\nvar Key = \"" + toolsKey + "\"\n",
		"scripts/gen.go":  "package main\n",
		"svc/more/ok.go":  "package more\n",
		"tools/ok/ok2.go": "package ok\n",
	})
	abs := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	o, err := parseArgs([]string{"-files", abs("svc/svc.go"), abs("svc/more/ok.go"), abs("tools/ok/ok2.go"), abs("scripts/gen.go")}, new(strings.Builder))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code := checkModules(o, []string{"GOTOOLCHAIN=local", "GOPROXY=off"}, &stdout, &stderr)
	out := stdout.String() + stderr.String()
	keys.check(t, "-files output", out)
	for _, want := range []string{
		filepath.Join("svc", "svc.go") + ":5:26: hardcoded Claro live API key " + rules.Redact([]byte(svcKey)),
		filepath.Join("tools", "tools.go") + ":3:12: hardcoded Claro test API key " + rules.Redact([]byte(toolsKey)),
		abs("scripts/gen.go") + " is in no Go module",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("-files output does not hold %q:\n%s", want, keys.hide(out))
		}
	}
	if code != 3 {
		t.Errorf("exit %d, want 3 for the keys\n%s", code, keys.hide(out))
	}
}
