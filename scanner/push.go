package scanner

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/internal/envcheck"
	"github.com/clarolint/clarolint/internal/escape"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/internal/push"
	"github.com/clarolint/clarolint/rules"
)

// PushOptions says what a Push scan reads.
type PushOptions struct {
	// Refs are the refs the push creates or moves: a pre-receive hook's
	// "old new ref" lines, less the deletions.
	Refs []PushedRef
	// Progress is as HistoryOptions.Progress.
	Progress func(HistoryProgress)
}

// PushedRef is a ref a push creates or moves, and the object it is to
// name, in full hex.
type PushedRef struct{ Name, New string }

// Push is the Source of what a push brings to repo, for a pre-receive
// hook (open repo with OpenPushRepository): the commits reachable from
// the pushed refs (annotated tags peeled) and from no ref of repo, as
// git rev-list NEW --not --all lists them; in them, the keys each
// introduced, as History says, and each secret .env file one adds (an
// env-file-tracked error where no parent has a file at that path). Keys
// repo already had are not news: a new ref to a commit it has, or a new
// commit on top of an old key, adds nothing.
//
// In git's quarantine, the objects the push brings are those of the
// quarantine directory (its loose objects and packs' indexes) that repo
// lacks; its new blobs are scanned and its new trees searched for .env
// files, and commits and paths are worked out only for what they found,
// walking no commit that repo had. A blob repo already stores is not
// scanned: a commit that brings back an old file as it was, or renames
// it, adds nothing. Without a quarantine the commits are listed from the
// refs and their blobs read, as History does for a range.
//
// Findings are as History's, without InHead.
func Push(repo *Repository, o PushOptions) Source { return pushSource{repo, o} }

type pushSource struct {
	repo *Repository
	o    PushOptions
}

func (src pushSource) scan(ctx context.Context, s *Scanner, emit func(finding.Finding) error) (finding.Stats, error) {
	h, err := newHistory(s, src.repo.r, HistoryOptions{Progress: src.o.Progress})
	if err == nil {
		h.shallow, err = h.repo.Shallow()
	}
	if err != nil {
		return finding.Stats{}, err
	}
	var sel gitrepo.Selection
	for _, ref := range src.o.Refs {
		switch id, typ, err := h.repo.Peel(plumbing.NewHash(ref.New)); {
		case err != nil:
			h.st.SkippedUnreadable++
			h.s.warner.NotScanned(&h.st, "%s: %v; not scanned", ref.Name, err)
		case typ == plumbing.CommitObject:
			sel.Tips = append(sel.Tips, id)
		case typ == plumbing.TreeObject || typ == plumbing.BlobObject:
			sel.Loose = append(sel.Loose, gitrepo.LooseRoot{Name: ref.Name, Hash: id, Tree: typ == plumbing.TreeObject})
		}
	}
	if env := src.repo.push; env.InQuarantine(filepath.Join(h.repo.CommonDir, "objects")) {
		err = h.quarantined(ctx, sel, env)
	} else if all, serr := h.repo.Select(gitrepo.SelectOptions{}, h.warnf); serr != nil {
		err = serr
	} else {
		sel.Exclude = all.Tips
		err = h.selected(ctx, sel)
	}
	if err != nil {
		return h.total(), err
	}
	fs := append(h.introductions(), h.addedEnvFiles()...)
	h.setAuthors(fs)
	return h.emitAll(fs, emit)
}

// quarantined scans what a push brought into git's quarantine: its new
// blobs, then the changes of the new commits that put a blob holding a
// key, or one at a secret env path of a new tree, at a path.
func (h *history) quarantined(ctx context.Context, sel gitrepo.Selection, env push.Env) error {
	main, err := odb.Open(env.Main(filepath.Join(h.repo.CommonDir, "objects"))...)
	if err != nil {
		return err
	}
	defer main.Close()
	n, err := push.Walk(ctx, h.store, main, env.Objects, push.WalkOptions{
		Workers: h.s.opts.Workers,
		OnError: h.unreadable,
		Blob: func(worker int, o odb.Object) {
			h.scanBlob(worker, o.ID, "blob "+o.ID.String(), int64(len(o.Data)), bytes.NewReader(o.Data))
		},
	})
	if err != nil {
		return err
	}
	h.nCommits.Store(int64(n.Commits))
	hits := n.EnvBlobs
	for id := range h.keys {
		hits[id] = true
	}
	if len(hits) == 0 {
		return nil
	}
	h.known = func(id plumbing.Hash) bool { had, err := main.Has(id); return had && err == nil }
	if err := h.changesOf(ctx, sel, hits); err != nil {
		return err
	}
	h.looseChanges(sel.Loose, func(b plumbing.Hash) bool { return hits[b] })
	return h.readParents(ctx)
}

// addedEnvFiles returns an env-file-tracked error for each change that
// puts a secret env file where no parent has a file: a commit that
// starts tracking it.
func (h *history) addedEnvFiles() []finding.Finding {
	if !h.s.enabled(rules.EnvFileTracked) {
		return nil
	}
	var fs []finding.Finding
	for _, c := range h.changes {
		if !rules.IsSecretEnvFile(c.Path) || slices.ContainsFunc(c.Parents, func(p plumbing.Hash) bool { return !p.IsZero() }) {
			continue
		}
		if h.s.allowedPath(c.Path) {
			h.st.AllowedPaths++
			continue
		}
		f := envcheck.FileFinding(rules.EnvFileTracked, rules.Error, c.Path, fmt.Sprintf(
			"secret env file %s is tracked from this commit on: every clone would carry it; take it out of the commits (git rm --cached %s, then rewrite them), %s, and rotate the keys it held",
			c.Path, escape.Shell(c.Path), envcheck.IgnoreAdvice))
		if !c.Commit.IsZero() {
			f.Commit = c.Commit.String()
		}
		fs = append(fs, f)
	}
	return fs
}
