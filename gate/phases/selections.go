package phases

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/cleanup"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// selectionsOf, against a dli-mock and without a budget, makes four of
// res's kind under one name prefix, three tagged under a key of their own
// (one value each of two, one also under a second key) and one with no
// tag, holds each selection by tags declared of the kind (a list and a
// count) to what the document says it selects, and deletes them again:
// a key's values OR'd, keys AND'd, a name's prefix, those with no tag,
// no tag filter at all, in creation order, a page of them and the number
// of all, and a tag overwritten found by its new value alone. Which other
// resources a project holds only a dli-mock says, and the generated
// sequences, seeing the run's alone, seldom draw two that differ so.
func (g *phase) selectionsOf(ctx context.Context, res *semantics.Resource) {
	create := res.Op(semantics.Create)
	var ops []*semantics.Operation
	for _, id := range g.Sem.Order {
		if op := g.Sem.Of(id); op.Resource == res.Kind && op.ByTags != nil && g.OpOn(id) {
			ops = append(ops, op)
		}
	}
	if !g.Cfg.Mock || g.Cfg.Budgeted || create == nil || len(ops) == 0 || g.Stopped() {
		return
	}
	child := g.Sem.Resources[ops[0].ByTags.Kind]
	arr := strings.TrimPrefix(create.Children[child.Kind], "/")
	// The fourth's name is outside the others' prefix: selecting by that
	// prefix then leaves out one of the project's.
	base, other, k1, k2 := g.Name(), g.Name(), g.Name(), g.Name()
	tags := [][]model.Tag{{{Key: k1, Value: "1"}, {Key: k2, Value: "x"}}, {{Key: k1, Value: "2"}}, {{Key: k1, Value: "1"}}, nil}
	var keys, names []string
	defer func() {
		for _, key := range keys {
			cleanup.RemoveCreated(ctx, g.Env, res.Kind, key)
		}
	}()
	for i, ts := range tags {
		body, ok := g.bodyFor(res)
		if !ok || arr == "" || res.Name == "" {
			return
		}
		prefix := base
		if i == 3 {
			prefix = other
		}
		names = append(names, fmt.Sprintf("%s_%d", prefix, i+1))
		body[res.Name], body[arr] = names[i], []any{}
		for _, t := range ts {
			body[arr] = append(body[arr].([]any), map[string]any{child.Key: t.Key, "value": t.Value})
		}
		raw := env.Marshal(body)
		what := fmt.Sprintf("a %s to select by its tags, %s", res.Title, names[i])
		ex := g.Send(ctx, true, create.Method, g.Fill(create, ""), raw)
		key, _ := create.KeyExpr.Eval(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())})
		g.Judge(wire.Verdict{Check: check.Positive, Op: create.ID, What: what, Ex: ex, Msg: acceptedAs(ex, create, what)})
		if key == "" || ex.Status >= 300 {
			return
		}
		keys = append(keys, key)
	}
	hold := func(s model.Selection, page [2]int) {
		all := []string{}
		for i, key := range keys {
			if s.Keeps(names[i], tags[i]) {
				all = append(all, key)
			}
		}
		for _, op := range ops {
			g.holdSelection(ctx, op, s, page, all)
		}
	}
	unpaged := [2]int{0, -1} // a limit of -1 asks no page
	hold(model.Selection{Tags: map[string][]string{k1: {"2", "1"}}}, unpaged)
	hold(model.Selection{Tags: map[string][]string{k1: {"1"}, k2: nil}}, unpaged)
	hold(model.Selection{Tags: map[string][]string{k1: {"2"}, k2: nil}}, unpaged)
	hold(model.Selection{Tags: map[string][]string{k1: nil}, Prefix: names[1]}, unpaged)
	hold(model.Selection{Without: true, Prefix: other}, unpaged)
	hold(model.Selection{Prefix: base}, unpaged)
	hold(model.Selection{Tags: map[string][]string{k1: {"1", "2"}}}, [2]int{1, 1})
	hold(model.Selection{Tags: map[string][]string{k1: {"1", "2"}}}, [2]int{0, 0}) // 0 is the default page
	// A tag overwritten (mock.upsert) selects by its new value alone.
	if add := child.Op(semantics.Create); add != nil && child.Mock != nil && child.Mock.Upsert && g.OpOn(add.ID) && add.KeyExpr.Many() {
		items, field, _ := strings.Cut(strings.TrimPrefix(add.KeyExpr.Pointer, "/"), "/*/")
		what := fmt.Sprintf("the %s %s=2 of %s overwritten with 1", child.Title, k1, names[1])
		ex := g.Send(ctx, true, add.Method, g.FillUnder(add, keys[1], ""), env.Marshal(map[string]any{items: []any{map[string]any{field: k1, "value": "1"}}}))
		g.Judge(wire.Verdict{Check: check.Positive, Op: add.ID, What: what, Ex: ex, Msg: acceptedAs(ex, add, what)})
		tags[1] = []model.Tag{{Key: k1, Value: "1"}}
		hold(model.Selection{Tags: map[string][]string{k1: {"2"}}}, unpaged)
		hold(model.Selection{Tags: map[string][]string{k1: {"1"}}}, unpaged)
		g.holdValues(ctx, child, k1, []string{"1"})
	}
	// No filter at all: a page of two of a project of at least four.
	for _, op := range ops {
		g.holdSelection(ctx, op, model.Selection{}, [2]int{0, 2}, nil)
	}
}

