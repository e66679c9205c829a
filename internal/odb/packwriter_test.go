package odb

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// testEntry is one object of a pack that writeTestPack makes by hand, so
// that tests can build packs git would never write.
type testEntry struct {
	typ     plumbing.ObjectType // a delta type for a delta
	data    []byte              // the object, or the delta
	base    int                 // OFS delta: the index of its base entry
	baseRef plumbing.Hash       // REF delta
	id      plumbing.Hash       // the name the index gives it; zero: the object's hash, for whole objects
	raw     []byte              // when set, the entry's bytes after the header, instead of data deflated
	size    int64               // when not zero, the size written in the header
	gap     int64               // bytes of zeros before the entry (a sparse hole, for offsets past 2 GiB)
	rel     int64               // when not zero, the OFS delta's distance back to its base, instead of base's
	// rawHeader says that raw holds the header too: the entry is raw,
	// as it is.
	rawHeader bool
}

// objectID returns the name git gives an object.
func objectID(typ plumbing.ObjectType, data []byte) plumbing.Hash {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	var id plumbing.Hash
	copy(id[:], h.Sum(nil))
	return id
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	z := zlib.NewWriter(&buf)
	z.Write(b)
	z.Close()
	return buf.Bytes()
}

// writeTestPack writes pack-<name>.pack and .idx in dir/pack and returns
// the pack's path and each entry's name and offset.
func writeTestPack(t testing.TB, dir, name string, entries []testEntry) (string, []plumbing.Hash, []int64) {
	t.Helper()
	packDir := filepath.Join(dir, "pack")
	if err := os.MkdirAll(packDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(packDir, "pack-"+name+".pack")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var head [12]byte
	copy(head[:], "PACK")
	binary.BigEndian.PutUint32(head[4:], 2)
	binary.BigEndian.PutUint32(head[8:], uint32(len(entries)))
	f.Write(head[:])
	at := int64(12)
	ids, offs, crcs := make([]plumbing.Hash, len(entries)), make([]int64, len(entries)), make([]uint32, len(entries))
	for i, e := range entries {
		at += e.gap
		offs[i] = at
		b := entryBytes(e, at, offs)
		if _, err := f.WriteAt(b, at); err != nil {
			t.Fatal(err)
		}
		at += int64(len(b))
		crcs[i] = crc32.ChecksumIEEE(b)
		ids[i] = e.id
		if ids[i].IsZero() {
			ids[i] = objectID(e.typ, e.data)
		}
	}
	sum := sha1.New() // not the real checksum of a sparse pack; nothing here checks it
	sum.Write(head[:])
	if _, err := f.WriteAt(sum.Sum(nil), at); err != nil {
		t.Fatal(err)
	}
	writeTestIndex(t, filepath.Join(packDir, "pack-"+name+".idx"), ids, offs, crcs, sum.Sum(nil))
	return path, ids, offs
}

// entryBytes returns entry e's header and data, for offset at.
func entryBytes(e testEntry, at int64, offs []int64) []byte {
	if e.rawHeader {
		return e.raw
	}
	data := e.raw
	if data == nil {
		data = deflate(e.data)
	}
	size := e.size
	if size == 0 {
		size = int64(len(e.data))
	}
	c := byte(e.typ)<<4 | byte(size&15)
	size >>= 4
	var b []byte
	for size > 0 {
		b = append(b, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	b = append(b, c)
	switch e.typ {
	case typeOFSDelta:
		rel := at - offs[e.base]
		if e.rel != 0 {
			rel = e.rel
		}
		enc := []byte{byte(rel & 0x7f)}
		for rel >>= 7; rel > 0; rel >>= 7 {
			rel--
			enc = append([]byte{byte(rel&0x7f) | 0x80}, enc...)
		}
		b = append(b, enc...)
	case typeREFDelta:
		b = append(b, e.baseRef[:]...)
	}
	return append(b, data...)
}

// writeTestIndex writes a version-2 index of the given objects.
func writeTestIndex(t testing.TB, path string, ids []plumbing.Hash, offs []int64, crcs []uint32, packSum []byte) {
	t.Helper()
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(ids[a][:], ids[b][:]) })
	var buf bytes.Buffer
	buf.WriteString("\xfftOc")
	binary.Write(&buf, binary.BigEndian, uint32(2))
	var fanout [256]uint32
	for _, id := range ids {
		for b := int(id[0]); b < 256; b++ {
			fanout[b]++
		}
	}
	binary.Write(&buf, binary.BigEndian, fanout)
	for _, i := range order {
		buf.Write(ids[i][:])
	}
	for _, i := range order {
		binary.Write(&buf, binary.BigEndian, crcs[i])
	}
	var large []uint64
	for _, i := range order {
		if offs[i] < 1<<31 {
			binary.Write(&buf, binary.BigEndian, uint32(offs[i]))
			continue
		}
		binary.Write(&buf, binary.BigEndian, uint32(len(large))|0x80000000)
		large = append(large, uint64(offs[i]))
	}
	binary.Write(&buf, binary.BigEndian, large)
	buf.Write(packSum)
	s := sha1.Sum(buf.Bytes())
	buf.Write(s[:])
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// makeDelta returns a delta that builds target from base: a copy of the
// longest common prefix, then the rest inserted.
func makeDelta(base, target []byte) []byte {
	d := appendSize(appendSize(nil, int64(len(base))), int64(len(target)))
	n := 0
	for n < len(base) && n < len(target) && n < 0xffff && base[n] == target[n] {
		n++
	}
	if n > 0 {
		d = append(d, 0x80|0x10|0x20, byte(n), byte(n>>8))
	}
	for rest := target[n:]; len(rest) > 0; {
		k := min(len(rest), 127)
		d = append(d, byte(k))
		d = append(d, rest[:k]...)
		rest = rest[k:]
	}
	return d
}

func appendSize(b []byte, n int64) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}
