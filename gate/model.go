package gate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/gate/env"

	"github.com/dli-contract/dli-go/semantics"
)

// The model is the gate's own small env.Reading of what the operations mean:
// what the server should hold after each call of a sequence, and whether
// a call should be accepted or refused. It is written from the document
// (and docs/mock.md.s account of the mock only where Target.Mock says the
// server is one), apart from the mock's code, so that two readings of one
// document check each other. Where the document does not say what DLI
// does, the model does not judge (either outcome), and says so in a
// comment.

// outcome is what the model expects of a call.
type outcome int

const (
	accept outcome = iota
	refuse
	either // the document does not say
)

func (o outcome) String() string { return [...]string{"accepted", "refused", "either"}[o] }

type mHost struct{ name, ip string }

type mRoute struct{ name, cidr string }

type mTag struct{ key, value string }

type mBinding struct {
	name  string
	queue bool // a queue; else an elastic resource pool
	// status is the last one seen; "" before any.
	status string
	// updated is the last update_time seen, 0 before any.
	updated float64
}

// mGrant is what one holder (a project on a connection, a user on a
// datasource authentication) may do.
type mGrant struct {
	holder     string
	privileges []string
}

// mConn is an enhanced connection as the model holds it.
type mConn struct {
	id, name, vpc, subnet string
	tags                  []mTag
	deleted               bool
	hosts                 []mHost
	routes                []mRoute
	bindings              []mBinding
	grants                []mGrant
}

type model struct {
	// mock says the server is a dli-mock: a binding named fail_* ends
	// FAILED, any other ACTIVE, as docs/mock.md documents.
	mock  bool
	sem   *semantics.Semantics
	conns []*mConn
	// things are the resources of the kinds modelled by their
	// declarations alone (model_declared.go).
	things []*mThing
}

