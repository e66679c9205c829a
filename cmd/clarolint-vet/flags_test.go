package main

import (
	"errors"
	"flag"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		args    []string
		want    []string // the checker's command line, for a good one
		mistake string   // what the output must say, for a bad one
	}{
		{"packages", []string{"./..."}, []string{"-c=-1", "-test=true", "./..."}, ""},
		{"context and no tests", []string{"-c", "2", "-test=false", "./a", "./b"}, []string{"-c=2", "-test=false", "./a", "./b"}, ""},
		{"tags are the front end's", []string{"-tags", "integration", "./..."}, []string{"-c=-1", "-test=true", "./..."}, ""},
		{"files", []string{"-files", "a.go", "svc/b.go"}, []string{"-c=-1", "-test=true", "a.go", "svc/b.go"}, ""},
		{"no packages", nil, nil, "name the packages to check"},
		{"-files and no files", []string{"-files"}, nil, "-files needs the files to check"},
		{"-json -fix", []string{"-json", "-fix", "./..."}, nil, "-json and -fix cannot be used together"},
		{"-json -files", []string{"-json", "-files", "a.go"}, nil, "-json and -files cannot be used together"},
		{"unknown flag", []string{"-debug=v", "./..."}, nil, "flag provided but not defined: -debug"},
		{"help", []string{"-h"}, nil, "Usage:\n  clarolint-vet [flags] packages"},
	} {
		var out strings.Builder
		o, err := parseArgs(tt.args, &out)
		if tt.mistake == "" {
			if err != nil {
				t.Errorf("%s: parseArgs(%q): %v\n%s", tt.name, tt.args, err, out.String())
			} else if got := o.checkerArgs(o.args); !slices.Equal(got, tt.want) {
				t.Errorf("%s: checker args %q, want %q", tt.name, got, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(out.String(), tt.mistake) {
			t.Errorf("%s: parseArgs(%q) = %v, output:\n%s\nwant an error saying %q", tt.name, tt.args, err, out.String(), tt.mistake)
		}
		// The usage is clarolint-vet's, not the checker's, which named
		// the analyzer.
		if !strings.Contains(out.String(), "clarolint-vet -files [flags] file...") || strings.Contains(out.String(), "clarolint:") {
			t.Errorf("%s: usage is not clarolint-vet's:\n%s", tt.name, out.String())
		}
	}
	var out strings.Builder
	if _, err := parseArgs([]string{"-help"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-help: %v, want flag.ErrHelp (exit 0)", err)
	}
}

// TestTagsEnv checks that -tags reaches go list through GOFLAGS, after the
// GOFLAGS that the go command already uses, from the environment or from
// its env file.
func TestTagsEnv(t *testing.T) {
	t.Parallel()
	o, err := parseArgs([]string{"-tags", "integration e2e", "./..."}, new(strings.Builder))
	if err != nil {
		t.Fatal(err)
	}
	env, err := o.env()
	if err != nil {
		t.Fatal(err)
	}
	have, err := exec.Command("go", "env", "GOFLAGS").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(strings.TrimSpace(string(have)) + " -tags=integration,e2e")
	if !slices.Equal(env, []string{"GOFLAGS=" + want}) {
		t.Errorf("env = %q, want GOFLAGS=%q", env, want)
	}
	o, _ = parseArgs([]string{"./..."}, new(strings.Builder))
	if env, err := o.env(); env != nil || err != nil {
		t.Errorf("without -tags, env = %q, %v; want nothing", env, err)
	}
}
