package odb_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clarolint/clarolint/internal/odb"
)

// Example walks the blobs of an object directory, as a history scan
// does, with one piece of state per worker and an error callback.
func Example() {
	dir, _ := os.MkdirTemp("", "odb-example")
	defer os.RemoveAll(dir)
	for _, content := range []string{"first file\n", "second file\n"} {
		writeLooseBlob(dir, content)
	}

	s, err := odb.Open(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	const workers = 2
	var sizes [workers]int // per worker: no lock needed
	var mu sync.Mutex
	err = s.Walk(context.Background(), odb.WalkOptions{
		Types:   []plumbing.ObjectType{plumbing.BlobObject},
		Workers: workers,
		OnError: func(err error) { mu.Lock(); fmt.Println("warning:", err); mu.Unlock() },
	}, func(worker int, o odb.Object) error {
		sizes[worker] += len(o.Data) // o.Data is valid only during the call
		return nil
	})
	fmt.Println(sizes[0]+sizes[1], "bytes of blobs", err)
	// Output: 23 bytes of blobs <nil>
}

// writeLooseBlob writes a blob as git stores a loose object.
func writeLooseBlob(dir, content string) {
	raw := fmt.Sprintf("blob %d\x00%s", len(content), content)
	id := plumbing.ComputeHash(plumbing.BlobObject, []byte(content)).String()
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte(raw))
	w.Close()
	os.MkdirAll(filepath.Join(dir, id[:2]), 0o755)
	os.WriteFile(filepath.Join(dir, id[:2], id[2:]), z.Bytes(), 0o444)
}
