// Package model is the gate's own small reading of what the operations
// mean: what the server should hold after each call of a generated
// sequence, and whether a call should be accepted or refused. The
// declarations give the generic part (declared.go); what they cannot say,
// what a binding or a grant does, is in Go (model.go), by operationId in
// the model's part of the registry (registry.go). It reads the document
// and the answers it is shown, and sends nothing.
package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/semantics"
)

// The model is the gate's own small reading of what the operations mean:
// what the server should hold after each call of a sequence, and whether
// a call should be accepted or refused. It is written from the document
// (and docs/mock.md.s account of the mock only where Target.Mock says the
// server is one), apart from the mock's code, so that two readings of one
// document check each other. Where the document does not say what DLI
// does, the model does not judge (either outcome), and says so in a
// comment.

// Outcome is what the model expects of a call.
type Outcome int

const (
	Accept Outcome = iota
	Refuse
	Either // the document does not say
)

func (o Outcome) String() string { return [...]string{"accepted", "refused", "either"}[o] }

type Host struct{ Name, IP string }

type Route struct{ Name, CIDR string }

type Tag struct{ Key, Value string }

type Binding struct {
	Name  string
	Queue bool // a queue; else an elastic resource pool
	// Status is the last one seen; "" before any.
	Status string
	// Updated is the last update_time seen, 0 before any.
	Updated float64
}

// Grant is what one holder (a project on a connection, a user on a
// datasource authentication) may do.
type Grant struct {
	Holder     string
	Privileges []string
}

// Conn is an enhanced connection as the model holds it.
type Conn struct {
	ID, Name, VPC, Subnet string
	Deleted               bool
	Hosts                 []Host
	Routes                []Route
	Bindings              []Binding
	Grants                []Grant
}

// Model is what the model holds of the resources a sequence made.
type Model struct {
	// Mock says the server is a dli-mock: a binding named fail_* ends
	// FAILED, any other ACTIVE, as docs/mock.md documents.
	Mock  bool
	Sem   *semantics.Semantics
	Conns []*Conn
	// Things are the resources of the kinds modelled by their
	// declarations alone (model_declared.go).
	Things []*Thing
}

