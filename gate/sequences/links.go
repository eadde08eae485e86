package sequences

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/keywords"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/semantics"
)

// linkActions lists the calls sequences make: the roots (the creates,
// which nothing links to) and every operation a link leads to.
func (g *sequencer) linkActions() []action {
	ops := map[string]*docwalk.Op{}
	for _, o := range docwalk.Operations(g.Doc.OpenAPI()) {
		ops[o.Op.OperationID] = &o
	}
	// The roots: the create of each top-level resource kind, as the
	// document declares them, but for a kind whose create takes inputs
	// the run was not given (unplaced). Current kinds come first, retired
	// ones after.
	var out []action
	roots := g.Sem.Creates()
	slices.SortStableFunc(roots, func(a, b *semantics.Resource) int { return env.CmpBool(env.Retired(a), env.Retired(b)) })
	for _, res := range roots {
		if res.Parent != "" && g.InputParent(res) == nil || g.Unplaced(res) != "" {
			continue
		}
		// Each create of the kind: a deprecated one still creates (an
		// auth info's v2.0 create), and keyword coverage needs it sent.
		for _, c := range res.Operations[semantics.Create] {
			out = append(out, action{op: ops[c.ID]})
		}
	}
	// The selections by tags: roots too, drawn from their schema (what
	// they answer, the by-tags steps judge).
	for _, id := range g.Sem.Order {
		if d := g.Sem.Of(id); d.ByTags != nil && ops[id] != nil && g.Unplaced(g.Sem.Resources[d.Resource]) == "" {
			out = append(out, action{op: ops[id]})
		}
	}
	for _, src := range slices.Sorted(maps.Keys(ops)) {
		o := ops[src]
		if o.Op.Responses == nil {
			continue
		}
		for _, resp := range o.Op.Responses.Map() {
			if resp.Value == nil {
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(resp.Value.Links)) {
				l := resp.Value.Links[name].Value
				target := ops[l.OperationID]
				if target == nil || g.Unplaced(g.Sem.ResourceOf(l.OperationID)) != "" {
					continue
				}
				out = append(out, action{op: target, link: l, source: src})
			}
		}
	}
	return append(out, g.impliedLinks(ops, out)...)
}

// impliedLinks are the calls the declarations imply and no link of the
// document names: each operation on a resource, reached from the create
// of the resource (or, for a sub-resource, of its parent), its key path
// parameter filled from the create's key, as a link would fill it.
func (g *sequencer) impliedLinks(ops map[string]*docwalk.Op, linked []action) []action {
	var out []action
	has := func(src, target string) bool {
		return slices.ContainsFunc(linked, func(a action) bool { return a.source == src && a.op.Op.OperationID == target })
	}
	for _, res := range g.Sem.Creates() {
		create := res.Op(semantics.Create)
		parentCreate := (*semantics.Operation)(nil)
		if res.Parent != "" {
			if p := g.Sem.Resources[res.Parent]; p != nil {
				parentCreate = p.Op(semantics.Create)
			}
		}
		if parentCreate == nil && res.Parent != "" && g.InputParent(res) == nil || g.Unplaced(res) != "" {
			continue
		}
		for _, id := range g.Sem.Order {
			d := g.Sem.Of(id)
			if d.Resource != res.Kind || d.Role == semantics.List && d.ParentExpr == nil || ops[id] == nil {
				continue
			}
			params := map[string]any{}
			var body any
			src := create
			switch {
			case res.Parent == "" && d.Role != semantics.Create && d.KeyExpr != nil && d.KeyExpr.In == "path" && d.KeyExpr.Source == "request":
				params[d.KeyExpr.Name] = create.Key
			case res.Parent == "" && d.Role != semantics.Create && d.KeyExpr != nil && d.KeyExpr.In == "body" && d.KeyExpr.Source == "request" &&
				strings.Count(d.KeyExpr.Pointer, "/") == 1:
				// A key in the body (an auth info's update names it there):
				// a request body template, as a link would carry it.
				body = map[string]any{strings.TrimPrefix(d.KeyExpr.Pointer, "/"): "{" + create.Key + "}"}
			case res.Parent != "" && (d.Role == semantics.Create || d.Role == semantics.List) && d.ParentExpr != nil && d.ParentExpr.In == "path" && parentCreate != nil:
				src = parentCreate
				params[d.ParentExpr.Name] = parentCreate.Key
			case res.Parent != "" && d.Role != semantics.Create && d.KeyExpr != nil && d.KeyExpr.In == "path" && d.ParentExpr != nil && d.ParentExpr.In == "path":
				params[d.ParentExpr.Name], params[d.KeyExpr.Name] = create.Parent, create.Key
			case res.Parent != "" && d.Role != semantics.Create && d.KeyExpr != nil && d.KeyExpr.In == "body" && d.KeyExpr.Many() && d.ParentExpr != nil && d.ParentExpr.In == "path":
				// Keys in the body, one per item (a batch delete): the
				// created one's, as a link's request body would carry it.
				params[d.ParentExpr.Name] = create.Parent
				arr, field, _ := strings.Cut(strings.TrimPrefix(d.KeyExpr.Pointer, "/"), "/*/")
				body = map[string]any{arr: []any{map[string]any{field: "{" + create.Key + "}"}}}
			default:
				continue
			}
			if has(src.ID, id) || slices.ContainsFunc(slices.Collect(maps.Values(params)), func(v any) bool { return v == "" }) {
				continue
			}
			out = append(out, action{op: ops[id], link: &openapi3.Link{OperationID: id, Parameters: params, RequestBody: body}, source: src.ID})
		}
	}
	return out
}

