package model

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

// Thing is a resource the model holds by its declarations.
type Thing struct {
	Kind, Key string
	Parent    string // the key of its parent, for a sub-resource
	Name      string
	// Written are the fields an update sent, to be read back as sent.
	Written map[string]any
	// Fields are every top-level field the create and updates sent,
	// which a list's filters match.
	Fields  map[string]any
	State   string // last seen; "" before any
	Deleted bool
	// Decided is the value of the field a dli-mock's rule decides at the
	// create, where the model is sure of it; "" where it is not.
	Decided string
	// Grants are the users' privileges on it, for a kind DLI's
	// authorization API names as an object.
	Grants []Grant
	// Unsure says the model cannot tell its fields, or whether it is
	// still there: what DLI did with a call the document chooses for
	// only (a tag's value given twice) no source says.
	Unsure bool
}

// Thing is the resource of kind and key the model holds, the latest of
// that key (a name deleted and created again is a new one).
func (m *Model) Thing(kind, key string) *Thing {
	for i := len(m.Things) - 1; i >= 0; i-- {
		if t := m.Things[i]; t.Kind == kind && t.Key == key {
			return t
		}
	}
	return nil
}

// ThingsOf are the resources of kind the model holds, in creation order.
func (m *Model) ThingsOf(kind string) []*Thing {
	var out []*Thing
	for _, t := range m.Things {
		if t.Kind == kind {
			out = append(out, t)
		}
	}
	return out
}

// AnswerFor is the prediction for a call the declared answer a refuses.
func AnswerFor(a semantics.Answer, why string) Prediction {
	if a.Status == 0 {
		return Expect(Refuse, why)
	}
	return Refusal(a.Code, why)
}

// predictDeclared is what the declarations of op say of a call; false
// when they say nothing the model can judge by.
func (m *Model) predictDeclared(op *semantics.Operation, path map[string]string, body map[string]any) (Prediction, bool) {
	res := m.Sem.Resources[op.Resource]
	if res == nil {
		return Prediction{}, false
	}
	raw, _ := json.Marshal(body)
	call := semantics.Call{PathParams: path, Body: raw}
	if p, ok := m.underParent(res, op, call); ok {
		return p, true
	}
	if op.KeyExpr != nil && op.KeyExpr.Many() && op.ParentExpr != nil {
		parent, _ := op.ParentExpr.Eval(call)
		return m.predictBatch(res, op, parent, body), true
	}
	if op.Role == semantics.Count {
		return Expect(Accept, "a valid count"), true
	}
	if op.Role == semantics.Create {
		name := env.Str(body[res.Name])
		if res.Unique != nil && slices.ContainsFunc(m.ThingsOf(res.Kind), func(t *Thing) bool { return t.Name == name && !t.Deleted }) {
			u := *res.Unique
			if m.Mock && res.Mock != nil && res.Mock.Unique != nil {
				u = *res.Mock.Unique // the code a dli-mock picks (docs/mock.md)
			}
			return Refusal(u.Code, res.Title+" names are unique (the document)"), true
		}
		return Prediction{Want: Accept, Why: "a valid create", Apply: func(resp map[string]any) {
			answer, _ := json.Marshal(resp)
			call.AnswerBody = answer
			key, _ := op.KeyExpr.Eval(call)
			t := &Thing{Kind: res.Kind, Key: key, Name: name, Fields: map[string]any{}, Written: map[string]any{}}
			if op.ParentExpr != nil {
				t.Parent, _ = op.ParentExpr.Eval(call)
			}
			for k, v := range body {
				if !env.NotReadBack(op, k) {
					t.Fields[k] = v
				}
			}
			t.Decided = m.Decided(res, body, t.Parent)
			m.Things = append(m.Things, t)
		}}, true
	}
	if op.Role == semantics.List {
		if sel := env.Selector(op); sel != "" {
			return m.PredictSelected(res, path[sel]), true
		}
		return Expect(Accept, "a valid list"), true
	}
	if op.KeyExpr == nil {
		return Prediction{}, false
	}
	key, _ := op.KeyExpr.Eval(call)
	t := m.Thing(res.Kind, key)
	if t != nil && op.ParentExpr != nil {
		if parent, _ := op.ParentExpr.Eval(call); parent != t.Parent {
			t = nil // not under that parent: none there
		}
	}
	switch {
	case t == nil && m.Mock && res.Mock != nil && res.Mock.Unknown != nil:
		return AnswerFor(*res.Mock.Unknown, "the "+res.Title+" does not exist (as docs/mock.md answers it)"), true
	case t == nil:
		return AnswerFor(res.Unknown, "the "+res.Title+" does not exist"), true
	case t.Deleted && op.Role == semantics.Read && res.Deleted.State != "":
		return Expect(Accept, "a deleted "+res.Title+" is still read"), true
	case t.Deleted:
		return AnswerFor(res.Deleted, "the "+res.Title+" was deleted"), true
	}
	switch op.Role {
	case semantics.Read:
		return Expect(Accept, "the "+res.Title+" exists"), true
	case semantics.Update:
		return Prediction{Want: Accept, Why: "fields present overwrite", Apply: func(map[string]any) {
			for k, v := range body {
				if p := env.BodyProperty(op, k); v != nil && p != nil && p.Deprecated {
					// An old spelling of a field the update leaves out,
					// or sends null (username for user_name): which, the
					// document says in words only, so what was written of
					// those may be overwritten now.
					maps.DeleteFunc(t.Written, func(w string, _ any) bool { return body[w] == nil })
				}
			}
			for k, v := range body {
				if v == nil || env.NotReadBack(op, k) {
					continue // null is absent (the document's convention); a secret or an old spelling is not read back
				}
				t.Fields[k], t.Written[k] = v, v
			}
		}}, true
	case semantics.Delete:
		gone := Prediction{Want: Accept, Why: "deleting a " + res.Title, Apply: func(map[string]any) { t.Deleted = true }}
		if res.State == nil {
			return gone, true
		}
		// A state that refuses the delete, or one not yet seen that may
		// be such (it may have moved on since: the server need not
		// refuse).
		states := []string{t.State}
		if t.State == "" || slices.Contains(res.State.Settling, t.State) {
			states = append(states, res.State.Settling...)
		}
		for _, st := range states {
			for _, ref := range res.State.Refuses[st] {
				if ref.Operation != op.ID {
					continue
				}
				gone.Want, gone.Why, gone.Code = Either, fmt.Sprintf("the %s may still be %s, which refuses a delete (the document)", res.Title, st), ref.Code
				if gone.Code == "" && m.Mock {
					gone.Code = registry[op.ID].mockCode // if refused, as docs/mock.md says
				}
				if t.State == st && !slices.Contains(res.State.Settling, st) {
					gone.Want = Refuse
				}
				return gone, true
			}
		}
		return gone, true
	}
	// What an action does the document does not say.
	return Prediction{}, false
}

