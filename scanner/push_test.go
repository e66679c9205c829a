package scanner

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/fixture/gogit"
	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// pushed is a repository as a pre-receive hook finds it: its branch at
// the old commit, and the objects of the pushed commits in a quarantine
// directory of their own.
type pushed struct {
	dir, objects, quarantine string
	old                      plumbing.Hash
	commits                  []plumbing.Hash // the pushed commits, oldest first
}

// newPushed commits old, then each of commits (a file whose body is ""
// is removed), and moves the loose objects the later commits wrote into
// a quarantine directory, putting the branch back at the old commit.
func newPushed(t *testing.T, old map[string]string, commits ...map[string]string) *pushed {
	t.Helper()
	r := gogit.NewRepo(t)
	r.Stage(old)
	p := &pushed{dir: r.Dir, objects: filepath.Join(r.Dir, ".git", "objects"), quarantine: filepath.Join(t.TempDir(), "incoming"), old: r.Commit("old")}
	before, _ := filepath.Glob(filepath.Join(p.objects, "??", "*"))
	for i, files := range commits {
		for name, body := range files {
			if body == "" {
				r.Remove(name)
				delete(files, name)
			}
		}
		r.Stage(files)
		p.commits = append(p.commits, r.Commit("pushed "+string(rune('a'+i))))
	}
	after, _ := filepath.Glob(filepath.Join(p.objects, "??", "*"))
	for _, f := range after {
		if slices.Contains(before, f) {
			continue
		}
		dst := filepath.Join(p.quarantine, filepath.Base(filepath.Dir(f)), filepath.Base(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(f, dst); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(r.Dir, ".git", "refs", "heads", "master"), []byte(p.old.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// env is git's environment in the hook: in "quarantine" mode the pushed
// objects are in one, named by GIT_QUARANTINE_PATH too as git 2.13 and
// later name it; in "gitlab" mode without that variable, as GitLab runs
// its server hooks; in "none" mode, as git before 2.11 ran the hook, the
// pushed objects were moved into the repository first.
func (p *pushed) env(t *testing.T, mode string) func(string) string {
	t.Helper()
	if mode == "none" {
		err := filepath.WalkDir(p.quarantine, func(f string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			dst := filepath.Join(p.objects, filepath.Base(filepath.Dir(f)), d.Name())
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.Rename(f, dst)
		})
		if err != nil {
			t.Fatal(err)
		}
		return func(string) string { return "" }
	}
	vars := map[string]string{
		"GIT_OBJECT_DIRECTORY":             p.quarantine,
		"GIT_ALTERNATE_OBJECT_DIRECTORIES": p.objects,
	}
	if mode == "quarantine" {
		vars["GIT_QUARANTINE_PATH"] = p.quarantine
	}
	return func(k string) string { return vars[k] }
}

// scanPush scans a push of refs ("name=object") and returns its findings
// as "path:line:col rule commit", sorted.
func scanPush(t *testing.T, dir string, getenv func(string) string, o Options, refs ...PushedRef) ([]string, []finding.Finding, finding.Stats) {
	t.Helper()
	repo, err := OpenPushRepository(dir, getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	var warnings strings.Builder
	o.Warnings = &warnings
	var fs []finding.Finding
	st, err := mustNew(t, o).Scan(context.Background(), Push(repo, PushOptions{Refs: refs}), func(f finding.Finding) error {
		fs = append(fs, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if warnings.Len() > 0 {
		t.Errorf("warnings:\n%s", warnings.String())
	}
	var out []string
	for _, f := range fs {
		out = append(out, positionOf(f)+" "+f.Commit)
	}
	return out, fs, st
}

// TestPush: the keys a push's commits introduce and the .env files they
// add, the same with git's quarantine, GitLab's and none; a key the repository
// had, still in a file the push edits, is not news, and neither is a new
// ref to a commit it had.
func TestPush(t *testing.T) {
	t.Parallel()
	oldKey, newKey := rulestest.Key(rules.Live, 1501), rulestest.Key(rules.Live, 1502)
	for _, quarantine := range []string{"quarantine", "gitlab", "none"} {
		p := newPushed(t, map[string]string{"old.txt": "k = " + oldKey + "\n"},
			map[string]string{"app.py": "KEY = '" + newKey + "'\n", "old.txt": "k = " + oldKey + "\nmore\n"},
			map[string]string{"app.py": ""},
			map[string]string{".env": "DEBUG=1\n", "config/.env.example": "KEY=\n"})
		getenv := p.env(t, quarantine)
		got, fs, _ := scanPush(t, p.dir, getenv, Options{}, PushedRef{"refs/heads/master", p.commits[2].String()})
		want := []string{
			".env:1:1 env-file-tracked " + p.commits[2].String(),
			"app.py:1:8 claro-live-key " + p.commits[0].String(),
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: findings\n%s\nwant\n%s", quarantine, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, f := range fs {
			if f.InHead != nil || f.Author != "T" || strings.Contains(f.Message, newKey) {
				t.Errorf("%s: %s: InHead %v, author %q, message %q", quarantine, f.Path, f.InHead, f.Author, f.Message)
			}
		}
		if got, _, _ := scanPush(t, p.dir, getenv, Options{}, PushedRef{"refs/heads/copy", p.old.String()}); len(got) != 0 {
			t.Errorf("%s: a new ref to the old commit: %q", quarantine, got)
		}
		got, _, st := scanPush(t, p.dir, getenv, Options{AllowPaths: []string{"app.py"}, Disable: []rules.RuleID{rules.EnvFileTracked}}, PushedRef{"refs/heads/master", p.commits[2].String()})
		if len(got) != 0 || st.AllowedPaths != 1 {
			t.Errorf("%s: allowed path and disabled rule: %q, %d allowed", quarantine, got, st.AllowedPaths)
		}
	}
}

// TestPushQuarantineReadsOnlyNew: from the quarantine only new blobs
// are read, so a push that copies a file the repository has to a new
// path reads no blob at all (the key in it, if any, is not news), where
// the walk without a quarantine reads it.
func TestPushQuarantineReadsOnlyNew(t *testing.T) {
	t.Parallel()
	for mode, want := range map[string]int64{"quarantine": 0, "gitlab": 0, "none": int64(len("two\n"))} {
		p := newPushed(t, map[string]string{"a.txt": "one\n", "b.txt": "two\n"}, map[string]string{"copy-of-b.txt": "two\n"})
		_, _, st := scanPush(t, p.dir, p.env(t, mode), Options{}, PushedRef{"refs/heads/master", p.commits[0].String()})
		if st.BytesScanned != want {
			t.Errorf("%s: scanned %d bytes, want %d", mode, st.BytesScanned, want)
		}
	}
}
