package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Multi is a directory's multi-pack-index (gitformat-pack(5),
// "multi-pack-index (MIDX) files"): one sorted table of the objects of
// several packs, each object listed once with the pack that holds the
// copy git reads. It is read whole. It is safe for concurrent use.
type Multi struct {
	path    string
	packs   []string // the .pack paths, by pack-int-id
	fanout  [256]uint32
	names   []byte
	offsets []byte // per object a pack-int-id and a 4-byte offset
	large   []byte // 8-byte offsets
}

// ErrNoMulti is ReadMulti's error for a directory without a
// multi-pack-index.
var ErrNoMulti = errors.New("no multi-pack-index")

// ReadMulti reads the multi-pack-index of the pack directory dir, whole.
func ReadMulti(dir string) (*Multi, error) {
	path := dir + "/multi-pack-index"
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoMulti
	}
	if err != nil {
		return nil, err
	}
	m := &Multi{path: path}
	if err := m.parse(dir, b); err != nil {
		return nil, fmt.Errorf("read multi-pack-index %s: %w", path, err)
	}
	return m, nil
}

// parse checks the header and the chunks that find an object, and keeps
// them; other chunks (bitmaps, reverse indexes) are not used here.
func (m *Multi) parse(dir string, b []byte) error {
	if len(b) < 12+hashLen || string(b[:4]) != "MIDX" {
		return errors.New("not a multi-pack-index")
	}
	if b[4] != 1 && b[4] != 2 {
		return fmt.Errorf("version %d not supported", b[4])
	}
	if b[5] != 1 {
		return errors.New("not a SHA-1 multi-pack-index")
	}
	nChunks, nPacks := int(b[6]), int(binary.BigEndian.Uint32(b[8:]))
	chunks, err := midxChunks(b, nChunks)
	if err != nil {
		return err
	}
	pnam, fanout, oidl, ooff := chunks["PNAM"], chunks["OIDF"], chunks["OIDL"], chunks["OOFF"]
	if pnam == nil || len(fanout) != 256*4 || oidl == nil || ooff == nil {
		return errors.New("a required chunk is missing or malformed")
	}
	for i := range m.fanout {
		m.fanout[i] = binary.BigEndian.Uint32(fanout[4*i:])
		if i > 0 && m.fanout[i] < m.fanout[i-1] {
			return errors.New("malformed fan-out table")
		}
	}
	n := int(m.fanout[255])
	if len(oidl) != n*hashLen || len(ooff) != n*8 || len(chunks["LOFF"])%8 != 0 {
		return fmt.Errorf("chunk sizes do not match %d objects", n)
	}
	for name := range strings.SplitSeq(strings.TrimRight(string(pnam), "\x00"), "\x00") {
		base, ok := strings.CutSuffix(name, ".idx")
		if !ok || strings.ContainsAny(base, "/\\") {
			return fmt.Errorf("bad pack name %q", name)
		}
		m.packs = append(m.packs, dir+"/"+base+".pack")
	}
	if len(m.packs) != nPacks {
		return fmt.Errorf("%d pack names for %d packs", len(m.packs), nPacks)
	}
	m.names, m.offsets, m.large = oidl, ooff, chunks["LOFF"]
	return nil
}

// midxChunks reads the table of contents: 12-byte rows of a chunk id and
// its offset, ending with a row of id zero whose offset ends the last
// chunk.
func midxChunks(b []byte, n int) (map[string][]byte, error) {
	const toc = 12
	end := len(b) - hashLen
	if toc+(n+1)*12 > end {
		return nil, errors.New("truncated table of contents")
	}
	chunks := make(map[string][]byte, n)
	for i := range n {
		row := b[toc+i*12:]
		start, stop := binary.BigEndian.Uint64(row[4:]), binary.BigEndian.Uint64(row[16:])
		if start > stop || stop > uint64(end) {
			return nil, fmt.Errorf("chunk %q out of range", row[:4])
		}
		chunks[string(row[:4])] = b[start:stop]
	}
	return chunks, nil
}

// Find returns the path of the .pack file holding the copy of id that
// the multi-pack-index picks, and its offset there.
func (m *Multi) Find(id plumbing.Hash) (string, int64, bool, error) {
	lo := 0
	if id[0] > 0 {
		lo = int(m.fanout[id[0]-1])
	}
	hi := int(m.fanout[id[0]])
	if hi <= lo {
		return "", 0, false, nil
	}
	i, ok := Search(m.names[lo*hashLen:hi*hashLen], id)
	if !ok {
		return "", 0, false, nil
	}
	p, off, err := m.entry(lo + i)
	if err != nil {
		return "", 0, false, err
	}
	return m.packs[p], off, true, nil
}

// entry returns the pack and offset of the object at position i.
func (m *Multi) entry(i int) (int, int64, error) {
	p := int(binary.BigEndian.Uint32(m.offsets[i*8:]))
	off := binary.BigEndian.Uint32(m.offsets[i*8+4:])
	if p >= len(m.packs) {
		return 0, 0, fmt.Errorf("read multi-pack-index %s: pack %d out of range", m.path, p)
	}
	if off&0x80000000 == 0 {
		return p, int64(off), nil
	}
	j := int(off & 0x7fffffff)
	if (j+1)*8 > len(m.large) {
		return 0, 0, fmt.Errorf("read multi-pack-index %s: large offset %d out of range", m.path, j)
	}
	o := binary.BigEndian.Uint64(m.large[j*8:])
	if o >= 1<<62 {
		return 0, 0, fmt.Errorf("read multi-pack-index %s: offset %d out of range", m.path, o)
	}
	return p, int64(o), nil
}