// PredictSelected is the prediction for a list of listed's kind of what
// obj names (an object's privileges): where obj names a resource of a
// kind the authorization API names as an object, whether the model holds
// it; otherwise, against a dli-mock, what docs/mock.md answers an object it
// does not model (listed's mock.unknown), and whether it exists the
// declarations do not say.
func (m *Model) PredictSelected(listed *semantics.Resource, obj string) Prediction {
	res, key := m.Sem.ObjectKind(obj)
	switch {
	case res == nil && m.Mock && listed != nil && listed.Mock != nil && listed.Mock.Unknown != nil:
		return AnswerFor(*listed.Mock.Unknown, "an object of no kind a dli-mock models (docs/mock.md)")
	case res == nil:
		return Expect(Either, "a list of what a parameter names")
	}
	if t := m.Thing(res.Kind, key); t != nil && !t.Deleted {
		return Expect(Accept, "the "+res.Title+" it names exists")
	}
	if m.Mock && res.Mock != nil && res.Mock.Unknown != nil {
		return AnswerFor(*res.Mock.Unknown, "the "+res.Title+" it names does not exist (as docs/mock.md answers it)")
	}
	return Expect(Refuse, "the "+res.Title+" it names does not exist (the document)")
}

// SeeThing holds what a read answered of a resource to the model: its
// key, its name, the fields an update wrote, and its state's move.
func (m *Model) SeeThing(t *Thing, got map[string]any) []string {
	res := m.Sem.Resources[t.Kind]
	var diffs []string
	if k, shown := got[res.Key]; res.Key != "" && shown && env.Str(k) != t.Key {
		diffs = append(diffs, fmt.Sprintf("%s is %q, want %q", res.Key, k, t.Key))
	}
	if res.Name != "" && env.Str(got[res.Name]) != t.Name {
		diffs = append(diffs, fmt.Sprintf("%s is %q, want %q", res.Name, env.Str(got[res.Name]), t.Name))
	}
	for _, k := range sortedKeys(t.Written) {
		if v, ok := got[k]; ok && string(env.Marshal(v)) != string(env.Marshal(t.Written[k])) {
			diffs = append(diffs, fmt.Sprintf("%s is %s, want %s as written", k, env.Marshal(v), env.Marshal(t.Written[k])))
		}
	}
	if t.Decided != "" {
		rule := res.Mock.Decides
		if v := env.Str(got[rule.Field]); v != t.Decided {
			diffs = append(diffs, fmt.Sprintf("%s is %q, want %s as docs/mock.md decides it", rule.Field, v, t.Decided))
		}
	}
	if res.State == nil {
		return diffs
	}
	state := env.Str(got[res.State.Field])
	switch {
	case t.Deleted && res.Deleted.State != "" && state != res.Deleted.State:
		diffs = append(diffs, fmt.Sprintf("%s is %q, want %s: it was deleted", res.State.Field, state, res.Deleted.State))
	case !t.Deleted && !MovesTo(res.State, t.State, state):
		diffs = append(diffs, fmt.Sprintf("%s went from %s to %q", res.State.Field, cmp.Or(t.State, "created"), state))
	}
	t.State = state
	return diffs
}

// Decided is the value a dli-mock's rule (its kind's mock.decides) gives
// a new resource of res, created with body under parent: the rule's
// otherwise when a property fails its pattern, its value when the parent
// is surely bound as it asks; "" when the model cannot be sure (the
// project may hold bindings the run did not make) or the server is no
// dli-mock.
func (m *Model) Decided(res *semantics.Resource, body map[string]any, parent string) string {
	if !m.Mock || res.Mock == nil || res.Mock.Decides == nil {
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
		gk := Kinds[rule.When.Bound]
		if gk.Bound == nil || !gk.Bound(m, parent) {
			return ""
		}
	}
	return rule.Value
}

// MovesTo says whether a state may move from one to another; from "", not
// yet seen, any declared state.
func MovesTo(s *semantics.State, from, to string) bool {
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

// Settling says whether a resource may still be in a state it leaves on
// its own.
func Settling(res *semantics.Resource, t *Thing) bool {
	return res.State != nil && len(res.State.Settling) > 0 && !t.Deleted &&
		(t.State == "" || slices.Contains(res.State.Settling, t.State))
}

// Matches says whether a resource's field matches a filter's value.
func Matches(f semantics.Filter, have any, want string) bool {
	s := env.Str(have)
	if f.Match == "fold" {
		return strings.EqualFold(s, want)
	}
	return s == want
}
