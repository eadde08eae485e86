package gate

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/dli-contract/dli-go/gate/env"

	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/semantics"
)

// The registry: what the document cannot declare, by operationId. It is
// the one place in the gate's code that names an operation. What the
// declarations say (x-dli-resources, x-dli-operation, x-dli-codes: the
// package semantics) the gate derives for every operation: the life
// cycles, the cleanup, the filling of paths, the sequences' roots and
// links, and the generic part of the model (model_declared.go). What they
// cannot say, what a binding or a grant does, and what only docs/mock.md
// promises of a dli-mock, is written here, in Go, per operation:
//
//   - predict: the model's prediction of a call, replacing the generic one;
//   - observe: what a sequence holds a server to after the call answers;
//   - prepare: a change to a body a sequence draws, before it is sent;
//   - actions: more steps a sequence may take, by name;
//   - body: a whole body a sequence sends instead of one drawn, when it
//     returns true; wanted: optional properties always drawn (gen.go);
//   - mockCode: the error code of a refusal the document gives none for,
//     which docs/mock.md gives;
//   - lifeCycle: what the life cycle of the operation's resource checks
//     beyond the declared one, for the create, the read or the delete it
//     names (gate_lifecycle.go).
//
// An operation with no entry is checked by its declarations alone.
type behaviour struct {
	predict  func(m *model, op string, path map[string]string, body map[string]any) prediction
	observe  func(r *seqRun, key string)
	prepare  func(r *seqRun, body any)
	actions  map[string]func(r *seqRun)
	body     func(r *seqRun) (any, bool)
	wanted   []string
	mockCode string
	life     *lifeHooks
	// mockRefusals are calls docs/mock.md says it refuses beyond
	// the document, sent in the invalid requests' phase.
	mockRefusals func(g *gate, unknown string) []mockRefusal
}

// mockRefusal is a call a dli-mock refuses, and with which code.
type mockRefusal struct {
	what string
	body []byte
	code string
}

var behaviours = map[string]behaviour{
	// Enhanced connections: bindings, hosts, routes and grants are what
	// the model holds of one, compared field by field.
	"CreateEnhancedConnection": {predict: (*model).createEnhanced, prepare: (*seqRun).tagRun, life: enhancedLife},
	"ShowEnhancedConnection":   {predict: (*model).showEnhanced, observe: (*seqRun).compareShown},
	"ListEnhancedConnections": {actions: map[string]func(*seqRun){
		"ListEnhancedConnections filters": func(r *seqRun) { r.listFilters(true); r.listFilters(false) },
		"ListEnhancedConnections pages":   (*seqRun).listPages,
		"settle":                          (*seqRun).settle,
	}},
	"UpdateEnhancedConnection": {predict: (*model).updateEnhanced},
	"DeleteEnhancedConnection": {predict: (*model).deleteEnhanced},
	"AssociateQueueToEnhancedConnection": {body: (*seqRun).nothingToBind, predict: func(m *model, _ string, path map[string]string, body map[string]any) prediction {
		return m.bind(false, path, body)
	}},
	"DisassociateQueueFromEnhancedConnection": {body: (*seqRun).unbindBody, predict: func(m *model, _ string, path map[string]string, body map[string]any) prediction {
		return m.bind(true, path, body)
	}},
	"ShowEnhancedConnectionPrivilege":   {predict: (*model).showEnhanced, observe: (*seqRun).comparePrivileges},
	"CreateRouteToEnhancedConnection":   {predict: (*model).createRoute},
	"CreateEnhancedConnectionRoutes":    {predict: (*model).createRoute},
	"DeleteRouteFromEnhancedConnection": {predict: (*model).deleteRoute},
	"DeleteEnhancedConnectionRoutes":    {predict: (*model).deleteRoute},
	"RunAuthorizationAction":            {predict: (*model).predictAuthorization, wanted: []string{"/projectId"}, prepare: (*seqRun).userGrants, mockRefusals: grantRefusals},

	// Classic connections are held by their declarations, but for what
	// a dli-mock answers a delete while one is being created, and what a
	// dli-mock's new one shows.
	"DeleteDatasourceConnection": {mockCode: "DLI.0007"},
	"CreateDatasourceConnection": {life: classicLife},
}

// goKind is a resource kind the registry's model holds in Go (model.go)
// rather than by its declarations: its keys, as a sequence draws them.
type goKind struct {
	keys func(m *model, parent string, withDeleted bool) []string
	// names are the names of the run's ones, in creation order.
	names func(m *model) []string
	// sentinel is a key that does not exist, drawn among the others in
	// place of a fresh unknown one.
	sentinel string
	// bound says whether a live one of the kind is surely bound, ACTIVE,
	// to the queue or pool of that name (what a dli-mock's rule of
	// another kind may ask: mock.decides).
	bound func(m *model, name string) bool
	// bind makes a live one of the run bound, ACTIVE, to the queue of
	// that name, where it can.
	bind func(r *seqRun, name string)
	// observe holds what a list of the kind answered, for the object
	// obj it selects, to the model (a privilege list of a resource the
	// authorization API names as an object).
	observe func(r *seqRun, list *semantics.Operation, obj string)
}

