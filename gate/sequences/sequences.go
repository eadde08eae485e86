// Package sequences is the gate's stateful testing: rapid's state
// machines draw call sequences from the document's links and roots,
// resolve the links' runtime expressions against the answers so far,
// hold every answer to the model's prediction, and shrink a failing
// sequence to a short one. It is given the run's Env, and the model.
package sequences

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/keywords"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// Generated call sequences: rapid draws sequences of calls from the
// document's links (a create's connection_id leads to show, update,
// delete, bind, unbind, privileges and routes; a route add to its delete),
// with bodies drawn from the schemas, some broken on purpose, calls after
// delete and repeated ones among them. After each call the server is held
// to the model. A failing sequence is shrunk to a minimal one and reported
// as numbered steps, which -seed replays.

// Run draws and runs the generated sequences of a mutating run.
func Run(ctx context.Context, e *env.Env) { (&sequencer{Env: e}).sequences(ctx) }

// sequencer is the sequences of one run: what the run is given, and the
// nonce that sets its sequences' connections apart.
type sequencer struct {
	*env.Env
	// runNonce sets this run's sequences apart from those of an earlier
	// run with the same seed, in the tag they put on their connections.
	runNonce string
	// waited says a sequence waited for a state to settle (settleBound).
	waited bool
}

// action is one kind of call a sequence may make.
type action struct {
	op     *docwalk.Op
	link   *openapi3.Link // how its parameters follow from earlier calls
	source string         // the operation whose answer feeds the link
}

// seqRun is one run of the property: a fresh model, the calls so far.
type seqRun struct {
	g       *sequencer
	ctx     context.Context
	t       *rapid.T
	m       *model.Model
	run     int
	steps   []string
	unsure  bool // a call got no answer: the model can no longer tell
	changed bool // a call was accepted that changes what the list shows
	last    *wire.Exchange
	failure string
	kind    string
	created []string

	// For keyword coverage: a value forced into the body, a keyword to
	// break, and the connection links lead to.
	force    *force
	breaking *keywords.Instance
	pin      string
	actions  []action
	// target is the connection a body is drawn for, when the model holds
	// it: an unbind then mostly names what is bound.
	target *model.Conn
	// previous is the last linked call and the connection it named: the
	// same call again, on the same connection, with a body drawn anew.
	previous    *action
	previousKey string
}

// titles names kinds as reports do, in the plural: "enhanced connections".
func (g *sequencer) titles(kinds []string) string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = report.Plural(2, g.Sem.Resources[k].Title)
	}
	return strings.Join(out, ", ")
}

