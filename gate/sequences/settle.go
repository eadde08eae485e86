package sequences

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/gate/cleanup"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/gate/wire"
)

// settle waits, within Settle, until no binding of the run is CREATING,
// holding each status seen to the model.
func (r *seqRun) settle() {
	if r.unsure || !slices.ContainsFunc(r.m.Conns, func(c *model.Conn) bool { return len(c.Bindings) > 0 }) {
		r.t.Skip("no binding to wait for")
	}
	deadline, wait := r.settleBound("bindings", "binding")
	if !wait {
		return
	}
	// Its lists are polls: waiting, which the request budget does not
	// count.
	defer func(ctx context.Context) { r.ctx = ctx }(r.ctx)
	r.ctx = wire.Settling(r.ctx)
	polls := r.g.Polls()
	for {
		items, ok := r.listRun(nil)
		if !ok {
			return
		}
		// Waiting out throttling is not settling: -settle bounds the
		// server's time, not the gateway's.
		deadline = deadline.Add(r.last.Waited)
		creating := []string{}
		for _, it := range items {
			c := r.m.Conn(env.Str(it["id"]))
			if c == nil {
				continue
			}
			if diffs := r.m.CompareConn(c, it); len(diffs) > 0 {
				r.fail("unlike the model while settling", "while the bindings settle, connection %s (%s) is unlike the model: %s", c.ID, c.Name, strings.Join(diffs, "; "))
			}
			for _, b := range c.Bindings {
				if b.Status == "CREATING" {
					creating = append(creating, b.Name)
				}
			}
		}
		if len(creating) == 0 {
			r.step("wait until no binding is CREATING → done")
			return
		}
		if r.g.Clock.Now().After(deadline) {
			r.step("wait until no binding is CREATING → %v still CREATING", creating)
			r.g.DidNotSettle("bindings", fmt.Sprintf("binding %s still CREATING after %s (-settle)", strings.Join(creating, ", "), r.g.Cfg.Settle), true)
			r.fail("a binding never settles", "binding %s still CREATING after %s (-settle)", strings.Join(creating, ", "), r.g.Cfg.Settle)
		}
		if polls.Pause(r.ctx) != nil {
			return
		}
	}
}

// settleBound is until when a wait for what (things of title) to leave
// CREATING goes on. Seen not to settle before: a life cycle judged it, so
// this wait is not judged (false); the sequences did, so this run
// (shrinking what they found) looks once, not for another -settle.
func (r *seqRun) settleBound(what, title string) (time.Time, bool) {
	if r.g.Cfg.Budgeted && r.g.waited {
		// A wait costs no request but, on live DLI, minutes: with a
		// budget the sequences wait once, and the life cycles judge
		// settling. A step that does nothing, not a skip: rapid ends a
		// sequence that skips twice as often as it steps.
		r.step("wait until no %s is CREATING → not waited: with a budget, the sequences wait once", title)
		return time.Time{}, false
	}
	r.g.waited = true
	found, bySequences := r.g.NeverSettled(what)
	switch {
	case found && !bySequences:
		r.step("wait until no %s is CREATING → not waited: %ss did not settle before (-settle)", title, title)
		r.unsure = true
		return time.Time{}, false
	case found:
		return r.g.Clock.Now(), true
	}
	return r.g.Clock.Now().Add(r.g.Cfg.Settle), true
}

// cleanup deletes what the run created, whatever happened.
func (r *seqRun) cleanup() {
	for _, id := range r.created {
		for _, m := range r.g.Pending() {
			if m.ID == id {
				cleanup.Remove(r.ctx, r.g.Env, m)
			}
		}
	}
}