// topUp sends, for each body keyword the run has not yet both satisfied
// and broken, a request that does: a value forced at its place (null for
// nullable), or a variant of a valid body that breaks it. Calls that need
// a connection get a live one, made first when the model holds none.
func (r *seqRun) topUp(actions []action) {
	// Each need is tried a few times: a try may find nothing to follow
	// its link from (the creates drawn to make one were all refused), and
	// one such try would leave the keyword uncovered for the whole run.
	const tries = 3
	tried := map[*keywords.Instance]int{}
	for {
		// Again after each request, which may cover more than it aimed at.
		needs := slices.DeleteFunc(r.g.KW.Missing("body"), func(n keywords.Need) bool { return tried[n.Inst] >= tries })
		if len(needs) == 0 {
			return
		}
		need := needs[0]
		inst := need.Inst
		tried[inst]++
		i := slices.IndexFunc(actions, func(a action) bool { return a.op.Op.OperationID == inst.Operation })
		if i < 0 {
			continue
		}
		a := actions[i]
		r.pin = ""
		if a.link != nil {
			if r.pin = r.liveKey(r.g.Sem.ResourceOf(a.source).Kind); r.pin == "" {
				continue
			}
		}
		if need.Satisfy {
			r.force, r.breaking = &force{ptr: inst.Where, null: inst.Keyword.Keyword == "nullable"}, nil
			r.linked(a)
		}
		if need.Break {
			r.force, r.breaking = &force{ptr: inst.Where}, inst
			r.linked(a)
		}
		r.force, r.breaking = nil, nil
	}
}

// liveKey is a resource of kind the run made and did not delete, made
// if need be (within three tries); "" when there is none.
func (r *seqRun) liveKey(kind string) string {
	if live := r.keysOf(kind, "", false); len(live) > 0 {
		return live[0]
	}
	r.force, r.breaking = nil, nil
	if !r.makeFirst(kind) {
		return ""
	}
	if live := r.keysOf(kind, "", false); len(live) > 0 {
		return live[0]
	}
	return ""
}

// for the items of an array, / for the whole body.
func starred(ptr string) string {
	if ptr == "" {
		return "/"
	}
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		if _, err := strconv.Atoi(t); err == nil && i > 0 {
			toks[i] = "*"
		}
	}
	return strings.Join(toks, "/")
}

// actionOf is the operation of that id among the calls the sequences
// make, or nil when they make none of it.
func (r *seqRun) actionOf(id string) *docwalk.Op {
	i := slices.IndexFunc(r.actions, func(a action) bool { return a.op.Op.OperationID == id })
	if i < 0 {
		return nil
	}
	return r.actions[i].op
}

