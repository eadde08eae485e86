package gate

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/dli-contract/dli-go/gen/dli"
)

// transitions says where each state may go next, as the document
// describes the life cycles.
var transitions = map[string][]string{
	// An enhanced connection.
	"connection ACTIVE":  {"ACTIVE", "DELETED"},
	"connection DELETED": {"DELETED"},
	// A binding to a queue or elastic resource pool.
	"binding CREATING": {"CREATING", "ACTIVE", "FAILED"},
	"binding ACTIVE":   {"ACTIVE"},
	"binding FAILED":   {"FAILED"},
	// A classic connection.
	"classic CREATING": {"CREATING", "ACTIVE", "FAILED"},
	"classic ACTIVE":   {"ACTIVE", "DELETED"},
	"classic FAILED":   {"FAILED", "DELETED"},
}

// stateTracker remembers the last state of each thing and reports a move
// the document does not allow.
type stateTracker struct{ last map[string]string }

func (t *stateTracker) move(kind, thing, state string) string {
	if t.last == nil {
		t.last = map[string]string{}
	}
	key := kind + " " + thing
	prev, seen := t.last[key]
	t.last[key] = state
	if !seen || prev == state {
		return ""
	}
	if !slices.Contains(transitions[kind+" "+prev], state) {
		return fmt.Sprintf("%s %s went from %s to %s, which the document does not allow", kind, thing, prev, state)
	}
	return ""
}