func (g *sequencer) sequences(ctx context.Context) {
	if !g.Cfg.Mutate {
		return
	}
	actions := g.linkActions()
	if g.Cfg.Budgeted {
		actions = slices.DeleteFunc(actions, g.slow)
	}
	g.runNonce = strconv.FormatUint(uint64(time.Now().UnixNano())%(1<<32), 36)
	shrink := 20 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		shrink = min(shrink, time.Until(dl)/4)
	}
	checks, steps := g.Cfg.MaxExamples, g.Cfg.MaxSteps
	if g.Cfg.Budgeted {
		// With a budget, one sequence that the budget ends: a resource
		// the run may make few of (a peering) is made once, and bound,
		// routed and granted on through the sequence, not made anew by
		// each. Its average length is ten times what all would make, so
		// that rapid's draw of where it ends seldom ends it first.
		checks, steps = 1, 10*checks*steps
	}
	setChecks, unlock := lockRapid(rapidSettings{checks: checks, steps: steps, seed: g.Seed, shrinkTime: shrink})
	defer unlock()
	runs := 0
	tb := &rapidTB{}
	var worst *seqRun
	// For the progress lines: the runs before this check, and whether it
	// is the one top-up sequence.
	checksBefore, topUp := 0, false
	checkProp := func(prop func(*rapid.T, *seqRun)) {
		checksBefore = runs
		// Shrinking is bounded by a count of runs, not only by time, so
		// that a seed replays to the same shrunk sequence on any machine.
		// Past the budget a run does nothing (and so passes), which ends
		// shrinking at once; but the run that confirms the last smaller
		// failure found still runs, as rapid requires.
		//
		// Every failure is raised at one place, failAlike, so that rapid
		// tells failures apart by their kind alone; a candidate that fails
		// otherwise than the first failure counts as passing, so that the
		// sequence shrinks to one that fails alike. Past the budget a run
		// draws nothing and fails alike, and the run that confirms it
		// fails otherwise: rapid, finding a failure that does not repeat,
		// stops shrinking at once, instead of trying (and, as the runs did
		// nothing, passing) every candidate left, which took most of a
		// run's time. The report is the last real failure, worst, whatever
		// rapid ends with.
		firstFail, lastFail, lastConfirmed, firstKind, spent := 0, 0, false, "", 0
		rapid.Check(tb, func(t *rapid.T) {
			runs++
			switch {
			case firstFail != 0:
				g.AtSequence(fmt.Sprintf("shrinking the failure of sequence %d: run %d of at most %d", firstFail-checksBefore, runs-firstFail, g.Cfg.MaxShrinks))
			case topUp:
				g.AtSequence("one more sequence, for the constraints the others left uncovered")
			default:
				g.AtSequence(fmt.Sprintf("sequence %d of %d", runs-checksBefore, checks))
			}
			// rapid runs a failing candidate twice: this run confirms the
			// one before when that one failed and confirmed nothing.
			confirms := lastFail == runs-1 && !lastConfirmed
			kind := firstKind
			if firstFail == 0 || runs-firstFail <= g.Cfg.MaxShrinks || confirms {
				if g.Stopped() {
					// Nothing is sent, and nothing found: a run that
					// passes, not one rapid counts as invalid (a skip),
					// which, run after run once the budget or -timeout
					// stopped the phase, rapid reports as a failure of
					// the property.
					return
				}
				r := &seqRun{g: g, ctx: ctx, t: t, m: &model.Model{Mock: g.Cfg.Mock, Sem: g.Sem}, run: runs, actions: actions}
				if kind = r.runProp(t, prop); kind == "" || firstFail != 0 && kind != firstKind {
					return
				}
				worst = r
				lastFail, lastConfirmed = runs, confirms
				if firstFail == 0 {
					firstFail, firstKind = runs, kind
				}
			} else if spent++; spent%2 == 0 {
				kind += " (shrinking budget spent)"
			}
			failAlike(t, kind) // from this line alone: see above
		})
		if firstFail > 0 {
			// What a test sizes its bounds by: the draws a break took to
			// find, and the runs spent shrinking it.
			g.Logf("· sequences: a failure found at run %d, shrunk in %s", firstFail, report.Count(runs-firstFail, "run"))
		}
	}
	checkProp(func(t *rapid.T, r *seqRun) {
		set := map[string]func(*rapid.T){"": func(*rapid.T) { r.invariant() }}
		for _, a := range actions {
			set[a.op.Op.OperationID] = func(t *rapid.T) { r.t = t; r.linked(a) }
			for i := range g.extraDraws(a) {
				set[fmt.Sprintf("%s (%d)", a.op.Op.OperationID, i+2)] = set[a.op.Op.OperationID]
			}
		}
		for name, step := range g.seqSteps() {
			set[name] = func(t *rapid.T) { r.t = t; step(r) }
		}
		// Repeated calls: a second route or binding on one connection,
		// a name used twice, a delete deleted again.
		set["the same call again"] = func(t *rapid.T) {
			if r.previous == nil || r.previousKey == "" {
				t.Skip("no call to repeat")
			}
			r.t, r.pin = t, r.previousKey
			defer func() { r.pin = "" }()
			r.linked(*r.previous)
		}
		t.Repeat(set)
		for g.Cfg.Budgeted && !g.Stopped() {
			// rapid ends a Repeat that skips more than twice as often
			// as it steps, at once if its first step skips: with a
			// budget the sequence goes on, on what it made, until the
			// budget ends it or a round sends nothing.
			before, _ := g.Spent()
			t.Repeat(set)
			if after, _ := g.Spent(); after == before {
				break
			}
		}
	})
	if !tb.failed {
		// What the random sequences did not send, one sequence sends on
		// purpose: each constraint satisfied and broken.
		setChecks(1)
		topUp = true
		checkProp(func(_ *rapid.T, r *seqRun) { r.topUp(actions) })
	}
	if tb.failed && worst != nil {
		if strings.Contains(strings.Join(tb.said, " "), "flaky") {
			worst.failure += " (replayed, the sequence did not fail again: the server's answers depend on more than the calls, e.g. on time; shown as first found, not shrunk)"
		}
		steps := make([]string, len(worst.steps))
		for i, s := range worst.steps {
			steps[i] = fmt.Sprintf("%d. %s", i+1, s)
		}
		g.Judge(wire.Verdict{Check: check.Model, Op: opOf(worst.last), What: fmt.Sprintf("a generated sequence of %d calls, shrunk (replay: -seed %d)", len(worst.steps), g.Seed), Ex: worst.last, Msg: worst.failure + "\n      steps:\n        " + strings.Join(steps, "\n        ")})
		return
	}
	if tb.failed && worst == nil {
		if spent := g.SpentKinds(); len(spent) > 0 {
			// A sequence may not make what the budget keeps (a call it
			// skips): with too few calls left to draw, rapid gives up.
			g.LeaveOut(fmt.Sprintf("generated sequences: the rest, once the run had made as many %s as the budget allows (rapid: %s)", g.titles(spent), strings.Join(tb.said, "; ")))
			return
		}
		// rapid itself failed (a property that could not run): a problem
		// of the gate, not of the server.
		g.AddProblem("the generated sequences could not run: " + strings.Join(tb.said, "; "))
		return
	}
	if !tb.failed {
		g.Judge(wire.Verdict{Check: check.Model, Op: "sequences", What: report.Count(runs, "generated sequence")})
	}
}