// firstKeyParam is the link's first parameter (by name): what a repeated
// call is pinned to.
func firstKeyParam(l *openapi3.Link) string {
	names := slices.Sorted(maps.Keys(l.Parameters))
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// resolve evaluates a link's runtime expression against the model. The
// expression names the key, or the parent's key, of the resource the
// link's source operation acts on (as the source's declaration says): it
// resolves to one the model holds of that kind (deleted ones too), now and
// then to one that does not exist. A resource is made first when the
// model holds none.
func (r *seqRun) resolve(a action, expr string, byExpr map[string]string) (string, bool) {
	t := r.t
	src := r.g.Sem.Of(a.source)
	if src == nil {
		return "", false
	}
	res := r.g.Sem.Resources[src.Resource]
	kind, parent := "", ""
	switch expr {
	case src.Key:
		kind = res.Kind
		if res.Parent != "" {
			parent = byExpr[src.Parent]
		}
	case src.Parent:
		kind = res.Parent
	default:
		return "", false
	}
	if r.pin != "" && expr == src.Key && res.Parent == "" {
		return r.pin, true
	}
	ids := r.keysOf(kind, parent, true)
	if gk, ok := model.Kinds[kind]; ok && gk.Sentinel != "" {
		// One that does not exist, first, in place of a drawn unknown
		// key: a draw counts back from the last.
		return recent(t, append([]string{gk.Sentinel}, ids...), kind), true
	}
	if len(ids) == 0 {
		// A call needs something to call on: make it first, so that a
		// sequence does not spend itself on calls to nothing.
		if parent != "" || !r.makeFirst(kind) {
			return "", false
		}
		return r.resolve(a, expr, byExpr)
	}
	if expr == src.Parent {
		// A sub-resource's call follows from its create: mostly to a
		// parent that has some.
		if with := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return len(r.keysOf(res.Kind, id, true)) == 0 }); len(with) > 0 {
			ids = with
		}
	}
	if !r.g.Cfg.Budgeted && rapid.IntRange(0, 9).Draw(t, "unknown id") == 0 {
		// With a budget, the invalid requests and the life cycles called
		// on what does not exist.
		return env.UnknownLike(ids), true
	}
	return recent(t, ids, kind), true
}

// keysOf lists the keys of the resources of kind the model holds (under
// parent, for a sub-resource), the deleted ones too when withDeleted, in
// the order a draw picks from.
func (r *seqRun) keysOf(kind, parent string, withDeleted bool) []string {
	if gk, ok := model.Kinds[kind]; ok {
		return gk.Keys(r.m, parent, withDeleted)
	}
	if res := r.g.Sem.Resources[kind]; res != nil && res.Input != "" {
		if v := r.g.Inputs[res.Input]; v != "" {
			return []string{v} // not made here: the run's one
		}
		return nil
	}
	var out []string
	for _, th := range r.m.ThingsOf(kind) {
		if th.Parent == parent && (withDeleted || !th.Deleted) {
			out = append(out, th.Key)
		}
	}
	return out
}

// recent draws one of xs counting back from the last: the same draw names
// the same thing when shrinking takes out calls that came before it.
func recent(t *rapid.T, xs []string, label string) string {
	return xs[len(xs)-1-rapid.IntRange(0, len(xs)-1).Draw(t, label)]
}

// makeFirst creates a resource of kind, for a call that needs one; false
// when the create was refused.
func (r *seqRun) makeFirst(kind string) bool {
	i := slices.IndexFunc(r.actions, func(a action) bool {
		d := r.g.Sem.Of(a.op.Op.OperationID)
		return a.link == nil && d != nil && d.Role == semantics.Create && d.Resource == kind
	})
	if i < 0 {
		return false
	}
	force, breaking, target := r.force, r.breaking, r.target
	defer func() { r.force, r.breaking, r.target = force, breaking, target }()
	r.force, r.breaking = nil, nil
	before := len(r.keysOf(kind, "", true))
	for range 3 { // a drawn create may be a broken one, refused
		r.linked(r.actions[i])
		if len(r.keysOf(kind, "", true)) > before {
			return true
		}
	}
	return false
}
