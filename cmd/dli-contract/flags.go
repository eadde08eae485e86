package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/semantics"
)

// setting is a flag and the environment variable it overrides.
type setting struct{ flag, env, usage string }

// fixedSettings are the flags of the target; settings adds one per input
// the document declares.
var fixedSettings = []setting{
	{"endpoint", gate.EnvEndpoint, "`URL` of the server to check, e.g. https://dli.cn-north-4.myhuaweicloud.com or http://127.0.0.1:8080; the in-process mock when empty"},
	{"project", gate.EnvProjectID, "project `ID` (required with -endpoint, but for a dli-mock)"},
	{"ak", gate.EnvAK, "access key (with -sk)"},
	{"sk", gate.EnvSK, "secret key (with -ak); better from the environment"},
	{"security-token", gate.EnvSecurityToken, "security token of temporary AK/SK credentials"},
	{"token", gate.EnvToken, "IAM token, instead of -ak and -sk"},
}

// secretFlags never reach a report's options, a log or the usage text.
var secretFlags = []string{"ak", "sk", "security-token", "token"}

// settings are the fixed settings and one per declared input
// (x-dli-cloud-inputs): what a mutating run against live DLI creates with.
func settings() ([]setting, error) {
	inputs, err := gate.DeclaredInputs()
	if err != nil {
		return nil, err
	}
	out := slices.Clone(fixedSettings)
	for _, in := range inputs {
		out = append(out, setting{in.Name, in.Env(), inputUsage(in)})
	}
	return out, nil
}

// inputUsage is the help of an input's flag, and its line in docs/gate.md.
func inputUsage(in *semantics.Input) string {
	switch in.Need {
	case semantics.NeedRequired:
		return "with -mutate: " + in.Usage
	case semantics.NeedOptional:
		return "with -mutate, optional: " + in.Usage + "; sent only when given"
	}
	u := "with -mutate, optional, with the other inputs of its create or none (its life cycle is skipped without): " + in.Usage
	if in.Default != "" {
		u += " (default " + in.Default + ")"
	}
	return u
}

// flagGroup is a heading of -h and the flags under it.
type flagGroup struct {
	title string
	flags []string
}

// groups orders -h; the declared inputs fill the group whose flags are
// nil. Every flag is in exactly one group, which a test holds.
var groups = []flagGroup{
	{"The server and its credentials", []string{"config", "endpoint", "project", "ak", "sk", "security-token", "token", "mock"}},
	{"What to check", []string{"mutate", "checks", "exclude-checks", "include-operation", "exclude-operation", "require-keyword-coverage",
		"seed", "max-examples", "max-steps", "max-shrinks"}},
	{"What -mutate creates with against live DLI (a dli-mock, with -mock, takes any)", nil},
	{"Bounds", []string{"profile", "max-requests", "timeout", "request-timeout", "rate-limit", "throttle-retries", "max-body", "max-failures", "poll", "settle"}},
	{"Reports", []string{"v", "json", "junit", "html", "har", "replay", "case", "version"}},
}

// usage prints -h: what the command does, then the flags by group.
func usage(fs *flag.FlagSet, inputs []setting) func() {
	return func() {
		w := fs.Output()
		fmt.Fprint(w, `Usage: dli-contract [flags]

Holds a DLI-compatible server to openapi/dli.yaml: the in-process mock by
default, or -endpoint. Exit status: 0 the server conforms, 1 a contract
violation, 2 a run that could not be carried out (a usage or
configuration error, a server that cannot be reached, a run cut short).
Flags win over -config, which wins over the environment.
`)
		for _, g := range groups {
			names := g.flags
			if names == nil {
				for _, in := range inputs {
					names = append(names, in.flag)
				}
			}
			fmt.Fprintf(w, "\n%s:\n", g.title)
			for _, name := range names {
				printFlag(w, fs.Lookup(name))
			}
		}
	}
}

// printFlag prints one flag on a line: its name and the kind of value it
// takes, then its help, with a default only where it says something.
func printFlag(w io.Writer, f *flag.Flag) {
	name, help := flag.UnquoteUsage(f)
	left := "-" + f.Name
	if name != "" {
		left += " " + name
	}
	help = strings.ReplaceAll(help, "\n", "\n"+strings.Repeat(" ", 2+flagColumn+1))
	if def := f.DefValue; def != "" && def != "0" && def != "false" && def != "-1" && def != "0s" {
		help += fmt.Sprintf(" (default %s)", def)
	}
	fmt.Fprintf(w, "  %-*s %s\n", flagColumn, left, help)
}

// flagColumn is the width of -h's column of flags.
const flagColumn = 26

// bound is a numeric flag and whether its value is one the run can take.
type bound struct {
	flag string
	ok   bool
	want string
}

// checkBounds names the first flag whose value the run cannot take, and
// only that one.
func checkBounds(fs *flag.FlagSet, bounds []bound) error {
	for _, b := range bounds {
		if !b.ok {
			return fmt.Errorf("-%s %s: must be %s", b.flag, fs.Lookup(b.flag).Value, b.want)
		}
	}
	return nil
}

func positive(d time.Duration) bool { return d > 0 }

// flagNames rewrites the environment variable names of a configuration
// error into the flags that set them, so that the message names the fix.
func flagNames(all []setting, msg string) string {
	pairs := make([]string, 0, 2*len(all)+4)
	sorted := slices.Clone(all)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i].env) > len(sorted[j].env) })
	for _, f := range sorted {
		pairs = append(pairs, f.env, "-"+f.flag)
	}
	pairs = append(pairs, gate.EnvMutate+"=1", "-mutate", gate.EnvMock+"=1", "-mock")
	return strings.NewReplacer(pairs...).Replace(msg)
}

// visited reports whether a flag was given on the command line.
func visited(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}
