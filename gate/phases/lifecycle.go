package phases

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/ledger"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// The life cycle every resource kind the document declares a create, read
// and delete of goes through, as its declarations describe it: create one,
// read it by its key, wait while it settles (its state moving only as
// declared), find it in its list, update it and read back what was
// written, add and remove each sub-resource, call what else reads it, then
// delete it and read it gone as a deleted one answers; a deleted one still
// read must refuse any change; and the other resources of the run read as
// before the delete. It names no operation: what a kind's life cycle
// checks beyond this, the registry adds (lifeHooks).

// lifeHooks are what a kind's life cycle checks beyond the declared one,
// for what the document cannot declare (registry.go).
type lifeHooks struct {
	// body adds to the create's body (its richest request example with
	// the run's inputs, bodyFor) what only this kind needs.
	body func(g *phase, body map[string]any)
	// settle, when set, holds each read while the resource settles to
	// what its parts do (a connection's bindings): it reports the parts
	// still settling, and on the read where none is, checks how they
	// ended.
	settle *partSettle
	// mock is what is wrong with a dli-mock's read while it settles, by
	// docs/mock.md; "" when nothing.
	mock func(got map[string]any) string
	// beforeDelete undoes what the create did beyond the resource (a
	// binding), before the delete.
	beforeDelete func(ctx context.Context, g *phase, key string, body map[string]any)
	// whileLive checks, once it has settled, what the declarations cannot
	// say of a live one; afterDelete, of a deleted one.
	whileLive   func(ctx context.Context, g *phase, key string, body map[string]any)
	afterDelete func(ctx context.Context, g *phase, key string)
}

// partSettle is how the parts of a resource settle.
type partSettle struct {
	// what names them for -settle's bookkeeping ("bindings").
	what string
	// see holds one read to the parts' moves, returning the messages of
	// moves not allowed and the parts still settling.
	see func(st *stateTracker, got map[string]any) (moves, settling []string)
	// still is the message for parts that did not settle within -settle.
	still func(settling []string, settle string) string
	// ended is what is wrong with how they ended, for a dli-mock.
	ended func(got map[string]any) string
}

// stateTracker remembers the last state of each thing and reports a move
// its table does not allow.
type stateTracker struct{ last map[string]string }

func (t *stateTracker) move(title, thing, state string, allowed func(from, to string) bool) string {
	if t.last == nil {
		t.last = map[string]string{}
	}
	key := title + " " + thing
	prev, seen := t.last[key]
	t.last[key] = state
	if !seen || prev == state || allowed(prev, state) {
		return ""
	}
	return fmt.Sprintf("%s %s went from %s to %s, which the document does not allow", title, thing, prev, state)
}

// lifeCycles runs the life cycle of every top-level kind with a create,
// the current kinds first.
func (g *phase) lifeCycles(ctx context.Context) {
	kinds := g.Sem.Creates()
	slices.SortStableFunc(kinds, func(a, b *semantics.Resource) int { return env.CmpBool(env.Retired(a), env.Retired(b)) })
	for _, res := range kinds {
		create := res.Op(semantics.Create)
		switch {
		case res.Parent != "" || !env.Readable(res) || res.Op(semantics.Delete) == nil:
			continue // semantics.Load refuses a top-level create without them
		case !g.OpOn(create.ID):
			continue
		case g.Stopped():
			return
		}
		if why := g.Unplaced(res); why != "" {
			g.Skip("life cycle of " + why)
			continue
		}
		g.lifeCycleOf(ctx, res, lifeBehaviours[create.ID].life)
		g.createOverMost(ctx, res)
		g.selectionsOf(ctx, res)
	}
	// What lives under a kind the run is given, not made (a connectivity
	// test under its queue): made there, read, deleted if it can be.
	for _, k := range slices.Sorted(maps.Keys(g.Sem.Resources)) {
		res := g.Sem.Resources[k]
		if res.Input == "" || g.Stopped() {
			continue
		}
		for _, child := range g.childrenOf(res) {
			if why := g.Unplaced(child); why != "" {
				g.Skip("life cycle of " + why)
				continue
			}
			g.childLifeCycle(ctx, child, g.Inputs[res.Input])
		}
	}
}

