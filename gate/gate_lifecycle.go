package gate

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

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

// mockEnds says what is wrong with how a dli-mock's bindings ended: a
// fail_ binding FAILED with an err_msg, any other ACTIVE without one, as
// its README says.
func mockEnds(d *dli.EnhancedConnectionDetail) string {
	var wrong []string
	for _, b := range slices.Concat(d.AvailableQueueInfo, d.ElasticResourcePools) {
		name, status, msg := value(b.Name), string(value(b.Status)), value(b.ErrMsg)
		fails := strings.HasPrefix(name, "fail_")
		switch {
		case fails && (status != string(dli.BindingFailed) || msg == ""):
			wrong = append(wrong, fmt.Sprintf("%s ended %s with err_msg %q, want FAILED with a message", name, status, msg))
		case !fails && (status != string(dli.BindingActive) || msg != ""):
			wrong = append(wrong, fmt.Sprintf("%s ended %s with err_msg %q, want ACTIVE without one", name, status, msg))
		}
	}
	return strings.Join(wrong, "; ")
}

// mockProcess says what is wrong with a dli-mock's new classic connection:
// its README has it CREATING, process rising from 0 to below 1, then
// ACTIVE at 1; a new one never FAILS.
func mockProcess(d *dli.ConnectionDetail) string {
	state, process := value(d.State), value(d.Process)
	switch {
	case state == dli.StateCreating && (process < 0 || process >= 1):
		return fmt.Sprintf("CREATING at process %v, want at least 0 and below 1", process)
	case state == dli.StateActive && process != 1:
		return fmt.Sprintf("ACTIVE at process %v, want 1", process)
	case state != dli.StateCreating && state != dli.StateActive:
		return fmt.Sprintf("a new connection is %s, want CREATING, then ACTIVE", state)
	}
	return ""
}

