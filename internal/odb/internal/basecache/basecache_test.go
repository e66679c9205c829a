package basecache

import (
	"bytes"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestBaseCache: what is put is got back, by pack and offset; the bytes
// kept stay within the limit however many objects go in; an object
// larger than an eighth of it is not kept; and an object read again and
// again survives a flood of others (second chance).
func TestBaseCache(t *testing.T) {
	t.Parallel()
	c := New[*int](64 << 10)
	var p, q int
	obj := func(off int64, n int) []byte { return bytes.Repeat([]byte{byte(off)}, n) }
	c.Put(&p, 100, plumbing.BlobObject, obj(100, 10))
	if typ, data, ok := c.Get(&p, 100); !ok || typ != plumbing.BlobObject || !bytes.Equal(data, obj(100, 10)) {
		t.Fatalf("get after put: %v %q %v", typ, data, ok)
	}
	if _, _, ok := c.Get(&q, 100); ok {
		t.Error("another pack's object at the same offset was found")
	}
	if _, _, ok := c.Get(&p, 101); ok {
		t.Error("an object never put was found")
	}
	c.Put(&p, 200, plumbing.TreeObject, obj(200, 9<<10))
	if _, _, ok := c.Get(&p, 200); ok {
		t.Error("an object larger than an eighth of the limit was kept")
	}
	// An object in use is read every 50 puts; the clock must spare it.
	// Another object whose offset takes its slot replaces it: then it
	// is put again.
	hot := int64(7)
	c.Put(&p, hot, plumbing.TreeObject, obj(hot, 1000))
	collided := false
	for off := int64(1000); off < 50000; off++ {
		c.Put(&p, off, plumbing.BlobObject, obj(off, 500))
		collided = collided || slotOf(off, c.bits) == slotOf(hot, c.bits)
		if c.size > c.limit {
			t.Fatalf("after %d puts: %d bytes kept, limit %d", off, c.size, c.limit)
		}
		if off%50 == 0 {
			if _, _, ok := c.Get(&p, hot); !ok {
				if !collided {
					t.Fatalf("the object in use was evicted after %d puts", off-1000)
				}
				c.Put(&p, hot, plumbing.TreeObject, obj(hot, 1000))
			}
			collided = false
		}
	}
	n, full := 0, 0
	for _, s := range c.slots {
		n += len(s.data)
		if s.data != nil {
			full++
		}
	}
	if n != c.size || full != c.full {
		t.Errorf("size %d and %d slots full, slots hold %d bytes in %d", c.size, c.full, n, full)
	}
	// The table grows with what it holds: a few hundred objects here, and
	// as many slots as it may have for a limit that holds them all.
	if c.bits > minSlotBits+2 {
		t.Errorf("the table has 1<<%d slots for %d objects", c.bits, c.full)
	}
	big := New[*int](64 << 20)
	for off := range int64(50000) {
		big.Put(&p, off, plumbing.BlobObject, obj(off, 16))
	}
	if big.bits != maxSlotBits || big.full < 1<<(maxSlotBits-1) {
		t.Errorf("after 50000 small objects: 1<<%d slots, %d full; want 1<<%d, at least half full", big.bits, big.full, maxSlotBits)
	}
}