var goKinds = map[string]goKind{
	"enhanced_connection": {keys: func(m *model, _ string, withDeleted bool) []string {
		// The deleted ones first: a draw counts back from the last, so
		// that calls mostly go to connections still there, where what
		// several calls do shows (a second route, a name used twice),
		// without a draw more, which would slow shrinking.
		var deleted, live []string
		for _, c := range m.conns {
			if c.deleted {
				deleted = append(deleted, c.id)
			} else {
				live = append(live, c.id)
			}
		}
		if !withDeleted {
			return live
		}
		return append(deleted, live...)
	}, names: func(m *model) []string {
		var names []string
		for _, c := range m.conns {
			names = append(names, c.name)
		}
		return names
	}, bound: (*model).boundActive},
	"route": {sentinel: "no_such_route", keys: func(m *model, parent string, _ bool) []string {
		var out []string
		if c := m.conn(parent); c != nil {
			for _, rt := range c.routes {
				out = append(out, rt.name)
			}
		}
		return out
	}},
	"privilege": {keys: func(*model, string, bool) []string { return nil }, observe: (*seqRun).compareUserPrivileges},
}

func init() {
	// Set here, for the calls they make are predicted through the
	// registry, which Go does not let its own literals refer to.
	k := goKinds["enhanced_connection"]
	k.bind = (*seqRun).bindActive
	goKinds["enhanced_connection"] = k
	b := behaviours["RunAuthorizationAction"]
	b.observe = (*seqRun).listUserGrants
	behaviours["RunAuthorizationAction"] = b
}

// modelledInGo says whether the registry models a resource kind itself,
// so that the generic model leaves that kind alone.
func (g *gate) modelledInGo(kind string) bool {
	_, ok := goKinds[kind]
	return ok
}

// userGrants shapes a grant drawn against a dli-mock where it names an
// object of a declared kind (a datasource authentication): mostly to one
// of a few users, so that a revoke meets a grant, and for privileges a
// user may hold there, so that what a grant does shows in the privilege
// list; now and then as drawn (no user, privileges such an object does
// not have, or null) or with none, each of which docs/mock.md
// refuses or, for an update, takes as revoking all. Drawn for any object
// and user alone, nearly every grant would be refused.
func (r *seqRun) userGrants(body any) {
	b, _ := body.(map[string]any)
	if !r.g.Cfg.Mock || r.force != nil || b == nil {
		return
	}
	var declared []map[string]any
	var held [][]string
	for _, p := range env.Objects(b["privileges"]) {
		if res, _ := r.m.sem.ObjectKind(env.Str(p["object"])); res != nil && len(res.Privileges) > 0 {
			declared, held = append(declared, p), append(held, res.Privileges)
		}
	}
	// Nothing drawn where nothing is kept: a run without such kinds
	// draws as it did before they were declared.
	if len(declared) == 0 {
		return
	}
	if rapid.IntRange(0, 4).Draw(r.t, "grant to one of the users?") != 0 {
		b["user_name"] = rapid.SampledFrom(grantees).Draw(r.t, "a user to grant")
	}
	switch rapid.IntRange(0, 5).Draw(r.t, "privileges a user may hold?") {
	case 0:
		return
	case 1:
		for _, p := range declared {
			p["privileges"] = []any{}
		}
		return
	}
	for i, p := range declared {
		var keep []any
		for _, v := range env.Strings(p["privileges"]) {
			if slices.Contains(held[i], v) {
				keep = append(keep, v)
			}
		}
		if len(keep) == 0 {
			keep = []any{rapid.SampledFrom(held[i]).Draw(r.t, "a user's privilege")}
		}
		p["privileges"] = keep
	}
}

// grantees are the users a sequence grants privileges to.
var grantees = []string{"contract_user_a", "contract_user_b"}

// listUserGrants, after a dli-mock took a grant on an object of a
// declared kind, lists who holds what on it, by the privilege list that
// selects an object: held to the model at once, before later steps move
// it on (left to chance, a sequence seldom lists after a grant).
func (r *seqRun) listUserGrants(string) {
	if !r.g.Cfg.Mock || r.unsure || r.last.Status != 200 {
		return
	}
	// The grant as sent: the objects it named.
	var body map[string]any
	_ = json.Unmarshal([]byte(r.last.Body), &body)
	var objs []string
	for _, p := range env.Objects(body["privileges"]) {
		if res, _ := r.m.sem.ObjectKind(env.Str(p["object"])); res != nil {
			objs = append(objs, env.Str(p["object"]))
		}
	}
	if len(objs) == 0 {
		return
	}
	obj := recent(r.t, objs, "list the privileges on")
	for _, list := range r.g.Sem.Resources["privilege"].Operations[semantics.List] {
		sel, op := env.Selector(list), r.actionOf(list.ID)
		if sel == "" || op == nil {
			continue
		}
		r.call(op, map[string]string{sel: obj}, nil, "")
		r.compareUserPrivileges(list, obj)
		return
	}
}

