package scanner

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/clarolint/clarolint/rules"
)

// envProbe collects what the .env checks need from a Tree walk, so that
// they need no walk of their own: the env files the walk passed (ignored
// or not), the directories it skipped as ignored (which the checks walk
// when only rules local to this clone ignore them), and whether a text
// file mentions BAYT_API_KEY. It is safe for concurrent use.
type envProbe struct {
	mention *mention // nil when the mention does not matter

	mu      sync.Mutex
	files   []string // paths as Tree reports them
	skipped []string // directories, likewise
}

// entry is told about each directory entry the walk reads, before the
// walk skips the ignored ones.
func (p *envProbe) entry(rel string, dir, ignored bool) {
	switch {
	case dir && ignored:
		p.mu.Lock()
		p.skipped = append(p.skipped, rel)
		p.mu.Unlock()
	case !dir && rules.IsEnvFile(rel):
		p.mu.Lock()
		p.files = append(p.files, rel)
		p.mu.Unlock()
	}
}

// mention records whether the text a stream reads holds one of some
// words, and where it first did. Streams show it the first window of each
// text file only (256 KiB and a little): a mention that matters sits in
// source, configuration or documentation, not deep in a generated file,
// and searching every byte of a large tree cost a tenth of the scan. Once
// a word is found, streams stop looking.
type mention struct {
	words [][]byte
	found atomic.Pointer[mentionHit]
}

// mentionHit is a word found, and the path of the file it was found in.
type mentionHit struct{ word, path string }

func newMention(words ...string) *mention {
	m := &mention{}
	for _, w := range words {
		m.words = append(m.words, []byte(w))
	}
	return m
}

// look searches b, the start of the file at path.
func (m *mention) look(b []byte, path string) {
	if m.found.Load() != nil {
		return
	}
	for _, w := range m.words {
		if bytes.Contains(b, w) {
			m.found.CompareAndSwap(nil, &mentionHit{string(w), path})
			return
		}
	}
}
