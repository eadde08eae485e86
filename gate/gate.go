package gate

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/cleanup"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/keywords"
	"github.com/dli-contract/dli-go/gate/ledger"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
	"github.com/dli-contract/dli-go/version"
)

// Config is what Run checks and how.
type Config struct {
	// Target says which server, which project, and what a mutating run
	// creates. Its Transport is not used: the gate signs with Credentials
	// over Network itself, so that it can also send requests signed
	// wrongly on purpose. Its Credentials sign every request; nil sends
	// anonymous ones (a mock without credentials). With credentials,
	// ignored_auth runs.
	Target
	// Network reaches the server; http.DefaultTransport when nil.
	Network http.RoundTripper
	// Seed makes the generated valid requests reproducible; 0 picks one,
	// which the report gives so that a run can be repeated.
	Seed uint64
	// MaxExamples bounds the generated valid requests per operation, and
	// the generated call sequences; 10 when 0.
	MaxExamples int
	// MaxSteps is the average length of a generated call sequence; 20
	// when 0.
	MaxSteps int
	// MaxShrinks bounds the runs spent shrinking a failing sequence (a
	// count, not a time, so that a seed replays to the same shrunk
	// sequence anywhere); 400 when 0.
	MaxShrinks int
	// RequestTimeout bounds each request; 30 seconds when 0.
	RequestTimeout time.Duration
	// Profile is what the run may spend: ProfileLive or ProfileLoopback;
	// "" takes ProfileFor's.
	Profile string
	// MaxRequests bounds the requests the run sends, but the polls of
	// waits for a state to settle; 0 takes the profile's (440 live, no
	// bound loopback), and a negative one is no bound. The planner shares
	// it across the phases; what it leaves out, the report says.
	MaxRequests int
	// RateLimit is how many requests a second the gate sends at most; 0
	// does not limit.
	RateLimit float64
	// ThrottleRetries is how often a request answered 429 is sent again
	// (waiting as Retry-After says); 5 when 0, none when negative.
	ThrottleRetries int
	// MaxBody caps what is read of an answer's body; 4 MiB when 0.
	MaxBody int64
	// MaxFailures stops the run after that many violations; 0 does not.
	MaxFailures int
	// Checks, when set, runs only these checks; ExcludeChecks leaves
	// these out.
	Checks, ExcludeChecks []string
	// Operations, when set, judges only these operationIds;
	// ExcludeOperations leaves these out.
	Operations, ExcludeOperations []string
	// CleanupBound bounds the deletion of what the run created, after the
	// checks; it comes out of the context's deadline. A minute, or a
	// quarter of the time left, when 0.
	CleanupBound time.Duration
	// RequireKeywords makes a run that did not both satisfy and break
	// every constraint of the request schemas incomplete (exit 2).
	RequireKeywords bool
	// Clock is what the run reads the time from and waits on for what is
	// only waited: settle windows, polls, Retry-After and pacing, and the
	// date it signs with. The system clock when nil. The run's bound (the
	// context's deadline) and its reported duration are on the system
	// clock whatever this is, so a run is bounded in real time.
	Clock clock.Clock
	// Log, when set, gets a line per phase and per operation as the run
	// goes; with Verbose, a line per case.
	Log     io.Writer
	Verbose bool
}