// boundActive says whether a live connection binds the queue or pool of
// that name, seen ACTIVE: a binding stays so until it is unbound or its
// connection deleted, which the model holds.
func (m *model) boundActive(name string) bool {
	for _, c := range m.conns {
		if !c.deleted && slices.ContainsFunc(c.bindings, func(b mBinding) bool { return b.name == name && b.status == "ACTIVE" }) {
			return true
		}
	}
	return false
}

// bindActive binds the queue of that name to the run's latest live
// connection (made first if there is none) and waits until the binding
// settles, unless one is bound, ACTIVE, already.
func (r *seqRun) bindActive(name string) {
	if r.unsure || r.m.boundActive(name) {
		return
	}
	var c *mConn
	for _, mc := range r.m.conns {
		if !mc.deleted {
			c = mc
		}
	}
	if c == nil {
		if !r.makeFirst("enhanced_connection") {
			return
		}
		if c = r.m.conns[len(r.m.conns)-1]; c.deleted {
			return
		}
	}
	if c.binding(name) == nil {
		op := r.actionOf("AssociateQueueToEnhancedConnection")
		if op == nil {
			return
		}
		if status, _ := r.call(op, map[string]string{"connection_id": c.id}, map[string]any{"queues": []any{name}}, ""); status != 200 {
			return
		}
	}
	r.settle()
}

// nothingToBind is, seldom, a binding request with both lists null: each
// is allowed alone, which the schema says; both together name nothing,
// which only the document's words say.
func (r *seqRun) nothingToBind() (any, bool) {
	if rapid.IntRange(0, 9).Draw(r.t, "name nothing to bind?") == 0 {
		return map[string]any{"queues": nil, "elastic_resource_pools": nil}, true
	}
	return nil, false
}

// unbindBody is mostly some of what is bound: an unbind of names drawn at
// random would seldom find them all bound.
func (r *seqRun) unbindBody() (any, bool) {
	if body, ok := r.nothingToBind(); ok {
		return body, true
	}
	c := r.target
	if c == nil || len(c.bindings) == 0 || rapid.IntRange(0, 3).Draw(r.t, "unbind what is bound?") == 0 {
		return nil, false
	}
	body := map[string]any{}
	for _, b := range c.bindings {
		field := "elastic_resource_pools"
		if b.queue {
			field = "queues"
		}
		if rapid.Bool().Draw(r.t, "unbind "+b.name+"?") {
			list, _ := body[field].([]any)
			body[field] = append(list, b.name)
		}
	}
	return body, len(body) > 0
}

// namesOf are the names of the resources of kind the run made.
func (r *seqRun) namesOf(kind string) []string {
	if gk, ok := goKinds[kind]; ok && gk.names != nil {
		return gk.names(r.m)
	}
	var names []string
	for _, t := range r.m.thingsOf(kind) {
		names = append(names, t.name)
	}
	return names
}

// grantRefusals: a dli-mock models the privileges of enhanced connections
// only, and refuses a grant on one that does not exist (docs/mock.md).
func grantRefusals(g *gate, unknown string) []mockRefusal {
	var out []mockRefusal
	for _, a := range []struct{ object, code, what string }{
		{"databases.db_contract", apierror.CodeNotSupported, "a grant on an object other than a connection"},
		{"edsconnections." + unknown, apierror.CodeBadParameter, "a grant on a connection that does not exist"},
	} {
		body := env.Marshal(map[string]any{"projectId": g.MockValue("project"), "action": "grant",
			"privileges": []any{map[string]any{"object": a.object, "privileges": []any{"BIND_QUEUE"}}}})
		out = append(out, mockRefusal{a.what, body, a.code})
	}
	// A user's grant on a resource of a kind named as an object (a
	// datasource authentication) that does not exist: refused as the
	// kind's mock.unknown says.
	for _, kind := range slices.Sorted(maps.Keys(g.Sem.Resources)) {
		res := g.Sem.Resources[kind]
		if res.Object == "" || len(res.Privileges) == 0 || res.Mock == nil || res.Mock.Unknown == nil {
			continue
		}
		body := env.Marshal(map[string]any{"user_name": grantees[0], "action": "grant",
			"privileges": []any{map[string]any{"object": res.Object + unknown, "privileges": []any{res.Privileges[0]}}}})
		out = append(out, mockRefusal{"a grant on a " + res.Title + " that does not exist", body, res.Mock.Unknown.Code})
	}
	return out
}
