// Package ledger is the one owner of a run's state: the verdicts and
// their tallies, the violations, the exchanges, the resources the run
// made, what it did not get to and why, and where it is. Every change to
// them goes through its methods, under its one lock. The wire tells it
// what it sees (it is the wire's Listener); the phases tell it what they
// judge; the planner reads the finished report from it.
package ledger

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/keywords"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// Settings are what the ledger is told of the run: which checks and
// operations it judges, when it stops, and where it says what it does.
type Settings struct {
	Checks, ExcludeChecks         []string
	Operations, ExcludeOperations []string
	// MaxFailures stops the run after that many violations; 0 does not.
	MaxFailures int
	// Caps are how many resources of a kind the run may make, by kind;
	// a kind not there, any number (Hold).
	Caps map[string]int
	// Log, when set, gets a line per phase and operation; with Verbose,
	// a line per case.
	Log     io.Writer
	Verbose bool
}

// Ledger is a run's state. Its zero value is not usable: New makes one.
type Ledger struct {
	cfg   Settings
	clock clock.Clock
	doc   *validate.Document
	sem   *semantics.Semantics
	kw    *keywords.Recorder
	// requests counts the requests sent, answered or not (the wire's
	// count), for the progress lines.
	requests func() int
	secrets  wire.Secrets

	runCtx   context.Context
	abortRun context.CancelCauseFunc

	mu         sync.Mutex
	violations []report.Violation
	tally      map[string]report.CheckTally
	ops        map[string]report.OperationTally
	notRun     []string
	skipped    []string
	exchanges  []*wire.Exchange // every exchange, as answered
	problem    string
	// unjudged are the checks the server leaves nothing to judge, with why.
	unjudged map[string]string
	// progress is where the run is, for a long phase's progress lines.
	progress progress
	// unsettled holds, per kind of thing that did not leave a settling
	// state within -settle (a binding, a resource kind), what was seen:
	// such a kind is judged once, and later waits for it are cut short.
	unsettled map[string]*unsettled
	// made is everything the run created: each create answered with its
	// key, and the name of each create whose answer was lost (a timeout,
	// a 5xx), which the cleanup looks up by name.
	made []*Made
	// lived are the resources the life cycles created and read, which
	// later deletes must leave as they are.
	lived []Made
	// budget is what the run spent of what it may (Hold).
	budget budget
}

// New is the ledger of a run of doc, whose declarations sem are, with its
// keyword coverage kw, on the run's clock.
func New(cfg Settings, c clock.Clock, doc *validate.Document, sem *semantics.Semantics, kw *keywords.Recorder) *Ledger {
	return &Ledger{cfg: cfg, clock: c, doc: doc, sem: sem, kw: kw, requests: func() int { return 0 },
		tally: map[string]report.CheckTally{}, ops: map[string]report.OperationTally{}}
}

// CountRequestsBy makes the progress lines count requests by n (the
// wire's count, which sees every request).
func (l *Ledger) CountRequestsBy(n func() int) { l.requests = n }

// Begin notes the context of the checks, and stop, which ends it with a
// cause: Stop and Abort call it, Stopped and StopReason read the context.
func (l *Ledger) Begin(ctx context.Context, stop context.CancelCauseFunc) {
	l.runCtx, l.abortRun = ctx, stop
}

// Secrets hides, in a text, what the run saw of its secrets.
func (l *Ledger) Secrets(text string) string { return l.secrets.Scrub(text) }

// Problem is what keeps the run from being carried out, "" when nothing.
func (l *Ledger) Problem() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.problem
}

// AddProblem adds to what keeps the run from being carried out, once.
func (l *Ledger) AddProblem(why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.problem == "":
		l.problem = why
	case !strings.HasSuffix(l.problem, why):
		l.problem += "; " + why
	}
}

// NotRun notes what the run did not get to, and why.
func (l *Ledger) NotRun(what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notRun = append(l.notRun, what)
}

// NotRunYet says whether the run has noted, of a phase, that it did not
// run (or not to the end).
func (l *Ledger) NotRunYet(phase string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.notRun, func(s string) bool { return strings.HasPrefix(s, phase+":") })
}

// Skip notes what the run was not asked to do, and why.
func (l *Ledger) Skip(what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.skipped = append(l.skipped, what)
}

// Lived notes a resource the life cycles created and read.
func (l *Ledger) Lived(m Made) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lived = append(l.lived, m)
}

// LivedSoFar are the resources the life cycles created and read, in order.
func (l *Ledger) LivedSoFar() []Made {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lived)
}

// Operations are the tallies by operation, a copy.
func (l *Ledger) Operations() map[string]report.OperationTally {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.ops)
}

// Report writes the run's state into rep: its verdicts, tallies, what it
// did not get to, skipped or could not judge, and its exchanges.
func (l *Ledger) Report(rep *report.Report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rep.Violations = report.Group(l.violations)
	rep.Checks = map[string]report.CheckTally{}
	for _, name := range check.All {
		rep.Checks[name] = l.tally[name]
	}
	rep.Operations = l.ops
	rep.NotRun = append(rep.NotRun, l.notRun...)
	rep.Skipped = l.skipped
	rep.NotJudged = l.unjudged
	rep.Exchanges = l.exchanges
	rep.Problem = l.problem
}

// tooMany is the line a run stopped by -max-failures ends with.
func tooMany(n int) string { return fmt.Sprintf("stopped after %d failures (-max-failures)", n) }
