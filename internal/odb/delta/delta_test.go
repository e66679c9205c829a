package delta

import (
	"bytes"
	"testing"

	"github.com/clarolint/clarolint/internal/odb/internal/repotest"
)

// FuzzApplyDelta checks that Apply never panics or reads out of
// bounds, and that what it returns is what the delta's instructions say,
// by a slow, obvious applier.
func FuzzApplyDelta(f *testing.F) {
	base := []byte("the quick brown fox jumps over the lazy dog\n")
	f.Add(base, append([]byte{44, 53, 0x90, 44, 9}, "and runs\n"...))
	f.Add(base, []byte{44, 10, 0x91, 4, 5})
	f.Add(base, []byte{44, 3, 0})
	f.Add([]byte{}, []byte{0, 0})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		got, err := Apply(nil, base, delta, 1<<20)
		want, wantErr := slowDelta(base, delta, 1<<20)
		if (err != nil) != wantErr {
			t.Fatalf("Apply error %v, slow applier fails: %v", err, wantErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("Apply gave %d bytes, the slow applier %d", len(got), len(want))
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

func appendSize(b []byte, n int64) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// BenchmarkApplyDelta applies a delta that copies most of a 32 KiB base
// and inserts a few lines, as the versions of a file in a pack are.
func BenchmarkApplyDelta(b *testing.B) {
	base := repotest.Text(32 << 10)
	target := append(bytes.Clone(base[:20000]), "an inserted line\n"...)
	target = append(target, base[20000:]...)
	d := appendSize(appendSize(nil, int64(len(base))), int64(len(target)))
	d = append(d, 0x80|0x10|0x20, byte(20000&0xff), byte(20000>>8))
	d = append(d, 17)
	d = append(d, "an inserted line\n"...)
	rest := len(base) - 20000
	d = append(d, 0x80|0x01|0x02|0x10|0x20, byte(20000&0xff), byte(20000>>8), byte(rest&0xff), byte(rest>>8))
	dst := make([]byte, 0, len(target))
	got, err := Apply(dst, base, d, 1<<30)
	if err != nil || !bytes.Equal(got, target) {
		b.Fatalf("delta: %v", err)
	}
	b.SetBytes(int64(len(target)))
	b.ReportAllocs()
	for b.Loop() {
		Apply(dst, base, d, 1<<30)
	}
}
