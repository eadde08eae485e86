package sequences

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/semantics"
)

// What the declarations say of a child kind listed under its parent (a
// connection's tags: list), across parents (values), and of a selection
// of its parents by it (by_tags: a list and a count), held to what the
// model holds of the run's resources. A selection always names the run's
// tag too, so that it answers exactly the run's matches on a live project
// of any size.

// byTagsSteps are the steps for the declared lists across parents and
// selections by tags.
func (g *sequencer) byTagsSteps(steps map[string]func(*seqRun)) {
	for _, id := range g.Sem.Order {
		op := g.Sem.Of(id)
		res := g.Sem.Resources[op.Resource]
		switch {
		case !g.OpOn(id) || g.Unplaced(res) != "":
		case op.ByTags != nil:
			steps[id+" by the run's tags"] = func(r *seqRun) { r.selectByTags(op) }
		case op.Role == semantics.List && op.Values != "":
			steps[id+", the run's among them"] = func(r *seqRun) { r.listValues(op) }
		}
	}
}

// docOp is the document's operation of that id.
func (g *sequencer) docOp(id string) *docwalk.Op {
	for _, o := range docwalk.Operations(g.Doc.OpenAPI()) {
		if o.Op.OperationID == id {
			return &o
		}
	}
	return nil
}

// seeChildren holds a list of the children of parent (the last call) to
// the model: the run made the parent, so the list is exactly its children
// the model holds, with their fields.
func (r *seqRun) seeChildren(list *semantics.Operation, parent string) {
	res := r.g.Sem.Resources[list.Resource]
	if r.unsure || r.last.Status != 200 || slices.ContainsFunc(r.m.Children(res.Kind, parent), func(t *model.Thing) bool { return t.Unsure }) {
		return
	}
	if !slices.Contains(r.keysOf(res.Parent, "", false), parent) {
		return // a deleted one's: what it lists, the document chooses
	}
	want := map[string]map[string]any{}
	for _, t := range r.m.Children(res.Kind, parent) {
		want[t.Key] = t.Fields
	}
	for _, it := range env.ItemsOf(r.last, list.Items) {
		key := env.Str(it[res.Key])
		fields, ok := want[key]
		if !ok {
			r.fail("a "+res.Title+" list unlike the model", "the %ss of %s answer %s %q, which the model does not hold", res.Title, parent, res.Key, key)
		}
		for f, v := range fields {
			if got, shown := it[f]; shown && env.Str(got) != env.Str(v) {
				r.fail("a "+res.Title+" list unlike the model", "the %ss of %s answer %s %q with %s %q, the model holds %q", res.Title, parent, res.Key, key, f, env.Str(got), env.Str(v))
			}
		}
		delete(want, key)
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		r.fail("a "+res.Title+" list unlike the model", "the %ss of %s lack %s %q, which the model holds", res.Title, parent, res.Key, key)
	}
}

// drawSelection draws a selection from the run's tags: the run's tag and
// one or two of the other tags of its resources, if any (some values, any value, or
// one none has), or now and then those with no tag; now and then also by
// a prefix of one of their names.
func (r *seqRun) drawSelection(parentKind string, sel *semantics.ByTags) model.Selection {
	s := model.Selection{Tags: map[string][]string{}}
	parents := r.keysOf(parentKind, "", false)
	if rapid.IntRange(0, 5).Draw(r.t, "select untagged") == 0 {
		s.Without = true
	} else {
		k, v, _ := strings.Cut(r.runTag(), "=")
		s.Tags[k] = []string{v}
		seen := map[string][]string{}
		for _, key := range parents {
			tags, _ := r.m.Tags(parentKind, key)
			for _, t := range tags {
				if t.Key != runTagKey && !slices.Contains(seen[t.Key], t.Value) {
					seen[t.Key] = append(seen[t.Key], t.Value)
				}
			}
		}
		keys := slices.Sorted(maps.Keys(seen))
		for range rapid.IntRange(min(1, len(keys)), min(2, len(keys))).Draw(r.t, "selected keys") {
			key := rapid.SampledFrom(keys).Draw(r.t, "selected key")
			var values []string
			switch rapid.IntRange(0, 3).Draw(r.t, "selected values") {
			case 0: // any value
			case 1:
				values = []string{"no_such_value"}
			default:
				for _, v := range seen[key] {
					if rapid.Bool().Draw(r.t, "value "+v) {
						values = append(values, v)
					}
				}
				if len(values) == 0 {
					values = seen[key][:1]
				}
			}
			s.Tags[key] = values
		}
	}
	if sel.NameKey != "" && len(parents) > 0 && rapid.IntRange(0, 3).Draw(r.t, "by a name's prefix") == 0 {
		name := r.m.NameOf(parentKind, rapid.SampledFrom(parents).Draw(r.t, "named"))
		if s.Prefix = name + "_"; rapid.Bool().Draw(r.t, "a name's prefix") { // or of none
			s.Prefix = name[:rapid.IntRange(min(1, len(name)), len(name)).Draw(r.t, "prefix length")]
		}
	}
	s.Build(sel, sel.NameKey)
	return s
}

