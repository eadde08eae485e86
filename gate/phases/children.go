package phases

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/cleanup"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// childLifeCycle adds a sub-resource under parent and removes it again;
// a kind listed under its parent (a connection's tags) is listed after
// each, and a kind whose delete is idempotent is deleted twice.
func (g *phase) childLifeCycle(ctx context.Context, child *semantics.Resource, parent string) {
	create, del := child.Op(semantics.Create), child.Op(semantics.Delete)
	body, ok := env.RichestExample(create)
	if !ok || !g.OpOn(create.ID) {
		return
	}
	raw, _ := json.Marshal(body)
	what := "adding a " + child.Title
	ex := g.Send(ctx, true, create.Method, g.FillUnder(create, parent, ""), raw)
	msg := acceptedAs(ex, create, what)
	g.Judge(wire.Verdict{Check: check.Positive, Op: create.ID, What: what, Ex: ex, Msg: msg})
	keys := create.KeyExpr.EvalAll(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())})
	key := ""
	if len(keys) > 0 {
		key = keys[0]
	}
	if read := child.Op(semantics.Read); msg == "" && key != "" && read != nil && g.OpOn(read.ID) {
		what := "the " + child.Title + " just added"
		ex := g.Send(ctx, true, read.Method, g.FillUnder(read, parent, key), nil)
		msg := env.Accepted(ex, http.StatusOK, "read of "+what)
		if got := env.AnswerField(ex, child.Key); msg == "" && got != "" && got != key {
			msg = fmt.Sprintf("read of %s answered %s %q, want %q", what, child.Key, got, key)
		}
		g.Judge(wire.Verdict{Check: check.Availability, Op: read.ID, What: what, Ex: ex, Msg: msg})
		g.readUnknownChild(ctx, child, read, parent, key)
	}
	if msg == "" && key != "" {
		g.listChildren(ctx, child, parent, body, keys, true)
	}
	if msg != "" || key == "" || del == nil || !g.OpOn(del.ID) {
		return
	}
	for i := range 1 + map[bool]int{true: 1}[child.Idempotent] {
		what = "deleting the " + child.Title
		if i > 0 {
			what = "deleting the " + child.Title + " again (a delete of one not there is no error)"
		}
		ex = g.Send(ctx, true, del.Method, g.FillUnder(del, parent, key), env.KeyBody(del, keys))
		g.Judge(wire.Verdict{Check: check.Positive, Op: del.ID, What: what, Ex: ex, Msg: acceptedAs(ex, del, what)})
		if i == 0 && ex.Status < 300 {
			g.listChildren(ctx, child, parent, body, keys, false)
		}
	}
	g.fillToMost(ctx, child, parent, body)
}

// fillToMost, against a dli-mock and without a budget, fills the parent
// to its kind's mock.most in one batch create, which is accepted; one
// more is refused as the most declares; and, where a create of a key
// there overwrites it (mock.upsert), adding one of them again is no more
// and is accepted. What DLI does at the bound the document chooses only,
// so only a dli-mock is held to it.
func (g *phase) fillToMost(ctx context.Context, child *semantics.Resource, parent string, example map[string]any) {
	create, list := child.Op(semantics.Create), listUnder(g, child)
	if !g.Cfg.Mock || g.Cfg.Budgeted || child.Mock == nil || child.Mock.Most == nil || list == nil || !create.KeyExpr.Many() || g.Stopped() {
		return
	}
	most := child.Mock.Most
	arr, field, _ := strings.Cut(strings.TrimPrefix(create.KeyExpr.Pointer, "/"), "/*/")
	items := env.Objects(example[arr])
	if len(items) == 0 {
		return
	}
	ex := g.Send(ctx, true, list.Method, g.FillUnder(list, parent, ""), nil)
	if ex.Status != http.StatusOK {
		return
	}
	listed := env.ItemsOf(ex, list.Items)
	have := len(listed)
	batch := func(from, n int) []byte { return env.Marshal(map[string]any{arr: numbered(items[0], field, from, n)}) }
	title := g.Sem.Resources[child.Parent].Title
	if n := most.Count - have; n > 0 {
		what := fmt.Sprintf("adding %d %ss to the %s, which has %d, up to its most, %d", n, child.Title, title, have, most.Count)
		ex := g.Send(ctx, true, create.Method, g.FillUnder(create, parent, ""), batch(0, n))
		g.Judge(wire.Verdict{Check: check.Positive, Op: create.ID, What: what, Ex: ex, Msg: acceptedAs(ex, create, what)})
		if ex.Status >= 300 {
			return
		}
	}
	what := fmt.Sprintf("one %s more than the %s's most, %d (docs/mock.md)", child.Title, title, most.Count)
	ex = g.Send(ctx, true, create.Method, g.FillUnder(create, parent, ""), batch(most.Count, 1))
	g.Judge(wire.Verdict{Check: check.Negative, Op: create.ID, What: what, Ex: ex,
		Msg: env.RefusedAs(ex, what, semantics.Answer{Status: most.Status, Code: most.Code})})
	if child.Mock.Upsert {
		g.addAgainAtMost(ctx, child, parent, arr, listed, items[0], batch(0, 1))
	}
}

