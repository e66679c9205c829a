package rules

import (
	"bytes"
	"path"
	"strings"
)

// clientPrefixes are the variable-name prefixes that front-end bundlers
// inline into client code: Next.js, Vite, Create React App, Expo, Nuxt,
// SvelteKit and Astro, Gatsby.
var clientPrefixes = [...]string{"NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_", "NUXT_PUBLIC_", "PUBLIC_", "GATSBY_"}

// ExposedVariable returns the variable a key is assigned to, when its name
// starts with a prefix that bundlers expose to client code; before is the
// text of the key's line up to the key. It understands the assignments of
// .env files, shell, YAML and Dockerfiles:
//
//	NEXT_PUBLIC_CLARO_KEY=…          export VITE_CLARO_KEY="…"
//	REACT_APP_KEY: '…'               - EXPO_PUBLIC_KEY=…
//	ENV GATSBY_KEY …                 ARG NUXT_PUBLIC_KEY=…
func ExposedVariable(before []byte) (string, bool) {
	b := bytes.TrimRight(before, " \t\"'`")
	switch {
	case len(b) > 0 && (b[len(b)-1] == '=' || b[len(b)-1] == ':'):
		b = bytes.TrimRight(b[:len(b)-1], " \t\"'`")
	case bytes.HasPrefix(bytes.TrimLeft(b, " \t"), []byte("ENV ")):
		// Dockerfile's old form: ENV NAME value
	default:
		return "", false
	}
	i := len(b)
	for i > 0 && isWord(b[i-1]) {
		i--
	}
	name := string(b[i:])
	for _, p := range clientPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return name, true
		}
	}
	return "", false
}

// IsAssignmentFile reports whether the slash-separated path p is a file
// whose variable assignments ExposedVariable reads: .env files, shell
// scripts, YAML and Dockerfiles.
func IsAssignmentFile(p string) bool {
	base := path.Base(p)
	lower := strings.ToLower(base)
	switch path.Ext(lower) {
	case ".env", ".sh", ".bash", ".zsh", ".ksh", ".yml", ".yaml", ".dockerfile":
		return true
	}
	return IsEnvFile(p) || lower == ".envrc" || lower == "dockerfile" || lower == "containerfile" ||
		strings.HasPrefix(lower, "dockerfile.") || strings.HasPrefix(lower, "containerfile.")
}

// bundleDirs are the directories front-end builds write what browsers
// download.
var bundleDirs = [...]string{"dist", "build", ".next", "public", ".output", ".nuxt", ".svelte-kit"}

// IsClientBundle reports whether the slash-separated path p is part of a
// built front-end artefact: under dist/, build/, .next/, public/ (and the
// output directories of Nuxt and SvelteKit), a minified script, or a
// source map. A key there ships to every browser that loads the page.
func IsClientBundle(p string) bool {
	base := path.Base(p)
	if strings.HasSuffix(base, ".min.js") || strings.HasSuffix(base, ".min.mjs") || strings.HasSuffix(base, ".js.map") ||
		strings.HasSuffix(base, ".css.map") || strings.HasSuffix(base, ".mjs.map") {
		return true
	}
	for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
		for _, b := range bundleDirs {
			if path.Base(dir) == b {
				return true
			}
		}
	}
	return false
}

// environments maps the words paths use for deployment environments to
// one name each.
var environments = map[string]string{
	"production": "production", "prod": "production", "prd": "production",
	"staging": "staging", "stage": "staging", "stg": "staging", "preprod": "staging",
	"development": "development", "develop": "development", "dev": "development", "local": "development",
	"test": "test", "testing": "test",
	"qa": "qa", "uat": "uat", "preview": "preview", "sandbox": "sandbox",
}

// configExts are the files that configure an environment.
var configExts = [...]string{".yaml", ".yml", ".json", ".toml", ".ini", ".properties", ".conf", ".cfg", ".tfvars", ".env", ".hcl"}

// Environment returns the deployment environment a configuration file
// belongs to, from the words of its name and then of its directories,
// nearest first: .env.production, config/prod.yaml and
// deploy/staging/values.yaml give production, production and staging.
// Files that do not configure an environment (source code, docs) and
// names without such a word give "".
func Environment(p string) string {
	base := strings.ToLower(path.Base(p))
	isConfig := IsEnvFile(p)
	for _, e := range configExts {
		isConfig = isConfig || strings.HasSuffix(base, e)
	}
	if !isConfig {
		return ""
	}
	for dir := p; dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		for _, w := range strings.FieldsFunc(strings.ToLower(path.Base(dir)), func(r rune) bool {
			return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
		}) {
			if env, ok := environments[w]; ok {
				return env
			}
		}
	}
	return ""
}
