package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
)

// Leftover is a connection the run created and could not delete.
type Leftover struct {
	Kind string `json:"kind"` // enhanced or classic
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// LastAnswer is what the server last said about it.
	LastAnswer string `json:"last_answer"`
}

func (l Leftover) String() string {
	id := l.ID
	if id == "" {
		id = "(id unknown)"
	}
	return fmt.Sprintf("%s connection %s %q: %s", l.Kind, id, l.Name, l.LastAnswer)
}

// made is one connection the run created, or may have created.
type made struct {
	kind, id, name string
	gone           bool
	last           string
}

// registry tracks everything the run created: each create answered with a
// connection_id, and the name of each create whose answer was lost (a
// timeout, a 5xx), which cleanup looks up by name.
type registry struct {
	mu    sync.Mutex
	items []*made
}

func (r *registry) add(kind, id, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.items {
		if id != "" && m.id == id || id == "" && m.id == "" && m.name == name {
			return
		}
	}
	r.items = append(r.items, &made{kind: kind, id: id, name: name})
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

// noteCreate registers what a create may have made: the id of a 2xx
// answer, or, when the answer was lost or is a 5xx, the name it sent.
func (r *registry) noteCreate(op string, ex *Exchange, reqBody, respBody []byte) {
	kind := map[string]string{"CreateEnhancedConnection": "enhanced", "CreateDatasourceConnection": "classic"}[op]
	if kind == "" {
		return
	}
	var sent struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(reqBody, &sent)
	switch {
	case ex.Status >= 200 && ex.Status < 300:
		var got struct {
			ID string `json:"connection_id"`
		}
		if json.Unmarshal(respBody, &got) == nil && got.ID != "" {
			r.add(kind, got.ID, sent.Name)
			return
		}
		r.add(kind, "", sent.Name)
	case ex.Error != "" || ex.Status >= 500:
		if sent.Name != "" {
			r.add(kind, "", sent.Name)
		}
	}
}

// cleanupBound bounds the cleanup of one connection, retries included.
const cleanupBound = 30 * time.Second

// cleanup deletes whatever the run created that still exists, within
// ctx, and returns what it could not delete.
func (g *gate) cleanup(ctx context.Context) []Leftover {
	var left []Leftover
	for _, m := range g.made.pending() {
		if ctx.Err() != nil {
			m.last = firstOf(m.last, "not tried: the cleanup ran out of time")
		} else {
			g.remove(ctx, m)
		}
		if !m.gone {
			g.logf("WARN could not delete %s connection %s in project %s (%s); delete it by hand", m.kind, m.id, g.cfg.ProjectID, m.last)
			left = append(left, Leftover{Kind: m.kind, ID: m.id, Name: m.name, LastAnswer: m.last})
		}
	}
	return left
}

// removeEnhanced deletes an enhanced connection the run is done with.
func (g *gate) removeEnhanced(ctx context.Context, id string) {
	g.made.add("enhanced", id, "")
	for _, m := range g.made.pending() {
		if m.id == id {
			g.remove(ctx, m)
		}
	}
}

// remove deletes one connection and confirms it is gone: an enhanced one
// DELETED or unknown, a classic one unknown. A refusal is final; only a
// throttled answer (waited out below), a 5xx or no answer is tried again,
// a few times, within a bound of its own so that cleanup ends even when
// the run has.
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
	if m.kind != "enhanced" {
		g.created(cctx, m)
	}
	for attempt := 1; attempt <= 3 && cctx.Err() == nil; attempt++ {
		var resp interface{ StatusCode() int }
		var body []byte
		var err error
		if m.kind == "enhanced" {
			r, e := g.c.DeleteEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, m.id)
			resp, err = r, e
			if e == nil {
				body = r.Body
			}
		} else {
			r, e := g.c.DeleteDatasourceConnectionWithResponse(cctx, g.cfg.ProjectID, m.id)
			resp, err = r, e
			if e == nil {
				body = r.Body
			}
		}
		switch {
		case err != nil:
			m.last = "delete failed: " + err.Error()
		case resp.StatusCode() == http.StatusOK:
			m.last = "delete answered 200"
			attempt = 3 // confirm below
			continue
		default:
			m.last = fmt.Sprintf("delete answered %d %s", resp.StatusCode(), apierror.Snippet(body))
			if resp.StatusCode() < 500 {
				attempt = 3 // a refusal is final
				continue
			}
		}
		_ = g.clock.Sleep(cctx, g.cfg.Poll)
	}
	g.gone(cctx, m)
}

// created waits, within Settle, until a classic connection is no longer
// CREATING: until then DLI refuses to delete it.
func (g *gate) created(ctx context.Context, m *made) {
	deadline := g.clock.Now().Add(g.cfg.Settle)
	for g.clock.Now().Before(deadline) {
		shown, err := g.c.ShowDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, m.id)
		if apierror.Check(shown, err) != nil || shown.JSON200 == nil || value(shown.JSON200.State) != dli.StateCreating {
			return
		}
		if g.clock.Sleep(ctx, g.cfg.Poll) != nil {
			return
		}
	}
}

// gone shows the connection and marks it gone when it is.
func (g *gate) gone(ctx context.Context, m *made) bool {
	var err error
	if m.kind == "enhanced" {
		var shown *dli.ShowEnhancedConnectionResponse
		shown, err = g.c.ShowEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, m.id)
		err = apierror.Check(shown, err)
		if err == nil && shown.JSON200 != nil && value(shown.JSON200.Status) == dli.EnhancedDeleted {
			m.gone = true
			return true
		}
		if err == nil {
			m.last = joinNotes(m.last, "show answers it "+string(value(shown.JSON200.Status)))
		}
	} else {
		var shown *dli.ShowDatasourceConnectionResponse
		shown, err = g.c.ShowDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, m.id)
		err = apierror.Check(shown, err)
		if err == nil && shown.JSON200 != nil {
			m.last = joinNotes(m.last, "show answers it "+string(value(shown.JSON200.State)))
		}
	}
	if apierror.IsNotFound(err) {
		m.gone = true
		return true
	}
	if err != nil && !apierror.IsNotFound(err) {
		m.last = joinNotes(m.last, "show failed: "+err.Error())
	}
	return false
}

// findByName looks up a connection whose create answer was lost; false
// when there is none (nothing to delete) or the lookup failed.
func (g *gate) findByName(ctx context.Context, m *made) bool {
	if m.kind == "enhanced" {
		name := m.name
		list, err := g.c.ListEnhancedConnectionsWithResponse(ctx, g.cfg.ProjectID, &dli.ListEnhancedConnectionsParams{Name: &name})
		if err := apierror.Check(list, err); err != nil {
			m.last = "could not look it up by name: " + err.Error()
			return false
		}
		for _, c := range list.JSON200.Connections {
			if value(c.Name) == m.name && value(c.Status) != dli.EnhancedDeleted {
				m.id = value(c.ID)
				return true
			}
		}
	} else {
		list, err := g.c.ListDatasourceConnectionsWithResponse(ctx, g.cfg.ProjectID, nil)
		if err := apierror.Check(list, err); err != nil {
			m.last = "could not look it up by name: " + err.Error()
			return false
		}
		if i := slices.IndexFunc(list.JSON200.Connections, func(c dli.Connection) bool { return value(c.Name) == m.name }); i >= 0 {
			m.id = value(list.JSON200.Connections[i].ConnectionID)
			return true
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
