package gate

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/gate/model"

	"github.com/dli-contract/dli-go/gate/cleanup"

	"github.com/dli-contract/dli-go/gate/env"

	"github.com/dli-contract/dli-go/gate/report"

	"github.com/dli-contract/dli-go/gate/keywords"

	"github.com/dli-contract/dli-go/gate/wire"

	"github.com/dli-contract/dli-go/gate/check"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/semantics"
)

// Generated call sequences: rapid draws sequences of calls from the
// document's links (a create's connection_id leads to show, update,
// delete, bind, unbind, privileges and routes; a route add to its delete),
// with bodies drawn from the schemas, some broken on purpose, calls after
// delete and repeated ones among them. After each call the server is held
// to the model. A failing sequence is shrunk to a minimal one and reported
// as numbered steps, which -seed replays.

// action is one kind of call a sequence may make.
type action struct {
	op     *located
	link   *openapi3.Link // how its parameters follow from earlier calls
	source string         // the operation whose answer feeds the link
}

// seqRun is one run of the property: a fresh model, the calls so far.
type seqRun struct {
	g       *gate
	ctx     context.Context
	t       *rapid.T
	m       *model.Model
	run     int
	steps   []string
	unsure  bool // a call got no answer: the model can no longer tell
	last    *wire.Exchange
	failure string
	kind    string
	created []string

	// For keyword coverage: a value forced into the body, a keyword to
	// break, and the connection links lead to.
	force    *force
	breaking *keywords.Instance
	pin      string
	actions  []action
	// target is the connection a body is drawn for, when the model holds
	// it: an unbind then mostly names what is bound.
	target *model.Conn
	// previous is the last linked call and the connection it named: the
	// same call again, on the same connection, with a body drawn anew.
	previous    *action
	previousKey string
}

