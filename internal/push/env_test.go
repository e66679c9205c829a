package push

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadEnv(t *testing.T) {
	t.Parallel()
	cwd, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	e, err := ReadEnv(getenv(map[string]string{
		"GIT_OBJECT_DIRECTORY":             "/srv/app.git/objects/tmp_objdir-incoming-x1",
		"GIT_QUARANTINE_PATH":              "/srv/app.git/objects/tmp_objdir-incoming-x1",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES": `/srv/app.git/objects:"/srv/with:colon\nand newline":relative`,
		"GIT_PUSH_OPTION_COUNT":            "2",
		"GIT_PUSH_OPTION_0":                "ci.skip",
		"GIT_PUSH_OPTION_1":                "clarolint.skip=incident 42",
	}))
	if err != nil {
		t.Fatal(err)
	}
	wantAlts := []string{"/srv/app.git/objects", "/srv/with:colon\nand newline", filepath.Join(cwd, "relative")}
	if e.Objects != "/srv/app.git/objects/tmp_objdir-incoming-x1" || !e.InQuarantine("/srv/app.git/objects") || !slices.Equal(e.Alternates, wantAlts) ||
		!slices.Equal(e.Options, []string{"ci.skip", "clarolint.skip=incident 42"}) {
		t.Errorf("ReadEnv = %+v", e)
	}
	if d := e.Dirs("/own"); !slices.Equal(d, append([]string{e.Objects}, wantAlts...)) {
		t.Errorf("Dirs = %q", d)
	}
	if m := e.Main("/own"); !slices.Equal(m, wantAlts) {
		t.Errorf("Main = %q", m)
	}

	// No quarantine (git before 2.11, or the hook run by hand): the
	// repository's own objects, and an object directory that is not a
	// quarantine is not taken for one.
	none, err := ReadEnv(getenv(nil))
	if err != nil || none.InQuarantine("/own") || none.Objects != "" || len(none.Options) != 0 {
		t.Errorf("empty environment: %+v, %v", none, err)
	}
	if d := none.Dirs("/own"); !slices.Equal(d, []string{"/own"}) || !slices.Equal(none.Main("/own"), []string{"/own"}) {
		t.Errorf("empty environment: Dirs %q, Main %q", d, none.Main("/own"))
	}
	plain, err := ReadEnv(getenv(map[string]string{"GIT_OBJECT_DIRECTORY": "objs"}))
	if err != nil || plain.InQuarantine("/own") || plain.Objects != filepath.Join(cwd, "objs") {
		t.Errorf("GIT_OBJECT_DIRECTORY alone: %+v, %v", plain, err)
	}

	for _, bad := range []map[string]string{
		{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/unterminated`},
		{"GIT_PUSH_OPTION_COUNT": "two"},
		{"GIT_PUSH_OPTION_COUNT": "-1"},
		{"GIT_PUSH_OPTION_COUNT": "1000000"},
	} {
		if _, err := ReadEnv(getenv(bad)); err == nil || !strings.Contains(err.Error(), "GIT_") {
			t.Errorf("%v: error %v, want one naming the variable", bad, err)
		}
	}
}

// TestInQuarantine: without GIT_QUARANTINE_PATH, as GitLab runs its
// server hooks, git's layout of a quarantine is recognised: another
// object directory, relative ones taken from the current directory, with
// the repository's own among the alternates. The repository's own
// directory named as GIT_OBJECT_DIRECTORY is no quarantine.
func TestInQuarantine(t *testing.T) {
	repo := t.TempDir()
	own := filepath.Join(repo, "objects")
	incoming := filepath.Join(own, "incoming-x1")
	other := t.TempDir()
	for _, d := range []string{incoming} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(repo) // GitLab's hooks run in the repository, with relative names
	for _, tt := range []struct {
		vars map[string]string
		want bool
	}{
		{map[string]string{"GIT_OBJECT_DIRECTORY": "objects/incoming-x1", "GIT_ALTERNATE_OBJECT_DIRECTORIES": "objects"}, true},
		{map[string]string{"GIT_OBJECT_DIRECTORY": incoming, "GIT_ALTERNATE_OBJECT_DIRECTORIES": other + ":" + repo + "/./objects"}, true},
		{map[string]string{"GIT_OBJECT_DIRECTORY": "objects", "GIT_ALTERNATE_OBJECT_DIRECTORIES": "objects"}, false},
		{map[string]string{"GIT_OBJECT_DIRECTORY": incoming, "GIT_ALTERNATE_OBJECT_DIRECTORIES": other}, false},
		{map[string]string{"GIT_OBJECT_DIRECTORY": incoming}, false},
		{map[string]string{"GIT_OBJECT_DIRECTORY": incoming, "GIT_QUARANTINE_PATH": incoming}, true},
	} {
		e, err := ReadEnv(func(k string) string { return tt.vars[k] })
		if err != nil {
			t.Fatal(err)
		}
		if got := e.InQuarantine(own); got != tt.want {
			t.Errorf("%v: InQuarantine %v, want %v", tt.vars, got, tt.want)
		}
	}
}