// Run holds a server to the document, the way Schemathesis would but
// signing DLI's requests and following its life cycles: every answer must
// be declared, of the declared content type and schema, and never a 5xx;
// derived invalid requests must be refused with a 4xx and change nothing;
// generated valid requests (and Terraform's, the field cases) must be
// accepted; requests with bad credentials must get 401; and with Mutate,
// created connections must be available, deleted ones gone or DELETED and
// unchangeable, and states may only move as the document says.
//
// It is safe to point at live DLI: read-only unless Mutate; paced by
// RateLimit; a 429 is waited out, never judged; every run ends within the
// context's deadline, checks first and then cleanup, which deletes what
// the run created (or lists it in the report); and a stopped run reports
// what it did not get to instead of blaming the server.
func Run(ctx context.Context, cfg Config) Report {
	start := time.Now()
	g := newGate(cfg)
	rep := Report{Version: version.String(), Started: start.UTC(), Endpoint: cfg.Endpoint, Seed: g.Seed}
	if err := g.setup(); err != nil {
		rep.Problem = err.Error()
		return rep
	}
	runCtx, cleanupCtx, cancel := g.bounds(ctx)
	defer cancel()
	g.askTheMock(runCtx)

	phases := plan(cfg.Mutate, g.CheckOn)
	share, limit := planBudget(phases, g.cfg.MaxRequests)
	keep := keepFor(phases, g.cfg.caps(g.Sem))
	rep.Budget = g.budgetReport(phases, share, keep)
	for i, name := range phases {
		if runCtx.Err() != nil {
			g.NotRun(fmt.Sprintf("%s: %s", name, g.StopReason()))
			continue
		}
		began := time.Now()
		sent := g.obs.RequestCount()
		spent, _ := g.Spent()
		g.StartPhase(name)
		rep.Budget.Phases[i].Cut = g.runPhase(runCtx, name, limit[i], keep[i])
		now, _ := g.Spent()
		rep.Budget.Phases[i].Spent = now - spent
		if g.unreached() {
			break // one line says so, in the report
		}
		if i == 0 {
			// Once the server answered: a run that cannot reach it is
			// one line and nothing more.
			g.Logf("· %s", rep.Budget.PlanLine())
		}
		g.Logf("· %s: %s in %s", name, report.Count(g.obs.RequestCount()-sent, "request"), time.Since(began).Round(time.Millisecond))
		if runCtx.Err() != nil && !g.NotRunYet(name) {
			g.NotRun(fmt.Sprintf("%s: cut short, %s", name, g.StopReason()))
		}
	}
	ops := g.Operations()
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		if g.unreached() {
			break
		}
		t := ops[op]
		mark := "PASS"
		switch {
		case t.Failed > 0:
			mark = fmt.Sprintf("FAIL (%d)", t.Failed)
		case t.Judged == 0:
			mark = "not judged"
		}
		g.Logf("  %-40s %4d %-8s %4d %-5s  %s", op, t.Requests, report.Plural(t.Requests, "request"), t.Cases, report.Plural(t.Cases, "case"), mark)
	}

	if n := g.MadeCount(); n > 0 {
		g.Logf("· cleanup: %s created", report.Count(n, "resource"))
	}
	cctx, cancelCleanup := cleanupCtx()
	rep.Leftovers = cleanup.All(cctx, g.Env)
	cancelCleanup()

	rep.Requests, rep.Answered = g.obs.RequestCount(), g.obs.AnsweredCount()
	rep.Throttled = g.obs.ThrottledCount()
	rep.ThrottledFor = g.throttle.WaitedOut()
	if rep.Throttled > 0 {
		rep.NotRun = append(rep.NotRun, fmt.Sprintf("%s still throttled (429) after %s each: lower -rate-limit", report.Count(rep.Throttled, "request"), report.Count(g.cfg.ThrottleRetries, "retry")))
	}
	g.Report(&rep)
	rep.Budget.Spent, rep.Budget.Polls = g.Spent()
	rep.Budget.Kinds, rep.Budget.Others = g.kindBudgets(keep), g.LeftOut()
	rep.Keywords = g.KW.Coverage()
	if g.cfg.RequireKeywords && len(rep.Keywords.Missing) > 0 {
		rep.NotRun = append(rep.NotRun, fmt.Sprintf("keyword coverage is required and %d of %d keywords were not covered", len(rep.Keywords.Missing), rep.Keywords.Total))
	}
	rep.Summary = contract.Summary{Declared: contract.Declared(g.Doc.OpenAPI()), Hits: g.cov.Hits(), Mode: "the server's answers", Observed: true}
	rep.Duration = time.Since(start)
	rep.Scrub(g.Secrets)
	return rep
}

