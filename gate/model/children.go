package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/semantics"
)

// The generic model of a kind under a parent, by its declarations alone
// (a connection's tags): calls under a parent the model does not hold
// live answer as the parent's kind declares; a create or delete whose key
// names every item of an array (a batch) makes or removes one per item; a
// create's declared children are made with it; a delete of one that is
// not there is accepted where the kind is idempotent. Where the document
// chooses what DLI's sources leave open (mock.upsert, mock.most, a delete
// naming a value), a dli-mock is held to the choice, and of another server
// the model stops judging what it cannot know: the thing is Unsure.

// valueField is the field of a child that a selection by tags matches
// (by_tags: a child keyed by its key, with a value).
const valueField = "value"

// heldParent says whether the model holds the parent of key live, and
// whether it holds it at all (a deleted one too).
func (m *Model) heldParent(kind, key string) (live, known bool) {
	if k, ok := Kinds[kind]; ok && k.Keys != nil {
		return slices.Contains(k.Keys(m, "", false), key), slices.Contains(k.Keys(m, "", true), key)
	}
	t := m.Thing(kind, key)
	return t != nil && !t.Deleted, t != nil
}

// underParent is the prediction for a call of op under a parent the model
// does not hold live; false when it does (or op names no parent).
func (m *Model) underParent(res *semantics.Resource, op *semantics.Operation, call semantics.Call) (Prediction, bool) {
	if res.Parent == "" || op.ParentExpr == nil {
		return Prediction{}, false
	}
	parent, _ := op.ParentExpr.Eval(call)
	pres := m.Sem.Resources[res.Parent]
	if pres.Input != "" {
		return Prediction{}, false // the run's input (a queue): the model holds none
	}
	live, known := m.heldParent(pres.Kind, parent)
	switch {
	case live:
		return Prediction{}, false
	case !known && m.Mock && pres.Mock != nil && pres.Mock.Unknown != nil:
		return AnswerFor(*pres.Mock.Unknown, "the "+pres.Title+" does not exist (as docs/mock.md answers it)"), true
	case !known:
		return AnswerFor(pres.Unknown, "the "+pres.Title+" does not exist"), true
	case op.Role == semantics.List && pres.Deleted.State != "":
		// A deleted one is still read; what is under it, the document
		// chooses, is still listed.
		if m.Mock {
			return Expect(Accept, "a deleted "+pres.Title+"'s "+res.Title+"s are still listed (the document's choice)"), true
		}
		// A read: whatever it answers, nothing changed.
		return Prediction{Want: Either, Why: "a deleted " + pres.Title + "'s " + res.Title + "s (the document's choice, not DLI's word)",
			Apply: func(map[string]any) {}}, true
	}
	// Refused as a change to it is: against a dli-mock with the code of an
	// unknown one (docs/mock.md), of DLI no source says which.
	why := "the " + pres.Title + " was deleted: nothing under it changes"
	if code := pres.Unknown.Code; code != "" {
		return m.MockCode(code, why), true
	}
	return Expect(Refuse, why), true
}

// batch is the items of a body whose key names every item of an array
// ($request.body#/tags/*/key), and the item's property holding the key.
func batch(op *semantics.Operation, body map[string]any) ([]map[string]any, string) {
	arr, field, _ := strings.Cut(op.KeyExpr.Pointer, "/*/")
	e, err := semantics.ParseExpr("$request.body#" + arr)
	if err != nil {
		return nil, field
	}
	raw, _ := json.Marshal(body)
	v, _ := e.Eval(semantics.Call{Body: raw})
	var items []map[string]any
	_ = json.Unmarshal([]byte(v), &items)
	return items, field
}

// livechild is the child of kind and key under parent the model holds,
// not deleted; nil when none.
func (m *Model) liveChild(kind, parent, key string) *Thing {
	for _, t := range m.ThingsOf(kind) {
		if t.Parent == parent && t.Key == key && !t.Deleted {
			return t
		}
	}
	return nil
}

// Children are the children of kind under parent the model holds, not
// deleted, in the order they were made.
func (m *Model) Children(kind, parent string) []*Thing {
	var out []*Thing
	for _, t := range m.ThingsOf(kind) {
		if t.Parent == parent && !t.Deleted {
			out = append(out, t)
		}
	}
	return out
}

