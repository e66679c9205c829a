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

// mention records whether the text a stream reads holds a word. Streams
// show it the first window of each text file only (256 KiB and a little):
// a mention that matters sits in source, configuration or documentation,
// not deep in a generated file, and searching every byte of a large tree
// cost a tenth of the scan. Once the word is found, streams stop looking.
type mention struct {
	word  []byte
	found atomic.Bool
}

func (m *mention) look(b []byte) {
	if !m.found.Load() && bytes.Contains(b, m.word) {
		m.found.Store(true)
	}
}