type gate struct {
	cfg Config
	// stopRun ends the checks, with a cause; a phase's context has its own.
	stopRun  context.CancelCauseFunc
	cov      *contract.Coverage
	obs      *wire.Observer
	throttle *wire.Throttler
	// Env is what the phases are given.
	*env.Env
}

func newGate(cfg Config) *gate {
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64() //nolint:gosec // a seed for test data, printed to reproduce
	}
	return &gate{cfg: cfg, Env: &env.Env{Clock: clock.Or(cfg.Clock), Seed: seed, Rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}} //nolint:gosec // test data
}

func (g *gate) setup() error {
	for _, c := range slices.Concat(g.cfg.Checks, g.cfg.ExcludeChecks) {
		if !slices.Contains(check.All, c) {
			return fmt.Errorf("unknown check %q; the checks are %s", c, strings.Join(check.All, ", "))
		}
	}
	if err := g.cfg.resolveProfile(); err != nil {
		return err
	}
	g.Doc = g.cfg.Doc
	if g.Doc == nil {
		var err error
		if g.Doc, err = validate.Embedded(); err != nil {
			return err
		}
	}
	ids := operationIDs(g.Doc)
	for _, op := range slices.Concat(g.cfg.Operations, g.cfg.ExcludeOperations) {
		if !slices.Contains(ids, op) {
			return fmt.Errorf("unknown operation %q; the operationIds are %s", op, strings.Join(ids, ", "))
		}
	}
	sem, err := semantics.Load(g.Doc.OpenAPI())
	if err != nil {
		return fmt.Errorf("the document's declarations of what its operations mean: %w", err)
	}
	g.Sem = sem
	g.KW = keywords.New(g.Doc)
	g.Ledger = ledger.New(ledger.Settings{Checks: g.cfg.Checks, ExcludeChecks: g.cfg.ExcludeChecks, Operations: g.cfg.Operations,
		ExcludeOperations: g.cfg.ExcludeOperations, MaxFailures: g.cfg.MaxFailures, Caps: g.cfg.caps(sem), Log: g.cfg.Log, Verbose: g.cfg.Verbose},
		g.Clock, g.Doc, sem, g.KW)
	if err := g.ResolveInputs(g.cfg.Inputs); err != nil {
		return err
	}
	g.cov = g.cfg.Coverage
	if g.cov == nil {
		g.cov = contract.NewCoverage(g.Doc.OpenAPI())
	}
	g.cfg.withDefaults()
	t := g.cfg
	g.Cfg = env.Settings{Endpoint: t.Endpoint, ProjectID: t.ProjectID, Credentials: t.Credentials, Mutate: t.Mutate, Mock: t.Mock,
		Settle: t.Settle, Poll: t.Poll, MaxExamples: t.MaxExamples, MaxSteps: t.MaxSteps, MaxShrinks: t.MaxShrinks,
		RequestTimeout: t.RequestTimeout, Inputs: t.Inputs, Budgeted: t.MaxRequests > 0}
	if _, err := url.Parse(g.cfg.Endpoint); err != nil {
		return fmt.Errorf("endpoint %q: %w", g.cfg.Endpoint, err)
	}
	g.throttle = &wire.Throttler{Next: g.network(), Limit: wire.NewLimiter(g.Clock, g.cfg.RateLimit), Clock: g.Clock,
		MaxRetries: g.cfg.ThrottleRetries, MaxWait: time.Minute, AttemptTimeout: g.cfg.RequestTimeout}
	g.obs = &wire.Observer{Doc: g.Doc, Next: g.throttle, Coverage: g.cov, Run: g.Ledger, MaxBody: g.cfg.MaxBody, Clock: g.Clock,
		Endpoint: g.cfg.Endpoint, RequestTimeout: g.cfg.RequestTimeout}
	g.CountRequestsBy(g.obs.RequestCount)
	signing := g.signed(g.obs)
	// No overall client timeout: each attempt at the server is bounded by
	// RequestTimeout (in the throttler), and the waits for pacing and
	// throttling by the run.
	g.Sender = &wire.Sender{Signing: &http.Client{Transport: signing}, Plain: &http.Client{Transport: g.obs}, Endpoint: g.cfg.Endpoint,
		Fixed: g.Sem.Fixed()}
	client, err := dli.NewClientWithResponses(g.cfg.Endpoint, dli.WithHTTPClient(g.Signing))
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", g.cfg.Endpoint, err)
	}
	g.Client = client
	return nil
}

