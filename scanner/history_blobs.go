package scanner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/content"
	"github.com/clarolint/clarolint/internal/gitrepo"
	"github.com/clarolint/clarolint/internal/odb"
	"github.com/clarolint/clarolint/internal/odb/provenance"
)

// everything scans a whole history: every blob of the object store, read
// once in pack order on every core, and then the changes that put the
// blobs holding keys at their paths. The walk reads the commits too, for
// the listing of the changes (provenance.Commits); one it cannot read is
// left to the listing, which reads it again and warns if it is needed.
func (h *history) everything(ctx context.Context, sel gitrepo.Selection) error {
	h.commits = provenance.NewCommits(h.s.opts.Workers)
	err := h.store.Walk(ctx, odb.WalkOptions{
		Types:   []plumbing.ObjectType{plumbing.BlobObject, plumbing.CommitObject},
		Workers: h.s.opts.Workers,
		OnError: func(err error) {
			var oe *odb.ObjectError
			if !errors.As(err, &oe) || oe.Type != plumbing.CommitObject {
				h.unreadable(err)
			}
		},
	}, func(worker int, o odb.Object) error {
		if o.Type == plumbing.CommitObject {
			h.commits.Add(worker, o.ID, o.Data)
			return nil
		}
		h.scanBlob(worker, o.ID, "blob "+o.ID.String(), int64(len(o.Data)), bytes.NewReader(o.Data))
		return nil
	})
	if err != nil {
		return err
	}
	hits := make(map[plumbing.Hash]bool, len(h.keys))
	for id := range h.keys {
		hits[id] = true
	}
	if err := h.changesOf(ctx, sel, hits); err != nil {
		return err
	}
	h.looseChanges(sel.Loose, func(b plumbing.Hash) bool { return hits[b] })
	h.warnUnreachable()
	return nil
}

// warnUnreachable warns about the blobs that hold a key but that no
// selected commit or ref reaches: left by a rewritten or deleted branch
// until git gc prunes them, and still fetchable by id where a host keeps
// them. They have no commit or path, so they are not findings.
func (h *history) warnUnreachable() {
	placed := make(map[plumbing.Hash]bool, len(h.changes))
	for _, c := range h.changes {
		placed[c.Blob] = true
	}
	var ids []string
	for id := range h.keys {
		if !placed[id] {
			ids = append(ids, id.String())
		}
	}
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	if h.listErrs > 0 {
		h.warnf("%d blobs hold keys that no commit or ref read reaches (first: %s): they may be under the unreadable objects above, or unreachable; they are not reported", len(ids), ids[0])
		return
	}
	h.warnf("%d unreachable blobs hold keys (first: %s): no ref reaches them, so they are not reported; rotate their keys if they were ever pushed, and run git gc --prune=now to drop them", len(ids), ids[0])
}

// selected scans the commits a range, branch or since revision selects:
// their changes are listed first, and the blobs they put read one by one;
// then the parents' blobs at the paths of blobs that hold a key, which
// the listing did not read, so that keys already there are not taken for
// new ones.
func (h *history) selected(ctx context.Context, sel gitrepo.Selection) error {
	if err := h.changesOf(ctx, sel, nil); err != nil {
		return err
	}
	h.looseChanges(sel.Loose, nil)
	var jobs []blobJob
	for _, c := range h.changes {
		jobs = h.queue(jobs, c.Blob, c.Path)
	}
	if err := h.readBlobs(ctx, jobs); err != nil {
		return err
	}
	return h.readParents(ctx)
}

// readParents reads the parents' blobs at the paths of the changes whose
// blob holds a key, those not read yet, so that keys already there are
// not taken for new ones.
func (h *history) readParents(ctx context.Context) error {
	var jobs []blobJob
	for _, c := range h.changes {
		if len(h.keys[c.Blob]) > 0 {
			for _, p := range c.Parents {
				jobs = h.queue(jobs, p, c.Path)
			}
		}
	}
	return h.readBlobs(ctx, jobs)
}

// blobJob is a blob to read, and a path it is at, for warnings.
type blobJob struct {
	id   plumbing.Hash
	path string
}

// queue appends blob id, at path, to jobs unless it is zero or was
// queued already.
func (h *history) queue(jobs []blobJob, id plumbing.Hash, path string) []blobJob {
	if id.IsZero() || h.scanned[id] {
		return jobs
	}
	h.scanned[id] = true
	return append(jobs, blobJob{id, path})
}

