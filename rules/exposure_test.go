package rules_test

import (
	"testing"

	"github.com/clarolint/clarolint/rules"
)

func TestExposedVariable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		before, name string
	}{
		{"NEXT_PUBLIC_CLARO_KEY=", "NEXT_PUBLIC_CLARO_KEY"},
		{`export VITE_CLARO_KEY="`, "VITE_CLARO_KEY"},
		{"  REACT_APP_KEY: '", "REACT_APP_KEY"},
		{"      - EXPO_PUBLIC_KEY=", "EXPO_PUBLIC_KEY"},
		{"ENV GATSBY_KEY ", "GATSBY_KEY"},
		{"ARG NUXT_PUBLIC_KEY=", "NUXT_PUBLIC_KEY"},
		{`  "PUBLIC_CLARO": "`, "PUBLIC_CLARO"},
		{"docker build --build-arg NEXT_PUBLIC_K=", "NEXT_PUBLIC_K"},
		{"NEXT_PUBLIC_KEY = ", "NEXT_PUBLIC_KEY"},
		// not exposed
		{"CLARO_KEY=", ""},
		{"MY_PUBLIC_KEY=", ""},   // PUBLIC_ must start the name
		{"NEXT_PUBLIC_=", ""},    // a bare prefix names nothing
		{"vite_key=", ""},        // prefixes are case-sensitive, as bundlers read them
		{"NEXT_PUBLIC_KEY ", ""}, // no assignment
		{"# NEXT_PUBLIC_KEY is ", ""},
		{"", ""},
	} {
		name, ok := rules.ExposedVariable([]byte(tt.before))
		if name != tt.name || ok != (tt.name != "") {
			t.Errorf("ExposedVariable(%q) = %q, %v; want %q", tt.before, name, ok, tt.name)
		}
	}
}

func TestIsAssignmentFile(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		".env": true, "web/.env.production": true, "deploy.sh": true, "ci/values.yaml": true, "x.yml": true,
		"Dockerfile": true, "docker/Dockerfile.prod": true, "app.dockerfile": true, "Containerfile": true, "prod.env": true, ".envrc": true,
		"main.go": false, "index.js": false, "README.md": false, "config.json": false,
	} {
		if got := rules.IsAssignmentFile(p); got != want {
			t.Errorf("IsAssignmentFile(%q) = %v", p, got)
		}
	}
}

func TestIsClientBundle(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		"dist/app.js": true, "web/build/static/js/main.js": true, ".next/server/chunks/1.js": true, "public/config.js": true,
		"assets/app.min.js": true, "static/app.js.map": true, "x/.output/public/a.js": true,
		"src/app.js": false, "builder/x.go": false, "distribution.txt": false, "app.js": false,
	} {
		if got := rules.IsClientBundle(p); got != want {
			t.Errorf("IsClientBundle(%q) = %v", p, got)
		}
	}
}

func TestEnvironment(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]string{
		".env.production":              "production",
		".env.development":             "development",
		".env.local":                   "development",
		".env.development.local":       "development",
		".env.test":                    "test",
		"config/prod.yaml":             "production",
		"config/staging.yaml":          "staging",
		"deploy/staging/values.yaml":   "staging",
		"k8s/overlays/prod/secret.yml": "production",
		"settings-qa.json":             "qa",
		".env":                         "",
		"config/app.yaml":              "",
		"src/test/client_test.go":      "", // source code configures no environment
		"docs/production.md":           "",
	} {
		if got := rules.Environment(p); got != want {
			t.Errorf("Environment(%q) = %q, want %q", p, got, want)
		}
	}
}
