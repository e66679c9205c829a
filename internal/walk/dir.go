package walk

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/gitrepo"
)

// dir is a directory to walk, with what applies inside it. Tasks share
// dirs read-only; slices are copied before they are extended.
type dir struct {
	path string // on disk
	rel  string // as reported; "" for a single root
	// In a git work tree: the work tree, the path from its top, and the
	// ignore rules in force here.
	wt      *gitrepo.Repo
	repoRel []string
	rules   gitrepo.Rules
	// ignored is set for an ignored directory that is walked because it
	// holds tracked files: in it, only tracked paths are scanned.
	ignored   bool
	ancestors []fs.FileInfo // with FollowSymlinks: the directories above, to stop loops
}

// worktreeAt sets up ignore rules for a walk starting at p: the work tree
// holding p, its local excludes, and the .gitignore files from the tree's
// top down to p's parent (p's own is read when it is walked).
func (d *dir) worktreeAt(w *walker, st *finding.Stats, p string) {
	wt, ok := gitrepo.FindWorkTree(p)
	if !ok {
		return
	}
	repoRel, ok := wt.PathOf(p)
	if !ok {
		return
	}
	d.wt = wt
	d.repoRel = repoRel
	d.rules = w.localRules(wt, st)
	for i := range d.repoRel {
		rs, err := gitrepo.ReadIgnore(filepath.Join(wt.Top, filepath.Join(d.repoRel[:i]...), ".gitignore"), d.repoRel[:i])
		if err != nil {
			w.o.Warner.Warn(st, "%v; its ignore rules are not applied", err)
		}
		d.rules = d.rules.With(rs)
	}
}

// localRules loads a work tree's global and info/exclude rules, warning
// about files it cannot read.
func (w *walker) localRules(wt *gitrepo.Repo, st *finding.Stats) gitrepo.Rules {
	rs, err := wt.LocalRules()
	if err != nil {
		w.o.Warner.Warn(st, "%v; its ignore rules are not applied", err)
	}
	return rs
}

// readDir reads d, which is in the open directory parent (nil: opened by
// its path), queues its subdirectories and returns its files to scan,
// counting and warning about everything else, with d open if the walk
// keeps it so (held once, for the caller to release). It releases
// parent.
func (w *walker) readDir(d *dir, parent *dirFD, st *finding.Stats) ([]File, *dirFD) {
	entries, at, err := w.list(d, parent)
	if err != nil {
		st.SkippedUnreadable++
		w.o.Warner.NotScanned(st, "%s: %v; its contents are not scanned", displayDir(d.rel), Cause(err))
		// ReadDir returns what it read before the error; walk that.
	}
	if !w.o.NoIgnore {
		w.enterRepo(d, entries, st)
	}
	var m *gitrepo.Matcher
	if d.wt != nil && !d.rules.Empty() {
		mm := d.rules.Matcher()
		m = &mm
	}
	var files []File
	for _, e := range entries {
		if e.Name() == ".git" {
			continue
		}
		if f, ok := w.entry(d, at, e, m, st); ok {
			files = append(files, f)
		}
	}
	return files, at
}

// list reads the entries of d, which is in parent, and keeps d open when
// it can.
func (w *walker) list(d *dir, parent *dirFD) ([]fs.DirEntry, *dirFD, error) {
	fd, err := openDir(parent, d.path)
	parent.release()
	switch {
	case errors.Is(err, errNoDirFD):
		entries, err := readDir(d.path)
		return entries, nil, err
	case err != nil:
		return nil, nil, err
	}
	entries, err := readDirFD(fd, d.path)
	return entries, w.newDirFD(fd), err
}

// entry handles one entry of d, open as at: it queues a directory,
// returns a file to scan, or counts and warns about what is passed over.
func (w *walker) entry(d *dir, at *dirFD, e fs.DirEntry, m *gitrepo.Matcher, st *finding.Stats) (File, bool) {
	name, typ := e.Name(), e.Type()
	rel := joinClean(d.rel, name, '/')
	ignored := d.ignored || m != nil && m.Match(append(d.repoRel[:len(d.repoRel):len(d.repoRel)], name), e.IsDir())
	enterIgnored := false
	if ignored && w.tracked(d, name, e.IsDir(), st) {
		// git ignores untracked files only: a tracked file is scanned,
		// and so is what a directory holding one tracks.
		ignored, enterIgnored = false, e.IsDir()
	}
	switch {
	case e.IsDir() && ignored:
		w.note(&w.skipped, rel)
	case !e.IsDir() && w.o.Keep != nil && w.o.Keep(rel):
		w.note(&w.kept, rel)
	}
	if ignored {
		st.Ignored++
		return File{}, false
	}
	full := joinClean(d.path, name, filepath.Separator)
	var fi fs.FileInfo // the link's target, when following one
	if typ&fs.ModeSymlink != 0 {
		var err error
		if fi, err = os.Stat(full); err != nil {
			st.SkippedUnreadable++
			w.o.Warner.Warn(st, "%s: broken symbolic link: %v", rel, Cause(err))
			return File{}, false
		}
		if !w.o.FollowSymlinks {
			st.Symlinks++
			return File{}, false
		}
		typ = fi.Mode().Type()
	}
	switch {
	case typ.IsDir():
		w.subdir(d, at, name, rel, fi, enterIgnored, st)
	case typ.IsRegular():
		if w.allowed(rel) {
			st.AllowedPaths++
			return File{}, false
		}
		return File{Path: full, Rel: rel, at: at, name: name}, true
	default:
		st.SkippedUnreadable++
		w.o.Warner.Warn(st, "%s: not a regular file (%v); skipped", rel, typ)
	}
	return File{}, false
}