// addAgainAtMost, of a kind whose create of a key there overwrites it
// (mock.upsert), adds again, to a parent at its most, the first one it
// listed (as it was, the fields its create takes, in the create's array
// arr), or else again, the first it was filled with: accepted, and still
// the most, that key once.
func (g *phase) addAgainAtMost(ctx context.Context, child *semantics.Resource, parent, arr string, listed []map[string]any, shape map[string]any, fallback []byte) {
	create, list, most := child.Op(semantics.Create), listUnder(g, child), child.Mock.Most.Count
	body := fallback
	if len(listed) > 0 {
		again := map[string]any{}
		for f := range shape {
			if v, ok := listed[0][f]; ok {
				again[f] = v
			}
		}
		body = env.Marshal(map[string]any{arr: []any{again}})
	}
	key := create.KeyExpr.EvalAll(semantics.Call{Body: body})[0]
	title := g.Sem.Resources[child.Parent].Title
	what := fmt.Sprintf("a %s the %s has, %s %q, added again at its most (it overwrites: docs/mock.md)", child.Title, title, child.Key, key)
	ex := g.Send(ctx, true, create.Method, g.FillUnder(create, parent, ""), body)
	g.Judge(wire.Verdict{Check: check.Positive, Op: create.ID, What: what, Ex: ex, Msg: acceptedAs(ex, create, what)})
	if ex.Status >= 300 || g.Stopped() {
		return
	}
	what = fmt.Sprintf("the %ss of the %s, after one was added again at its most", child.Title, title)
	ex = g.Send(ctx, true, list.Method, g.FillUnder(list, parent, ""), nil)
	msg := env.Accepted(ex, http.StatusOK, "a list of "+what)
	keys := listedKeys(ex, list.Items, child.Key)
	slices.Sort(keys)
	if n, distinct := len(keys), len(slices.Compact(keys)); msg == "" && (n != most || distinct != most) {
		msg = fmt.Sprintf("%s: %d listed, of %d keys, want %d (a %s added again is no more)", what, n, distinct, most, child.Title)
	}
	g.Judge(wire.Verdict{Check: check.Availability, Op: list.ID, What: what, Ex: ex, Msg: msg})
}

// createOverMost, against a dli-mock and without a budget, sends a create
// of res naming one child more than the child's kind's mock.most (its
// create's children, a connection's tags), refused as the most declares,
// and then one naming the most, accepted, and deleted again.
func (g *phase) createOverMost(ctx context.Context, res *semantics.Resource) {
	create := res.Op(semantics.Create)
	if !g.Cfg.Mock || g.Cfg.Budgeted || create == nil {
		return
	}
	for _, kind := range slices.Sorted(maps.Keys(create.Children)) {
		child := g.Sem.Resources[kind]
		body, ok := g.bodyFor(res)
		arr := strings.TrimPrefix(create.Children[kind], "/")
		items := env.Objects(body[arr])
		if child.Mock == nil || child.Mock.Most == nil || !ok || len(items) == 0 || g.Stopped() {
			continue
		}
		most := child.Mock.Most
		var over []any
		for _, it := range items {
			over = append(over, it)
		}
		over = append(over, numbered(items[len(items)-1], child.Key, len(items), most.Count+1-len(items))...)
		body[arr] = over
		what := fmt.Sprintf("the create of one with %d %ss, one more than its most (docs/mock.md)", len(over), child.Title)
		ex := g.Send(ctx, true, create.Method, g.Fill(create, ""), env.Marshal(body))
		g.Judge(wire.Verdict{Check: check.Negative, Op: create.ID, What: what, Ex: ex,
			Msg: env.RefusedAs(ex, what, semantics.Answer{Status: most.Status, Code: most.Code})})
		body[arr] = over[:most.Count]
		raw := env.Marshal(body)
		what = fmt.Sprintf("the create of one with %d %ss, its most (docs/mock.md)", most.Count, child.Title)
		ex = g.Send(ctx, true, create.Method, g.Fill(create, ""), raw)
		g.Judge(wire.Verdict{Check: check.Positive, Op: create.ID, What: what, Ex: ex, Msg: acceptedAs(ex, create, what)})
		if key, _ := create.KeyExpr.Eval(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())}); key != "" && ex.Status < 300 {
			cleanup.RemoveCreated(ctx, g.Env, res.Kind, key)
		}
	}
}