// predictBatch predicts a create or delete of one child per item of its
// body.
func (m *Model) predictBatch(res *semantics.Resource, op *semantics.Operation, parent string, body map[string]any) Prediction {
	items, field := batch(op, body)
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = env.Str(it[field])
	}
	if op.Role == semantics.Delete {
		return Prediction{Want: Accept, Why: "deleting " + res.Title + "s (a key not there is no error)", Apply: func(map[string]any) {
			for _, it := range items {
				t := m.liveChild(res.Kind, parent, env.Str(it[field]))
				if t == nil {
					continue
				}
				switch given := others(it, field); {
				case len(given) == 0:
					t.Deleted = true // the key alone: whatever the rest
				case !m.Mock:
					t.Unsure = true // what DLI does with the rest, no source says
				case matches(given, t.Fields):
					t.Deleted = true
				}
			}
		}}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(keys)))) != len(keys) {
		return m.MockCode("DLI.0001", "a "+res.Title+" named twice in one call")
	}
	add := func(map[string]any) {
		for _, it := range items {
			m.addChild(res, parent, it, field)
		}
	}
	if most := mockMost(res); most != nil {
		after := len(m.Children(res.Kind, parent))
		for _, k := range keys {
			if m.liveChild(res.Kind, parent, k) == nil {
				after++
			}
		}
		if after > most.Count {
			why := fmt.Sprintf("a %s would have %d %ss, over %d", m.Sem.Resources[res.Parent].Title, after, res.Title, most.Count)
			if !m.Mock {
				// Taken, they are there.
				return Prediction{Want: Either, Why: why + " (the document's choice, not DLI's word)", Apply: add}
			}
			return AnswerFor(semantics.Answer{Status: most.Status, Code: most.Code}, why+" (docs/mock.md)")
		}
	}
	return Prediction{Want: Accept, Why: "adding " + res.Title + "s", Apply: add}
}

// addChild holds one more child under parent, or, for a key it has,
// what a create of it does: a dli-mock overwrites it (mock.upsert); of
// another server the model can no longer tell its fields.
func (m *Model) addChild(res *semantics.Resource, parent string, item map[string]any, field string) {
	fields := map[string]any{}
	for k, v := range item {
		if k != field {
			fields[k] = v
		}
	}
	if t := m.liveChild(res.Kind, parent, env.Str(item[field])); t != nil {
		t.Fields = fields
		t.Unsure = t.Unsure || !m.Mock || res.Mock == nil || !res.Mock.Upsert
		return
	}
	m.Things = append(m.Things, &Thing{Kind: res.Kind, Parent: parent, Key: env.Str(item[field]), Fields: fields, Written: map[string]any{}})
}

// others are an item's properties but its key, absent, null and "" left
// out: a dli-mock reads them as "whatever the value" (the document).
func others(item map[string]any, field string) map[string]any {
	out := map[string]any{}
	for k, v := range item {
		if k != field && v != nil && v != "" {
			out[k] = v
		}
	}
	return out
}

func matches(given, have map[string]any) bool {
	for k, v := range given {
		if env.Str(have[k]) != env.Str(v) {
			return false
		}
	}
	return true
}

func mockMost(res *semantics.Resource) *semantics.Most {
	if res.Mock == nil {
		return nil
	}
	return res.Mock.Most
}

