package gitrepo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	gitconfig "github.com/go-git/go-git/v5/plumbing/format/config"
)

// Config returns the value of core.<key> (key in lower case) that git
// would use for the repository: its own config, else the user's
// ~/.gitconfig or $XDG_CONFIG_HOME/git/config, else /etc/gitconfig. A
// leading ~/ is expanded. Unreadable or malformed files are passed over,
// as git would refuse them anyway.
func (r *Repo) Config(key string) string {
	home, _ := os.UserHomeDir()
	configs := []string{filepath.Join(r.CommonDir, "config")}
	if home != "" {
		configs = append(configs, filepath.Join(home, ".gitconfig"))
	}
	if xdg := xdgConfigHome(); xdg != "" {
		configs = append(configs, filepath.Join(xdg, "git", "config"))
	}
	configs = append(configs, "/etc/gitconfig")
	for _, c := range configs {
		b, err := os.ReadFile(c)
		if err != nil {
			continue
		}
		cfg := gitconfig.New()
		if gitconfig.NewDecoder(bytes.NewReader(b)).Decode(cfg) != nil {
			continue
		}
		if v := cfg.Section("core").Options.Get(key); v != "" {
			if rest, ok := strings.CutPrefix(v, "~/"); ok && home != "" {
				v = filepath.Join(home, rest)
			}
			return v
		}
	}
	return ""
}

// ExcludesFile returns git's core.excludesFile for the repository, else
// the default $XDG_CONFIG_HOME/git/ignore; "" when there is none.
func (r *Repo) ExcludesFile() string {
	if f := r.Config("excludesfile"); f != "" {
		return f
	}
	if xdg := xdgConfigHome(); xdg != "" {
		return filepath.Join(xdg, "git", "ignore")
	}
	return ""
}

// xdgConfigHome returns $XDG_CONFIG_HOME, or ~/.config.
func xdgConfigHome() string {
	if xdg := os.Getenv("XDG_CONFIG_HOME"); xdg != "" {
		return xdg
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config")
	}
	return ""
}
