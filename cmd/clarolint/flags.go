package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// command is one subcommand's flags and the help text that documents each
// flag with an example.
type command struct {
	fs       *flag.FlagSet
	synopsis string // "clarolint scan [flags] [PATH...]"
	about    string // what the command does, a paragraph
	examples []string
	docs     []flagDoc
}

type flagDoc struct {
	name, arg, help, example string
}

func newCommand(name, synopsis, about string, examples ...string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by parse's caller
	return &command{fs: fs, synopsis: synopsis, about: about, examples: examples}
}

func (c *command) boolFlag(p *bool, name, help, example string) {
	c.fs.BoolVar(p, name, false, help)
	c.docs = append(c.docs, flagDoc{name: name, help: help, example: example})
}

func (c *command) stringFlag(p *string, name, arg, value, help, example string) {
	c.fs.StringVar(p, name, value, help)
	if value != "" {
		help += fmt.Sprintf(" (default %s)", value)
	}
	c.docs = append(c.docs, flagDoc{name: name, arg: arg, help: help, example: example})
}

func (c *command) intFlag(p *int, name, arg string, value int, help, example string) {
	c.fs.IntVar(p, name, value, help)
	help += fmt.Sprintf(" (default %d)", value)
	c.docs = append(c.docs, flagDoc{name: name, arg: arg, help: help, example: example})
}

func (c *command) durationFlag(p *time.Duration, name, arg string, value time.Duration, help, example string) {
	c.fs.DurationVar(p, name, value, help)
	help += fmt.Sprintf(" (default %v)", value)
	c.docs = append(c.docs, flagDoc{name: name, arg: arg, help: help, example: example})
}

func (c *command) varFlag(v flag.Value, name, arg, help, example string) {
	c.fs.Var(v, name, help)
	c.docs = append(c.docs, flagDoc{name: name, arg: arg, help: help, example: example})
}

// parse parses args, which may mix flags and positional arguments in any
// order (clarolint scan . --format json); "--" ends the flags. It returns
// the positional arguments. -h and --help give flag.ErrHelp.
func (c *command) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			return nil, err
		}
		rest := c.fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// isSet reports whether the flag name was given.
func (c *command) isSet(name string) bool {
	set := false
	c.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// usage writes the command's help: synopsis, description, every flag with
// an example, and whole-command examples.
func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", c.synopsis, c.about)
	for _, d := range c.docs {
		head := "--" + d.name
		if d.arg != "" {
			head += " " + d.arg
		}
		fmt.Fprintf(w, "  %s\n      %s\n", head, d.help)
		if d.example != "" {
			fmt.Fprintf(w, "      e.g. %s\n", d.example)
		}
	}
	if len(c.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, ex := range c.examples {
			fmt.Fprintf(w, "  %s\n", ex)
		}
	}
	fmt.Fprintf(w, "\nExit status: 0 no failing findings, 1 failing findings, 2 usage, config or fatal error.\n")
}

// parseOrExit parses args; on --help it prints the help to stdout, on a bad
// flag the error and a hint to stderr. ok is false when the command must
// end with code.
func (c *command) parseOrExit(e env, args []string) (pos []string, code int, ok bool) {
	pos, err := c.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		c.usage(e.stdout)
		return nil, exitClean, false
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "clarolint %s: %v\nrun \"%s --help\" for the flags\n", c.fs.Name(), err, strings.Join(strings.Fields(c.synopsis)[:2], " "))
		return nil, exitError, false
	}
	return pos, 0, true
}

// parseRepoOrExit is parseOrExit for the git commands, which take one
// optional REPO argument: "." when none is given.
func (c *command) parseRepoOrExit(e env, args []string) (repo string, code int, ok bool) {
	pos, code, ok := c.parseOrExit(e, args)
	switch {
	case !ok:
		return "", code, false
	case len(pos) > 1:
		return "", fail(e, c.fs.Name(), errors.New("give at most one repository")), false
	case len(pos) == 1:
		return pos[0], 0, true
	}
	return ".", 0, true
}
