package scanner_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/clarolint/clarolint/finding"
	"github.com/clarolint/clarolint/scanner"
)

// exampleKey is a made-up live key: the prefix and 42 base62 characters.
const exampleKey = "sk_live_" + "Xq7Lw2Rt9Vb4Nm6Kp1Zc8Hs3Jd5Fg0AaYeUiOoPlMn" // clarolint:allow

// print prints a finding as path:line:column rule, and the key redacted.
func print(f finding.Finding) error {
	fmt.Printf("%s:%d:%d %s %s\n", f.Path, f.Line, f.Column, f.RuleID, f.Redacted)
	return nil
}

// Scan a directory: every file under it, and the .env checks when it is
// in a git work tree.
func Example_tree() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "config.py"), []byte("import os\nCLARO_KEY = \""+exampleKey+"\"\n"), 0o644)

	s, err := scanner.New(scanner.Options{})
	if err != nil {
		log.Fatal(err)
	}
	st, err := s.Scan(context.Background(), scanner.Tree(dir), print)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.FilesScanned, "files scanned,", st.NotScanned, "not scanned")
	// Output:
	// config.py:2:14 claro-live-key sk_live_…PlMn
	// 1 files scanned, 0 not scanned
}

// Scan one input, such as standard input, with base64 decoding.
func ExampleScanner_ScanReader() {
	s, err := scanner.New(scanner.Options{DecodeDepth: 1})
	if err != nil {
		log.Fatal(err)
	}
	// clarolint:allow
	input := "apiVersion: v1\nkind: Secret\ndata:\n  key: c2tfbGl2ZV9YcTdMdzJSdDlWYjRObTZLcDFaYzhIczNKZDVGZzBBYVllVWlPb1BsTW4=\n"
	_, err = s.ScanReader(context.Background(), "-", strings.NewReader(input), func(f finding.Finding) error {
		fmt.Printf("%s:%d %s, encoded as %s\n", f.Path, f.Line, f.RuleID, f.Encoding)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// -:4 claro-live-key, encoded as base64
}

// Walk a repository's history: each key is reported once, at the commit
// that introduced it, with whether HEAD still holds it.
func Example_history() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	os.WriteFile(filepath.Join(dir, "settings.py"), []byte("KEY = \""+exampleKey+"\"\n"), 0o644)
	git("add", ".")
	git("commit", "-qm", "add settings")
	os.WriteFile(filepath.Join(dir, "settings.py"), []byte("KEY = os.environ[\"CLARO_API_KEY\"]\n"), 0o644)
	git("commit", "-qam", "read the key from the environment")

	repo, err := scanner.OpenRepository(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Close()
	s, err := scanner.New(scanner.Options{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.Scan(context.Background(), scanner.History(repo, scanner.HistoryOptions{}), func(f finding.Finding) error {
		fmt.Printf("%s:%d %s by %s, still in HEAD: %v\n", f.Path, f.Line, f.RuleID, f.Author, *f.InHead)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// settings.py:1 claro-live-key by Dev, still in HEAD: false
}
