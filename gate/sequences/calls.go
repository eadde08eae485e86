package sequences

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/model"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// call sends one request and holds the answer to the model's prediction:
// accepted (2xx) or refused (4xx); an accepted call changes the model.
func (r *seqRun) call(op *docwalk.Op, pathParams map[string]string, body any, brokenCase string) (int, map[string]any) {
	if r.g.Stopped() {
		r.t.Skip("the run stopped")
	}
	path := op.Path
	query := url.Values{}
	for k, v := range pathParams {
		if !strings.Contains(path, "{"+k+"}") {
			query.Set(k, v) // a link's query parameter (the object to list)
			continue
		}
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	path = strings.ReplaceAll(path, "{project_id}", r.g.Cfg.ProjectID)
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	bodyMap, _ := body.(map[string]any)
	var p model.Prediction
	if brokenCase != "" {
		p = r.m.MockCode("DLI.0001", "an invalid request ("+brokenCase+")")
	} else {
		p = r.m.Predict(op.Op.OperationID, pathParams, bodyMap)
	}
	// A create the model says is refused (a name taken) makes nothing on
	// a server that conforms: sent whatever the budget of its kind.
	refused := brokenCase != "" || p.Want == model.Refuse
	d := r.g.Sem.Of(op.Op.OperationID)
	if !refused && d != nil && d.Role == semantics.Create && !r.g.MayMake(d.Resource) {
		r.t.Skip("the run made as many " + d.Resource + " as its budget allows")
	}
	if d != nil && d.Role == semantics.Delete && r.g.Capped(d.Resource) && !r.g.MayMake(d.Resource) {
		// What the sequence cannot make again it keeps to call on; the
		// life cycle deleted one, and the cleanup deletes this one. A
		// step that does nothing, not a skip (see settleBound).
		r.step("%s not sent: the run may make no more %s than it made", op.Op.OperationID, d.Resource)
		return 0, nil
	}
	desc := op.Op.OperationID
	if len(pathParams) > 0 {
		desc += " " + fmt.Sprint(pathParams)
	}
	if raw != nil {
		desc += " " + string(r.g.Doc.Redact(op.Op.OperationID, raw))
	}
	ctx := r.ctx
	if refused {
		ctx = wire.MeantToBeRefused(ctx)
	}
	ex := r.g.Send(ctx, true, op.Method, path, raw)
	r.last = ex
	if ex.HeldBack != "" {
		r.t.Skip("not sent: " + ex.HeldBack) // the model is as it was
	}
	r.step("%s → %s", desc, ex.Answer())
	switch {
	case ex.Throttled:
		r.unsure = true
		r.t.Skip("throttled")
	case ex.Error != "":
		r.unsure = true // it may or may not have run
		r.t.Skip("no answer")
	}
	var resp map[string]any
	_ = json.Unmarshal([]byte(ex.RawAnswer()), &resp)
	accepted := ex.Status >= 200 && ex.Status < 300
	contradicts := p.Want == model.Accept && !accepted || p.Want == model.Refuse && accepted ||
		p.Want != model.Accept && !accepted && p.Code != "" && env.Str(resp["error_code"]) != p.Code
	if contradicts && ex.Status < 500 && ex.MayHaveMoved() {
		// The call waited out throttling, in which what the server holds
		// may have moved on (a binding settled): the model can no longer
		// tell whether the server was right.
		r.unsure = true
		r.t.Skip("waited out throttling")
	}
	switch {
	case ex.Status >= 500:
		r.fail(op.Op.OperationID+" answered 5xx", "%s was answered %d", op.Op.OperationID, ex.Status)
	case p.Want == model.Accept && !accepted:
		r.fail(op.Op.OperationID+" should be accepted", "%s should be accepted (%s), was answered %d", op.Op.OperationID, p.Why, ex.Status)
	case p.Want == model.Refuse && accepted:
		r.fail(op.Op.OperationID+" should be refused", "%s should be refused (%s), was answered %d", op.Op.OperationID, p.Why, ex.Status)
	case p.Want != model.Accept && !accepted && p.Code != "" && env.Str(resp["error_code"]) != p.Code:
		r.fail(op.Op.OperationID+" refused with another code", "%s should be refused with %s (%s), was refused with %q: %s",
			op.Op.OperationID, p.Code, p.Why, env.Str(resp["error_code"]), env.Str(resp["error_msg"]))
	}
	if accepted && p.Apply == nil && p.Want == model.Either {
		// The document does not say what such a call does: the model can
		// no longer tell what the server holds.
		r.unsure = true
	}
	if accepted && d != nil && d.Role == semantics.Create && r.g.Sem.Resources[d.Resource].Parent == "" {
		// Whatever the model expected, cleanup deletes it.
		if key, _ := d.KeyExpr.Eval(semantics.Call{PathParams: pathParams, Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())}); key != "" {
			r.created = append(r.created, key)
		}
	}
	if accepted && p.Apply != nil && brokenCase == "" {
		p.Apply(resp)
	}
	if accepted && op.Method != http.MethodGet && d != nil {
		// What the list of connections shows: the Go model's kinds.
		r.changed = r.changed || r.g.modelledInGo(d.Resource) || r.g.modelledInGo(r.g.Sem.Resources[d.Resource].Parent)
	}
	return ex.Status, resp
}

