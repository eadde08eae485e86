package sequences

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/semantics"
)

// listRun lists the run's enhanced connections (those of its tag), all at
// once unless q says otherwise; q may add filters.
func (r *seqRun) listRun(q url.Values) ([]map[string]any, bool) {
	if q == nil {
		q = url.Values{}
	}
	if !q.Has("tags") {
		q.Set("tags", r.runTag())
	}
	return r.list(q)
}

// list lists enhanced connections by q alone, all at once unless q says
// otherwise.
func (r *seqRun) list(q url.Values) ([]map[string]any, bool) {
	if !q.Has("limit") {
		q.Set("limit", "0")
	}
	list := r.g.Sem.Resources["enhanced_connection"].Op(semantics.List)
	ex := r.g.Send(r.ctx, true, list.Method, r.g.Fill(list, "")+"?"+q.Encode(), nil)
	r.last = ex
	if ex.Throttled || ex.Error != "" || ex.Status != 200 {
		return nil, false
	}
	var page map[string]any
	if json.Unmarshal([]byte(ex.RawAnswer()), &page) != nil {
		return nil, false
	}
	return env.Objects(page["connections"]), true
}

func (r *seqRun) compareShown(id string) {
	c := r.m.Conn(id)
	if c == nil || r.unsure || r.last.Status != 200 {
		return
	}
	var got map[string]any
	_ = json.Unmarshal([]byte(r.last.RawAnswer()), &got)
	if diffs := r.m.CompareConn(c, got); len(diffs) > 0 {
		r.fail("show answers a connection unlike the model", "show answers connection %s (%s) unlike the model: %s", id, c.Name, strings.Join(diffs, "; "))
	}
}

func (r *seqRun) comparePrivileges(id string) {
	c := r.m.Conn(id)
	if c == nil || r.unsure || r.last.Status != 200 {
		return
	}
	var got map[string]any
	_ = json.Unmarshal([]byte(r.last.RawAnswer()), &got)
	have := model.ListedBy(env.Objects(got["privileges"]), func(p map[string]any) string {
		return cmp.Or(env.Str(p["project_id"]), env.Str(p["applicant_project_id"]))
	})
	if want := model.HeldBy(c.Grants); fmt.Sprint(have) != fmt.Sprint(want) {
		r.fail("privileges unlike the model", "the privileges of %s are %v, the model holds %v", id, have, want)
	}
}

// compareUserPrivileges holds a dli-mock's privilege list of a resource
// the authorization API names as an object (a datasource authentication)
// to the users' grants the model holds of it. Only a dli-mock's: no
// public source shows DLI's list of one.
func (r *seqRun) compareUserPrivileges(list *semantics.Operation, obj string) {
	res, key := r.m.Sem.ObjectKind(obj)
	if !r.g.Cfg.Mock || res == nil || r.unsure || r.last.Status != 200 {
		return
	}
	t := r.m.Thing(res.Kind, key)
	if t == nil || t.Deleted {
		return
	}
	items := env.ItemsOf(r.last, list.Items)
	var got map[string]any
	_ = json.Unmarshal([]byte(r.last.RawAnswer()), &got)
	var diffs []string
	if n, ok := got["count"].(float64); ok && int(n) != len(items) {
		diffs = append(diffs, fmt.Sprintf("count is %v for %d items", n, len(items)))
	}
	if name, ok := got["object_name"]; ok && env.Str(name) != key {
		diffs = append(diffs, fmt.Sprintf("object_name is %q, want %q", env.Str(name), key))
	}
	for _, it := range items {
		if o, ok := it["object"]; ok && env.Str(o) != obj {
			diffs = append(diffs, fmt.Sprintf("an item's object is %q, want %q", env.Str(o), obj))
		}
	}
	have := model.ListedBy(items, func(it map[string]any) string { return env.Str(it["user_name"]) })
	if want := model.HeldBy(t.Grants); fmt.Sprint(have) != fmt.Sprint(want) {
		diffs = append(diffs, fmt.Sprintf("the users' privileges are %v, the model holds %v", have, want))
	}
	if len(diffs) > 0 {
		r.fail("privileges unlike the model", "the privileges on %s: %s", obj, strings.Join(diffs, "; "))
	}
}

