package odb

import (
	"bytes"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// FuzzPackEntry reads arbitrary bytes as a pack entry, through the
// store's random access and through a walk: neither may panic, and what
// they deliver must agree.
func FuzzPackEntry(f *testing.F) {
	base := bytes.Repeat([]byte("fuzz base\n"), 8)
	f.Add(entryBytes(testEntry{typ: plumbing.BlobObject, data: []byte("hello\n")}, 100, nil))
	f.Add(entryBytes(testEntry{typ: typeOFSDelta, base: 0, data: makeDelta(base, append(bytes.Clone(base), '!'))}, 100, []int64{12}))
	f.Add([]byte{0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0x75, 0x00})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) == 0 {
			return
		}
		dir := t.TempDir()
		id := plumbing.NewHash("ffffffffffffffffffffffffffffffffffffffff")
		// The fuzzed entry follows a whole blob it may use as a base;
		// its header and stream are taken as they are.
		e := testEntry{typ: plumbing.BlobObject, data: base}
		_, ids, _ := writeTestPack(t, dir, "f", []testEntry{e, {raw: raw, typ: plumbing.ObjectType(raw[0] >> 4 & 7), id: id, rawHeader: true}})
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		typ, data, readErr := s.Read(id)
		var walked *Object
		s.Walk(t.Context(), WalkOptions{Workers: 1}, func(_ int, o Object) error {
			if o.ID == id {
				walked = &Object{ID: o.ID, Type: o.Type, Data: bytes.Clone(o.Data)}
			}
			return nil
		})
		if walked != nil && readErr == nil && (walked.Type != typ || !bytes.Equal(walked.Data, data)) {
			t.Fatalf("walk gave %v %d bytes, Read %v %d bytes", walked.Type, len(walked.Data), typ, len(data))
		}
		if _, _, err := s.Read(ids[0]); err != nil {
			t.Fatalf("the intact base: %v", err)
		}
	})
}
