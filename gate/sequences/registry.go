package sequences

import (
	"encoding/json"
	"slices"

	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/semantics"
)

// The sequences' part of the registry (package gate's doc.go says what
// the registry is): what a generated sequence does, beyond what the
// declarations say, by operationId:
//
//   - observe: what a sequence holds a server to after the call answers;
//   - prepare: a change to a body a sequence draws, before it is sent;
//   - actions: more steps a sequence may take, by name;
//   - body: a whole body a sequence sends instead of one drawn, when it
//     returns true; wanted: optional properties always drawn (gen.go).
//
// An operation with no entry is drawn and followed by its declarations
// alone.
type behaviour struct {
	observe func(r *seqRun, key string)
	prepare func(r *seqRun, body any)
	actions map[string]func(r *seqRun)
	body    func(r *seqRun) (any, bool)
	wanted  []string
}

// listConnections is the list the run's connections are read through,
// which the steps of listing, filtering and paging name in their lines.
const listConnections = "ListEnhancedConnections"

var behaviours = map[string]behaviour{
	"CreateEnhancedConnection": {prepare: (*seqRun).tagRun},
	"ShowEnhancedConnection":   {observe: (*seqRun).compareShown},
	"ListEnhancedConnections": {actions: map[string]func(*seqRun){
		"ListEnhancedConnections filters": func(r *seqRun) { r.listFilters(true); r.listFilters(false) },
		"ListEnhancedConnections pages":   (*seqRun).listPages,
		"settle":                          (*seqRun).settle,
	}},
	"AssociateQueueToEnhancedConnection":      {body: (*seqRun).nothingToBind},
	"DisassociateQueueFromEnhancedConnection": {body: (*seqRun).unbindBody},
	"ShowEnhancedConnectionPrivilege":         {observe: (*seqRun).comparePrivileges},
	"RunAuthorizationAction":                  {wanted: []string{"/projectId"}, prepare: (*seqRun).userGrants},
}

// seqKind is what a sequence does with a resource kind the model holds
// in Go (model.Kinds).
type seqKind struct {
	// bind makes a live one of the run bound, ACTIVE, to the queue of
	// that name, where it can.
	bind func(r *seqRun, name string)
	// observe holds what a list of the kind answered, for the object
	// obj it selects, to the model (a privilege list of a resource the
	// authorization API names as an object).
	observe func(r *seqRun, list *semantics.Operation, obj string)
}

var seqKinds = map[string]seqKind{
	"privilege": {observe: (*seqRun).compareUserPrivileges},
}

func init() {
	// Set here, for the calls they make are drawn through the registry,
	// which Go does not let its own literals refer to.
	seqKinds["enhanced_connection"] = seqKind{bind: (*seqRun).bindActive}
	b := behaviours["RunAuthorizationAction"]
	b.observe = (*seqRun).listUserGrants
	behaviours["RunAuthorizationAction"] = b
}

// modelledInGo says whether the registry models a resource kind itself,
// so that the generic model leaves that kind alone.
func (g *sequencer) modelledInGo(kind string) bool {
	_, ok := model.Kinds[kind]
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
		if res, _ := r.m.Sem.ObjectKind(env.Str(p["object"])); res != nil && len(res.Privileges) > 0 {
			declared, held = append(declared, p), append(held, res.Privileges)
		}
	}
	// Nothing drawn where nothing is kept: a run without such kinds
	// draws as it did before they were declared.
	if len(declared) == 0 {
		return
	}
	if rapid.IntRange(0, 4).Draw(r.t, "grant to one of the users?") != 0 {
		b["user_name"] = rapid.SampledFrom(env.Grantees).Draw(r.t, "a user to grant")
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
		if res, _ := r.m.Sem.ObjectKind(env.Str(p["object"])); res != nil {
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

// bindActive binds the queue of that name to the run's latest live
// connection (made first if there is none) and waits until the binding
// settles, unless one is bound, ACTIVE, already.
func (r *seqRun) bindActive(name string) {
	if r.unsure || r.m.BoundActive(name) {
		return
	}
	var c *model.Conn
	for _, mc := range r.m.Conns {
		if !mc.Deleted {
			c = mc
		}
	}
	if c == nil {
		if !r.makeFirst("enhanced_connection") {
			return
		}
		if c = r.m.Conns[len(r.m.Conns)-1]; c.Deleted {
			return
		}
	}
	if c.Binding(name) == nil {
		op := r.actionOf("AssociateQueueToEnhancedConnection")
		if op == nil {
			return
		}
		if status, _ := r.call(op, map[string]string{"connection_id": c.ID}, map[string]any{"queues": []any{name}}, ""); status != 200 {
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
	if c == nil || len(c.Bindings) == 0 || rapid.IntRange(0, 3).Draw(r.t, "unbind what is bound?") == 0 {
		return nil, false
	}
	body := map[string]any{}
	for _, b := range c.Bindings {
		field := "elastic_resource_pools"
		if b.Queue {
			field = "queues"
		}
		if rapid.Bool().Draw(r.t, "unbind "+b.Name+"?") {
			list, _ := body[field].([]any)
			body[field] = append(list, b.Name)
		}
	}
	return body, len(body) > 0
}

// namesOf are the names of the resources of kind the run made.
func (r *seqRun) namesOf(kind string) []string {
	if gk, ok := model.Kinds[kind]; ok && gk.Names != nil {
		return gk.Names(r.m)
	}
	var names []string
	for _, t := range r.m.ThingsOf(kind) {
		names = append(names, t.Name)
	}
	return names
}
