package content

import (
	"bytes"
	"sync/atomic"
)

// Mention records whether the text that Readers read holds one of some
// words, and where it first did. Readers show it the first window of each
// text input only (a chunk, 256 KiB, and a little): a mention that matters
// sits in source, configuration or documentation, not deep in a generated
// file, and searching every byte of a large tree cost a tenth of the
// scan. Once a word is found, Readers stop looking. It is safe for
// concurrent use.
type Mention struct {
	words [][]byte
	found atomic.Pointer[MentionHit]
}

// MentionHit is a word found, and the path of the input it was found in.
type MentionHit struct{ Word, Path string }

// NewMention returns a Mention of words.
func NewMention(words ...string) *Mention {
	m := &Mention{}
	for _, w := range words {
		m.words = append(m.words, []byte(w))
	}
	return m
}

// Found returns the first word found and where, or nil.
func (m *Mention) Found() *MentionHit { return m.found.Load() }

// look searches b, the start of the input at path.
func (m *Mention) look(b []byte, path string) {
	if m.found.Load() != nil {
		return
	}
	for _, w := range m.words {
		if bytes.Contains(b, w) {
			m.found.CompareAndSwap(nil, &MentionHit{string(w), path})
			return
		}
	}
}
