//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

// TestUnreadableAsNobody runs the real binary as an unprivileged user, so
// that file permissions apply even when the tests run as root: the
// unreadable file is a warning, the scan goes on, and the exit status
// reflects the other findings, except that --strict makes the incomplete
// scan an error.
func TestUnreadableAsNobody(t *testing.T) {
	t.Parallel()
	bin := selfCommand(t)
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} { // t.TempDir makes them 0700
		os.Chmod(d, 0o755)
	}
	os.WriteFile(filepath.Join(dir, "readable.txt"), []byte(rulestest.Key(rules.Live, 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "locked.txt"), []byte(rulestest.Key(rules.Live, 2)), 0)
	os.Mkdir(filepath.Join(dir, "lockeddir"), 0)

	cmd := exec.Command(bin, "scan", "--format", "json", "--strict", dir)
	cmd.Env = append(os.Environ(), asCommand)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var rep struct {
		Findings []struct{ Path string } `json:"findings"`
		Stats    struct {
			SkippedUnreadable int `json:"skipped_unreadable"`
			NotScanned        int `json:"not_scanned"`
		} `json:"stats"`
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &rep); jerr != nil {
		t.Fatalf("%v: %v\n%s", err, jerr, stderr.String())
	}
	// --strict: what could not be read makes the scan incomplete, exit 2.
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitError {
		t.Errorf("exit: %v, want %d", err, exitError)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Path != "readable.txt" || rep.Stats.SkippedUnreadable != 2 || rep.Stats.NotScanned != 2 {
		t.Errorf("findings %+v", rep)
	}
	for _, w := range []string{"locked.txt: permission denied", "lockeddir: permission denied", "incomplete: 2 not scanned"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
		}
	}
}
