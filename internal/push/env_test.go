package push

import (
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
	if e.Objects != "/srv/app.git/objects/tmp_objdir-incoming-x1" || !e.Quarantine || !slices.Equal(e.Alternates, wantAlts) ||
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
	if err != nil || none.Quarantine || none.Objects != "" || len(none.Options) != 0 {
		t.Errorf("empty environment: %+v, %v", none, err)
	}
	if d := none.Dirs("/own"); !slices.Equal(d, []string{"/own"}) || !slices.Equal(none.Main("/own"), []string{"/own"}) {
		t.Errorf("empty environment: Dirs %q, Main %q", d, none.Main("/own"))
	}
	plain, err := ReadEnv(getenv(map[string]string{"GIT_OBJECT_DIRECTORY": "objs"}))
	if err != nil || plain.Quarantine || plain.Objects != filepath.Join(cwd, "objs") {
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
