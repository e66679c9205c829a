package odb

import (
	"bytes"
	stdzlib "compress/zlib"
	"context"
	"flag"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

var repoFlag = flag.String("repo", "", "a bare repository for BenchmarkWalk (e.g. one scripts/bench-history.sh builds)")

// benchText is source-like text, as compressible as the blobs of a
// history.
func benchText(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"func", "return", "err", "nil", "if", "for", "range", "the", "key", "value", ":=", "{", "}", "\n\t", "\n"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.Bytes()[:n]
}

// BenchmarkInflate compares klauspost/compress's zlib (the inflater's)
// with the standard library's on a 32 KiB blob, reusing the reader as the
// walk does.
func BenchmarkInflate(b *testing.B) {
	src := benchText(32 << 10)
	z := deflate(src)
	dst := make([]byte, len(src))
	b.Run("klauspost", func(b *testing.B) {
		var in inflater
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if err := in.inflate(dst, z); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		var r io.ReadCloser
		br := bytes.NewReader(z)
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			br.Reset(z)
			var err error
			if r == nil {
				r, err = stdzlib.NewReader(br)
			} else {
				err = r.(stdzlib.Resetter).Reset(br, nil)
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(r, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkApplyDelta applies a delta that copies most of a 32 KiB base
// and inserts a few lines, as the versions of a file in a pack are.
func BenchmarkApplyDelta(b *testing.B) {
	base := benchText(32 << 10)
	target := append(bytes.Clone(base[:20000]), "an inserted line\n"...)
	target = append(target, base[20000:]...)
	d := appendSize(appendSize(nil, int64(len(base))), int64(len(target)))
	d = append(d, 0x80|0x01|0x02|0x10|0x20, byte(20000&0xff), byte(20000>>8), byte(20000&0xff), byte(20000>>8))
	d = append(d, 17)
	d = append(d, "an inserted line\n"...)
	rest := len(base) - 20000
	d = append(d, 0x80|0x01|0x02|0x10|0x20, byte(20000&0xff), byte(20000>>8), byte(rest&0xff), byte(rest>>8))
	dst := make([]byte, 0, len(target))
	got, err := applyDelta(dst, base, d, 1<<30)
	if err != nil || !bytes.Equal(got, target) {
		b.Fatalf("delta: %v", err)
	}
	b.SetBytes(int64(len(target)))
	b.ReportAllocs()
	for b.Loop() {
		applyDelta(dst, base, d, 1<<30)
	}
}

// BenchmarkWalk walks the blobs of -repo on every core: inflating and
// building them, not searching them.
func BenchmarkWalk(b *testing.B) {
	if *repoFlag == "" {
		b.Skip("no -repo")
	}
	s, err := Open(filepath.Join(*repoFlag, "objects"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		var n [64]int64
		err := s.Walk(context.Background(), WalkOptions{Types: []plumbing.ObjectType{plumbing.BlobObject}}, func(w int, o Object) error {
			n[w] += int64(len(o.Data))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		var total int64
		for _, x := range n {
			total += x
		}
		b.SetBytes(total)
	}
}
