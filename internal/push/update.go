package push

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Update is one ref a push moves: from Old to New, where a zero Old is a
// ref the push creates and a zero New one it deletes.
type Update struct {
	Old, New plumbing.Hash
	Ref      string
}

// IsDelete reports whether the update deletes its ref.
func (u Update) IsDelete() bool { return u.New.IsZero() }

// ParseUpdates reads a pre-receive hook's standard input to its end: one
// "old new ref" line per ref the push moves, object names in full hex.
// Every line is read, however many there are. A line that is not of that
// form is an error naming it, as is an object name of another length
// than SHA-1's (a SHA-256 repository); blank lines are passed over.
func ParseUpdates(r io.Reader) ([]Update, error) {
	var us []Update
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20) // a ref name is at most a few kilobytes
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 3 || f[2] == "" {
			return nil, fmt.Errorf("standard input, line %d: want \"old new ref\", got %d fields", n, len(f))
		}
		var u Update
		for i, id := range []*plumbing.Hash{&u.Old, &u.New} {
			if !plumbing.IsHash(f[i]) {
				return nil, fmt.Errorf("standard input, line %d: %.80q is not a SHA-1 object name (clarolint reads SHA-1 repositories only)", n, f[i])
			}
			*id = plumbing.NewHash(f[i])
		}
		u.Ref = f[2]
		us = append(us, u)
	}
	if err := sc.Err(); err != nil {
		return us, fmt.Errorf("read standard input: %w", err)
	}
	return us, nil
}