// lifeCycleEnhanced creates an enhanced connection and follows it: it must
// be shown and listed once created, move only through allowed states, and
// after delete show DELETED and refuse any change.
func (g *gate) lifeCycleEnhanced(ctx context.Context) {
	body := g.cfg.Enhanced
	if body.DestVpcID == "" {
		body = mockEnhanced
	}
	body.Name = g.name()
	created, err := g.c.CreateEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, body)
	if msg := accepted(err, created, http.StatusCreated, "create "+body.Name); msg != "" || createdID(err, created) == "" {
		if id := createdID(err, created); id != "" {
			g.deleteEnhanced(ctx, id)
		}
		g.verdict(CheckAvailability, "CreateEnhancedConnection", "", firstOf(msg, "no connection_id in the answer"))
		return
	}
	id := createdID(err, created)
	deleted := false
	defer func() {
		if !deleted {
			g.deleteEnhanced(ctx, id)
		}
	}()

	shown, err := g.c.ShowEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id)
	msg := accepted(err, shown, http.StatusOK, "show of the connection just created")
	if msg == "" {
		var name string
		if shown.JSON200 != nil {
			name = value(shown.JSON200.Name)
		}
		if name != body.Name {
			msg = fmt.Sprintf("show of the connection just created answered name %q, want %q", name, body.Name)
		}
	}
	g.verdict(CheckAvailability, "ShowEnhancedConnection", "/name", msg)
	g.verdict(CheckAvailability, "ListEnhancedConnections", "/connections", g.listedEnhanced(ctx, id))

	// Every show, the first included, must move states only as allowed.
	var states stateTracker
	deadline := time.Now().Add(g.cfg.Settle)
	for first := true; ; first = false {
		if !first {
			shown, err = g.c.ShowEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id)
		}
		if err != nil || shown.JSON200 == nil {
			break
		}
		d := shown.JSON200
		moves := []string{states.move("connection", id, string(value(d.Status)))}
		creating := false
		for _, b := range slices.Concat(d.AvailableQueueInfo, d.ElasticResourcePools) {
			status := string(value(b.Status))
			moves = append(moves, states.move("binding", value(b.Name), status))
			creating = creating || status == string(dli.BindingCreating)
		}
		for _, m := range moves {
			if m != "" {
				g.verdict(CheckTransitions, "ShowEnhancedConnection", "", m)
			}
		}
		if !creating || time.Now().After(deadline) || g.pause(ctx) != nil {
			break
		}
	}
	g.verdict(CheckTransitions, "ShowEnhancedConnection", "", "")

	// Valid changes to a live connection are accepted.
	hosts := dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{{Name: ptr("contract-host"), IP: ptr("192.168.0.1")}}}
	updated, err := g.c.UpdateEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id, hosts)
	msg = accepted(err, updated, http.StatusOK, "replacing the hosts")
	g.verdict(CheckPositive, "UpdateEnhancedConnection", "", msg)
	if msg == "" {
		// What was written is what is read.
		shown, err := g.c.ShowEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id)
		msg = accepted(err, shown, http.StatusOK, "show after replacing the hosts")
		if msg == "" && (shown.JSON200 == nil || string(marshal(shown.JSON200.Hosts)) != string(marshal(hosts.Hosts))) {
			got := []dli.Host(nil)
			if shown.JSON200 != nil {
				got = shown.JSON200.Hosts
			}
			msg = fmt.Sprintf("after replacing the hosts with %s, show answers %s", marshal(hosts.Hosts), marshal(got))
		}
		g.verdict(CheckAvailability, "ShowEnhancedConnection", "/hosts", msg)
	}
	route := dli.RouteCreateRequest{Name: "contract_route", Cidr: "192.168.100.0/24"}
	added, err := g.c.CreateRouteToEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id, route)
	g.verdict(CheckPositive, "CreateRouteToEnhancedConnection", "", accepted(err, added, http.StatusOK, "adding a route"))
	dropped, err := g.c.DeleteRouteFromEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id, route.Name)
	g.verdict(CheckPositive, "DeleteRouteFromEnhancedConnection", "", accepted(err, dropped, http.StatusOK, "deleting the route"))
	privileges, err := g.c.ShowEnhancedConnectionPrivilegeWithResponse(ctx, g.cfg.ProjectID, id)
	g.verdict(CheckPositive, "ShowEnhancedConnectionPrivilege", "", accepted(err, privileges, http.StatusOK, "the privileges"))

	if len(body.ElasticResourcePools)+len(body.Queues) > 0 {
		_, _ = g.c.DisassociateQueueFromEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id,
			dli.EnhancedConnectionBindingRequest{Queues: body.Queues, ElasticResourcePools: body.ElasticResourcePools})
	}
	del, err := g.c.DeleteEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id)
	if accepted(err, del, http.StatusOK, "delete") != "" {
		return
	}
	deleted = true

	gone, err := g.c.ShowEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id)
	msg = ""
	switch {
	case err != nil:
		msg = fmt.Sprintf("show after delete failed: %v", err)
	case gone.StatusCode() == http.StatusOK && gone.JSON200 == nil:
		msg = "show after delete answered 200 without the declared body"
	case gone.StatusCode() == http.StatusOK && value(gone.JSON200.Status) != dli.EnhancedDeleted:
		msg = fmt.Sprintf("a deleted connection is still shown as %v, want DELETED", value(gone.JSON200.Status))
	case gone.StatusCode() == http.StatusOK:
		msg = states.move("connection", id, string(value(gone.JSON200.Status)))
	}
	g.verdict(CheckUseAfterFree, "ShowEnhancedConnection", "/status", msg)
	update, err := g.c.UpdateEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id, dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{}})
	g.verdict(CheckUseAfterFree, "UpdateEnhancedConnection", "", refused(err, statusOf(err, update), "a change to a deleted connection"))
	routeAfter, err := g.c.CreateRouteToEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id, dli.RouteCreateRequest{Name: "after_delete", Cidr: "10.0.0.0/8"})
	g.verdict(CheckUseAfterFree, "CreateRouteToEnhancedConnection", "", refused(err, statusOf(err, routeAfter), "a route on a deleted connection"))
}

func (g *gate) listedEnhanced(ctx context.Context, id string) string {
	all := int32(0)
	list, err := g.c.ListEnhancedConnectionsWithResponse(ctx, g.cfg.ProjectID, &dli.ListEnhancedConnectionsParams{Limit: &all})
	if msg := accepted(err, list, http.StatusOK, "list"); msg != "" {
		return msg
	}
	if list.JSON200 == nil {
		return "the list's body is not the declared JSON"
	}
	for _, c := range list.JSON200.Connections {
		if value(c.ID) == id {
			return ""
		}
	}
	return fmt.Sprintf("the list lacks the connection %s just created", id)
}