func (m *model) conn(id string) *mConn {
	for _, c := range m.conns {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (m *model) liveNamed(name string) *mConn {
	for _, c := range m.conns {
		if c.name == name && !c.deleted {
			return c
		}
	}
	return nil
}

// tagged says whether the connection carries the tag k=v.
func (c *mConn) tagged(kv string) bool {
	k, v, _ := strings.Cut(kv, "=")
	return slices.Contains(c.tags, mTag{k, v})
}

func (c *mConn) bindingOf(name string, queue bool) *mBinding {
	if b := c.binding(name); b != nil && b.queue == queue {
		return b
	}
	return nil
}

func (c *mConn) binding(name string) *mBinding {
	for i := range c.bindings {
		if c.bindings[i].name == name {
			return &c.bindings[i]
		}
	}
	return nil
}

// Predictions: the registry's, for what the document cannot declare
// (registry.go), else the declarations' (model_declared.go). Each gets the
// operation, the call's path parameters and decoded body, and returns
// what to expect, why, and what an accepted call changes.

// An accepted call of outcome either with no apply leaves the model
// unsure: it stops judging the rest of the sequence rather than guess.
type prediction struct {
	want outcome
	why  string
	// code is the error_code of the refusal, where the document says it
	// (or, for a dli-mock, docs/mock.md).
	code  string
	apply func(respBody map[string]any)
}

func expect(w outcome, why string) prediction { return prediction{want: w, why: why} }

func refusal(code, why string) prediction { return prediction{want: refuse, why: why, code: code} }

// mockRule is a refusal the document does not say DLI makes and the
// docs/mock.md says it makes: a dli-mock is held to it; of another
// server the model accepts either answer.
func (m *model) mockRule(code, why string) prediction {
	if m.mock {
		return refusal(code, why+" (docs/mock.md)")
	}
	return expect(either, why+" (not documented)")
}

// mockCode is a refusal whose code only docs/mock.md gives.
func (m *model) mockCode(code, why string) prediction {
	p := expect(refuse, why)
	if m.mock {
		p.code = code
	}
	return p
}

// target finds the enhanced connection a call names.
func (m *model) target(id string) (*mConn, prediction, bool) {
	c := m.conn(id)
	switch {
	case c == nil:
		// Documented: an unknown connection is 400 DLI.0001 "is not exist".
		return nil, refusal("DLI.0001", "the connection does not exist"), false
	case c.deleted:
		// The document: a deleted connection is only shown and listed.
		return c, m.mockCode("DLI.0001", "the connection was deleted"), false
	}
	return c, prediction{}, true
}

func (m *model) predict(op string, path map[string]string, body map[string]any) prediction {
	if b := behaviours[op]; b.predict != nil {
		return b.predict(m, op, path, body)
	}
	if d := m.sem.Of(op); d != nil {
		if p, ok := m.predictDeclared(d, path, body); ok {
			return p
		}
	}
	return expect(either, "the model does not cover "+op)
}

func (m *model) createEnhanced(_ string, _ map[string]string, body map[string]any) prediction {
	name, _ := body["name"].(string)
	queues, pools := env.Strings(body["queues"]), env.Strings(body["elastic_resource_pools"])
	if m.liveNamed(name) != nil {
		// The document does not say whether an enhanced name is
		// unique (it says so of classic ones).
		return m.mockRule("DLI.0006", "a connection of that name exists")
	}
	if dup(slices.Concat(queues, pools)) {
		return m.mockRule("DLI.0001", "a queue or pool is named twice")
	}
	return prediction{want: accept, why: "a valid create", apply: func(resp map[string]any) {
		id, _ := resp["connection_id"].(string)
		c := &mConn{id: id, name: name, vpc: env.Str(body["dest_vpc_id"]), subnet: env.Str(body["dest_network_id"])}
		for _, t := range env.Objects(body["tags"]) {
			c.tags = append(c.tags, mTag{env.Str(t["key"]), env.Str(t["value"])})
		}
		c.hosts = hostsIn(body["hosts"])
		for _, q := range queues {
			c.bindings = append(c.bindings, mBinding{name: q, queue: true})
		}
		for _, p := range pools {
			c.bindings = append(c.bindings, mBinding{name: p})
		}
		m.conns = append(m.conns, c)
	}}
}

// showEnhanced: a connection and what it grants are shown, deleted or
// not.
func (m *model) showEnhanced(_ string, path map[string]string, _ map[string]any) prediction {
	if m.conn(path["connection_id"]) == nil {
		return refusal("DLI.0001", "the connection does not exist")
	}
	return expect(accept, "the connection exists (deleted ones are shown too)")
}

func (m *model) updateEnhanced(_ string, path map[string]string, body map[string]any) prediction {
	c, p, ok := m.target(path["connection_id"])
	if !ok {
		return p
	}
	return prediction{want: accept, why: "hosts are replaced whole", apply: func(map[string]any) { c.hosts = hostsIn(body["hosts"]) }}
}

func (m *model) deleteEnhanced(_ string, path map[string]string, _ map[string]any) prediction {
	c, p, ok := m.target(path["connection_id"])
	if !ok {
		return p
	}
	// The document: a delete is accepted while a binding is CREATING.
	return prediction{want: accept, why: "a live connection is deleted", apply: func(map[string]any) { c.deleted = true }}
}

// bind is a bind (associate) or, unbind, an unbind (disassociate).
func (m *model) bind(unbinds bool, path map[string]string, body map[string]any) prediction {
	c, p, ok := m.target(path["connection_id"])
	if !ok {
		return p
	}
	queues, pools := env.Strings(body["queues"]), env.Strings(body["elastic_resource_pools"])
	names := slices.Concat(queues, pools)
	if len(names) == 0 {
		return m.mockCode("DLI.0001", "a binding request must name a queue or pool (the document)")
	}
	if !unbinds {
		if dup(names) {
			return m.mockRule("DLI.0001", "a name is given twice")
		}
		for _, n := range names {
			if c.binding(n) != nil {
				return m.mockRule("DLI.0006", n+" is bound already")
			}
		}
		return prediction{want: accept, why: "binding new queues or pools", apply: func(map[string]any) {
			for _, q := range queues {
				c.bindings = append(c.bindings, mBinding{name: q, queue: true})
			}
			for _, pl := range pools {
				c.bindings = append(c.bindings, mBinding{name: pl})
			}
		}}
	}
	// A queue is unbound from the queues, a pool from the pools.
	unbind := prediction{want: accept, why: "unbinding bound queues or pools", apply: func(map[string]any) {
		c.bindings = slices.DeleteFunc(c.bindings, func(b mBinding) bool {
			return b.queue && slices.Contains(queues, b.name) || !b.queue && slices.Contains(pools, b.name)
		})
	}}
	// Each name that cannot be unbound is a reason to refuse; the
	// document does not say which of several a server names first, so
	// a refusal for two reasons may carry the code of either.
	var refusals, maybe []prediction
	for i, n := range names {
		b := c.bindingOf(n, i < len(queues))
		switch {
		case b == nil:
			refusals = append(refusals, m.mockRule("DLI.0001", n+" is not bound"))
		case b.status == "FAILED":
			// Documented: a FAILED binding cannot be unbound.
			refusals = append(refusals, refusal("DLI.0007", n+"'s binding FAILED"))
		case b.status != "ACTIVE" && (!m.mock || strings.HasPrefix(n, "fail_")):
			unbind.want, unbind.why = either, n+"'s binding may have failed by now"
			maybe = append(maybe, prediction{want: either, code: "DLI.0007", why: unbind.why})
		}
	}
	if len(refusals) > 0 {
		// Refused for sure, but perhaps for a binding that failed since.
		refusals = append(refusals, maybe...)
	}
	return anyOf(refusals, unbind)
}

func (m *model) createRoute(_ string, path map[string]string, body map[string]any) prediction {
	c, p, ok := m.target(path["connection_id"])
	if !ok {
		return p
	}
	name := env.Str(body["name"])
	if slices.ContainsFunc(c.routes, func(r mRoute) bool { return r.name == name }) {
		return m.mockCode("DLI.0006", "route names are unique per connection (the document)")
	}
	return prediction{want: accept, why: "a new route", apply: func(map[string]any) {
		c.routes = append(c.routes, mRoute{name, env.Str(body["cidr"])})
	}}
}

func (m *model) deleteRoute(_ string, path map[string]string, _ map[string]any) prediction {
	c, p, ok := m.target(path["connection_id"])
	if !ok {
		return p
	}
	i := slices.IndexFunc(c.routes, func(r mRoute) bool { return r.name == path["name"] })
	if i < 0 {
		if m.mock {
			return refusal("DLI.0001", "no route of that name (docs/mock.md)")
		}
		// Not documented; accepted, it can only have deleted nothing.
		return prediction{want: either, why: "no route of that name", apply: func(map[string]any) {}}
	}
	return prediction{want: accept, why: "deleting a route", apply: func(map[string]any) { c.routes = slices.Delete(c.routes, i, i+1) }}
}

// predictAuthorization: grants on enhanced connections are what the model
// knows; of other objects, and requests without a project, it judges
// only a dli-mock, by docs/mock.md.
func (m *model) predictAuthorization(_ string, _ map[string]string, body map[string]any) prediction {
	project := env.Str(body["projectId"])
	action := env.Str(body["action"])
	type change struct {
		grants     *[]mGrant
		holder     string
		privileges []string
	}
	var changes []change
	// In the order a dli-mock checks them, so that the first refusal
	// names the code it answers.
	for _, p := range env.Objects(body["privileges"]) {
		privs := env.Strings(p["privileges"])
		if res, key := m.sem.ObjectKind(env.Str(p["object"])); res != nil {
			// A user's privileges on a resource the document names as an
			// object (a datasource authentication): docs/mock.md
			// says what it refuses; what the privileges do no answer but
			// the privilege list shows.
			t := m.thing(res.Kind, key)
			switch {
			case env.Str(body["user_name"]) == "":
				return m.mockRule("DLI.0001", "no user_name to grant to")
			case len(privs) == 0 && action != "update":
				return m.mockRule("DLI.0001", "no privilege named")
			case slices.ContainsFunc(privs, func(v string) bool { return !slices.Contains(res.Privileges, v) }):
				return m.mockRule("DLI.0001", "a privilege a user cannot hold on a "+res.Title)
			case t == nil || t.deleted:
				return m.mockRule("DLI.0002", "a "+res.Title+" that does not exist")
			}
			changes = append(changes, change{&t.grants, env.Str(body["user_name"]), privs})
			continue
		}
		id, ok := strings.CutPrefix(env.Str(p["object"]), "edsconnections.")
		c := m.conn(id)
		switch {
		case !ok:
			return m.mockRule("DLI.0007", "an object other than a connection")
		case project == "":
			return m.mockRule("DLI.0001", "no projectId to grant to")
		case len(privs) == 0 && action != "update":
			return m.mockRule("DLI.0001", "no privilege named")
		case c == nil:
			return m.mockRule("DLI.0001", "a connection that does not exist")
		case c.deleted:
			return m.mockCode("DLI.0001", "the connection was deleted")
		}
		changes = append(changes, change{&c.grants, project, privs})
	}
	return prediction{want: accept, why: action + " of privileges", apply: func(map[string]any) {
		for _, ch := range changes {
			authorize(ch.grants, ch.holder, action, ch.privileges)
		}
	}}
}

// authorize applies grant (adds), revoke (removes) and update (replaces;
// empty revokes all) to a holder's privileges, as the document describes
// RunAuthorizationAction.
func authorize(grants *[]mGrant, holder, action string, privs []string) {
	i := slices.IndexFunc(*grants, func(g mGrant) bool { return g.holder == holder })
	if i < 0 {
		*grants = append(*grants, mGrant{holder: holder})
		i = len(*grants) - 1
	}
	g := &(*grants)[i]
	switch action {
	case "grant":
		for _, p := range privs {
			if !slices.Contains(g.privileges, p) {
				g.privileges = append(g.privileges, p)
			}
		}
	case "revoke":
		g.privileges = slices.DeleteFunc(g.privileges, func(p string) bool { return slices.Contains(privs, p) })
	case "update":
		g.privileges = slices.Compact(slices.Clone(privs))
	}
	if len(g.privileges) == 0 {
		*grants = slices.Delete(*grants, i, i+1)
	}
}

// heldBy is each holder's privileges, sorted.
func heldBy(grants []mGrant) map[string][]string {
	out := map[string][]string{}
	for _, g := range grants {
		out[g.holder] = slices.Sorted(slices.Values(g.privileges))
	}
	return out
}

// listedBy is each holder's privileges in a list's items, sorted; holder
// names an item's holder.
func listedBy(items []map[string]any, holder func(map[string]any) string) map[string][]string {
	out := map[string][]string{}
	for _, it := range items {
		out[holder(it)] = slices.Sorted(slices.Values(env.Strings(it["privileges"])))
	}
	return out
}

// compareConn holds what a server shows or lists of a connection to the
// model; it returns what differs, and notes the binding statuses seen.
func (m *model) compareConn(c *mConn, got map[string]any) []string {
	var diffs []string
	for _, f := range []struct{ field, want string }{{"name", c.name}, {"dest_vpc_id", c.vpc}, {"dest_network_id", c.subnet}} {
		if g := env.Str(got[f.field]); g != f.want {
			diffs = append(diffs, fmt.Sprintf("%s is %q, want %q", f.field, g, f.want))
		}
	}
	wantStatus := "ACTIVE"
	if c.deleted {
		wantStatus = "DELETED"
	}
	if s := env.Str(got["status"]); s != wantStatus {
		diffs = append(diffs, fmt.Sprintf("status is %q, want %s", s, wantStatus))
	}
	// The document: isPrivis is false once the connection is granted to
	// another project.
	if p, ok := got["isPrivis"].(bool); ok && p != (len(c.grants) == 0) {
		diffs = append(diffs, fmt.Sprintf("isPrivis is %t, want %t (%d projects granted)", p, len(c.grants) == 0, len(c.grants)))
	}
	if gh := hostsIn(got["hosts"]); !slices.Equal(gh, c.hosts) {
		diffs = append(diffs, fmt.Sprintf("hosts are %v, want %v", gh, c.hosts))
	}
	var gr []mRoute
	for _, r := range env.Objects(got["routes"]) {
		gr = append(gr, mRoute{env.Str(r["name"]), env.Str(r["cidr"])})
	}
	if !slices.Equal(gr, c.routes) {
		diffs = append(diffs, fmt.Sprintf("routes are %v, want %v", gr, c.routes))
	}
	for _, kind := range []struct {
		field string
		queue bool
	}{{"available_queue_info", true}, {"elastic_resource_pools", false}} {
		var want, have []string
		for _, b := range c.bindings {
			if b.queue == kind.queue {
				want = append(want, b.name)
			}
		}
		for _, b := range env.Objects(got[kind.field]) {
			name, status := env.Str(b["name"]), env.Str(b["status"])
			have = append(have, name)
			if mb := c.binding(name); mb != nil && mb.queue == kind.queue {
				diffs = append(diffs, m.seeBinding(c, mb, status, env.Str(b["err_msg"]))...)
				// A last update time never goes back.
				if u, ok := b["update_time"].(float64); ok {
					if u < mb.updated {
						diffs = append(diffs, fmt.Sprintf("binding %s's update_time went back from %.0f to %.0f", name, mb.updated, u))
					}
					mb.updated = max(mb.updated, u)
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

// seeBinding notes a binding's status and says what is wrong with it: a
// move the document does not allow, FAILED without a message, and for a
// dli-mock, a status its naming rule rules out.
func (m *model) seeBinding(c *mConn, b *mBinding, status, errMsg string) []string {
	var diffs []string
	allowed := map[string][]string{"": {"CREATING", "ACTIVE", "FAILED"}, "CREATING": {"CREATING", "ACTIVE", "FAILED"},
		"ACTIVE": {"ACTIVE"}, "FAILED": {"FAILED"}}
	if !slices.Contains(allowed[b.status], status) {
		diffs = append(diffs, fmt.Sprintf("binding %s went from %s to %q", b.name, cmp.Or(b.status, "bound"), status))
	}
	if status == "FAILED" && errMsg == "" {
		diffs = append(diffs, fmt.Sprintf("binding %s is FAILED without an err_msg", b.name))
	}
	if m.mock {
		fails := strings.HasPrefix(b.name, "fail_")
		if fails && status == "ACTIVE" || !fails && status == "FAILED" {
			diffs = append(diffs, fmt.Sprintf("binding %s is %s; a dli-mock ends a fail_ binding FAILED and any other ACTIVE", b.name, status))
		}
	}
	b.status = status
	return diffs
}

func hostsIn(v any) []mHost {
	var out []mHost
	for _, h := range env.Objects(v) {
		out = append(out, mHost{env.Str(h["name"]), env.Str(h["ip"])})
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

// anyOf is the prediction for a call refused for each of reasons, or
// otherwise when there are none: refused when any reason is certain, and
// with a code only when every reason gives the same one.
func anyOf(reasons []prediction, otherwise prediction) prediction {
	if len(reasons) == 0 {
		return otherwise
	}
	p := reasons[0]
	for _, r := range reasons[1:] {
		if r.want == refuse {
			p.want = refuse
		}
		if r.code != p.code {
			p.code = ""
		}
		p.why += "; " + r.why
	}
	if p.want == refuse && p.code == "" && len(reasons) > 1 {
		p.why += " (which the server names first, the document does not say)"
	}
	return p
}
