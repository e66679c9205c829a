package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/internal/fixture"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
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

// readmeSkips are README command lines that cannot run here: they need the
// network, or run the whole test suite or a benchmark.
var readmeSkips = []string{"@latest", "go test ./...", "go test -run XXX -bench", "scripts/bench-"}

// readmeRewrites stand in for what a README line names outside this test:
// a Kubernetes cluster, a server's repository.
var readmeRewrites = strings.NewReplacer(
	"kubectl get secret app -o yaml", "printf 'kind: Secret\\n'",
	"/srv/git/app.git", "$BARE",
)

// TestREADMECommands runs every command of the README's sh blocks that can
// run offline, in order, in a repository with what they name, and checks
// that none is refused as a usage error: the README's commands keep
// working as the flags change.
func TestREADMECommands(t *testing.T) {
	t.Parallel()
	fixture.EndToEnd(t)
	gitPath := needTool(t, "git")
	sh := needTool(t, "sh")
	bin := t.TempDir()
	buildBinary(t, bin, ".", "clarolint")
	buildBinary(t, bin, "../clarolint-vet", "clarolint-vet")
	dir, git := fixture.GitRepo(t, gitPath, nil)
	key := rulestest.Key(rules.Live, 1301)
	for name, body := range map[string]string{
		"go.mod":          "module example.com/app\n\ngo 1.22\n",
		"main.go":         "package main\n\nimport \"os\"\n\nfunc main() { _ = os.Getenv(\"BAYT_API_KEY\") }\n",
		"src/app.py":      "KEY = '" + key + "'\n",
		"config/app.yaml": "debug: true\n",
		"build/out.txt":   "ok\n",
		".gitignore":      ".env\n.env.*\n",
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	git.Must(t, "add", "-A")
	git.Must(t, "commit", "-q", "-m", "first")
	git.Must(t, "tag", "v2.0.0")
	git.Must(t, "branch", "release-1.x")
	git.Must(t, "update-ref", "refs/remotes/origin/main", "HEAD")
	bare := filepath.Join(t.TempDir(), "app.git")
	git.Must(t, "clone", "-q", "--bare", dir, bare)

	root, _ := filepath.Abs(filepath.Join("..", ".."))
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "BARE="+bare,
		"GOBIN="+t.TempDir(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com", "GITHUB_STEP_SUMMARY="+filepath.Join(t.TempDir(), "summary.md"))
	ran := 0
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```sh"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		}
		if !in || strings.TrimSpace(line) == "" || readmeSkip(line) {
			continue
		}
		cmd := exec.Command(sh, "-c", readmeRewrites.Replace(line))
		cmd.Dir, cmd.Env = dir, env
		if strings.HasPrefix(line, "go run ./") || strings.HasPrefix(line, "go install ./") {
			cmd.Dir = root // run from a checkout
		}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		usage := strings.Contains(string(out), "flag provided but not defined") || strings.Contains(string(out), "unknown command") || strings.Contains(string(out), "--help\" for the flags")
		if code == 2 && !strings.HasPrefix(line, "go ") || code > 3 || usage || strings.Contains(string(out), key) {
			t.Errorf("README command %q: exit %d\n%s", line, code, redactAll(string(out), key))
		}
		ran++
	}
	if ran < 20 {
		t.Errorf("ran %d README commands, want at least 20: the sh blocks were not found", ran)
	}
}

func readmeSkip(line string) bool {
	for _, s := range readmeSkips {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// TestREADMEPins: the revision the README tells users to pin, in the
// pre-commit config and in the Action's uses:, is one commit of this
// repository, and its hook definitions and action.yml are the ones in
// this checkout, so that what users pin behaves as the README says.
func TestREADMEPins(t *testing.T) {
	git := needTool(t, "git")
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var pins []string
	for _, m := range regexp.MustCompile(`(?m)^\s*rev: (\S+)|uses: clarolint/clarolint@(\S+)`).FindAllStringSubmatch(string(readme), -1) {
		pins = append(pins, m[1]+m[2])
	}
	if len(pins) < 2 {
		t.Fatalf("README pins %q: want the pre-commit rev and the Action's uses", pins)
	}
	if shallow, _ := exec.Command(git, "-C", root, "rev-parse", "--is-shallow-repository").Output(); strings.TrimSpace(string(shallow)) == "true" {
		t.Skip("a shallow clone may lack the pinned commit; fetch the whole history to check the README's pins")
	}
	for _, pin := range pins {
		if pin != pins[0] {
			t.Errorf("README pins %s and %s: pin one revision everywhere", pins[0], pin)
		}
		if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(pin) {
			t.Errorf("README pin %q is not a full commit id", pin)
			continue
		}
		for _, f := range []string{".pre-commit-hooks.yaml", "action.yml"} {
			then, err := exec.Command(git, "-C", root, "show", pin+":"+f).Output()
			if err != nil {
				t.Errorf("README pin %s: git show %s: %v", pin, f, err)
				continue
			}
			if now, _ := os.ReadFile(filepath.Join(root, f)); string(now) != string(then) {
				t.Errorf("%s changed since the README's pin %s: pin a newer commit", f, pin)
			}
		}
	}
}