func (g *gate) sequences(ctx context.Context) {
	if !g.Cfg.Mutate {
		return
	}
	actions := g.linkActions()
	g.runNonce = strconv.FormatUint(uint64(time.Now().UnixNano())%(1<<32), 36)
	shrink := 20 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		shrink = min(shrink, time.Until(dl)/4)
	}
	setChecks, unlock := lockRapid(rapidSettings{checks: g.Cfg.MaxExamples, steps: g.Cfg.MaxSteps, seed: g.Seed, shrinkTime: shrink})
	defer unlock()
	runs := 0
	tb := &rapidTB{}
	var worst *seqRun
	// For the progress lines: the runs before this check, and whether it
	// is the one top-up sequence.
	checksBefore, topUp := 0, false
	checkProp := func(prop func(*rapid.T, *seqRun)) {
		checksBefore = runs
		// Shrinking is bounded by a count of runs, not only by time, so
		// that a seed replays to the same shrunk sequence on any machine.
		// Past the budget a run does nothing (and so passes), which ends
		// shrinking at once; but the run that confirms the last smaller
		// failure found still runs, as rapid requires.
		//
		// Every failure is raised at one place, failAlike, so that rapid
		// tells failures apart by their kind alone; a candidate that fails
		// otherwise than the first failure counts as passing, so that the
		// sequence shrinks to one that fails alike. Past the budget a run
		// draws nothing and fails alike, and the run that confirms it
		// fails otherwise: rapid, finding a failure that does not repeat,
		// stops shrinking at once, instead of trying (and, as the runs did
		// nothing, passing) every candidate left, which took most of a
		// run's time. The report is the last real failure, worst, whatever
		// rapid ends with.
		firstFail, lastFail, lastConfirmed, firstKind, spent := 0, 0, false, "", 0
		rapid.Check(tb, func(t *rapid.T) {
			runs++
			switch {
			case firstFail != 0:
				g.AtSequence(fmt.Sprintf("shrinking the failure of sequence %d: run %d of at most %d", firstFail-checksBefore, runs-firstFail, g.Cfg.MaxShrinks))
			case topUp:
				g.AtSequence("one more sequence, for the constraints the others left uncovered")
			default:
				g.AtSequence(fmt.Sprintf("sequence %d of %d", runs-checksBefore, g.Cfg.MaxExamples))
			}
			// rapid runs a failing candidate twice: this run confirms the
			// one before when that one failed and confirmed nothing.
			confirms := lastFail == runs-1 && !lastConfirmed
			kind := firstKind
			if firstFail == 0 || runs-firstFail <= g.Cfg.MaxShrinks || confirms {
				if g.Stopped() {
					t.Skip("the run stopped")
				}
				r := &seqRun{g: g, ctx: ctx, t: t, m: &model.Model{Mock: g.Cfg.Mock, Sem: g.Sem}, run: runs, actions: actions}
				if kind = r.runProp(t, prop); kind == "" || firstFail != 0 && kind != firstKind {
					return
				}
				worst = r
				lastFail, lastConfirmed = runs, confirms
				if firstFail == 0 {
					firstFail, firstKind = runs, kind
				}
			} else if spent++; spent%2 == 0 {
				kind += " (shrinking budget spent)"
			}
			failAlike(t, kind) // from this line alone: see above
		})
		if firstFail > 0 {
			// What a test sizes its bounds by: the draws a break took to
			// find, and the runs spent shrinking it.
			g.Logf("· sequences: a failure found at run %d, shrunk in %s", firstFail, report.Count(runs-firstFail, "run"))
		}
	}
	checkProp(func(t *rapid.T, r *seqRun) {
		set := map[string]func(*rapid.T){"": func(*rapid.T) { r.invariant() }}
		for _, a := range actions {
			set[a.op.op.OperationID] = func(t *rapid.T) { r.t = t; r.linked(a) }
		}
		for name, step := range g.seqSteps() {
			set[name] = func(t *rapid.T) { r.t = t; step(r) }
		}
		// Repeated calls: a second route or binding on one connection,
		// a name used twice, a delete deleted again.
		set["the same call again"] = func(t *rapid.T) {
			if r.previous == nil || r.previousKey == "" {
				t.Skip("no call to repeat")
			}
			r.t, r.pin = t, r.previousKey
			defer func() { r.pin = "" }()
			r.linked(*r.previous)
		}
		t.Repeat(set)
	})
	if !tb.failed {
		// What the random sequences did not send, one sequence sends on
		// purpose: each constraint satisfied and broken.
		setChecks(1)
		topUp = true
		checkProp(func(_ *rapid.T, r *seqRun) { r.topUp(actions) })
	}
	if tb.failed && worst != nil {
		if strings.Contains(strings.Join(tb.said, " "), "flaky") {
			worst.failure += " (replayed, the sequence did not fail again: the server's answers depend on more than the calls, e.g. on time; shown as first found, not shrunk)"
		}
		steps := make([]string, len(worst.steps))
		for i, s := range worst.steps {
			steps[i] = fmt.Sprintf("%d. %s", i+1, s)
		}
		g.Judge(wire.Verdict{Check: check.Model, Op: opOf(worst.last), What: fmt.Sprintf("a generated sequence of %d calls, shrunk (replay: -seed %d)", len(worst.steps), g.Seed), Ex: worst.last, Msg: worst.failure + "\n      steps:\n        " + strings.Join(steps, "\n        ")})
		return
	}
	if tb.failed && worst == nil {
		// rapid itself failed (a property that could not run): a problem
		// of the gate, not of the server.
		g.AddProblem("the generated sequences could not run: " + strings.Join(tb.said, "; "))
		return
	}
	if !tb.failed {
		g.Judge(wire.Verdict{Check: check.Model, Op: "sequences", What: report.Count(runs, "generated sequence")})
	}
}

func opOf(ex *wire.Exchange) string {
	if ex == nil {
		return "sequences"
	}
	return ex.Method + " " + ex.URL
}