// slow says whether, with a budget, a sequence leaves out an action: one
// on a kind that settles on its own (a classic connection being
// created), which DLI refuses to delete until then, so that the
// sequence's cleanup would wait up to -settle for each it made; the life
// cycle and the state refusals hold the kind to its states.
func (g *sequencer) slow(a action) bool {
	for _, id := range []string{a.op.Op.OperationID, a.source} {
		if d := g.Sem.Of(id); d != nil {
			if res := g.Sem.Resources[d.Resource]; res != nil && res.State != nil && len(res.State.Settling) > 0 && !g.Capped(res.Kind) {
				return true
			}
		}
	}
	return false
}

// extraDraws is how many more times than once a sequence with a budget
// draws a call on a kind the run may make few of (an enhanced
// connection, its routes, bindings and privileges), but its create and
// delete: the sequence made one for itself, and only a sequence calls on
// it in every order.
func (g *sequencer) extraDraws(a action) int {
	if !g.Cfg.Budgeted {
		return 0
	}
	d := g.Sem.Of(a.op.Op.OperationID)
	if d == nil || d.Role == semantics.Create && a.link == nil || d.Role == semantics.Delete && g.Capped(d.Resource) {
		return 0
	}
	// On the kind or one of its children, or linked from its create (a
	// grant on the connection).
	for _, id := range []string{a.op.Op.OperationID, a.source} {
		if d := g.Sem.Of(id); d != nil {
			if res := g.Sem.Resources[d.Resource]; res != nil && (g.Capped(res.Kind) || g.Capped(res.Parent)) {
				return 2
			}
		}
	}
	return 0
}

func opOf(ex *wire.Exchange) string {
	if ex == nil {
		return "sequences"
	}
	return ex.Method + " " + ex.URL
}

// step records a call for the report of a failing sequence.
func (r *seqRun) step(format string, args ...any) {
	r.steps = append(r.steps, fmt.Sprintf(format, args...))
}

// fail ends the run with what disagrees. rapid is told only the kind of
// failure, which holds from one replay to the next (ids and names do
// not), so that it shrinks to the shortest sequence that fails alike.
func (r *seqRun) fail(kind, format string, args ...any) {
	r.failure, r.kind = fmt.Sprintf(format, args...), kind
	panic(failed{})
}

// failed unwinds a run from where it failed to run, which tells rapid.
type failed struct{}

// runProp runs prop, then deletes what it created; it returns the kind of
// failure, if the run failed. rapid's own panics (a skip) pass through.
func (r *seqRun) runProp(t *rapid.T, prop func(*rapid.T, *seqRun)) (kind string) {
	defer r.cleanup()
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(failed); !ok {
				panic(p)
			}
			kind = r.kind
		}
	}()
	prop(t, r)
	return ""
}

// failAlike tells rapid that a run failed, always from here: rapid tells
// failures apart by where they were raised, and the kind is what matters.
func failAlike(t *rapid.T, kind string) {
	t.Fatalf("%s", kind)
}
