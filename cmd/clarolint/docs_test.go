package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestArchitectureDoc keeps docs/architecture.md true: every package and
// file it names exists, and every package of the module is named (or
// sits under one that is).
func TestArchitectureDoc(t *testing.T) {
	root := filepath.Join("..", "..")
	b, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	named := make(map[string]bool)
	for _, m := range regexp.MustCompile("`([a-z][a-z0-9_-]*(?:/[a-z0-9_.-]+)*)`").FindAllStringSubmatch(doc, -1) {
		p := m[1]
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(strings.SplitN(p, "/", 2)[0]))); err != nil {
			continue // not a path of ours: a rule ID, a word
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			t.Errorf("docs/architecture.md names %s, which does not exist", p)
		}
		named[p] = true
	}
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", filepath.Join(root, "...")).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	abs, _ := filepath.Abs(root)
	for _, dir := range strings.Fields(string(out)) {
		rel, _ := filepath.Rel(abs, dir)
		rel = filepath.ToSlash(rel)
		found := false
		for p := rel; p != "." && !found; p = filepath.ToSlash(filepath.Dir(p)) {
			found = named[p]
		}
		if !found {
			t.Errorf("package %s is not in docs/architecture.md", rel)
		}
	}
}
