package gate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/gate/env"

	"github.com/dli-contract/dli-go/gate/internal/pattern"

	"github.com/dli-contract/dli-go/semantics"
)

// The generic part of the model: a resource of a kind that the registry
// (registry.go) does not model in Go is held by its declarations alone.
// It exists once a create is accepted, under the key the create's
// declaration names; a read of an unknown or deleted one answers as its
// kind declares; an update overwrites the fields it sends; a delete is
// refused while its state refuses it; a list holds every live one, and
// its filters and pages keep what they declare.

// mThing is a resource the model holds by its declarations.
type mThing struct {
	kind, key string
	parent    string // the key of its parent, for a sub-resource
	name      string
	// written are the fields an update sent, to be read back as sent.
	written map[string]any
	// fields are every top-level field the create and updates sent,
	// which a list's filters match.
	fields  map[string]any
	state   string // last seen; "" before any
	deleted bool
	// decided is the value of the field a dli-mock's rule decides at the
	// create, where the model is sure of it; "" where it is not.
	decided string
	// grants are the users' privileges on it, for a kind DLI's
	// authorization API names as an object.
	grants []mGrant
}

// thing is the resource of kind and key the model holds, the latest of
// that key (a name deleted and created again is a new one).
func (m *model) thing(kind, key string) *mThing {
	for i := len(m.things) - 1; i >= 0; i-- {
		if t := m.things[i]; t.kind == kind && t.key == key {
			return t
		}
	}
	return nil
}

// thingsOf are the resources of kind the model holds, in creation order.
func (m *model) thingsOf(kind string) []*mThing {
	var out []*mThing
	for _, t := range m.things {
		if t.kind == kind {
			out = append(out, t)
		}
	}
	return out
}

// answerFor is the prediction for a call the declared answer a refuses.
func answerFor(a semantics.Answer, why string) prediction {
	if a.Status == 0 {
		return expect(refuse, why)
	}
	return refusal(a.Code, why)
}

// predictDeclared is what the declarations of op say of a call; false
// when they say nothing the model can judge by.
func (m *model) predictDeclared(op *semantics.Operation, path map[string]string, body map[string]any) (prediction, bool) {
	res := m.sem.Resources[op.Resource]
	if res == nil {
		return prediction{}, false
	}
	raw, _ := json.Marshal(body)
	call := semantics.Call{PathParams: path, Body: raw}
	if op.Role == semantics.Create {
		name := env.Str(body[res.Name])
		if res.Unique != nil && slices.ContainsFunc(m.thingsOf(res.Kind), func(t *mThing) bool { return t.name == name && !t.deleted }) {
			u := *res.Unique
			if m.mock && res.Mock != nil && res.Mock.Unique != nil {
				u = *res.Mock.Unique // the code a dli-mock picks (docs/mock.md)
			}
			return refusal(u.Code, res.Title+" names are unique (the document)"), true
		}
		return prediction{want: accept, why: "a valid create", apply: func(resp map[string]any) {
			answer, _ := json.Marshal(resp)
			call.AnswerBody = answer
			key, _ := op.KeyExpr.Eval(call)
			t := &mThing{kind: res.Kind, key: key, name: name, fields: map[string]any{}, written: map[string]any{}}
			if op.ParentExpr != nil {
				t.parent, _ = op.ParentExpr.Eval(call)
			}
			for k, v := range body {
				if !env.NotReadBack(op, k) {
					t.fields[k] = v
				}
			}
			t.decided = m.decided(res, body, t.parent)
			m.things = append(m.things, t)
		}}, true
	}
	if op.Role == semantics.List {
		if sel := env.Selector(op); sel != "" {
			return m.predictSelected(res, path[sel]), true
		}
		return expect(accept, "a valid list"), true
	}
	if op.KeyExpr == nil {
		return prediction{}, false
	}
	key, _ := op.KeyExpr.Eval(call)
	t := m.thing(res.Kind, key)
	if t != nil && op.ParentExpr != nil {
		if parent, _ := op.ParentExpr.Eval(call); parent != t.parent {
			t = nil // not under that parent: none there
		}
	}
	switch {
	case t == nil && m.mock && res.Mock != nil && res.Mock.Unknown != nil:
		return answerFor(*res.Mock.Unknown, "the "+res.Title+" does not exist (as docs/mock.md answers it)"), true
	case t == nil:
		return answerFor(res.Unknown, "the "+res.Title+" does not exist"), true
	case t.deleted && op.Role == semantics.Read && res.Deleted.State != "":
		return expect(accept, "a deleted "+res.Title+" is still read"), true
	case t.deleted:
		return answerFor(res.Deleted, "the "+res.Title+" was deleted"), true
	}
	switch op.Role {
	case semantics.Read:
		return expect(accept, "the "+res.Title+" exists"), true
	case semantics.Update:
		return prediction{want: accept, why: "fields present overwrite", apply: func(map[string]any) {
			for k, v := range body {
				if p := env.BodyProperty(op, k); v != nil && p != nil && p.Deprecated {
					// An old spelling of a field the update leaves out,
					// or sends null (username for user_name): which, the
					// document says in words only, so what was written of
					// those may be overwritten now.
					maps.DeleteFunc(t.written, func(w string, _ any) bool { return body[w] == nil })
				}
			}
			for k, v := range body {
				if v == nil || env.NotReadBack(op, k) {
					continue // null is absent (the document's convention); a secret or an old spelling is not read back
				}
				t.fields[k], t.written[k] = v, v
			}
		}}, true
	case semantics.Delete:
		gone := prediction{want: accept, why: "deleting a " + res.Title, apply: func(map[string]any) { t.deleted = true }}
		if res.State == nil {
			return gone, true
		}
		// A state that refuses the delete, or one not yet seen that may
		// be such (it may have moved on since: the server need not
		// refuse).
		states := []string{t.state}
		if t.state == "" || slices.Contains(res.State.Settling, t.state) {
			states = append(states, res.State.Settling...)
		}
		for _, st := range states {
			for _, ref := range res.State.Refuses[st] {
				if ref.Operation != op.ID {
					continue
				}
				gone.want, gone.why, gone.code = either, fmt.Sprintf("the %s may still be %s, which refuses a delete (the document)", res.Title, st), ref.Code
				if gone.code == "" && m.mock {
					gone.code = behaviours[op.ID].mockCode // if refused, as docs/mock.md says
				}
				if t.state == st && !slices.Contains(res.State.Settling, st) {
					gone.want = refuse
				}
				return gone, true
			}
		}
		return gone, true
	}
	// What an action does the document does not say.
	return prediction{}, false
}