// listFilters lists the run's connections (by its tag, when scoped) with
// filters drawn from what the model holds, and some that match nothing:
// exactly the matching connections must come back, in creation order.
func (r *seqRun) listFilters(scoped bool) {
	t := r.t
	q := url.Values{}
	var names, tags []string
	for _, c := range r.m.Conns {
		names = append(names, c.Name)
		have, _ := r.m.ConnTags(c)
		for _, tg := range have {
			if tg.Key != runTagKey {
				tags = append(tags, tg.Key+"="+tg.Value)
			}
		}
	}
	name, status, tag := "", "", ""
	if len(names) > 0 && rapid.Bool().Draw(t, "filter name") {
		name = recent(t, append([]string{"c_no_such_name"}, names...), "name")
		q.Set("name", name)
	}
	if rapid.IntRange(0, 3).Draw(t, "filter status") > 0 && (!scoped || rapid.Bool().Draw(t, "filter status too")) {
		status = rapid.SampledFrom([]string{"ACTIVE", "DELETED", "active", "Deleted"}).Draw(t, "status")
		q.Set("status", status)
	}
	// Not scoped by the run's tag, the list is held to the filters alone:
	// a server may filter well only when tags are asked, and a connection
	// created with "tags": null carries no tag of the run. With a name,
	// which is unique to the run, it must answer exactly the model's
	// matches; without one it lists the project, of which one page (a
	// live project may hold many) need only match the filters.
	whole := scoped || name != ""
	if scoped {
		q.Set("tags", r.runTag())
	}
	if !whole {
		q.Set("limit", "100")
	}
	// Unscoped, no tag either: a server's other path, without tags.
	if scoped && len(tags) > 0 && rapid.Bool().Draw(t, "filter tags") {
		tag = recent(t, tags, "tags")
		q.Set("tags", strings.TrimPrefix(q.Get("tags")+","+tag, ","))
	}
	items, ok := r.list(q)
	r.step("%s ?%s → %s", listConnections, q.Encode(), r.last.Answer())
	if r.unsure {
		return
	}
	if !ok {
		if !r.last.Throttled && r.last.Error == "" {
			r.fail("a valid list refused", "a valid list ?%s was answered %d", q.Encode(), r.last.Status)
		}
		return
	}
	k, v, _ := strings.Cut(tag, "=")
	var got []string
	for _, it := range items {
		id := env.Str(it["id"])
		if !whole || r.m.Conn(id) == nil && !scoped {
			// Another's connection (of the same name, on a live
			// project), or a page of the project: it need only match
			// the filters.
			if name != "" && env.Str(it["name"]) != name || status != "" && !strings.EqualFold(status, env.Str(it["status"])) {
				r.fail("a filtered list unlike the model", "the list filtered by ?%s answers connection %s (%s, %s), which does not match it",
					q.Encode(), id, env.Str(it["name"]), env.Str(it["status"]))
			}
			continue
		}
		got = append(got, id)
	}
	var want []string
	for _, c := range r.m.Conns {
		st := "ACTIVE"
		if c.Deleted {
			st = "DELETED"
		}
		if !r.sureTags(c) && (scoped || tag != "") {
			return // the model cannot tell whether it matches
		}
		if (!scoped || r.m.ConnTagged(c, r.runTag())) && (name == "" || c.Name == name) && (status == "" || strings.EqualFold(status, st)) &&
			(tag == "" || r.m.ConnTagged(c, k+"="+v)) {
			want = append(want, c.ID)
		}
	}
	if whole && !slices.Equal(got, want) {
		r.fail("a filtered list unlike the model", "the list filtered by ?%s answers %v, the model wants %v (in creation order)", q.Encode(), got, want)
	}
}

// listPages pages through the run's connections by a drawn limit: the
// pages must partition the whole list, in its order, with no gap and no
// repeat.
func (r *seqRun) listPages() {
	if len(r.m.Conns) == 0 || r.unsure {
		r.t.Skip("nothing to page through")
	}
	limit := rapid.IntRange(1, 4).Draw(r.t, "limit")
	all, ok := r.listRun(nil)
	if !ok {
		return
	}
	var paged []string
	for offset := 0; offset <= len(all)+limit; offset += limit {
		items, ok := r.listRun(url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}})
		if !ok {
			return
		}
		for _, it := range items {
			paged = append(paged, env.Str(it["id"]))
		}
		if len(items) > limit {
			r.fail("a page over its limit", "a page of limit %d at offset %d has %d connections", limit, offset, len(items))
		}
		if len(items) < limit {
			break
		}
	}
	var whole []string
	for _, it := range all {
		whole = append(whole, env.Str(it["id"]))
	}
	r.step("%s pages of %d → %d connections", listConnections, limit, len(paged))
	if !slices.Equal(paged, whole) {
		r.fail("pages unlike the whole list", "pages of %d answer %d connections %v, the whole list %d %v", limit, len(paged), paged, len(whole), whole)
	}
}
