package odb

import (
	"errors"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb/delta"
)

// readPacked returns the type and content of the object at off in p.
// It follows the chain of deltas down to a whole object, or to one in the
// cache, then applies the deltas from the bottom up, caching each result.
// depth counts the REF deltas already followed above this object. The
// result may be shared with the cache: it must not be modified.
func (s *Store) readPacked(p *pack, off int64, depth int) (plumbing.ObjectType, []byte, error) {
	type link struct {
		off  int64
		data []byte // the delta
	}
	var chain []link
	var typ plumbing.ObjectType
	var obj []byte
	for cur := off; ; {
		if depth+len(chain) > maxDeltaChain {
			return 0, nil, errors.New("delta chain too long")
		}
		var cached bool
		if typ, obj, cached = s.cache.Get(&p.packFile, cur); cached {
			break
		}
		er, e, err := p.open(cur)
		if err != nil {
			return 0, nil, atOffset(off, cur, err)
		}
		b, err := er.readAll(e.size, nil)
		er.Close()
		if err != nil {
			return 0, nil, atOffset(off, cur, err)
		}
		if e.typ == typeOFSDelta {
			chain = append(chain, link{cur, b})
			cur = e.baseOff
			continue
		}
		if e.typ == typeREFDelta {
			chain = append(chain, link{cur, b})
			if typ, obj, err = s.readBase(e.baseRef, depth+len(chain)); err != nil {
				return 0, nil, atOffset(off, cur, fmt.Errorf("delta base %s: %w", e.baseRef, err))
			}
			break
		}
		typ, obj = e.typ, b
		s.cache.Put(&p.packFile, cur, typ, obj)
		break
	}
	for i := len(chain) - 1; i >= 0; i-- {
		var err error
		if obj, err = delta.Apply(nil, obj, chain[i].data, maxObjectSize); err != nil {
			return 0, nil, atOffset(off, chain[i].off, err)
		}
		s.cache.Put(&p.packFile, chain[i].off, typ, obj)
	}
	return typ, obj, nil
}

// atOffset says where in a chain of deltas an error happened, when not
// at the object read.
func atOffset(off, at int64, err error) error {
	if at == off {
		return err
	}
	return fmt.Errorf("delta base at %d: %w", at, err)
}

// readBase returns the type and content of the base of a REF delta, at
// depth in its chain: in any pack of the store, or loose.
func (s *Store) readBase(id plumbing.Hash, depth int) (plumbing.ObjectType, []byte, error) {
	p, off, ok, err := s.find(id)
	if err != nil {
		return 0, nil, err
	}
	if ok {
		return s.readPacked(p, off, depth)
	}
	for _, d := range s.dirs {
		o, err := openLoose(loosePath(d, id))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		b, err := o.readAll(nil)
		o.Close()
		return o.typ, b, err
	}
	return 0, nil, s.notFound()
}