func (g *phase) lifeCycleOf(ctx context.Context, res *semantics.Resource, hooks *lifeHooks) {
	if hooks == nil {
		hooks = &lifeHooks{}
	}
	create := res.Op(semantics.Create)
	body, ok := g.bodyFor(res)
	if !ok {
		g.NotRun(fmt.Sprintf("life cycle of %s: %s has no request example to create one from", res.Title, create.ID))
		return
	}
	name := env.Str(body[res.Name])
	raw, _ := json.Marshal(body)
	ex := g.Send(ctx, true, create.Method, g.Fill(create, ""), raw)
	what := "create " + cmp.Or(name, "a "+res.Title)
	msg := acceptedAs(ex, create, what)
	key := ""
	if msg == "" {
		if key, _ = create.KeyExpr.Eval(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())}); key == "" {
			msg = fmt.Sprintf("the create's answer has no key at %s", create.Key)
		}
	}
	g.Judge(wire.Verdict{Check: check.Availability, Op: create.ID, What: what, Ex: ex, Msg: msg})
	if msg != "" {
		return
	}

	rd := g.ReadOne(ctx, res, key)
	read := rd.Op
	msg = env.Accepted(rd.Ex, http.StatusOK, "read of the "+res.Title+" just created")
	switch {
	case msg == "" && rd.Got == nil:
		msg = fmt.Sprintf("%s filtered by its key lacks the %s %s just created", read.ID, res.Title, key)
	case msg == "" && rd.Field(res.Key) != key:
		msg = fmt.Sprintf("read of the %s just created answered %s %q, want %q", res.Title, res.Key, rd.Field(res.Key), key)
	case msg == "" && res.Name != "" && rd.Field(res.Name) != name:
		msg = fmt.Sprintf("read of the %s just created answered %s %q, want %q", res.Title, res.Name, rd.Field(res.Name), name)
	}
	g.Judge(wire.Verdict{Check: check.Availability, Op: read.ID, What: "the " + res.Title + " just created", Where: "/" + res.Key, Ex: rd.Ex, Msg: msg})
	if msg == "" {
		g.Lived(ledger.Made{Res: res, ID: key})
	}
	var states stateTracker
	if msg == "" {
		g.settleLife(ctx, res, read, key, rd, hooks, &states)
	}

	if list := res.Op(semantics.List); list != nil {
		ex = g.Send(ctx, true, list.Method, g.listAll(list, name), nil)
		msg = env.Accepted(ex, http.StatusOK, "list")
		if msg == "" && !slices.Contains(listedKeys(ex, list.Items, res.Key), key) {
			msg = fmt.Sprintf("the list lacks the %s %s just created", res.Title, key)
		}
		g.Judge(wire.Verdict{Check: check.Availability, Op: list.ID, What: "the " + res.Title + " just created", Where: list.Items, Ex: ex, Msg: msg})
	}

	if u := g.uniqueAnswer(res); u != nil && name != "" && !g.Stopped() {
		// A second create of the name in use: refused as the kind
		// declares, and, made anyway by a server that does not, deleted
		// by the cleanup.
		what := fmt.Sprintf("a second create of the %s name %s, in use", res.Title, name)
		ex := g.Send(wire.MeantToBeRefused(ctx), true, create.Method, g.Fill(create, ""), raw)
		g.Judge(wire.Verdict{Check: check.Negative, Op: create.ID, What: what, Where: "/" + res.Name, Ex: ex, Msg: env.RefusedAs(ex, what, *u)})
	}
	if update := res.Op(semantics.Update); update != nil && g.OpOn(update.ID) {
		g.updateAndReadBack(ctx, res, update, key)
	}
	for _, child := range g.childrenOf(res) {
		g.childLifeCycle(ctx, child, key)
	}
	for _, id := range g.Sem.Order {
		if op := g.Sem.Of(id); op.Resource == res.Kind && op != read && op.Method == http.MethodGet && op.Role != semantics.List && op.Role != semantics.Read && g.OpOn(id) {
			what := "a call that reads the " + res.Title
			ex := g.Send(ctx, true, op.Method, g.Fill(op, key), nil)
			g.Judge(wire.Verdict{Check: check.Positive, Op: op.ID, What: what, Ex: ex, Msg: env.Accepted(ex, http.StatusOK, what)})
		}
	}

	if hooks.whileLive != nil && !g.Stopped() {
		hooks.whileLive(ctx, g, key, body)
	}
	if hooks.beforeDelete != nil {
		hooks.beforeDelete(ctx, g, key, body)
	}
	del := res.Op(semantics.Delete)
	others := g.witnesses(ctx, res, key)
	ex = g.Send(ctx, true, del.Method, g.Fill(del, key), nil)
	if acceptedAny(ex, "delete") != "" || g.Stopped() {
		return // the cleanup judges, and reports, a delete refused
	}
	g.witnessesHold(ctx, others, fmt.Sprintf("the delete of the %s %s", res.Title, key))
	rd = g.ReadOne(ctx, res, key)
	msg = rd.Gone(res)
	if msg == "" && res.Deleted.State != "" {
		msg = states.move(res.Title, key, rd.Field(res.State.Field), func(from, to string) bool { return model.MovesTo(res.State, from, to) })
	}
	g.Judge(wire.Verdict{Check: check.UseAfterFree, Op: rd.Op.ID, What: "a " + res.Title + " just deleted", Ex: rd.Ex, Msg: msg})
	if hooks.afterDelete != nil && !g.Stopped() {
		hooks.afterDelete(ctx, g, key)
	}
	if res.Deleted.State == "" {
		return
	}
	// Still read, it must refuse any change.
	if update := res.Op(semantics.Update); update != nil && g.OpOn(update.ID) {
		what := "a change to a deleted " + res.Title
		ex := g.Send(ctx, true, update.Method, g.Fill(update, key), exampleBody(update, env.RichestExample))
		g.Judge(wire.Verdict{Check: check.UseAfterFree, Op: update.ID, What: what, Ex: ex, Msg: env.Refused(ex, what)})
	}
	for _, child := range g.childrenOf(res) {
		if c := child.Op(semantics.Create); c != nil && g.OpOn(c.ID) {
			what := fmt.Sprintf("a %s on a deleted %s", child.Title, res.Title)
			ex := g.Send(ctx, true, c.Method, g.FillUnder(c, key, ""), exampleBody(c, env.RichestExample))
			g.Judge(wire.Verdict{Check: check.UseAfterFree, Op: c.ID, What: what, Ex: ex, Msg: env.Refused(ex, what)})
		}
	}
}