// unreached reports whether the run has a problem and the server has
// never answered: nothing it did says anything of the server.
func (g *gate) unreached() bool {
	return g.Problem() != "" && g.obs.AnsweredCount() == 0
}

// network reaches the server: Config.Network, or http.DefaultTransport.
func (g *gate) network() http.RoundTripper {
	if g.cfg.Network != nil {
		return g.cfg.Network
	}
	return http.DefaultTransport
}

// signed is next, signing each request with the run's credentials by the
// run's clock; next itself when the run has none.
func (g *gate) signed(next http.RoundTripper) http.RoundTripper {
	if g.cfg.Credentials == nil || g.cfg.Credentials == auth.Anonymous {
		return next
	}
	return auth.NewTransport(g.cfg.Credentials, next).WithNow(g.Clock.Now)
}

// bounds splits the time the caller gives: the checks end early enough to
// leave the cleanup its reserve, and the cleanup runs even when ctx was
// cancelled (Ctrl-C), within the caller's deadline.
func (g *gate) bounds(ctx context.Context) (runCtx context.Context, cleanup func() (context.Context, context.CancelFunc), cancel func()) {
	deadline, hasDeadline := ctx.Deadline()
	reserve := g.cfg.CleanupBound
	if reserve == 0 {
		reserve = time.Minute
		if hasDeadline {
			reserve = min(reserve, time.Until(deadline)/4)
		}
	}
	run, cancelCause := context.WithCancelCause(ctx)
	cancelRun := context.CancelFunc(func() {})
	if hasDeadline {
		run, cancelRun = context.WithDeadline(run, deadline.Add(-reserve))
	}
	g.Begin(run, cancelCause)
	g.stopRun = cancelCause
	cleanup = func() (context.Context, context.CancelFunc) {
		end := time.Now().Add(reserve)
		if hasDeadline && (ctx.Err() == nil || deadline.Before(end)) {
			// Not interrupted: all the time left; interrupted: the
			// reserve at most.
			end = deadline
		}
		return context.WithDeadline(context.WithoutCancel(ctx), end)
	}
	return run, cleanup, func() { cancelCause(nil); cancelRun() }
}

// The defaults of a run, in one place: Config's zero values take them,
// and cmd/dli-contract's flags show them.
const (
	DefaultSettle          = 2 * time.Minute
	DefaultPoll            = 2 * time.Second
	DefaultMaxExamples     = 10
	DefaultMaxSteps        = 20
	DefaultMaxShrinks      = 400
	DefaultRequestTimeout  = 30 * time.Second
	DefaultThrottleRetries = 5
	DefaultMaxBody         = 4 << 20
)

// withDefaults gives each setting left zero its default.
func (c *Config) withDefaults() {
	or := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	orInt := func(n *int, def int) {
		if *n <= 0 {
			*n = def
		}
	}
	or(&c.Settle, DefaultSettle)
	or(&c.Poll, DefaultPoll)
	or(&c.RequestTimeout, DefaultRequestTimeout)
	orInt(&c.MaxExamples, DefaultMaxExamples)
	orInt(&c.MaxSteps, DefaultMaxSteps)
	orInt(&c.MaxShrinks, DefaultMaxShrinks)
	switch {
	case c.ThrottleRetries == 0:
		c.ThrottleRetries = DefaultThrottleRetries
	case c.ThrottleRetries < 0:
		c.ThrottleRetries = 0
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
}
