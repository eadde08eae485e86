package gate

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/gate/report"

	"github.com/dli-contract/dli-go/gate/wire"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/semantics"
)

// Cleanup knows no operation by name: what a run created, and how to
// delete it and see it gone, follows from the document's declarations
// (package semantics): a create's role and key, its resource's read,
// delete and list, how a deleted or unknown one answers, and which states
// settle on their own. A resource kind added to the document is cleaned
// up, and listed when it is left behind, with no change here.

// made is one resource the run created, or may have created.
type made struct {
	res      *semantics.Resource
	id, name string
	gone     bool
	last     string
}

// registry tracks everything the run created: each create answered with
// its key, and the name of each create whose answer was lost (a timeout,
// a 5xx), which cleanup looks up by name.
type registry struct {
	sem   *semantics.Semantics
	mu    sync.Mutex
	items []*made
}

func (r *registry) add(res *semantics.Resource, id, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.items {
		if m.res == res && (id != "" && m.id == id || id == "" && m.id == "" && m.name == name) {
			return
		}
	}
	r.items = append(r.items, &made{res: res, id: id, name: name})
}

func (r *registry) pending() []*made {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*made
	for _, m := range r.items {
		if !m.gone {
			out = append(out, m)
		}
	}
	return out
}

func (r *registry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.items)
}

// noteCreate registers what a create may have made: the key of a 2xx
// answer (where the create's declaration says it is), or, when the answer
// was lost or is a 5xx, the name it sent. A resource under a parent goes
// with its parent and is not registered.
func (r *registry) noteCreate(op string, ex *wire.Exchange, reqBody, respBody []byte) {
	if r.sem == nil {
		return
	}
	d := r.sem.Of(op)
	if d == nil || d.Role != semantics.Create || d.KeyExpr == nil {
		return
	}
	res := r.sem.Resources[d.Resource]
	if res == nil || res.Parent != "" {
		return
	}
	var name string
	if res.Name != "" {
		var sent map[string]any
		_ = json.Unmarshal(reqBody, &sent)
		name, _ = sent[res.Name].(string)
	}
	switch {
	case ex.Status >= 200 && ex.Status < 300:
		key, _ := d.KeyExpr.Eval(semantics.Call{Body: reqBody, Status: ex.Status, AnswerBody: respBody})
		r.add(res, key, name)
	case ex.Error != "" || ex.Status >= 500:
		if name != "" {
			r.add(res, "", name)
		}
	}
}

// cleanupBound bounds the cleanup of one resource, retries included.
const cleanupBound = 30 * time.Second

// cleanup deletes whatever the run created that still exists, within
// ctx, and returns what it could not delete.
func (g *gate) cleanup(ctx context.Context) []report.Leftover {
	var left []report.Leftover
	for _, m := range g.made.pending() {
		if ctx.Err() != nil {
			m.last = cmp.Or(m.last, "not tried: the cleanup ran out of time")
		} else {
			g.remove(ctx, m)
		}
		if !m.gone {
			g.logf("WARN could not delete %s %s in project %s (%s); delete it by hand", m.res.Title, m.id, g.cfg.ProjectID, m.last)
			left = append(left, report.Leftover{Kind: m.res.Title, ID: m.id, Name: m.name, LastAnswer: m.last})
		}
	}
	return left
}

// removeCreated deletes a resource of kind the run is done with.
func (g *gate) removeCreated(ctx context.Context, kind, id string) {
	res := g.sem.Resources[kind]
	if res == nil {
		return
	}
	g.made.add(res, id, "")
	for _, m := range g.made.pending() {
		if m.res == res && m.id == id {
			g.remove(ctx, m)
		}
	}
}

// remove deletes one resource and confirms it is gone, as its read
// answers a deleted or unknown one. A refusal is final; only a throttled
// answer, a 5xx or no answer is tried again, a few times, within a bound
// of its own so that cleanup ends even when the run has.
func (g *gate) remove(ctx context.Context, m *made) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupBound)
	defer cancel()
	if dl, ok := ctx.Deadline(); ok {
		cctx, cancel = context.WithDeadline(cctx, dl)
		defer cancel()
	}
	if m.id == "" && !g.findByName(cctx, m) {
		return
	}
	if g.gone(cctx, m) {
		return
	}
	g.settled(cctx, m)
	del := m.res.Op(semantics.Delete)
	for attempt := 1; attempt <= 3 && cctx.Err() == nil; attempt++ {
		ex := g.Send(cctx, true, del.Method, g.fill(del, m.id), nil)
		switch {
		case ex.Error != "":
			m.last = "delete failed: " + ex.Error
		case ex.Throttled:
			m.last = fmt.Sprintf("delete answered %d (throttled)", ex.Status)
		case ex.Status >= 200 && ex.Status < 300:
			m.last = fmt.Sprintf("delete answered %d", ex.Status)
			attempt = 3 // confirm below
			continue
		default:
			m.last = fmt.Sprintf("delete answered %d %s", ex.Status, apierror.Snippet([]byte(ex.RawAnswer())))
			if ex.Status < 500 {
				attempt = 3 // a refusal is final
				continue
			}
		}
		_ = g.clock.Sleep(cctx, g.cfg.Poll)
	}
	g.gone(cctx, m)
}

