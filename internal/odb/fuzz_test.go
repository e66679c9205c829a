package odb

import (
	"bytes"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// FuzzApplyDelta checks that applyDelta never panics or reads out of
// bounds, and that what it returns is what the delta's instructions say,
// by a slow, obvious applier.
func FuzzApplyDelta(f *testing.F) {
	base := []byte("the quick brown fox jumps over the lazy dog\n")
	f.Add(base, makeDelta(base, append(bytes.Clone(base), "and runs\n"...)))
	f.Add(base, []byte{44, 10, 0x91, 4, 5})
	f.Add(base, []byte{44, 3, 0})
	f.Add([]byte{}, []byte{0, 0})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		got, err := applyDelta(nil, base, delta, 1<<20)
		want, wantErr := slowDelta(base, delta, 1<<20)
		if (err != nil) != wantErr {
			t.Fatalf("applyDelta error %v, slow applier fails: %v", err, wantErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("applyDelta gave %d bytes, the slow applier %d", len(got), len(want))
		}
	})
}

// slowDelta applies a delta the obvious way, for FuzzApplyDelta.
func slowDelta(base, d []byte, limit int64) ([]byte, bool) {
	next := func() (int, bool) {
		if len(d) == 0 {
			return 0, false
		}
		c := d[0]
		d = d[1:]
		return int(c), true
	}
	size := func() (int64, bool) {
		var n int64
		for shift := 0; shift < 63; shift += 7 {
			c, ok := next()
			if !ok {
				return 0, false
			}
			n |= int64(c&0x7f) << shift
			if c&0x80 == 0 {
				return n, true
			}
		}
		return 0, false
	}
	bs, ok1 := size()
	rs, ok2 := size()
	if !ok1 || !ok2 || bs != int64(len(base)) || rs > limit || rs > int64(len(d))<<16 {
		return nil, true
	}
	var out []byte
	for len(d) > 0 {
		op, _ := next()
		switch {
		case op&0x80 != 0:
			var off, n int
			for i := range 7 {
				if op&(1<<i) == 0 {
					continue
				}
				c, ok := next()
				if !ok {
					return nil, true
				}
				if i < 4 {
					off |= c << (8 * i)
				} else {
					n |= c << (8 * (i - 4))
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > len(base) {
				return nil, true
			}
			out = append(out, base[off:off+n]...)
		case op != 0:
			if op > len(d) {
				return nil, true
			}
			out = append(out, d[:op]...)
			d = d[op:]
		default:
			return nil, true
		}
		if int64(len(out)) > rs {
			return nil, true
		}
	}
	if int64(len(out)) != rs {
		return nil, true
	}
	return out, false
}

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