// sureTags says whether the model can tell the connection's tags.
func (r *seqRun) sureTags(c *model.Conn) bool {
	_, sure := r.m.ConnTags(c)
	return sure
}

// linked makes a call an action stands for: a create (a root), or a call
// whose parameters follow from an earlier answer by the action's link.
func (r *seqRun) linked(a action) {
	t := r.t
	params := map[string]string{}
	byExpr := map[string]string{} // each expression resolved once
	if a.link != nil {
		// In a fixed order: the draws must come in the same order for a
		// sequence to replay.
		for _, name := range slices.Sorted(maps.Keys(a.link.Parameters)) {
			expr, _ := a.link.Parameters[name].(string)
			if strings.Contains(expr, "{$") {
				// Expressions embedded in a string (datasourceauth.{$…}).
				params[name] = r.overlay(expr, a, expr, byExpr).(string)
				continue
			}
			v, ok := r.resolve(a, expr, byExpr)
			if !ok {
				t.Skip("nothing to follow the link from")
			}
			params[name], byExpr[expr] = v, v
		}
	}
	d := r.g.Sem.Of(a.op.Op.OperationID)
	if a.link == nil && d != nil && d.ParentExpr != nil && d.ParentExpr.In == "path" {
		// A root under a kind not made here (a connectivity test under
		// its queue): the run's one.
		if p := r.g.InputParent(r.g.Sem.Resources[d.Resource]); p != nil {
			params[d.ParentExpr.Name] = r.g.Inputs[p.Input]
		}
	}
	key := ""
	if d != nil && d.KeyExpr != nil {
		key, _ = d.KeyExpr.Eval(semantics.Call{PathParams: params})
	}
	if a.link != nil {
		r.previous, r.previousKey = &a, params[firstKeyParam(a.link)]
	}
	var body any
	var broken string
	if rb := a.op.Op.RequestBody; rb != nil && rb.Value != nil {
		schema := rb.Value.Content.Get("application/json").Schema.Value
		r.target = r.m.Conn(key)
		if d != nil && d.ParentExpr != nil {
			parent, _ := d.ParentExpr.Eval(semantics.Call{PathParams: params})
			r.target = r.m.Conn(parent)
		}
		body = r.gen(schema, "", a.op.Op.OperationID)
		if a.link != nil && a.link.RequestBody != nil {
			body = r.overlay(body, a, a.link.RequestBody, byExpr)
		}
		if prepare := behaviours[a.op.Op.OperationID].prepare; prepare != nil {
			prepare(r, body)
		}
		cases := func() []contract.Case {
			return slices.DeleteFunc(contract.Derive(schema, body), func(c contract.Case) bool { return c.Valid || c.Rule == "maxItems" })
		}
		switch {
		case r.breaking != nil:
			// The broken variant keyword coverage asks for.
			cs := cases()
			i := slices.IndexFunc(cs, func(c contract.Case) bool {
				return c.Rule == r.breaking.Keyword.Keyword && starred(c.Field) == r.breaking.Where
			})
			if i < 0 {
				return // no variant of this body breaks it
			}
			body, broken = cs[i].Value, cs[i].Name
		case r.force == nil && !r.g.Cfg.Budgeted && rapid.IntRange(0, 5).Draw(t, "break") == 0:
			// A broken variant of the body: refused, and changes nothing.
			// With a budget the invalid requests broke every constraint
			// already: the calls go to what only a sequence does.
			if cs := cases(); len(cs) > 0 {
				c := rapid.SampledFrom(cs).Draw(t, "broken")
				body, broken = c.Value, c.Name
			}
		}
	}
	made := len(r.m.Things)
	r.call(a.op, params, body, broken)
	switch {
	case len(r.m.Things) > made:
		r.readDecided(r.m.Things[len(r.m.Things)-1])
	case behaviours[a.op.Op.OperationID].observe != nil:
		behaviours[a.op.Op.OperationID].observe(r, key)
	case d != nil && d.Role == semantics.Read && !r.g.modelledInGo(d.Resource):
		r.seeThing(r.g.Sem.Resources[d.Resource], key)
	case d != nil && d.Role == semantics.List && d.ParentExpr != nil && !r.g.modelledInGo(d.Resource):
		parent, _ := d.ParentExpr.Eval(semantics.Call{PathParams: params})
		r.seeChildren(d, parent)
	case d != nil && d.Role == semantics.List && seqKinds[d.Resource].observe != nil:
		if sel := env.Selector(d); sel != "" {
			seqKinds[d.Resource].observe(r, d, params[sel])
		}
	}
}