// settled waits, within Settle, until the resource is in none of the
// states its declaration says settle on their own (a classic connection
// being created, which DLI refuses to delete until then).
func (g *gate) settled(ctx context.Context, m *made) {
	if m.res.State == nil || len(m.res.State.Settling) == 0 {
		return
	}
	if found, _ := g.neverSettled(m.res.Kind); found {
		return
	}
	deadline := g.clock.Now().Add(g.cfg.Settle)
	for g.clock.Now().Before(deadline) {
		rd := g.readOne(ctx, m.res, m.id)
		if !rd.shown() || !slices.Contains(m.res.State.Settling, rd.field(m.res.State.Field)) {
			return
		}
		if g.clock.Sleep(ctx, g.cfg.Poll) != nil {
			return
		}
	}
	g.didNotSettle(m.res.Kind, fmt.Sprintf("%s %s still settling after %s (-settle)", m.res.Title, m.id, g.cfg.Settle), false)
}

// gone reads the resource and marks it gone when the answer is how its
// declaration says a deleted or unknown one answers (or a 404).
func (g *gate) gone(ctx context.Context, m *made) bool {
	rd := g.readOne(ctx, m.res, m.id)
	ex := rd.ex
	switch {
	case ex.Error != "":
		m.last = joinNotes(m.last, "show failed: "+ex.Error)
		return false
	case ex.Status == http.StatusOK && rd.byList:
		if rd.got == nil {
			m.gone = true
			return true
		}
		m.last = joinNotes(m.last, rd.op.ID+" filtered by its key still lists it")
		return false
	case ex.Status == http.StatusOK:
		var state string
		if m.res.State != nil {
			state = rd.field(m.res.State.Field)
		}
		if m.res.Deleted.State != "" && state == m.res.Deleted.State {
			m.gone = true
			return true
		}
		if state != "" {
			m.last = joinNotes(m.last, "show answers it "+state)
		}
		return false
	case answers(ex, m.res.Deleted) || answers(ex, m.res.Unknown) || ex.Status == http.StatusNotFound:
		m.gone = true
		return true
	}
	m.last = joinNotes(m.last, fmt.Sprintf("show answered %d %s", ex.Status, apierror.Snippet([]byte(ex.RawAnswer()))))
	return false
}

// answers says whether ex is the refusal a declares.
func answers(ex *wire.Exchange, a semantics.Answer) bool {
	return a.Status != 0 && ex.Status == a.Status && (a.Code == "" || errorCodeOf(ex) == a.Code)
}

// field is a top-level property of ex's answer: a string as it is, any
// other value in its JSON form, "" when absent or null.
func field(ex *wire.Exchange, name string) string {
	var body map[string]any
	_ = json.Unmarshal([]byte(ex.RawAnswer()), &body)
	return fieldOf(body, name)
}

// fieldOf is a top-level property of a decoded object, as field says.
func fieldOf(body map[string]any, name string) string {
	switch v := body[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// itemsOf are the items of a list's answer, at the JSON pointer items.
func itemsOf(ex *wire.Exchange, items string) []map[string]any {
	e, err := semantics.ParseExpr("$response.body#" + items)
	if err != nil {
		return nil
	}
	raw, _ := e.Eval(semantics.Call{AnswerBody: []byte(ex.RawAnswer())})
	var out []map[string]any
	_ = json.Unmarshal([]byte(raw), &out)
	return out
}

// fill makes the path of op for the resource of key, in the run's
// project.
func (g *gate) fill(op *semantics.Operation, key string) string { return g.fillUnder(op, "", key) }

// fillUnder makes the path of op for the resource of key under the
// resource of parent (a sub-resource's), in the run's project.
func (g *gate) fillUnder(op *semantics.Operation, parent, key string) string {
	p := strings.ReplaceAll(op.Path, "{project_id}", url.PathEscape(g.cfg.ProjectID))
	if op.KeyExpr != nil && op.KeyExpr.In == "path" {
		p = strings.ReplaceAll(p, "{"+op.KeyExpr.Name+"}", url.PathEscape(key))
	}
	if op.ParentExpr != nil && op.ParentExpr.In == "path" {
		p = strings.ReplaceAll(p, "{"+op.ParentExpr.Name+"}", url.PathEscape(parent))
	}
	return p
}

// findByName looks up a resource whose create answer was lost, in its
// list (filtered by name where the list can be); false when there is none
// (nothing to delete) or the lookup failed.
func (g *gate) findByName(ctx context.Context, m *made) bool {
	list := m.res.Op(semantics.List)
	if list == nil || m.res.Name == "" {
		m.last = "its create's answer was lost, and nothing lists " + m.res.Title + "s by name"
		return false
	}
	path := g.fill(list, "")
	for param, f := range list.Filters {
		if f.Field == m.res.Name && (f.Match == "" || f.Match == "exact") {
			path += "?" + url.Values{param: {m.name}}.Encode()
		}
	}
	ex := g.Send(ctx, true, list.Method, path, nil)
	if ex.Error != "" || ex.Status != http.StatusOK {
		m.last = fmt.Sprintf("could not look it up by name: %s", ex.Answer())
		return false
	}
	for _, it := range itemsOf(ex, list.Items) {
		state := ""
		if m.res.State != nil {
			state, _ = it[m.res.State.Field].(string)
		}
		if it[m.res.Name] == m.name && (m.res.Deleted.State == "" || state != m.res.Deleted.State) {
			m.id, _ = it[m.res.Key].(string)
			return m.id != ""
		}
	}
	m.gone = true // never created
	return false
}

func joinNotes(a, b string) string {
	if a == "" || strings.HasSuffix(a, b) {
		return b
	}
	return a + "; " + b
}