// settleLife follows a resource just created, from the read ex, until it
// and its parts leave the states they leave on their own, within -settle:
// each read must move states only as declared.
func (g *phase) settleLife(ctx context.Context, res *semantics.Resource, read *semantics.Operation, key string, rd env.Reading,
	hooks *lifeHooks, states *stateTracker) {
	parts := hooks.settle
	if parts == nil && (res.State == nil || len(res.State.Settling) == 0) {
		if res.State != nil { // what a delete then moves it from
			states.move(res.Title, key, rd.Field(res.State.Field), func(string, string) bool { return true })
		}
		return
	}
	ex := rd.Ex
	what, title := res.Kind, res.Title
	if res.State == nil || len(res.State.Settling) == 0 {
		what = parts.what
	}
	deadline := g.Clock.Now().Add(g.Cfg.Settle)
	polls := g.Polls()
	for first := true; ; first = false {
		if !first {
			if rd = g.ReadOne(wire.Settling(ctx), res, key); !rd.Shown() {
				return
			}
			ex = rd.Ex
			// Waiting out throttling is not settling: -settle bounds the
			// server's time, not the gateway's.
			deadline = deadline.Add(ex.Waited)
		}
		got := rd.Got
		var moves, waiting []string
		state := ""
		if res.State != nil {
			state = env.Str(got[res.State.Field])
			moves = append(moves, states.move(title, key, state, func(from, to string) bool { return model.MovesTo(res.State, from, to) }))
			if slices.Contains(res.State.Settling, state) {
				waiting = append(waiting, fmt.Sprintf("%s %s still %s", title, key, state))
			}
		}
		var partsWaiting []string
		if parts != nil {
			pm, pw := parts.see(states, got)
			moves, partsWaiting = append(moves, pm...), pw
		}
		for _, m := range moves {
			if m != "" {
				g.Judge(wire.Verdict{Check: check.Transitions, Op: read.ID, What: "states while the " + title + " settles", Ex: ex, Msg: m})
			}
		}
		if g.Cfg.Mock && hooks.mock != nil {
			g.Judge(wire.Verdict{Check: check.Transitions, Op: read.ID, What: "a dli-mock's " + title + " while it settles", Ex: ex, Msg: hooks.mock(got)})
		}
		if len(waiting) == 0 && len(partsWaiting) == 0 {
			g.Judge(wire.Verdict{Check: check.Transitions, Op: read.ID, What: "the " + title + " settles", Ex: ex})
			if parts != nil && g.Cfg.Mock && parts.ended != nil {
				g.Judge(wire.Verdict{Check: check.Transitions, Op: read.ID, What: "how a dli-mock's " + parts.what + " end", Ex: ex, Msg: parts.ended(got)})
			}
			return
		}
		if found, _ := g.NeverSettled(what); found || g.Clock.Now().After(deadline) {
			var msg, where string
			if len(waiting) > 0 {
				msg, where = fmt.Sprintf("%s after %s (-settle)", strings.Join(waiting, ", "), g.Cfg.Settle), "/"+res.State.Field
			} else {
				msg = parts.still(partsWaiting, g.Cfg.Settle.String())
			}
			g.Judge(wire.Verdict{Check: check.Transitions, Op: read.ID, What: "the " + title + " settles", Where: where, Ex: ex, Msg: msg})
			g.DidNotSettle(what, msg, false)
			return
		}
		if polls.Pause(ctx) != nil {
			return
		}
	}
}

