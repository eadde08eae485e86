package sequences

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// The steps a sequence may take besides the calls links lead to: the
// registry's (registry.go), and for each kind held by its declarations a
// list of the run's resources and, for a kind with settling states, a wait
// until they leave them.

// seqSteps are the steps by name; a name says what the step does and
// fixes its place among the others (rapid draws from them in name order).
func (g *sequencer) seqSteps() map[string]func(*seqRun) {
	steps := map[string]func(*seqRun){}
	for _, id := range g.Sem.Order {
		for name, step := range behaviours[id].actions {
			steps[name] = step
		}
	}
	for _, res := range g.Sem.Creates() {
		if g.modelledInGo(res.Kind) || res.Parent != "" || g.Unplaced(res) != "" {
			continue
		}
		// Each list of the kind: a deprecated one still lists (an auth
		// info's v2.0 list).
		for _, list := range res.Operations[semantics.List] {
			steps[list.ID+", the run's"] = func(r *seqRun) { r.listThings(res, list) }
			if slices.ContainsFunc(slices.Collect(maps.Values(list.Filters)), func(f semantics.Filter) bool { return f.Field != "" }) {
				steps[list.ID+" filtered"] = func(r *seqRun) { r.listFiltered(res, list) }
			}
		}
		if res.State != nil && len(res.State.Settling) > 0 && res.Op(semantics.Read) != nil {
			steps["settle "+res.Title] = func(r *seqRun) { r.settleThings(res) }
		}
	}
	g.byTagsSteps(steps)
	return steps
}

// seeThing holds what the last call read of a resource to the model.
func (r *seqRun) seeThing(res *semantics.Resource, key string) {
	t := r.m.Thing(res.Kind, key)
	if t == nil || r.unsure || r.last.Status != 200 {
		return
	}
	var got map[string]any
	_ = json.Unmarshal([]byte(r.last.RawAnswer()), &got)
	if diffs := r.m.SeeThing(t, got); len(diffs) > 0 {
		r.fail("a "+res.Title+" read unlike the model", "%s %s reads unlike the model: %s", res.Title, key, strings.Join(diffs, "; "))
	}
}

// readDecided reads at once a resource just made whose field a dli-mock's
// rule decided, where the model is sure of the value (a connectivity
// test's result): left to the draws, a read seldom follows its create
// within a sequence, and the rule would go unchecked.
func (r *seqRun) readDecided(t *model.Thing) {
	res := r.g.Sem.Resources[t.Kind]
	read := res.Op(semantics.Read)
	if t.Decided == "" || r.unsure || read == nil {
		return
	}
	op := r.actionOf(read.ID)
	if op == nil {
		return
	}
	params := map[string]string{}
	if read.KeyExpr != nil && read.KeyExpr.In == "path" {
		params[read.KeyExpr.Name] = t.Key
	}
	if read.ParentExpr != nil && read.ParentExpr.In == "path" {
		params[read.ParentExpr.Name] = t.Parent
	}
	r.call(op, params, nil, "")
	r.seeThing(res, t.Key)
}

// listThings lists the resources of a kind: every one the run made is
// there as the model holds it, unless it was deleted and its kind does not
// show deleted ones. Others (a live project's) are not judged.
func (r *seqRun) listThings(res *semantics.Resource, list *semantics.Operation) {
	things := r.m.ThingsOf(res.Kind)
	if len(things) == 0 || r.unsure {
		r.t.Skip("no " + res.Title + " of the run")
	}
	listed := map[string]map[string]any{}
	for offset := 0; ; {
		// Every page: at once where a limit answers all, else page by
		// page until an empty one (within a bound).
		path := r.g.Fill(list, "")
		q := url.Values{}
		switch p := list.Paging; {
		case p != nil && p.All != nil:
			q.Set(p.Limit, strconv.Itoa(*p.All))
		case p != nil && offset > 0:
			q.Set(p.Offset, strconv.Itoa(offset))
		}
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		ex := r.g.Send(r.ctx, true, list.Method, path, nil)
		r.last = ex
		r.step("%s%s → %s", list.ID, strings.TrimPrefix(path, r.g.Fill(list, "")), ex.Answer())
		if ex.Throttled || ex.Error != "" || ex.Status != 200 {
			return
		}
		items := env.ItemsOf(ex, list.Items)
		for _, it := range items {
			listed[env.Str(it[res.Key])] = it
		}
		offset += len(items)
		if list.Paging == nil || list.Paging.All != nil || len(items) == 0 || offset > maxListed {
			break
		}
	}
	shown := res.Deleted.State != ""
	for _, t := range latest(things) {
		it, ok := listed[t.Key]
		switch {
		case t.Deleted && ok && !shown:
			r.fail("the "+res.Title+" list answers a deleted one", "the %s list answers %s (%s), which was deleted", res.Title, t.Key, t.Name)
		case (!t.Deleted || shown) && !ok:
			r.fail("the "+res.Title+" list lacks one", "the %s list lacks %s (%s), which the model holds", res.Title, t.Key, t.Name)
		case ok:
			if diffs := r.m.SeeThing(t, it); len(diffs) > 0 {
				r.fail("the "+res.Title+" list answers one unlike the model", "the %s list answers %s unlike the model: %s", res.Title, t.Key, strings.Join(diffs, "; "))
			}
		}
	}
}