// numbered are n copies of proto, field in each set to contract_NN, NN
// counting from from; none for n of 0 or less.
func numbered(proto map[string]any, field string, from, n int) []any {
	var out []any
	for i := range max(n, 0) {
		it := maps.Clone(proto)
		it[field] = fmt.Sprintf("contract_%02d", from+i)
		out = append(out, it)
	}
	return out
}

// listUnder is the list of child's kind under its parent, or nil.
func listUnder(g *phase, child *semantics.Resource) *semantics.Operation {
	for _, l := range child.Operations[semantics.List] {
		if l.ParentExpr != nil && g.OpOn(l.ID) {
			return l
		}
	}
	return nil
}

// listChildren lists the children of kind under parent (a list declared
// under the parent): each of keys there, with the fields body gave it,
// when there is true; none of them when false.
func (g *phase) listChildren(ctx context.Context, child *semantics.Resource, parent string, body map[string]any, keys []string, there bool) {
	list := listUnder(g, child)
	if list == nil || g.Stopped() {
		return
	}
	what := "the " + child.Title + "s of the " + g.Sem.Resources[child.Parent].Title
	path := g.FillUnder(list, parent, "")
	if p := list.Paging; p != nil {
		// The first page, of the documented default size: more than a
		// life cycle adds.
		path += "?" + url.Values{p.Offset: {"0"}, p.Limit: {"1000"}}.Encode()
	}
	ex := g.Send(ctx, true, list.Method, path, nil)
	msg := env.Accepted(ex, http.StatusOK, "a list of "+what)
	listed := map[string]map[string]any{}
	for _, it := range env.ItemsOf(ex, list.Items) {
		listed[env.Str(it[child.Key])] = it
	}
	sent := map[string]map[string]any{}
	create := child.Op(semantics.Create)
	if arr, field, ok := strings.Cut(create.KeyExpr.Pointer, "/*/"); ok {
		for _, it := range env.Objects(body[strings.TrimPrefix(arr, "/")]) {
			sent[env.Str(it[field])] = it
		}
	}
	for _, k := range keys {
		it, ok := listed[k]
		switch {
		case msg != "":
		case there && !ok:
			msg = fmt.Sprintf("%s lack %s %q, just added", what, child.Key, k)
		case !there && ok:
			msg = fmt.Sprintf("%s still have %s %q, just deleted", what, child.Key, k)
		case there:
			for f, v := range sent[k] {
				if got, shown := it[f]; shown && env.Str(got) != env.Str(v) {
					msg = fmt.Sprintf("%s answer %s %q with %s %q, added with %q", what, child.Key, k, f, env.Str(got), env.Str(v))
				}
			}
		}
	}
	verb := map[bool]string{true: "just added", false: "just deleted"}[there]
	g.Judge(wire.Verdict{Check: check.Availability, Op: list.ID, What: what + ", " + verb, Ex: ex, Msg: msg})
}

// readUnknownChild reads a child of key's shape that does not exist under
// parent, refused as its kind declares an unknown one is: the top-level
// kinds' are read in the reads phase, but a child lives only under a
// parent the run has. Against a dli-mock it also reads the child of key
// under another parent, which docs/mock.md answers as unknown; DLI's answer
// there no public source records.
func (g *phase) readUnknownChild(ctx context.Context, child *semantics.Resource, read *semantics.Operation, parent, key string) {
	answer := g.unknownAnswer(child)
	if answer.Status == 0 || g.Stopped() {
		return
	}
	what := "a read of a " + child.Title + " that does not exist"
	ex := g.Send(ctx, true, read.Method, g.FillUnder(read, parent, env.UnknownLike([]string{key})), nil)
	g.Judge(wire.Verdict{Check: check.Negative, Op: read.ID, What: what, Ex: ex, Msg: env.RefusedAs(ex, what, answer)})
	if g.Cfg.Mock && child.Mock != nil && child.Mock.Unknown != nil {
		what := "a read of the " + child.Title + " just added under another " + g.Sem.Resources[child.Parent].Title
		ex := g.Send(ctx, true, read.Method, g.FillUnder(read, parent+"_other", key), nil)
		g.Judge(wire.Verdict{Check: check.Negative, Op: read.ID, What: what, Ex: ex, Msg: env.RefusedAs(ex, what, answer)})
	}
}

// childrenOf are the kinds under res that can be created.
func (g *phase) childrenOf(res *semantics.Resource) []*semantics.Resource {
	var out []*semantics.Resource
	for _, k := range slices.Sorted(maps.Keys(g.Sem.Resources)) {
		if c := g.Sem.Resources[k]; c.Parent == res.Kind && c.Op(semantics.Create) != nil {
			out = append(out, c)
		}
	}
	return out
}