// updateAndReadBack sends the update's richest example: it must be
// accepted, and a read must answer each field as written (but those the
// document never answers, such as a password).
func (g *phase) updateAndReadBack(ctx context.Context, res *semantics.Resource, update *semantics.Operation, key string) {
	change, ok := env.RichestExample(update)
	if !ok {
		return
	}
	env.WithKey(update, change, key)
	raw, _ := json.Marshal(change)
	what := "an update " + string(g.Doc.Redact(update.ID, raw))
	ex := g.Send(ctx, true, update.Method, g.Fill(update, key), raw)
	msg := acceptedAs(ex, update, what)
	g.Judge(wire.Verdict{Check: check.Positive, Op: update.ID, What: what, Ex: ex, Msg: msg})
	if msg != "" {
		return
	}
	rd := g.ReadOne(ctx, res, key)
	ex = rd.Ex
	msg = env.Accepted(ex, http.StatusOK, "read after an update")
	got := rd.Got
	where := ""
	for _, k := range slices.Sorted(maps.Keys(change)) {
		if env.NotReadBack(update, k) {
			continue // never read back as sent (write_only_never_answered judges an answer with a secret)
		}
		if v, shown := got[k]; msg == "" && shown && change[k] != nil && string(env.Marshal(v)) != string(env.Marshal(change[k])) {
			msg = fmt.Sprintf("after an update wrote %s %s, the %s reads %s", k, env.Marshal(change[k]), res.Title, env.Marshal(v))
			where = "/" + k
		}
	}
	g.Judge(wire.Verdict{Check: check.Availability, Op: rd.Op.ID, What: "the fields just written", Where: where, Ex: ex, Msg: msg})
}