// holdSelection sends a selection by tags, a page of it where the
// operation pages, and holds what it finds to the page of all (in
// creation order) and its number (a count's, a list's total) to all's;
// with all nil, to a page of two of at least four.
func (g *phase) holdSelection(ctx context.Context, op *semantics.Operation, s model.Selection, page [2]int, all []string) {
	s.Build(op.ByTags, op.ByTags.NameKey)
	path, want := g.Fill(op, ""), all
	if op.Paging != nil && page[1] >= 0 {
		path += "?" + url.Values{op.Paging.Offset: {strconv.Itoa(page[0])}, op.Paging.Limit: {strconv.Itoa(page[1])}}.Encode()
		if page[1] > 0 {
			want = all[min(page[0], len(all)):min(page[0]+page[1], len(all))]
		}
	} else if op.Role == semantics.List && page[1] >= 0 {
		return
	}
	body := env.Marshal(s.Body)
	what := fmt.Sprintf("%s of %s%s", op.ID, body, strings.TrimPrefix(path, g.Fill(op, "")))
	ex := g.Send(ctx, true, op.Method, path, body)
	msg := env.Accepted(ex, 200, what)
	total, _ := strconv.Atoi(env.AnswerField(ex, strings.TrimPrefix(op.Total, "/")))
	var got []string
	for _, it := range env.ItemsOf(ex, op.Items) {
		got = append(got, env.Str(it[cmp.Or(op.ItemKey, g.Sem.Resources[op.Resource].Key)]))
	}
	switch {
	case msg != "":
	case all == nil && (op.Role == semantics.List && len(got) != 2 || op.Total != "" && total < 4):
		msg = fmt.Sprintf("%s finds %d (%d in all), want a page of 2 of at least 4", what, len(got), total)
	case all == nil:
	case op.Total != "" && total != len(all):
		msg = fmt.Sprintf("%s counts %d, want %d", what, total, len(all))
	case op.Role == semantics.List && !slices.Equal(got, want):
		msg = fmt.Sprintf("%s finds %v, want %v (in creation order)", what, got, want)
	}
	g.Judge(wire.Verdict{Check: check.Availability, Op: op.ID, What: what, Ex: ex, Msg: msg})
}

// holdValues lists the keys of child's kind across parents (values), on
// the default page (a limit of 0, docs/mock.md) and on a page of one, and
// holds key's values to want: what no parent carries is not listed.
func (g *phase) holdValues(ctx context.Context, child *semantics.Resource, key string, want []string) {
	for _, l := range child.Operations[semantics.List] {
		if l.Values == "" || l.ParentExpr != nil || l.Paging == nil || !g.OpOn(l.ID) {
			continue
		}
		for _, limit := range []int{0, 1} {
			path := g.Fill(l, "") + "?" + url.Values{l.Paging.Offset: {"0"}, l.Paging.Limit: {strconv.Itoa(limit)}}.Encode()
			ex := g.Send(ctx, true, l.Method, path, nil)
			what := fmt.Sprintf("the values of %s %s listed (limit %d), after the one of another was overwritten", child.Key, key, limit)
			msg, found := env.Accepted(ex, 200, what), false
			for _, it := range env.ItemsOf(ex, l.Items) {
				if got := env.Strings(it[l.Values]); env.Str(it[child.Key]) == key {
					found = true
					if msg == "" && !slices.Equal(got, want) {
						msg = fmt.Sprintf("%s are %v, want %v", what, got, want)
					}
				}
			}
			switch n := len(env.ItemsOf(ex, l.Items)); {
			case msg != "":
			case limit == 0 && !found:
				msg = fmt.Sprintf("%s: it is not listed", what)
			case limit == 1 && n != 1:
				msg = fmt.Sprintf("%s: %d listed, want 1", what, n)
			}
			g.Judge(wire.Verdict{Check: check.Availability, Op: l.ID, What: what, Ex: ex, Msg: msg})
		}
	}
}