// lifeCycleEnhanced creates an enhanced connection and follows it: it must
// be shown and listed once created, move only through allowed states
// (and leave CREATING within Settle), and after delete show DELETED and
// refuse any change.
func (g *gate) lifeCycleEnhanced(ctx context.Context) {
	if !g.opOn("CreateEnhancedConnection") {
		return
	}
	body := g.cfg.Enhanced
	if body.DestVpcID == "" {
		body = mockEnhanced
	}
	body.Name = g.name()
	if g.cfg.Mock {
		// A dli-mock ends a fail_ binding FAILED, with a message, and any
		// other ACTIVE: both ends are checked below.
		body.ElasticResourcePools = append(slices.Clone(body.ElasticResourcePools), "fail_contract_pool")
	}
	cctx, ex := track(ctx)
	created, err := g.c.CreateEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, body)
	id := createdID(err, created)
	if msg := accepted(ex, http.StatusCreated, "create "+body.Name); msg != "" || id == "" {
		g.verdictCase(CheckAvailability, "CreateEnhancedConnection", "create "+body.Name, "", ex, firstOf(msg, "no connection_id in the answer"))
		return
	}

	cctx, ex = track(ctx)
	shown, err := g.c.ShowEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id)
	msg := accepted(ex, http.StatusOK, "show of the connection just created")
	if msg == "" {
		var name string
		if shown.JSON200 != nil {
			name = value(shown.JSON200.Name)
		}
		if name != body.Name {
			msg = fmt.Sprintf("show of the connection just created answered name %q, want %q", name, body.Name)
		}
	}
	g.verdictCase(CheckAvailability, "ShowEnhancedConnection", "the connection just created", "/name", ex, msg)
	lex, lmsg := g.listedEnhanced(ctx, id)
	g.verdictCase(CheckAvailability, "ListEnhancedConnections", "the connection just created", "/connections", lex, lmsg)

	// Every show, the first included, must move states only as allowed,
	// and bindings must leave CREATING within Settle.
	var states stateTracker
	deadline := g.clock.Now().Add(g.cfg.Settle)
	for first := true; ; first = false {
		if !first {
			cctx, ex = track(ctx)
			shown, err = g.c.ShowEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id)
		}
		if err != nil || shown.JSON200 == nil {
			break
		}
		d := shown.JSON200
		moves := []string{states.move("connection", id, string(value(d.Status)))}
		var creating []string
		for _, b := range slices.Concat(d.AvailableQueueInfo, d.ElasticResourcePools) {
			status := string(value(b.Status))
			moves = append(moves, states.move("binding", value(b.Name), status))
			if status == string(dli.BindingCreating) {
				creating = append(creating, value(b.Name))
			}
		}
		for _, m := range moves {
			if m != "" {
				g.verdictCase(CheckTransitions, "ShowEnhancedConnection", "states while the bindings are created", "", ex, m)
			}
		}
		if len(creating) == 0 {
			g.verdictCase(CheckTransitions, "ShowEnhancedConnection", "bindings leave CREATING", "", ex, "")
			if g.cfg.Mock {
				g.verdictCase(CheckTransitions, "ShowEnhancedConnection", "how a dli-mock's bindings end", "", ex, mockEnds(d))
			}
			break
		}
		if found, _ := g.neverSettled("bindings"); found || g.clock.Now().After(deadline) {
			msg := fmt.Sprintf("binding %s still CREATING after %s (-settle)", strings.Join(creating, ", "), g.cfg.Settle)
			g.verdictCase(CheckTransitions, "ShowEnhancedConnection", "bindings leave CREATING", "", ex, msg)
			g.didNotSettle("bindings", msg, false)
			break
		}
		if g.pause(ctx) != nil {
			break
		}
	}

	// Valid changes to a live connection are accepted.
	hosts := dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{{Name: ptr("contract-host"), IP: ptr("192.168.0.1")}}}
	cctx, ex = track(ctx)
	_, _ = g.c.UpdateEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id, hosts)
	msg = accepted(ex, http.StatusOK, "replacing the hosts")
	g.verdictCase(CheckPositive, "UpdateEnhancedConnection", "replacing the hosts", "", ex, msg)
	if msg == "" {
		// What was written is what is read.
		cctx, ex = track(ctx)
		shown, _ := g.c.ShowEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id)
		msg = accepted(ex, http.StatusOK, "show after replacing the hosts")
		if msg == "" && (shown.JSON200 == nil || string(marshal(shown.JSON200.Hosts)) != string(marshal(hosts.Hosts))) {
			got := []dli.Host(nil)
			if shown.JSON200 != nil {
				got = shown.JSON200.Hosts
			}
			msg = fmt.Sprintf("after replacing the hosts with %s, show answers %s", marshal(hosts.Hosts), marshal(got))
		}
		g.verdictCase(CheckAvailability, "ShowEnhancedConnection", "the hosts just written", "/hosts", ex, msg)
	}
	route := dli.RouteCreateRequest{Name: "contract_route", Cidr: "192.168.100.0/24"}
	cctx, ex = track(ctx)
	_, _ = g.c.CreateRouteToEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id, route)
	g.verdictCase(CheckPositive, "CreateRouteToEnhancedConnection", "adding a route", "", ex, accepted(ex, http.StatusOK, "adding a route"))
	cctx, ex = track(ctx)
	_, _ = g.c.DeleteRouteFromEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id, route.Name)
	g.verdictCase(CheckPositive, "DeleteRouteFromEnhancedConnection", "deleting the route", "", ex, accepted(ex, http.StatusOK, "deleting the route"))
	cctx, ex = track(ctx)
	_, _ = g.c.ShowEnhancedConnectionPrivilegeWithResponse(cctx, g.cfg.ProjectID, id)
	g.verdictCase(CheckPositive, "ShowEnhancedConnectionPrivilege", "the privileges", "", ex, accepted(ex, http.StatusOK, "the privileges"))

	if len(body.ElasticResourcePools)+len(body.Queues) > 0 {
		_, _ = g.c.DisassociateQueueFromEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, id,
			dli.EnhancedConnectionBindingRequest{Queues: body.Queues, ElasticResourcePools: body.ElasticResourcePools})
	}
	cctx, ex = track(ctx)
	_, _ = g.c.DeleteEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id)
	if accepted(ex, http.StatusOK, "delete") != "" || g.stopped() {
		return
	}

	cctx, ex = track(ctx)
	gone, err := g.c.ShowEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id)
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
	g.verdictCase(CheckUseAfterFree, "ShowEnhancedConnection", "a connection just deleted", "/status", ex, msg)
	cctx, ex = track(ctx)
	_, _ = g.c.UpdateEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id, dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{}})
	g.verdictCase(CheckUseAfterFree, "UpdateEnhancedConnection", "a change to a deleted connection", "", ex, refused(ex, "a change to a deleted connection"))
	cctx, ex = track(ctx)
	_, _ = g.c.CreateRouteToEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id, dli.RouteCreateRequest{Name: "after_delete", Cidr: "10.0.0.0/8"})
	g.verdictCase(CheckUseAfterFree, "CreateRouteToEnhancedConnection", "a route on a deleted connection", "", ex, refused(ex, "a route on a deleted connection"))
}