// linkActions lists the calls sequences make: the roots (the creates,
// which nothing links to) and every operation a link leads to.
func (g *gate) linkActions() []action {
	ops := map[string]*located{}
	for _, o := range operationsOf(g.Doc.OpenAPI()) {
		ops[o.op.OperationID] = &o
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
	for _, src := range slices.Sorted(maps.Keys(ops)) {
		o := ops[src]
		if o.op.Responses == nil {
			continue
		}
		for _, resp := range o.op.Responses.Map() {
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
func (g *gate) impliedLinks(ops map[string]*located, linked []action) []action {
	var out []action
	has := func(src, target string) bool {
		return slices.ContainsFunc(linked, func(a action) bool { return a.source == src && a.op.op.OperationID == target })
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
			if d.Resource != res.Kind || d.Role == semantics.List || ops[id] == nil {
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
			case res.Parent != "" && d.Role == semantics.Create && d.ParentExpr != nil && d.ParentExpr.In == "path" && parentCreate != nil:
				src = parentCreate
				params[d.ParentExpr.Name] = parentCreate.Key
			case res.Parent != "" && d.Role != semantics.Create && d.KeyExpr != nil && d.KeyExpr.In == "path" && d.ParentExpr != nil && d.ParentExpr.In == "path":
				params[d.ParentExpr.Name], params[d.KeyExpr.Name] = create.Parent, create.Key
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
		i := slices.IndexFunc(actions, func(a action) bool { return a.op.op.OperationID == inst.Operation })
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

// step records a call for the report of a failing sequence.
func (r *seqRun) step(format string, args ...any) {
	r.steps = append(r.steps, fmt.Sprintf(format, args...))
}

// fail ends the run with what disagrees. rapid is told only the kind of
// failure, which holds from one replay to the next (ids and names do
// not), so that it shrinks to the shortest sequence that fails alike.
func (r *seqRun) fail(kind, format string, args ...any) {
	r.failure, r.kind = fmt.Sprintf(format, args...), kind
	panic(failed{})
}

// failed unwinds a run from where it failed to run, which tells rapid.
type failed struct{}

// runProp runs prop, then deletes what it created; it returns the kind of
// failure, if the run failed. rapid's own panics (a skip) pass through.
func (r *seqRun) runProp(t *rapid.T, prop func(*rapid.T, *seqRun)) (kind string) {
	defer r.cleanup()
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(failed); !ok {
				panic(p)
			}
			kind = r.kind
		}
	}()
	prop(t, r)
	return ""
}

// failAlike tells rapid that a run failed, always from here: rapid tells
// failures apart by where they were raised, and the kind is what matters.
func failAlike(t *rapid.T, kind string) {
	t.Fatalf("%s", kind)
}

// call sends one request and holds the answer to the model's prediction:
// accepted (2xx) or refused (4xx); an accepted call changes the model.
func (r *seqRun) call(op *located, pathParams map[string]string, body any, brokenCase string) (int, map[string]any) {
	if r.g.Stopped() {
		r.t.Skip("the run stopped")
	}
	path := op.path
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
		p = r.m.Predict(op.op.OperationID, pathParams, bodyMap)
	}
	desc := op.op.OperationID
	if len(pathParams) > 0 {
		desc += " " + fmt.Sprint(pathParams)
	}
	if raw != nil {
		desc += " " + string(r.g.Doc.Redact(op.op.OperationID, raw))
	}
	ex := r.g.Send(r.ctx, true, op.method, path, raw)
	r.last = ex
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
	switch {
	case ex.Status >= 500:
		r.fail(op.op.OperationID+" answered 5xx", "%s was answered %d", op.op.OperationID, ex.Status)
	case p.Want == model.Accept && !accepted:
		r.fail(op.op.OperationID+" should be accepted", "%s should be accepted (%s), was answered %d", op.op.OperationID, p.Why, ex.Status)
	case p.Want == model.Refuse && accepted:
		r.fail(op.op.OperationID+" should be refused", "%s should be refused (%s), was answered %d", op.op.OperationID, p.Why, ex.Status)
	case p.Want != model.Accept && !accepted && p.Code != "" && env.Str(resp["error_code"]) != p.Code:
		r.fail(op.op.OperationID+" refused with another code", "%s should be refused with %s (%s), was refused with %q: %s",
			op.op.OperationID, p.Code, p.Why, env.Str(resp["error_code"]), env.Str(resp["error_msg"]))
	}
	if accepted && p.Apply == nil && p.Want == model.Either {
		// The document does not say what such a call does: the model can
		// no longer tell what the server holds.
		r.unsure = true
	}
	if d := r.g.Sem.Of(op.op.OperationID); accepted && d != nil && d.Role == semantics.Create && r.g.Sem.Resources[d.Resource].Parent == "" {
		// Whatever the model expected, cleanup deletes it.
		if key, _ := d.KeyExpr.Eval(semantics.Call{PathParams: pathParams, Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())}); key != "" {
			r.created = append(r.created, key)
		}
	}
	if accepted && p.Apply != nil && brokenCase == "" {
		p.Apply(resp)
	}
	return ex.Status, resp
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
	d := r.g.Sem.Of(a.op.op.OperationID)
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
	if rb := a.op.op.RequestBody; rb != nil && rb.Value != nil {
		schema := rb.Value.Content.Get("application/json").Schema.Value
		r.target = r.m.Conn(key)
		if d != nil && d.ParentExpr != nil {
			parent, _ := d.ParentExpr.Eval(semantics.Call{PathParams: params})
			r.target = r.m.Conn(parent)
		}
		body = r.gen(schema, "", a.op.op.OperationID)
		if a.link != nil && a.link.RequestBody != nil {
			body = r.overlay(body, a, a.link.RequestBody, byExpr)
		}
		if prepare := behaviours[a.op.op.OperationID].prepare; prepare != nil {
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
		case r.force == nil && rapid.IntRange(0, 5).Draw(t, "break") == 0:
			// A broken variant of the body: refused, and changes nothing.
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
	case behaviours[a.op.op.OperationID].observe != nil:
		behaviours[a.op.op.OperationID].observe(r, key)
	case d != nil && d.Role == semantics.Read && !r.g.modelledInGo(d.Resource):
		r.seeThing(r.g.Sem.Resources[d.Resource], key)
	case d != nil && d.Role == semantics.List && seqKinds[d.Resource].observe != nil:
		if sel := env.Selector(d); sel != "" {
			seqKinds[d.Resource].observe(r, d, params[sel])
		}
	}
}

// actionOf is the operation of that id among the calls the sequences
// make, or nil when they make none of it.
func (r *seqRun) actionOf(id string) *located {
	i := slices.IndexFunc(r.actions, func(a action) bool { return a.op.op.OperationID == id })
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
	if rapid.IntRange(0, 9).Draw(t, "unknown id") == 0 {
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
		d := r.g.Sem.Of(a.op.op.OperationID)
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

// overlay fills a generated body with a link's request body template:
// where the template holds a runtime expression, its value replaces the
// generated one (a template of one array item speaks for every item);
// the template's other values are only examples, and the drawn ones stay.
func (r *seqRun) overlay(body any, a action, tmpl any, byExpr map[string]string) any {
	return fillExpr(body, tmpl, func(s string) string {
		for _, m := range embedded.FindAllStringSubmatch(s, -1) {
			v, ok := byExpr[m[1]]
			if !ok {
				if v, ok = r.resolve(a, m[1], byExpr); !ok {
					r.t.Skip("nothing to follow the link from")
				}
				byExpr[m[1]] = v
			}
			s = strings.ReplaceAll(s, m[0], v)
		}
		return s
	})
}

// embedded finds the runtime expressions embedded in a link's template.
var embedded = regexp.MustCompile(`\{(\$[^}]+)\}`)

func fillExpr(v, tmpl any, fill func(string) string) any {
	switch tm := tmpl.(type) {
	case string:
		if strings.Contains(tm, "{$") {
			return fill(tm)
		}
		return v
	case map[string]any:
		obj, _ := v.(map[string]any)
		if obj == nil {
			obj = map[string]any{}
		}
		for k, e := range tm {
			if hasExpr(e) {
				obj[k] = fillExpr(obj[k], e, fill)
			}
		}
		return obj
	case []any:
		arr, _ := v.([]any)
		if len(tm) == 0 {
			return v
		}
		if len(arr) == 0 {
			arr = []any{nil}
		}
		for i := range arr {
			arr[i] = fillExpr(arr[i], tm[min(i, len(tm)-1)], fill)
		}
		return arr
	}
	return v
}

func hasExpr(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "{$")
	case []any:
		return slices.ContainsFunc(x, hasExpr)
	case map[string]any:
		for _, e := range x {
			if hasExpr(e) {
				return true
			}
		}
	}
	return false
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
	if r.unsure || len(r.m.Conns) == 0 {
		return
	}
	items, ok := r.listRun(nil)
	if !ok {
		return
	}
	byID := map[string]map[string]any{}
	for _, it := range items {
		id := env.Str(it["id"])
		byID[id] = it
		if c := r.m.Conn(id); c == nil || !c.Tagged(r.runTag()) {
			r.fail("the list answers a connection the run did not make", "the list filtered by the run's tag %s answers connection %s (%s), which the run did not make", r.runTag(), id, env.Str(it["name"]))
		}
	}
	for _, c := range r.m.Conns {
		if !c.Tagged(r.runTag()) {
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
		for _, tg := range c.Tags {
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
	r.step("ListEnhancedConnections ?%s → %s", q.Encode(), r.last.Answer())
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
		if (!scoped || c.Tagged(r.runTag())) && (name == "" || c.Name == name) && (status == "" || strings.EqualFold(status, st)) &&
			(tag == "" || slices.Contains(c.Tags, model.Tag{Key: k, Value: v})) {
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
	r.step("ListEnhancedConnections pages of %d → %d connections", limit, len(paged))
	if !slices.Equal(paged, whole) {
		r.fail("pages unlike the whole list", "pages of %d answer %d connections %v, the whole list %d %v", limit, len(paged), paged, len(whole), whole)
	}
}

// settle waits, within Settle, until no binding of the run is CREATING,
// holding each status seen to the model.
func (r *seqRun) settle() {
	if r.unsure || !slices.ContainsFunc(r.m.Conns, func(c *model.Conn) bool { return len(c.Bindings) > 0 }) {
		r.t.Skip("no binding to wait for")
	}
	deadline, wait := r.settleBound("bindings", "binding")
	if !wait {
		return
	}
	for {
		items, ok := r.listRun(nil)
		if !ok {
			return
		}
		creating := []string{}
		for _, it := range items {
			c := r.m.Conn(env.Str(it["id"]))
			if c == nil {
				continue
			}
			if diffs := r.m.CompareConn(c, it); len(diffs) > 0 {
				r.fail("unlike the model while settling", "while the bindings settle, connection %s (%s) is unlike the model: %s", c.ID, c.Name, strings.Join(diffs, "; "))
			}
			for _, b := range c.Bindings {
				if b.Status == "CREATING" {
					creating = append(creating, b.Name)
				}
			}
		}
		if len(creating) == 0 {
			r.step("wait until no binding is CREATING → done")
			return
		}
		if r.g.Clock.Now().After(deadline) {
			r.step("wait until no binding is CREATING → %v still CREATING", creating)
			r.g.DidNotSettle("bindings", fmt.Sprintf("binding %s still CREATING after %s (-settle)", strings.Join(creating, ", "), r.g.Cfg.Settle), true)
			r.fail("a binding never settles", "binding %s still CREATING after %s (-settle)", strings.Join(creating, ", "), r.g.Cfg.Settle)
		}
		if r.g.Clock.Sleep(r.ctx, r.g.Cfg.Poll) != nil {
			return
		}
	}
}

// settleBound is until when a wait for what (things of title) to leave
// CREATING goes on. Seen not to settle before: a life cycle judged it, so
// this wait is not judged (false); the sequences did, so this run
// (shrinking what they found) looks once, not for another -settle.
func (r *seqRun) settleBound(what, title string) (time.Time, bool) {
	found, bySequences := r.g.NeverSettled(what)
	switch {
	case found && !bySequences:
		r.step("wait until no %s is CREATING → not waited: %ss did not settle before (-settle)", title, title)
		r.unsure = true
		return time.Time{}, false
	case found:
		return r.g.Clock.Now(), true
	}
	return r.g.Clock.Now().Add(r.g.Cfg.Settle), true
}

// cleanup deletes what the run created, whatever happened.
func (r *seqRun) cleanup() {
	for _, id := range r.created {
		for _, m := range r.g.Pending() {
			if m.ID == id {
				cleanup.Remove(r.ctx, r.g.Env, m)
			}
		}
	}
}
