// Package cleanup deletes what a run created, and sees it gone, from the
// document's declarations alone: a create's role and key, its resource's
// read, delete and list, how a deleted or unknown one answers, and which
// states settle on their own. What it cannot delete, it lists.
package cleanup

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/ledger"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// Cleanup knows no operation by name: what a run created, and how to
// delete it and see it gone, follows from the document's declarations
// (package semantics): a create's role and key, its resource's read,
// delete and list, how a deleted or unknown one answers, and which states
// settle on their own. A resource kind added to the document is cleaned
// up, and listed when it is left behind, with no change here.

// run is the cleanup of one run: what the run is given.
type run struct{ *env.Env }

// All deletes whatever the run created that still exists, within ctx,
// and returns what it could not delete.
func All(ctx context.Context, e *env.Env) []report.Leftover { return run{e}.cleanup(ctx) }

// RemoveCreated deletes a resource of kind the run is done with.
func RemoveCreated(ctx context.Context, e *env.Env, kind, id string) {
	run{e}.removeCreated(ctx, kind, id)
}

// Remove deletes m, and sees it gone.
func Remove(ctx context.Context, e *env.Env, m *ledger.Made) { run{e}.remove(ctx, m) }

// cleanupBound bounds the cleanup of one resource, retries included.
const cleanupBound = 30 * time.Second

// bound is how long the cleanup of one resource of res may take: a kind
// that settles on its own (a classic connection being created, which
// DLI refuses to delete until then) is first waited for, within -settle.
// Measured against a dli-mock with a one-minute create delay, 30 s alone
// left such a connection behind.
func bound(res *semantics.Resource, settle time.Duration) time.Duration {
	if res.State != nil && len(res.State.Settling) > 0 {
		return cleanupBound + settle
	}
	return cleanupBound
}

// cleanup deletes whatever the run created that still exists, within
// ctx, and returns what it could not delete.
func (g run) cleanup(ctx context.Context) []report.Leftover {
	var left []report.Leftover
	for _, m := range g.Pending() {
		if ctx.Err() != nil {
			m.Last = cmp.Or(m.Last, "not tried: the cleanup ran out of time")
		} else {
			g.remove(ctx, m)
		}
		if !m.Gone {
			g.Logf("WARN could not delete %s %s in project %s (%s); delete it by hand", m.Res.Title, m.ID, g.Cfg.ProjectID, m.Last)
			left = append(left, report.Leftover{Kind: m.Res.Title, ID: m.ID, Name: m.Name, LastAnswer: m.Last})
		}
	}
	return left
}

// removeCreated deletes a resource of kind the run is done with.
func (g run) removeCreated(ctx context.Context, kind, id string) {
	res := g.Sem.Resources[kind]
	if res == nil {
		return
	}
	g.AddMade(res, id, "")
	for _, m := range g.Pending() {
		if m.Res == res && m.ID == id {
			g.remove(ctx, m)
		}
	}
}

// remove deletes one resource and confirms it is gone, as its read
// answers a deleted or unknown one. A refusal is final; only a throttled
// answer, a 5xx or no answer is tried again, a few times, within a bound
// of its own so that cleanup ends even when the run has.
func (g run) remove(ctx context.Context, m *ledger.Made) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bound(m.Res, g.Cfg.Settle))
	defer cancel()
	if dl, ok := ctx.Deadline(); ok {
		cctx, cancel = context.WithDeadline(cctx, dl)
		defer cancel()
	}
	if m.ID == "" && !g.findByName(cctx, m) {
		return
	}
	if g.gone(cctx, m) {
		return
	}
	g.settled(cctx, m)
	del := m.Res.Op(semantics.Delete)
	for attempt := 1; attempt <= 3 && cctx.Err() == nil; attempt++ {
		ex := g.Send(cctx, true, del.Method, g.Fill(del, m.ID), nil)
		switch {
		case ex.HeldBack != "":
			// A phase's share of the budget is spent (a sequence's own
			// cleanup): the run's cleanup, which nothing holds back,
			// deletes it; trying again here only waits.
			m.Last = "delete not sent: " + ex.HeldBack
			return
		case ex.Error != "":
			m.Last = "delete failed: " + ex.Error
		case ex.Throttled:
			m.Last = fmt.Sprintf("delete answered %d (throttled)", ex.Status)
		case ex.Status >= 200 && ex.Status < 300:
			m.Last = fmt.Sprintf("delete answered %d", ex.Status)
			attempt = 3 // confirm below
			continue
		default:
			m.Last = fmt.Sprintf("delete answered %d %s", ex.Status, apierror.Snippet([]byte(ex.RawAnswer())))
			if ex.Status < 500 {
				attempt = 3 // a refusal is final
				continue
			}
		}
		_ = g.Clock.Sleep(cctx, g.Cfg.Poll)
	}
	g.gone(cctx, m)
}