func (g *gate) listedEnhanced(ctx context.Context, id string) (*Exchange, string) {
	all := int32(0)
	cctx, ex := track(ctx)
	list, _ := g.c.ListEnhancedConnectionsWithResponse(cctx, g.cfg.ProjectID, &dli.ListEnhancedConnectionsParams{Limit: &all})
	if msg := accepted(ex, http.StatusOK, "list"); msg != "" {
		return ex, msg
	}
	if list.JSON200 == nil {
		return ex, "the list's body is not the declared JSON"
	}
	for _, c := range list.JSON200.Connections {
		if value(c.ID) == id {
			return ex, ""
		}
	}
	return ex, fmt.Sprintf("the list lacks the connection %s just created", id)
}

// lifeCycleClassic creates a classic connection: it must be shown and
// listed, become ACTIVE through allowed states within Settle, and be gone
// after delete.
func (g *gate) lifeCycleClassic(ctx context.Context) {
	if !g.opOn("CreateDatasourceConnection") {
		return
	}
	body := g.cfg.Create
	if body.Service == "" {
		body = mockConnection
	}
	body.Name = g.name()
	cctx, ex := track(ctx)
	created, err := g.c.CreateDatasourceConnectionWithResponse(cctx, g.cfg.ProjectID, body)
	id := createdID(err, created)
	if msg := accepted(ex, http.StatusCreated, "create "+body.Name); msg != "" || id == "" {
		g.verdictCase(CheckAvailability, "CreateDatasourceConnection", "create "+body.Name, "", ex, firstOf(msg, "no connection_id in the answer"))
		return
	}
	var states stateTracker
	deadline := g.clock.Now().Add(g.cfg.Settle)
	for {
		cctx, ex = track(ctx)
		shown, _ := g.c.ShowDatasourceConnectionWithResponse(cctx, g.cfg.ProjectID, id)
		msg := accepted(ex, http.StatusOK, "show of the connection just created")
		if msg != "" || shown.JSON200 == nil {
			g.verdictCase(CheckAvailability, "ShowDatasourceConnection", "the connection just created", "", ex, firstOf(msg, "no body"))
			break
		}
		state := string(value(shown.JSON200.State))
		if m := states.move("classic", id, state); m != "" {
			g.verdictCase(CheckTransitions, "ShowDatasourceConnection", "states while it is created", "/state", ex, m)
		}
		if g.cfg.Mock {
			g.verdictCase(CheckTransitions, "ShowDatasourceConnection", "a dli-mock's state and process", "/process", ex, mockProcess(shown.JSON200))
		}
		if state != string(dli.StateCreating) {
			g.verdictCase(CheckAvailability, "ShowDatasourceConnection", "the connection just created", "", ex, "")
			break
		}
		if found, _ := g.neverSettled("classic_connection"); found || g.clock.Now().After(deadline) {
			msg := fmt.Sprintf("classic connection %s still CREATING after %s (-settle)", id, g.cfg.Settle)
			g.verdictCase(CheckTransitions, "ShowDatasourceConnection", "the connection leaves CREATING", "/state", ex, msg)
			g.didNotSettle("classic_connection", msg, false)
			break
		}
		if g.pause(ctx) != nil {
			break
		}
	}
	cctx, ex = track(ctx)
	list, _ := g.c.ListDatasourceConnectionsWithResponse(cctx, g.cfg.ProjectID, nil)
	msg := accepted(ex, http.StatusOK, "list")
	if msg == "" && list.JSON200 == nil {
		msg = "the list's body is not the declared JSON"
	}
	if msg == "" && !slices.ContainsFunc(list.JSON200.Connections, func(c dli.Connection) bool { return value(c.ConnectionID) == id }) {
		msg = fmt.Sprintf("the list lacks the connection %s just created", id)
	}
	g.verdictCase(CheckAvailability, "ListDatasourceConnections", "the connection just created", "/connections", ex, msg)

	cctx, ex = track(ctx)
	_, _ = g.c.DeleteDatasourceConnectionWithResponse(cctx, g.cfg.ProjectID, id)
	if accepted(ex, http.StatusOK, "delete") != "" || g.stopped() {
		return
	}
	cctx, ex = track(ctx)
	gone, err := g.c.ShowDatasourceConnectionWithResponse(cctx, g.cfg.ProjectID, id)
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
	g.verdictCase(CheckUseAfterFree, "ShowDatasourceConnection", "a connection just deleted", "", ex, msg)
}

func (g *gate) pause(ctx context.Context) error { return g.clock.Sleep(ctx, g.cfg.Poll) }

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