// selectByTags sends a selection by tags drawn from the run's: the
// resources found (and their number) are exactly the run's the model
// says match, in creation order, each with its tags; selecting those
// with no tag, none of the run's that has one.
func (r *seqRun) selectByTags(op *semantics.Operation) {
	if r.unsure {
		r.t.Skip("the model cannot tell the tags")
	}
	parents := r.keysOf(op.Resource, "", false)
	var want []string
	for _, key := range parents {
		if _, sure := r.m.Tags(op.Resource, key); !sure {
			r.t.Skip("the model cannot tell the tags")
		}
	}
	s := r.drawSelection(op.Resource, op.ByTags)
	for _, key := range parents {
		if tags, _ := r.m.Tags(op.Resource, key); s.Keeps(r.m.NameOf(op.Resource, key), tags) {
			want = append(want, key)
		}
	}
	query, all := r.drawPage(op, s, len(want))
	r.call(r.g.docOp(op.ID), query, s.Body, "")
	if r.last.Status != 200 || r.unsure {
		return
	}
	answer := map[string]any{}
	_ = json.Unmarshal([]byte(r.last.RawAnswer()), &answer)
	if op.Total != "" {
		total, _ := strconv.Atoi(env.FieldOf(answer, strings.TrimPrefix(op.Total, "/")))
		if !s.Without && total != len(want) || s.Without && total < len(want) {
			r.fail("a count by tags unlike the model", "%s of %s counts %d in all, the model holds %d", op.ID, env.Marshal(s.Body), total, len(want))
		}
	}
	if op.Role == semantics.Count {
		return
	}
	want = want[min(all.from, len(want)):min(all.to, len(want))]
	res := r.g.Sem.Resources[op.Resource]
	keyField := cmp.Or(op.ItemKey, res.Key)
	var got []string
	for _, it := range env.ItemsOf(r.last, op.Items) {
		key := env.Str(it[keyField])
		if s.Without && !slices.Contains(parents, key) {
			continue // another's, on a live project
		}
		got = append(got, key)
		if tags, ok := it[op.ByTags.Tags].([]any); ok {
			have, _ := r.m.Tags(op.Resource, key)
			if shown := model.ListedTags(tags); !model.SameTags(shown, have) {
				r.fail("a selection by tags unlike the model", "%s answers %s with tags %v, the model holds %v", op.ID, key, shown, have)
			}
		}
	}
	if !slices.Equal(got, want) {
		r.fail("a selection by tags unlike the model", "%s of %s finds %v, the model wants %v (in creation order%s)", op.ID, env.Marshal(s.Body), got, want, all.page)
	}
}

// span is the part of a selection's matches a page of it answers, and
// the page, said in a finding.
type span struct {
	from, to int
	page     string
}

// drawPage draws, now and then, a page of a list's selection of n of the
// run's resources, as query parameters, and the span of them it answers.
// A selection of those without tags is not paged: on a live project
// others' resources come between the run's.
func (r *seqRun) drawPage(op *semantics.Operation, s model.Selection, n int) (map[string]string, span) {
	if op.Paging == nil || s.Without || n == 0 || !rapid.Bool().Draw(r.t, "a page") {
		return nil, span{0, n, ""}
	}
	offset := rapid.IntRange(0, n).Draw(r.t, "page offset")
	limit := rapid.IntRange(1, n).Draw(r.t, "page limit")
	q := map[string]string{op.Paging.Offset: strconv.Itoa(offset), op.Paging.Limit: strconv.Itoa(limit)}
	return q, span{offset, offset + limit, ", the page " + string(env.Marshal(q))}
}

// listValues lists the keys of a child kind across parents with their
// values, every page: each tag of the run's live resources is there.
func (r *seqRun) listValues(op *semantics.Operation) {
	res := r.g.Sem.Resources[op.Resource]
	if r.unsure {
		r.t.Skip("the model cannot tell the tags")
	}
	values := map[string][]string{}
	for offset := 0; offset <= maxListed; {
		path := r.g.Fill(op, "")
		if op.Paging != nil {
			path += "?" + url.Values{op.Paging.Offset: {strconv.Itoa(offset)}}.Encode()
		}
		ex := r.g.Send(r.ctx, true, op.Method, path, nil)
		r.last = ex
		r.step("%s%s → %s", op.ID, strings.TrimPrefix(path, r.g.Fill(op, "")), ex.Answer())
		if ex.Throttled || ex.Error != "" {
			return
		}
		if ex.Status != 200 {
			r.fail("a valid list refused", "%s was answered %d", op.ID, ex.Status)
		}
		items := env.ItemsOf(ex, op.Items)
		for _, it := range items {
			values[env.Str(it[res.Key])] = append(values[env.Str(it[res.Key])], env.Strings(it[op.Values])...)
		}
		offset += len(items)
		if op.Paging == nil || len(items) == 0 {
			break
		}
	}
	// The run's tag is this sequence's alone: against a dli-mock, listed
	// exactly while one of its live connections carries it (that a deleted
	// one's tags are not listed is the document's choice).
	runKey, runValue, _ := strings.Cut(r.runTag(), "=")
	carried, sure := false, true
	for _, parent := range r.keysOf(res.Parent, "", false) {
		tags, ok := r.m.Tags(res.Parent, parent)
		sure = sure && ok
		for _, t := range tags {
			carried = carried || t.Key == runKey && t.Value == runValue
			if !slices.Contains(values[t.Key], t.Value) {
				r.fail("a "+res.Title+" list unlike the model", "%s lacks %s=%s, which %s carries", op.ID, t.Key, t.Value, parent)
			}
		}
	}
	if r.m.Mock && sure && !carried && slices.Contains(values[runKey], runValue) {
		r.fail("a "+res.Title+" list unlike the model", "%s lists %s=%s, which no live resource of the run carries", op.ID, runKey, runValue)
	}
}