// readBlobs reads and scans the blobs of jobs, by random access, on every
// core; an object that cannot be read is a warning.
func (h *history) readBlobs(ctx context.Context, jobs []blobJob) error {
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for w := range min(len(h.workers), len(jobs)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				next.Lock()
				if i == len(jobs) {
					next.Unlock()
					return
				}
				j := jobs[i]
				i++
				next.Unlock()
				h.readBlob(w, j)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// streamAbove is the size above which a blob read by random access is
// scanned as it is inflated rather than read whole first. A blob read
// whole that turns out damaged is read from another copy, if the store
// has one; a streamed one is scanned up to the damage, and says so.
const streamAbove = 64 << 20

// readBlob reads and scans one blob.
func (h *history) readBlob(worker int, j blobJob) {
	label := j.path + " (blob " + j.id.String()[:12] + ")"
	r, err := h.store.Open(j.id)
	if err != nil {
		h.unreadableAt(worker, label, err)
		return
	}
	defer r.Close()
	if r.Type != plumbing.BlobObject {
		h.workers[worker].st.SkippedUnreadable++
		h.s.warner.NotScanned(&h.workers[worker].st, "%s: a %s, not a blob; not scanned", label, r.Type)
		return
	}
	if r.Size > streamAbove {
		h.scanBlob(worker, j.id, label, r.Size, r)
		return
	}
	b, err := io.ReadAll(r)
	if err != nil {
		h.unreadableAt(worker, label, &odb.ObjectError{ID: j.id, Pack: r.Pack, Err: err})
		return
	}
	h.scanBlob(worker, j.id, label, int64(len(b)), bytes.NewReader(b))
}

// unreadable is told of each object the walk could not read. Another copy
// of it, in another pack or loose, is read instead when there is one;
// otherwise it is counted as not scanned.
func (h *history) unreadable(err error) {
	var oe *odb.ObjectError
	if errors.As(err, &oe) && !oe.ID.IsZero() {
		if typ, b, rerr := h.store.ReadElsewhere(oe.ID, oe.Pack); rerr == nil {
			if typ == plumbing.BlobObject {
				// OnError is never called concurrently: the last
				// worker slot is for it alone.
				h.scanBlob(len(h.workers)-1, oe.ID, "blob "+oe.ID.String(), int64(len(b)), bytes.NewReader(b))
			}
			return
		}
	}
	if oe != nil && !oe.ID.IsZero() {
		h.mu.Lock()
		h.scanned[oe.ID] = true // warned about: not to be read again for HEAD
		h.mu.Unlock()
	}
	h.st.SkippedUnreadable++
	h.s.warner.NotScanned(&h.st, "%v; not scanned", err)
}

// unreadableAt is unreadable for an object read by random access, whose
// path is known: label names it.
func (h *history) unreadableAt(worker int, label string, err error) {
	var oe *odb.ObjectError
	if errors.As(err, &oe) && !errors.Is(err, odb.ErrNotFound) {
		if typ, b, rerr := h.store.ReadElsewhere(oe.ID, oe.Pack); rerr == nil && typ == plumbing.BlobObject {
			h.scanBlob(worker, oe.ID, label, int64(len(b)), bytes.NewReader(b))
			return
		}
	}
	h.workers[worker].st.SkippedUnreadable++
	h.s.warner.NotScanned(&h.workers[worker].st, "%s: %v; not scanned", label, err)
}

// scanBlob scans one blob, of size bytes read from r, with the worker's
// Reader, and keeps its keys (one per fingerprint, as raw hits: the rule
// is decided at each path the blob is found at). label names it in
// warnings.
func (h *history) scanBlob(worker int, id plumbing.Hash, label string, size int64, r io.Reader) {
	st := &h.workers[worker].st
	defer h.progress(false)
	if max := h.s.opts.MaxFileSize; max > 0 && size > max {
		st.SkippedTooLarge++
		return
	}
	var keys []content.Hit
	before := st.BytesScanned
	// Read never fails here: this emit does not.
	h.workers[worker].rd.Read(content.Source{Path: "", Label: label}, r, st, func(k content.Hit) error {
		if !containsKey(keys, k.Key) {
			keys = append(keys, k)
		}
		return nil
	})
	h.nBlobs.Add(1)
	h.nBytes.Add(st.BytesScanned - before)
	h.mu.Lock()
	h.scanned[id] = true
	if len(keys) > 0 {
		h.keys[id] = keys
	}
	h.mu.Unlock()
}

// containsKey reports whether hits hold key.
func containsKey(hits []content.Hit, key []byte) bool {
	for _, k := range hits {
		if bytes.Equal(k.Key, key) {
			return true
		}
	}
	return false
}