// runTagKey is the tag every enhanced connection of a sequence carries,
// its value unique to the sequence: lists filtered by it hold exactly the
// connections the sequence made, however many the project has.
const runTagKey = "dli-contract-run"

func (r *seqRun) runTag() string { return fmt.Sprintf("%s=%s-%d", runTagKey, r.g.runNonce, r.run) }

// tagRun adds the run's tag to a create's body, unless its tags are null.
func (r *seqRun) tagRun(body any) {
	obj, ok := body.(map[string]any)
	if !ok {
		return
	}
	tags, present := obj["tags"]
	if present && tags == nil {
		return
	}
	arr, _ := tags.([]any)
	k, v, _ := strings.Cut(r.runTag(), "=")
	obj["tags"] = append(arr, map[string]any{"key": k, "value": v})
}

// invariant holds every connection of the run, as the run's list shows
// it, to the model; and the list to the run's connections.
func (r *seqRun) invariant() {
	if r.unsure || len(r.m.Conns) == 0 || r.g.Cfg.Budgeted && !r.changed {
		// With a budget, the list is read only after a call changed
		// something: between reads it shows what it showed.
		return
	}
	r.changed = false
	items, ok := r.listRun(nil)
	if !ok {
		return
	}
	byID := map[string]map[string]any{}
	for _, it := range items {
		id := env.Str(it["id"])
		byID[id] = it
		if c := r.m.Conn(id); c == nil {
			r.fail("the list answers a connection the run did not make", "the list filtered by the run's tag %s answers connection %s (%s), which the run did not make", r.runTag(), id, env.Str(it["name"]))
		} else if !r.m.ConnTagged(c, r.runTag()) && r.sureTags(c) {
			r.fail("the list answers a connection without the run's tag", "the list filtered by the run's tag %s answers connection %s (%s), whose tags the model holds without it", r.runTag(), id, env.Str(it["name"]))
		}
	}
	for _, c := range r.m.Conns {
		if !r.m.ConnTagged(c, r.runTag()) {
			continue
		}
		got, listed := byID[c.ID]
		if !listed {
			r.fail("the list lacks a connection", "the list lacks connection %s (%s), which the model holds", c.ID, c.Name)
		}
		if diffs := r.m.CompareConn(c, got); len(diffs) > 0 {
			r.fail("the list answers a connection unlike the model", "the list answers connection %s (%s) unlike the model: %s", c.ID, c.Name, strings.Join(diffs, "; "))
		}
	}
}