func (m *Model) Conn(id string) *Conn {
	for _, c := range m.Conns {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (m *Model) LiveNamed(name string) *Conn {
	for _, c := range m.Conns {
		if c.Name == name && !c.Deleted {
			return c
		}
	}
	return nil
}

// ConnTags are the connection's tags as the model holds them (its
// children of the kind its selections by tags read); sure is false when
// the model cannot tell one of them.
func (m *Model) ConnTags(c *Conn) ([]Tag, bool) { return m.Tags("enhanced_connection", c.ID) }

// ConnTagged says whether the connection carries the tag k=v.
func (m *Model) ConnTagged(c *Conn, kv string) bool { return m.Tagged("enhanced_connection", c.ID, kv) }

func (c *Conn) BindingOf(name string, queue bool) *Binding {
	if b := c.Binding(name); b != nil && b.Queue == queue {
		return b
	}
	return nil
}

func (c *Conn) Binding(name string) *Binding {
	for i := range c.Bindings {
		if c.Bindings[i].Name == name {
			return &c.Bindings[i]
		}
	}
	return nil
}

// Predictions: the registry's, for what the document cannot declare
// (registry.go), else the declarations' (declared.go). Each gets the
// operation, the call's path parameters and decoded body, and returns
// what to expect, why, and what an accepted call changes.

// Prediction is what the model expects of a call. An accepted call of
// outcome Either with no Apply leaves the model unsure: it stops judging
// the rest of the sequence rather than guess.
type Prediction struct {
	Want Outcome
	Why  string
	// Code is the error_code of the refusal, where the document says it
	// (or, for a dli-mock, docs/mock.md).
	Code  string
	Apply func(respBody map[string]any)
}

func Expect(w Outcome, why string) Prediction { return Prediction{Want: w, Why: why} }

func Refusal(code, why string) Prediction { return Prediction{Want: Refuse, Why: why, Code: code} }

// MockRule is a refusal the document does not say DLI makes and the
// docs/mock.md says it makes: a dli-mock is held to it; of another
// server the model accepts either answer.
func (m *Model) MockRule(code, why string) Prediction {
	if m.Mock {
		return Refusal(code, why+" (docs/mock.md)")
	}
	return Expect(Either, why+" (not documented)")
}

// MockCode is a refusal whose code only docs/mock.md gives.
func (m *Model) MockCode(code, why string) Prediction {
	p := Expect(Refuse, why)
	if m.Mock {
		p.Code = code
	}
	return p
}

// Target finds the enhanced connection a call names.
func (m *Model) Target(id string) (*Conn, Prediction, bool) {
	c := m.Conn(id)
	switch {
	case c == nil:
		// Documented: an unknown connection is 400 DLI.0001 "is not exist".
		return nil, Refusal("DLI.0001", "the connection does not exist"), false
	case c.Deleted:
		// The document: a deleted connection is only shown and listed.
		return c, m.MockCode("DLI.0001", "the connection was deleted"), false
	}
	return c, Prediction{}, true
}

func (m *Model) Predict(op string, path map[string]string, body map[string]any) Prediction {
	var d *semantics.Operation
	if m.Sem != nil {
		d = m.Sem.Of(op)
	}
	if b := registry[op]; b.predict != nil {
		p := b.predict(m, op, path, body)
		if d != nil {
			p = m.withChildren(d, body, p)
		}
		return p
	}
	if d != nil {
		if p, ok := m.predictDeclared(d, path, body); ok {
			return m.withChildren(d, body, p)
		}
	}
	return Expect(Either, "the Model does not cover "+op)
}

func (m *Model) createEnhanced(_ string, _ map[string]string, body map[string]any) Prediction {
	name, _ := body["name"].(string)
	queues, pools := env.Strings(body["queues"]), env.Strings(body["elastic_resource_pools"])
	if m.LiveNamed(name) != nil {
		// The document does not say whether an enhanced name is
		// unique (it says so of classic ones).
		return m.MockRule("DLI.0006", "a connection of that name exists")
	}
	if dup(slices.Concat(queues, pools)) {
		return m.MockRule("DLI.0001", "a queue or pool is named twice")
	}
	return Prediction{Want: Accept, Why: "a valid create", Apply: func(resp map[string]any) {
		id, _ := resp["connection_id"].(string)
		c := &Conn{ID: id, Name: name, VPC: env.Str(body["dest_vpc_id"]), Subnet: env.Str(body["dest_network_id"])}
		c.Hosts = hostsIn(body["hosts"])
		for _, q := range queues {
			c.Bindings = append(c.Bindings, Binding{Name: q, Queue: true})
		}
		for _, p := range pools {
			c.Bindings = append(c.Bindings, Binding{Name: p})
		}
		m.Conns = append(m.Conns, c)
	}}
}

// showEnhanced: a connection and what it grants are shown, deleted or
// not.
func (m *Model) showEnhanced(_ string, path map[string]string, _ map[string]any) Prediction {
	if m.Conn(path["connection_id"]) == nil {
		return Refusal("DLI.0001", "the connection does not exist")
	}
	return Expect(Accept, "the connection exists (deleted ones are shown too)")
}

func (m *Model) updateEnhanced(_ string, path map[string]string, body map[string]any) Prediction {
	c, p, ok := m.Target(path["connection_id"])
	if !ok {
		return p
	}
	return Prediction{Want: Accept, Why: "hosts are replaced whole", Apply: func(map[string]any) { c.Hosts = hostsIn(body["hosts"]) }}
}

func (m *Model) deleteEnhanced(_ string, path map[string]string, _ map[string]any) Prediction {
	c, p, ok := m.Target(path["connection_id"])
	if !ok {
		return p
	}
	// The document: a delete is accepted while a binding is CREATING.
	return Prediction{Want: Accept, Why: "a live connection is deleted", Apply: func(map[string]any) { c.Deleted = true }}
}

// Bind is a bind (associate) or, unbind, an unbind (disassociate).
func (m *Model) Bind(unbinds bool, path map[string]string, body map[string]any) Prediction {
	c, p, ok := m.Target(path["connection_id"])
	if !ok {
		return p
	}
	queues, pools := env.Strings(body["queues"]), env.Strings(body["elastic_resource_pools"])
	names := slices.Concat(queues, pools)
	if len(names) == 0 {
		return m.MockCode("DLI.0001", "a binding request must name a queue or pool (the document)")
	}
	if !unbinds {
		if dup(names) {
			return m.MockRule("DLI.0001", "a name is given twice")
		}
		for _, n := range names {
			if c.Binding(n) != nil {
				return m.MockRule("DLI.0006", n+" is bound already")
			}
		}
		return Prediction{Want: Accept, Why: "binding new queues or pools", Apply: func(map[string]any) {
			for _, q := range queues {
				c.Bindings = append(c.Bindings, Binding{Name: q, Queue: true})
			}
			for _, pl := range pools {
				c.Bindings = append(c.Bindings, Binding{Name: pl})
			}
		}}
	}
	// A queue is unbound from the queues, a pool from the pools.
	unbind := Prediction{Want: Accept, Why: "unbinding bound queues or pools", Apply: func(map[string]any) {
		c.Bindings = slices.DeleteFunc(c.Bindings, func(b Binding) bool {
			return b.Queue && slices.Contains(queues, b.Name) || !b.Queue && slices.Contains(pools, b.Name)
		})
	}}
	// Each name that cannot be unbound is a reason to refuse; the
	// document does not say which of several a server names first, so
	// a refusal for two reasons may carry the code of either.
	var refusals, maybe []Prediction
	for i, n := range names {
		b := c.BindingOf(n, i < len(queues))
		switch {
		case b == nil:
			refusals = append(refusals, m.MockRule("DLI.0001", n+" is not bound"))
		case b.Status == "FAILED":
			// Documented: a FAILED binding cannot be unbound.
			refusals = append(refusals, Refusal("DLI.0007", n+"'s binding FAILED"))
		case b.Status != "ACTIVE" && (!m.Mock || strings.HasPrefix(n, "fail_")):
			unbind.Want, unbind.Why = Either, n+"'s binding may have failed by now"
			maybe = append(maybe, Prediction{Want: Either, Code: "DLI.0007", Why: unbind.Why})
		}
	}
	if len(refusals) > 0 {
		// Refused for sure, but perhaps for a binding that failed since.
		refusals = append(refusals, maybe...)
	}
	return AnyOf(refusals, unbind)
}

func (m *Model) createRoute(_ string, path map[string]string, body map[string]any) Prediction {
	c, p, ok := m.Target(path["connection_id"])
	if !ok {
		return p
	}
	name := env.Str(body["name"])
	if slices.ContainsFunc(c.Routes, func(r Route) bool { return r.Name == name }) {
		return m.MockCode("DLI.0006", "route names are unique per connection (the document)")
	}
	return Prediction{Want: Accept, Why: "a new route", Apply: func(map[string]any) {
		c.Routes = append(c.Routes, Route{name, env.Str(body["cidr"])})
	}}
}

func (m *Model) deleteRoute(_ string, path map[string]string, _ map[string]any) Prediction {
	c, p, ok := m.Target(path["connection_id"])
	if !ok {
		return p
	}
	i := slices.IndexFunc(c.Routes, func(r Route) bool { return r.Name == path["name"] })
	if i < 0 {
		if m.Mock {
			return Refusal("DLI.0001", "no route of that name (docs/mock.md)")
		}
		// Not documented; accepted, it can only have deleted nothing.
		return Prediction{Want: Either, Why: "no route of that name", Apply: func(map[string]any) {}}
	}
	return Prediction{Want: Accept, Why: "deleting a route", Apply: func(map[string]any) { c.Routes = slices.Delete(c.Routes, i, i+1) }}
}

// predictAuthorization: grants on enhanced connections are what the model
// knows; of other objects, and requests without a project, it judges
// only a dli-mock, by docs/mock.md.
func (m *Model) predictAuthorization(_ string, _ map[string]string, body map[string]any) Prediction {
	project := env.Str(body["projectId"])
	action := env.Str(body["action"])
	type change struct {
		grants     *[]Grant
		holder     string
		privileges []string
	}
	var changes []change
	// In the order a dli-mock checks them, so that the first refusal
	// names the code it answers.
	for _, p := range env.Objects(body["privileges"]) {
		privs := env.Strings(p["privileges"])
		if res, key := m.Sem.ObjectKind(env.Str(p["object"])); res != nil {
			// A user's privileges on a resource the document names as an
			// object (a datasource authentication): docs/mock.md
			// says what it refuses; what the privileges do no answer but
			// the privilege list shows.
			t := m.Thing(res.Kind, key)
			switch {
			case env.Str(body["user_name"]) == "":
				return m.MockRule("DLI.0001", "no user_name to grant to")
			case len(privs) == 0 && action != "update":
				return m.MockRule("DLI.0001", "no privilege named")
			case slices.ContainsFunc(privs, func(v string) bool { return !slices.Contains(res.Privileges, v) }):
				return m.MockRule("DLI.0001", "a privilege a user cannot hold on a "+res.Title)
			case t == nil || t.Deleted:
				return m.MockRule("DLI.0002", "a "+res.Title+" that does not exist")
			}
			changes = append(changes, change{&t.Grants, env.Str(body["user_name"]), privs})
			continue
		}
		id, ok := strings.CutPrefix(env.Str(p["object"]), "edsconnections.")
		c := m.Conn(id)
		switch {
		case !ok:
			return m.MockRule("DLI.0007", "an object other than a connection")
		case project == "":
			return m.MockRule("DLI.0001", "no projectId to grant to")
		case len(privs) == 0 && action != "update":
			return m.MockRule("DLI.0001", "no privilege named")
		case c == nil:
			return m.MockRule("DLI.0001", "a connection that does not exist")
		case c.Deleted:
			return m.MockCode("DLI.0001", "the connection was deleted")
		}
		changes = append(changes, change{&c.Grants, project, privs})
	}
	return Prediction{Want: Accept, Why: action + " of privileges", Apply: func(map[string]any) {
		for _, ch := range changes {
			authorize(ch.grants, ch.holder, action, ch.privileges)
		}
	}}
}

// authorize applies grant (adds), revoke (removes) and update (replaces;
// empty revokes all) to a holder's privileges, as the document describes
// RunAuthorizationAction.
func authorize(grants *[]Grant, holder, action string, privs []string) {
	i := slices.IndexFunc(*grants, func(g Grant) bool { return g.Holder == holder })
	if i < 0 {
		*grants = append(*grants, Grant{Holder: holder})
		i = len(*grants) - 1
	}
	g := &(*grants)[i]
	switch action {
	case "grant":
		for _, p := range privs {
			if !slices.Contains(g.Privileges, p) {
				g.Privileges = append(g.Privileges, p)
			}
		}
	case "revoke":
		g.Privileges = slices.DeleteFunc(g.Privileges, func(p string) bool { return slices.Contains(privs, p) })
	case "update":
		g.Privileges = slices.Compact(slices.Clone(privs))
	}
	if len(g.Privileges) == 0 {
		*grants = slices.Delete(*grants, i, i+1)
	}
}

// HeldBy is each holder's privileges, sorted.
func HeldBy(grants []Grant) map[string][]string {
	out := map[string][]string{}
	for _, g := range grants {
		out[g.Holder] = slices.Sorted(slices.Values(g.Privileges))
	}
	return out
}

// ListedBy is each holder's privileges in a list's items, sorted; holder
// names an item's holder.
func ListedBy(items []map[string]any, holder func(map[string]any) string) map[string][]string {
	out := map[string][]string{}
	for _, it := range items {
		out[holder(it)] = slices.Sorted(slices.Values(env.Strings(it["privileges"])))
	}
	return out
}

// CompareConn holds what a server shows or lists of a connection to the
// model; it returns what differs, and notes the binding statuses seen.
func (m *Model) CompareConn(c *Conn, got map[string]any) []string {
	var diffs []string
	for _, f := range []struct{ field, want string }{{"name", c.Name}, {"dest_vpc_id", c.VPC}, {"dest_network_id", c.Subnet}} {
		if g := env.Str(got[f.field]); g != f.want {
			diffs = append(diffs, fmt.Sprintf("%s is %q, want %q", f.field, g, f.want))
		}
	}
	wantStatus := "ACTIVE"
	if c.Deleted {
		wantStatus = "DELETED"
	}
	if s := env.Str(got["status"]); s != wantStatus {
		diffs = append(diffs, fmt.Sprintf("status is %q, want %s", s, wantStatus))
	}
	// The document: isPrivis is false once the connection is granted to
	// another project.
	if p, ok := got["isPrivis"].(bool); ok && p != (len(c.Grants) == 0) {
		diffs = append(diffs, fmt.Sprintf("isPrivis is %t, want %t (%d projects granted)", p, len(c.Grants) == 0, len(c.Grants)))
	}
	if gh := hostsIn(got["hosts"]); !slices.Equal(gh, c.Hosts) {
		diffs = append(diffs, fmt.Sprintf("hosts are %v, want %v", gh, c.Hosts))
	}
	var gr []Route
	for _, r := range env.Objects(got["routes"]) {
		gr = append(gr, Route{env.Str(r["name"]), env.Str(r["cidr"])})
	}
	if !slices.Equal(gr, c.Routes) {
		diffs = append(diffs, fmt.Sprintf("routes are %v, want %v", gr, c.Routes))
	}
	for _, kind := range []struct {
		field string
		queue bool
	}{{"available_queue_info", true}, {"elastic_resource_pools", false}} {
		var want, have []string
		for _, b := range c.Bindings {
			if b.Queue == kind.queue {
				want = append(want, b.Name)
			}
		}
		for _, b := range env.Objects(got[kind.field]) {
			name, status := env.Str(b["name"]), env.Str(b["status"])
			have = append(have, name)
			if mb := c.Binding(name); mb != nil && mb.Queue == kind.queue {
				diffs = append(diffs, m.SeeBinding(c, mb, status, env.Str(b["err_msg"]))...)
				// A last update time never goes back.
				if u, ok := b["update_time"].(float64); ok {
					if u < mb.Updated {
						diffs = append(diffs, fmt.Sprintf("binding %s's update_time went back from %.0f to %.0f", name, mb.Updated, u))
					}
					mb.Updated = max(mb.Updated, u)
				}
			}
		}
		slices.Sort(want)
		slices.Sort(have)
		if !slices.Equal(want, have) {
			diffs = append(diffs, fmt.Sprintf("%s names %v, want %v", kind.field, have, want))
		}
	}
	return diffs
}

// SeeBinding notes a binding's status and says what is wrong with it: a
// move the document does not allow, FAILED without a message, and for a
// dli-mock, a status its naming rule rules out.
func (m *Model) SeeBinding(c *Conn, b *Binding, status, errMsg string) []string {
	var diffs []string
	allowed := map[string][]string{"": {"CREATING", "ACTIVE", "FAILED"}, "CREATING": {"CREATING", "ACTIVE", "FAILED"},
		"ACTIVE": {"ACTIVE"}, "FAILED": {"FAILED"}}
	if !slices.Contains(allowed[b.Status], status) {
		diffs = append(diffs, fmt.Sprintf("binding %s went from %s to %q", b.Name, cmp.Or(b.Status, "bound"), status))
	}
	if status == "FAILED" && errMsg == "" {
		diffs = append(diffs, fmt.Sprintf("binding %s is FAILED without an err_msg", b.Name))
	}
	if m.Mock {
		fails := strings.HasPrefix(b.Name, "fail_")
		if fails && status == "ACTIVE" || !fails && status == "FAILED" {
			diffs = append(diffs, fmt.Sprintf("binding %s is %s; a dli-mock ends a fail_ binding FAILED and any other ACTIVE", b.Name, status))
		}
	}
	b.Status = status
	return diffs
}

func hostsIn(v any) []Host {
	var out []Host
	for _, h := range env.Objects(v) {
		out = append(out, Host{env.Str(h["name"]), env.Str(h["ip"])})
	}
	return out
}

func dup(names []string) bool {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return true
		}
		seen[n] = true
	}
	return false
}

// AnyOf is the prediction for a call refused for each of reasons, or
// otherwise when there are none: refused when any reason is certain, and
// with a code only when every reason gives the same one.
func AnyOf(reasons []Prediction, otherwise Prediction) Prediction {
	if len(reasons) == 0 {
		return otherwise
	}
	p := reasons[0]
	for _, r := range reasons[1:] {
		if r.Want == Refuse {
			p.Want = Refuse
		}
		if r.Code != p.Code {
			p.Code = ""
		}
		p.Why += "; " + r.Why
	}
	if p.Want == Refuse && p.Code == "" && len(reasons) > 1 {
		p.Why += " (which the server names first, the document does not say)"
	}
	return p
}