// settled waits, within Settle, until the resource is in none of the
// states its declaration says settle on their own (a classic connection
// being created, which DLI refuses to delete until then).
func (g run) settled(ctx context.Context, m *ledger.Made) {
	if m.Res.State == nil || len(m.Res.State.Settling) == 0 {
		return
	}
	if found, _ := g.NeverSettled(m.Res.Kind); found {
		return
	}
	deadline := g.Clock.Now().Add(g.Cfg.Settle)
	polls := g.Polls()
	for g.Clock.Now().Before(deadline) {
		rd := g.ReadOne(wire.Settling(ctx), m.Res, m.ID)
		if !rd.Shown() || !slices.Contains(m.Res.State.Settling, rd.Field(m.Res.State.Field)) {
			return
		}
		if polls.Pause(ctx) != nil {
			return
		}
	}
	g.DidNotSettle(m.Res.Kind, fmt.Sprintf("%s %s still settling after %s (-settle)", m.Res.Title, m.ID, g.Cfg.Settle), false)
}

// gone reads the resource and marks it gone when the answer is how its
// declaration says a deleted or unknown one answers (or a 404).
func (g run) gone(ctx context.Context, m *ledger.Made) bool {
	rd := g.ReadOne(ctx, m.Res, m.ID)
	ex := rd.Ex
	switch {
	case ex.Error != "":
		m.Last = joinNotes(m.Last, "show failed: "+ex.Error)
		return false
	case ex.Status == http.StatusOK && rd.ByList:
		if rd.Got == nil {
			m.Gone = true
			return true
		}
		m.Last = joinNotes(m.Last, rd.Op.ID+" filtered by its key still lists it")
		return false
	case ex.Status == http.StatusOK:
		var state string
		if m.Res.State != nil {
			state = rd.Field(m.Res.State.Field)
		}
		if m.Res.Deleted.State != "" && state == m.Res.Deleted.State {
			m.Gone = true
			return true
		}
		if state != "" {
			m.Last = joinNotes(m.Last, "show answers it "+state)
		}
		return false
	case env.Answers(ex, m.Res.Deleted) || env.Answers(ex, m.Res.Unknown) || ex.Status == http.StatusNotFound:
		m.Gone = true
		return true
	}
	m.Last = joinNotes(m.Last, fmt.Sprintf("show answered %d %s", ex.Status, apierror.Snippet([]byte(ex.RawAnswer()))))
	return false
}

// findByName looks up a resource whose create answer was lost, in its
// list (filtered by name where the list can be); false when there is none
// (nothing to delete) or the lookup failed.
func (g run) findByName(ctx context.Context, m *ledger.Made) bool {
	list := m.Res.Op(semantics.List)
	if list == nil || m.Res.Name == "" {
		m.Last = "its create's answer was lost, and nothing lists " + m.Res.Title + "s by name"
		return false
	}
	path := g.Fill(list, "")
	for param, f := range list.Filters {
		if f.Field == m.Res.Name && (f.Match == "" || f.Match == "exact") {
			path += "?" + url.Values{param: {m.Name}}.Encode()
		}
	}
	ex := g.Send(ctx, true, list.Method, path, nil)
	if ex.Error != "" || ex.Status != http.StatusOK {
		m.Last = fmt.Sprintf("could not look it up by name: %s", ex.Answer())
		return false
	}
	for _, it := range env.ItemsOf(ex, list.Items) {
		state := ""
		if m.Res.State != nil {
			state, _ = it[m.Res.State.Field].(string)
		}
		if it[m.Res.Name] == m.Name && (m.Res.Deleted.State == "" || state != m.Res.Deleted.State) {
			m.ID, _ = it[m.Res.Key].(string)
			return m.ID != ""
		}
	}
	m.Gone = true // never created
	return false
}

func joinNotes(a, b string) string {
	if a == "" || strings.HasSuffix(a, b) {
		return b
	}
	return a + "; " + b
}