// maxListed bounds how far listThings pages.
const maxListed = 2000

// latest keeps of things the latest of each key: a name deleted and
// created again is listed as the new one.
func latest(things []*model.Thing) []*model.Thing {
	var out []*model.Thing
	for i, t := range things {
		if !slices.ContainsFunc(things[i+1:], func(o *model.Thing) bool { return o.Key == t.Key && o.Parent == t.Parent }) {
			out = append(out, t)
		}
	}
	return out
}

// settleThings waits, within -settle, until no resource of a kind the run
// made is in a settling state: until then what a change does may not
// show.
func (r *seqRun) settleThings(res *semantics.Resource) {
	waiting := slices.DeleteFunc(r.m.ThingsOf(res.Kind), func(t *model.Thing) bool { return !model.Settling(res, t) })
	if r.unsure || len(waiting) == 0 {
		r.t.Skip("no " + res.Title + " settling")
	}
	deadline, wait := r.settleBound(res.Kind, res.Title)
	if !wait {
		return
	}
	read := res.Op(semantics.Read)
	polls := r.g.Polls()
	for _, t := range waiting {
		for {
			ex := r.g.Send(wire.Settling(r.ctx), true, read.Method, r.g.Fill(read, t.Key), nil)
			r.last = ex
			if ex.Throttled || ex.Error != "" || ex.Status != 200 {
				return
			}
			deadline = deadline.Add(ex.Waited) // throttling is not settling
			r.seeThing(res, t.Key)
			if !model.Settling(res, t) {
				break
			}
			if r.g.Clock.Now().After(deadline) {
				msg := fmt.Sprintf("%s %s still %s after %s (-settle)", res.Title, t.Key, t.State, r.g.Cfg.Settle)
				r.step("wait until no %s is %s → %s still %s", res.Title, strings.Join(res.State.Settling, " or "), t.Key, t.State)
				r.g.DidNotSettle(res.Kind, msg, true)
				r.fail("a "+res.Title+" never settles", "%s", msg)
			}
			if polls.Pause(r.ctx) != nil {
				return
			}
		}
	}
	r.step("wait until no %s is %s → done", res.Title, strings.Join(res.State.Settling, " or "))
}

// listFiltered lists a kind by one of its list's filters, with a value one
// of the run's resources has (or one none has): every item answered must
// match it, and every resource of the run that matches must be there (a
// deleted one only where the kind shows deleted ones).
func (r *seqRun) listFiltered(res *semantics.Resource, list *semantics.Operation) {
	things := r.m.ThingsOf(res.Kind)
	var params []string
	for _, p := range slices.Sorted(maps.Keys(list.Filters)) {
		if list.Filters[p].Field != "" {
			params = append(params, p)
		}
	}
	if len(things) == 0 || r.unsure {
		r.t.Skip("no " + res.Title + " of the run")
	}
	param := rapid.SampledFrom(params).Draw(r.t, "filter")
	f := list.Filters[param]
	values := []string{"no_such_" + f.Field}
	for _, t := range things {
		if v := env.Str(t.Fields[f.Field]); v != "" {
			values = append(values, v)
		}
	}
	want := recent(r.t, values, "filter value")
	q := url.Values{param: {want}}
	if list.Paging != nil && list.Paging.All != nil {
		q.Set(list.Paging.Limit, fmt.Sprint(*list.Paging.All))
	}
	ex := r.g.Send(r.ctx, true, list.Method, r.g.Fill(list, "")+"?"+q.Encode(), nil)
	r.last = ex
	r.step("%s ?%s → %s", list.ID, q.Encode(), ex.Answer())
	if ex.Throttled || ex.Error != "" {
		return
	}
	if ex.Status != 200 {
		r.fail("a valid list refused", "a valid list ?%s was answered %d", q.Encode(), ex.Status)
	}
	listed := map[string]bool{}
	for _, it := range env.ItemsOf(ex, list.Items) {
		listed[env.Str(it[res.Key])] = true
		if !model.Matches(f, it[f.Field], want) {
			r.fail("a filtered "+res.Title+" list unlike the model", "the %s list filtered by ?%s answers %s, whose %s is %q",
				res.Title, q.Encode(), env.Str(it[res.Key]), f.Field, env.Str(it[f.Field]))
		}
	}
	for _, t := range things {
		if model.Matches(f, t.Fields[f.Field], want) && (!t.Deleted || res.Deleted.State != "") && !listed[t.Key] {
			r.fail("a filtered "+res.Title+" list unlike the model", "the %s list filtered by ?%s lacks %s, which matches it", res.Title, q.Encode(), t.Key)
		}
	}
}