// listAll is the path of a list that answers every item (where its
// paging declares a limit that does), filtered by name where it can be.
func (g *phase) listAll(list *semantics.Operation, name string) string {
	q := url.Values{}
	if p := list.Paging; p != nil && p.All != nil {
		q.Set(p.Limit, fmt.Sprint(*p.All))
	}
	if len(q) == 0 {
		return g.Fill(list, "")
	}
	return g.Fill(list, "") + "?" + q.Encode()
}

// acceptedAs is the message for a call that should have been answered
// with the success its operation declares first, "" when it was.
func acceptedAs(ex *wire.Exchange, op *semantics.Operation, what string) string {
	ok := op.Successes()
	switch {
	case len(ok) == 0:
		return acceptedAny(ex, what)
	case ex.Error == "" && slices.Contains(ok, ex.Status):
		return ""
	}
	return env.Accepted(ex, ok[0], what)
}

// exampleBody is the request example of op that pick picks, as JSON; {}
// without one, nil for an operation without a body.
func exampleBody(op *semantics.Operation, pick func(*semantics.Operation) (map[string]any, bool)) []byte {
	if doc := op.Document(); doc == nil || doc.RequestBody == nil {
		return nil
	}
	if b, ok := pick(op); ok {
		return env.Marshal(b)
	}
	return []byte(`{}`)
}

// witness is another resource the run made, as a read answered before a
// delete: a delete must change nothing but what it deletes.
type witness struct {
	res        *semantics.Resource
	key, state string
	status     int
	shown      bool // the read showed it
}

func shownOr(shown bool) string {
	if shown {
		return "read"
	}
	return "not read"
}

// maxWitnesses bounds the reads around each delete of a life cycle.
const maxWitnesses = 3

// witnesses reads up to maxWitnesses other resources the life cycles made
// and read (the latest first), of any kind.
func (g *phase) witnesses(ctx context.Context, except *semantics.Resource, key string) []witness {
	var out []witness
	lived := g.LivedSoFar()
	for i := len(lived) - 1; i >= 0 && len(out) < maxWitnesses; i-- {
		m := lived[i]
		if m.ID == "" || !env.Readable(m.Res) || m.Res == except && m.ID == key {
			continue
		}
		rd := g.ReadOne(ctx, m.Res, m.ID)
		if rd.Ex.Error != "" || rd.Ex.Throttled {
			continue
		}
		w := witness{res: m.Res, key: m.ID, status: rd.Ex.Status, shown: rd.Got != nil}
		if m.Res.State != nil {
			w.state = rd.Field(m.Res.State.Field)
		}
		out = append(out, w)
	}
	return out
}

// witnessesHold reads each witness again after what: each must answer as
// before, its state moved at most as declared.
func (g *phase) witnessesHold(ctx context.Context, ws []witness, what string) {
	for _, w := range ws {
		rd := g.ReadOne(ctx, w.res, w.key)
		ex := rd.Ex
		if ex.Error != "" || ex.Throttled {
			continue
		}
		msg := ""
		state := ""
		if w.res.State != nil {
			state = rd.Field(w.res.State.Field)
		}
		switch {
		case ex.Status != w.status:
			msg = fmt.Sprintf("%s changed the %s %s: its read answered %d before, %d after", what, w.res.Title, w.key, w.status, ex.Status)
		case w.shown != (rd.Got != nil):
			msg = fmt.Sprintf("%s changed the %s %s: %s before, %s after", what, w.res.Title, w.key, shownOr(w.shown), shownOr(rd.Got != nil))
		case w.res.State != nil && !model.MovesTo(w.res.State, w.state, state):
			msg = fmt.Sprintf("%s changed the %s %s: its %s was %s before, %s after", what, w.res.Title, w.key, w.res.State.Field, w.state, state)
		}
		g.Judge(wire.Verdict{Check: check.Availability, Op: rd.Op.ID, What: "another resource, after " + what, Ex: ex, Msg: msg})
	}
}