// predictSelected is the prediction for a list of listed's kind of what
// obj names (an object's privileges): where obj names a resource of a
// kind the authorization API names as an object, whether the model holds
// it; otherwise, against a dli-mock, what docs/mock.md answers an object it
// does not model (listed's mock.unknown), and whether it exists the
// declarations do not say.
func (m *model) predictSelected(listed *semantics.Resource, obj string) prediction {
	res, key := m.sem.ObjectKind(obj)
	switch {
	case res == nil && m.mock && listed != nil && listed.Mock != nil && listed.Mock.Unknown != nil:
		return answerFor(*listed.Mock.Unknown, "an object of no kind a dli-mock models (docs/mock.md)")
	case res == nil:
		return expect(either, "a list of what a parameter names")
	}
	if t := m.thing(res.Kind, key); t != nil && !t.deleted {
		return expect(accept, "the "+res.Title+" it names exists")
	}
	if m.mock && res.Mock != nil && res.Mock.Unknown != nil {
		return answerFor(*res.Mock.Unknown, "the "+res.Title+" it names does not exist (as docs/mock.md answers it)")
	}
	return expect(refuse, "the "+res.Title+" it names does not exist (the document)")
}

// seeThing holds what a read answered of a resource to the model: its
// key, its name, the fields an update wrote, and its state's move.
func (m *model) seeThing(t *mThing, got map[string]any) []string {
	res := m.sem.Resources[t.kind]
	var diffs []string
	if k, shown := got[res.Key]; res.Key != "" && shown && env.Str(k) != t.key {
		diffs = append(diffs, fmt.Sprintf("%s is %q, want %q", res.Key, k, t.key))
	}
	if res.Name != "" && env.Str(got[res.Name]) != t.name {
		diffs = append(diffs, fmt.Sprintf("%s is %q, want %q", res.Name, env.Str(got[res.Name]), t.name))
	}
	for _, k := range sortedKeys(t.written) {
		if v, ok := got[k]; ok && string(env.Marshal(v)) != string(env.Marshal(t.written[k])) {
			diffs = append(diffs, fmt.Sprintf("%s is %s, want %s as written", k, env.Marshal(v), env.Marshal(t.written[k])))
		}
	}
	if t.decided != "" {
		rule := res.Mock.Decides
		if v := env.Str(got[rule.Field]); v != t.decided {
			diffs = append(diffs, fmt.Sprintf("%s is %q, want %s as docs/mock.md decides it", rule.Field, v, t.decided))
		}
	}
	if res.State == nil {
		return diffs
	}
	state := env.Str(got[res.State.Field])
	switch {
	case t.deleted && res.Deleted.State != "" && state != res.Deleted.State:
		diffs = append(diffs, fmt.Sprintf("%s is %q, want %s: it was deleted", res.State.Field, state, res.Deleted.State))
	case !t.deleted && !movesTo(res.State, t.state, state):
		diffs = append(diffs, fmt.Sprintf("%s went from %s to %q", res.State.Field, cmp.Or(t.state, "created"), state))
	}
	t.state = state
	return diffs
}

// decided is the value a dli-mock's rule (its kind's mock.decides) gives
// a new resource of res, created with body under parent: the rule's
// otherwise when a property fails its pattern, its value when the parent
// is surely bound as it asks; "" when the model cannot be sure (the
// project may hold bindings the run did not make) or the server is no
// dli-mock.
func (m *model) decided(res *semantics.Resource, body map[string]any, parent string) string {
	if !m.mock || res.Mock == nil || res.Mock.Decides == nil {
		return ""
	}
	rule := res.Mock.Decides
	for _, prop := range slices.Sorted(maps.Keys(rule.When.Match)) {
		re := pattern.Compiled(rule.When.Match[prop])
		if re == nil {
			return ""
		}
		if v, ok := body[prop].(string); !ok || !re.MatchString(v) {
			return rule.Otherwise
		}
	}
	if rule.When.Bound != "" {
		gk := goKinds[rule.When.Bound]
		if gk.bound == nil || !gk.bound(m, parent) {
			return ""
		}
	}
	return rule.Value
}

// movesTo says whether a state may move from one to another; from "", not
// yet seen, any declared state.
func movesTo(s *semantics.State, from, to string) bool {
	if from == to {
		return true
	}
	if from == "" {
		_, ok := s.Moves[to]
		return ok
	}
	return slices.Contains(s.Moves[from], to)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// settling says whether a resource may still be in a state it leaves on
// its own.
func settling(res *semantics.Resource, t *mThing) bool {
	return res.State != nil && len(res.State.Settling) > 0 && !t.deleted &&
		(t.state == "" || slices.Contains(res.State.Settling, t.state))
}

// matches says whether a resource's field matches a filter's value.
func matches(f semantics.Filter, have any, want string) bool {
	s := env.Str(have)
	if f.Match == "fold" {
		return strings.EqualFold(s, want)
	}
	return s == want
}