// lifeCycleClassic creates a classic connection: it must be shown and
// listed, become ACTIVE through allowed states, and be gone after delete.
func (g *gate) lifeCycleClassic(ctx context.Context) {
	body := g.cfg.Create
	if body.Service == "" {
		body = mockConnection
	}
	body.Name = g.name()
	created, err := g.c.CreateDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, body)
	id := createdID(err, created)
	if msg := accepted(err, created, http.StatusCreated, "create "+body.Name); msg != "" || id == "" {
		if id != "" {
			_, _ = g.c.DeleteDatasourceConnectionWithResponse(context.WithoutCancel(ctx), g.cfg.ProjectID, id)
		}
		g.verdict(CheckAvailability, "CreateDatasourceConnection", "", firstOf(msg, "no connection_id in the answer"))
		return
	}
	var states stateTracker
	deadline := time.Now().Add(g.cfg.Settle)
	for {
		shown, err := g.c.ShowDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, id)
		msg := accepted(err, shown, http.StatusOK, "show of the connection just created")
		if msg != "" || shown.JSON200 == nil {
			g.verdict(CheckAvailability, "ShowDatasourceConnection", "", firstOf(msg, "no body"))
			break
		}
		state := string(value(shown.JSON200.State))
		if m := states.move("classic", id, state); m != "" {
			g.verdict(CheckTransitions, "ShowDatasourceConnection", "/state", m)
		}
		if state != string(dli.StateCreating) || time.Now().After(deadline) || g.pause(ctx) != nil {
			g.verdict(CheckAvailability, "ShowDatasourceConnection", "", "")
			break
		}
	}
	list, err := g.c.ListDatasourceConnectionsWithResponse(ctx, g.cfg.ProjectID, nil)
	msg := accepted(err, list, http.StatusOK, "list")
	if msg == "" && list.JSON200 == nil {
		msg = "the list's body is not the declared JSON"
	}
	if msg == "" && !slices.ContainsFunc(list.JSON200.Connections, func(c dli.Connection) bool { return value(c.ConnectionID) == id }) {
		msg = fmt.Sprintf("the list lacks the connection %s just created", id)
	}
	g.verdict(CheckAvailability, "ListDatasourceConnections", "/connections", msg)

	del, err := g.c.DeleteDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, id)
	if accepted(err, del, http.StatusOK, "delete") != "" {
		_, _ = g.c.DeleteDatasourceConnectionWithResponse(context.WithoutCancel(ctx), g.cfg.ProjectID, id)
		return
	}
	gone, err := g.c.ShowDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, id)
	msg = ""
	switch {
	case err != nil:
		msg = fmt.Sprintf("show after delete failed: %v", err)
	case gone.StatusCode() == http.StatusOK && gone.JSON200 == nil:
		msg = "show after delete answered 200 without the declared body"
	case gone.StatusCode() == http.StatusOK && value(gone.JSON200.State) != dli.StateDeleted:
		msg = fmt.Sprintf("a deleted connection is still shown, state %v; want not found (or DELETED)", value(gone.JSON200.State))
	case gone.StatusCode() != http.StatusOK && (gone.StatusCode() < 400 || gone.StatusCode() >= 500):
		msg = fmt.Sprintf("show after delete answered %d, want not found", gone.StatusCode())
	}
	g.verdict(CheckUseAfterFree, "ShowDatasourceConnection", "", msg)
}

func (g *gate) pause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(g.cfg.Poll):
		return nil
	}
}

// statusOf is the status of a generated response, 0 when the call failed
// (and the response is a nil pointer).
func statusOf(err error, r interface{ StatusCode() int }) int {
	if err != nil {
		return 0
	}
	return r.StatusCode()
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