// withChildren makes an accepted create of op hold the children its body
// declares (a connection's tags) under the new resource.
func (m *Model) withChildren(op *semantics.Operation, body map[string]any, p Prediction) Prediction {
	if len(op.Children) == 0 || p.Apply == nil {
		return p
	}
	// The children a create names are held to what a create of them
	// alone is: each key once, within the parent's most (what DLI does
	// with either here, no source says).
	for _, kind := range slices.Sorted(maps.Keys(op.Children)) {
		res := m.Sem.Resources[kind]
		items := env.Objects(body[strings.TrimPrefix(op.Children[kind], "/")])
		keys := map[string]bool{}
		for _, it := range items {
			k := env.Str(it[res.Key])
			if keys[k] {
				return m.MockRule("DLI.0001", "a "+res.Title+" named twice")
			}
			keys[k] = true
		}
		if most := mockMost(res); most != nil && len(items) > most.Count {
			return m.MockRule(most.Code, fmt.Sprintf("%d %ss, over %d", len(items), res.Title, most.Count))
		}
	}
	apply := p.Apply
	p.Apply = func(resp map[string]any) {
		apply(resp)
		raw, _ := json.Marshal(body)
		answer, _ := json.Marshal(resp)
		key, _ := op.KeyExpr.Eval(semantics.Call{Body: raw, AnswerBody: answer})
		for _, kind := range slices.Sorted(maps.Keys(op.Children)) {
			res := m.Sem.Resources[kind]
			e, err := semantics.ParseExpr("$request.body#" + op.Children[kind])
			if err != nil || res == nil {
				continue
			}
			v, _ := e.Eval(semantics.Call{Body: raw})
			var items []map[string]any
			_ = json.Unmarshal([]byte(v), &items)
			for _, it := range items {
				m.addChild(res, key, it, res.Key)
			}
		}
	}
	return p
}

// Tags are the tags of a resource of parentKind the model holds: its
// children of the kind a selection by tags of that kind reads, as
// key=value; sure is false when the model cannot tell one of them.
func (m *Model) Tags(parentKind, key string) (tags []Tag, sure bool) {
	kind := m.Sem.TagKind(parentKind)
	sure = true
	for _, t := range m.Children(kind, key) {
		if t.Unsure {
			sure = false
			continue
		}
		tags = append(tags, Tag{t.Key, env.Str(t.Fields[valueField])})
	}
	return tags, sure
}

// Tagged says whether the resource of parentKind and key carries the tag
// k=v, as the model holds it.
func (m *Model) Tagged(parentKind, key, kv string) bool {
	k, v, _ := strings.Cut(kv, "=")
	tags, _ := m.Tags(parentKind, key)
	return slices.Contains(tags, Tag{k, v})
}

// Selection is a selection by tags and by a name's prefix, as a body and
// as what it keeps.
type Selection struct {
	Body    map[string]any
	Without bool
	Tags    map[string][]string // key: its values, OR'd; none is any
	Prefix  string              // what a name starts with; "" any
}

// Build sets s's Body, the properties named by sel; a name's prefix is
// matched under the key nameKey.
func (s *Selection) Build(sel *semantics.ByTags, nameKey string) {
	if s.Without {
		s.Body = map[string]any{sel.Without: true}
	} else {
		s.Body = map[string]any{}
		var items []any
		for _, key := range slices.Sorted(maps.Keys(s.Tags)) {
			items = append(items, map[string]any{"key": key, "values": append([]string{}, s.Tags[key]...)})
		}
		if len(items) > 0 {
			s.Body[sel.Tags] = items
		}
	}
	if s.Prefix != "" {
		s.Body[sel.Names] = []any{map[string]any{"key": nameKey, "value": s.Prefix}}
	}
}

// Keeps says whether a resource of that name, carrying tags, is selected.
func (s Selection) Keeps(name string, tags []Tag) bool {
	if !strings.HasPrefix(name, s.Prefix) {
		return false
	}
	if s.Without {
		return len(tags) == 0
	}
	for k, values := range s.Tags {
		if !slices.ContainsFunc(tags, func(t Tag) bool { return t.Key == k && (len(values) == 0 || slices.Contains(values, t.Value)) }) {
			return false
		}
	}
	return true
}

// ListedTags are the {key, value} items of an answer, as tags.
func ListedTags(items []any) []Tag {
	var out []Tag
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, Tag{Key: env.Str(m["key"]), Value: env.Str(m["value"])})
		}
	}
	return out
}

// SameTags says whether a and b hold the same tags, in any order.
func SameTags(a, b []Tag) bool {
	key := func(t Tag) string { return t.Key + "=" + t.Value }
	as, bs := make([]string, len(a)), make([]string, len(b))
	for i, t := range a {
		as[i] = key(t)
	}
	for i, t := range b {
		bs[i] = key(t)
	}
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}
