// Command breaking fails when openapi/dli.yaml breaks the last released
// contract: it lists every error-level change oasdiff finds (a removed
// operation or field, a field newly required, a type narrowed, a status
// removed ...) with its location, and passes an unchanged or compatible
// document. It lives in a module of its own so that the main module's
// users never inherit oasdiff's dependencies.
//
//	go run . BASE REVISION
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: breaking BASE REVISION (e.g. openapi/released/dli.yaml openapi/dli.yaml)")
		return 2
	}
	base, rev := args[0], args[1]
	errs, warns, err := compare(base, rev)
	if err != nil {
		fmt.Fprintln(stderr, "breaking:", err)
		return 2
	}
	l := checker.NewDefaultLocalizer()
	for _, w := range warns {
		fmt.Fprintln(stdout, "  warning:", line(w, l))
	}
	if len(errs) == 0 {
		fmt.Fprintf(stdout, "breaking: %s keeps the contract of %s (%d warnings)\n", rev, base, len(warns))
		return 0
	}
	fmt.Fprintf(stdout, "breaking: %s breaks the released contract %s in %d places:\n", rev, base, len(errs))
	for _, e := range errs {
		fmt.Fprintln(stdout, "  error:", line(e, l))
	}
	fmt.Fprintln(stdout, "breaking: if the break is deliberate, copy the document over the baseline and add a CHANGELOG.md entry in the same commit (see docs/spec.md, \"Breaking changes\").")
	return 1
}

// compare returns the error-level and warning-level changes from base to
// rev.
func compare(base, rev string) (errs, warns []checker.Change, err error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	// Origins give each change its line in the file.
	loader.IncludeOrigin = true
	s1, err := load.NewSpecInfo(loader, load.NewSource(base))
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", base, err)
	}
	s2, err := load.NewSpecInfo(loader, load.NewSource(rev))
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", rev, err)
	}
	d, sources, err := diff.GetPathsDiff(diff.NewConfig(), []*load.SpecInfo{s1}, []*load.SpecInfo{s2})
	if err != nil {
		return nil, nil, fmt.Errorf("diff %s and %s: %w", base, rev, err)
	}
	for _, c := range checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.WARN) {
		switch c.GetLevel() {
		case checker.ERR:
			errs = append(errs, c)
		case checker.WARN:
			warns = append(warns, c)
		}
	}
	return errs, warns, nil
}

// line says what changed, where in the API and where in the file.
func line(c checker.Change, l checker.Localizer) string {
	where := strings.TrimSpace(c.GetOperation() + " " + c.GetPath())
	if where == "" {
		where = c.GetSection()
	}
	loc := c.GetSource()
	if rs := c.GetRevisionSource(); rs != nil && rs.File != "" {
		loc = fileLine(rs.File, rs.Line)
	} else if bs := c.GetBaseSource(); bs != nil && bs.File != "" {
		loc = fileLine(bs.File, bs.Line) + ", in the baseline"
	}
	return fmt.Sprintf("%s: %s [%s] (%s)", where, c.GetUncolorizedText(l), c.GetId(), loc)
}

func fileLine(file string, line int) string {
	if line <= 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}