// subdir queues the subdirectory name of d, open as at, unless following
// a link to it would loop; fi is the link's target when it is one.
func (w *walker) subdir(d *dir, at *dirFD, name, rel string, fi fs.FileInfo, ignored bool, st *finding.Stats) {
	full := joinClean(d.path, name, filepath.Separator)
	sub := &dir{path: full, rel: rel, wt: d.wt, rules: d.rules, ignored: ignored}
	if d.wt != nil {
		sub.repoRel = append(d.repoRel[:len(d.repoRel):len(d.repoRel)], name)
	}
	if w.o.FollowSymlinks {
		if fi == nil {
			var err error
			if fi, err = os.Stat(full); err != nil {
				st.SkippedUnreadable++
				w.o.Warner.NotScanned(st, "%s: %v; its contents are not scanned", rel, Cause(err))
				return
			}
		}
		if slices.ContainsFunc(d.ancestors, func(a fs.FileInfo) bool { return os.SameFile(a, fi) }) {
			w.o.Warner.Warn(st, "%s: symbolic link loop to a directory above it; not followed", rel)
			return
		}
		sub.ancestors = append(d.ancestors[:len(d.ancestors):len(d.ancestors)], fi)
	}
	w.push(task{dir: sub, at: at.hold()})
}

// tracked reports whether the ignored entry name of d is tracked in d's
// work tree, or a directory holding tracked files. When the index cannot
// be read, every path may be tracked: the walk says so once, and ignores
// nothing there rather than miss a tracked key.
func (w *walker) tracked(d *dir, name string, isDir bool, st *finding.Stats) bool {
	if d.wt == nil {
		return false
	}
	t, err := d.wt.Tracked()
	if err != nil {
		w.mu.Lock()
		first := !slices.Contains(w.untracked, d.wt.GitDir)
		if first {
			w.untracked = append(w.untracked, d.wt.GitDir)
		}
		w.mu.Unlock()
		if first {
			w.o.Warner.Warn(st, "%v; files that .gitignore ignores are scanned too, since any of them may be tracked", err)
		}
		return true
	}
	return t.Holds(path.Join(path.Join(d.repoRel...), name), isDir)
}

// enterRepo updates the ignore rules in force in d from its entries: a
// nested repository (a submodule, or a clone inside the tree) follows its
// own rules and index, not its parent's; a .gitignore adds to them.
func (w *walker) enterRepo(d *dir, entries []fs.DirEntry, st *finding.Stats) {
	has := func(name string) bool {
		_, found := slices.BinarySearchFunc(entries, name, func(e fs.DirEntry, n string) int { return strings.Compare(e.Name(), n) })
		return found
	}
	if has(".git") && (d.wt == nil || len(d.repoRel) > 0) {
		if wt, ok := gitrepo.OpenWorkTree(d.path); ok {
			d.wt, d.repoRel, d.rules, d.ignored = wt, nil, w.localRules(wt, st), false
		}
	}
	if d.wt != nil && has(".gitignore") {
		rs, err := gitrepo.ReadIgnore(filepath.Join(d.path, ".gitignore"), d.repoRel)
		if err != nil {
			w.o.Warner.Warn(st, "%s: %v; its ignore rules are not applied", path.Join(d.rel, ".gitignore"), Cause(err))
		}
		d.rules = d.rules.With(rs)
	}
}

func displayDir(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

// joinClean returns path.Join(dir, name) (with sep '/') or
// filepath.Join(dir, name) (with filepath.Separator) for a clean dir and
// an entry's name, without cleaning the result again: a walk joins every
// name it reads.
func joinClean(dir, name string, sep byte) string {
	switch {
	case dir == "" || dir == ".":
		return name
	case dir[len(dir)-1] == sep: // the root, or a volume's
		return dir + name
	case sep == filepath.Separator && filepath.VolumeName(dir) == dir: // "C:"
		return filepath.Join(dir, name)
	}
	return dir + string(sep) + name
}
