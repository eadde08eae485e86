package phases

// The invalid requests phase: every request derived to break a rule of
// its schema is refused, and together they change nothing.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// snapshot is what the project holds, by resource (each kind's list, as
// a whole, less what moves on its own), to tell whether a refusal changed
// anything, with the exchange of the first list; an error when the
// project could not be read whole.
func (g *phase) snapshot(ctx context.Context) (map[string]string, *wire.Exchange, error) {
	out := map[string]string{}
	var first *wire.Exchange
	for _, res := range g.Kinds() {
		list := res.Op(semantics.List)
		if list == nil || env.Selects(list) {
			continue // a list of what a parameter names is no list of the project
		}
		ex := g.Send(ctx, true, list.Method, g.listAll(list, ""), nil)
		if first == nil {
			first = ex
		}
		if ex.Error != "" || ex.Status != http.StatusOK {
			return nil, first, fmt.Errorf("%s: %s", list.ID, ex.Answer())
		}
		for _, it := range env.ItemsOf(ex, list.Items) {
			for _, ptr := range res.Moving {
				docwalk.Drop(it, ptr)
			}
			out[res.Title+" "+env.Str(it[res.Name])+" "+env.Str(it[res.Key])] = string(env.Marshal(it))
		}
	}
	return out, first, nil
}

// changes lists what differs between two snapshots.
func changes(before, after map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(after)) {
		switch old, ok := before[k]; {
		case !ok:
			out = append(out, "new "+k)
		case old != after[k]:
			out = append(out, "changed "+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if _, ok := after[k]; !ok {
			out = append(out, "gone "+k)
		}
	}
	return out
}

// unknownAnswer is how the server refuses a resource of res that does not
// exist: as the kind declares, or, against a dli-mock, as docs/mock.md
// picks where the kind declares that (mock.unknown).
func (g *phase) unknownAnswer(res *semantics.Resource) semantics.Answer {
	if g.Cfg.Mock && res.Mock != nil && res.Mock.Unknown != nil {
		return *res.Mock.Unknown
	}
	return res.Unknown
}

// uniqueAnswer is how the server refuses a create of a name in use: as
// the kind declares, or, against a dli-mock, as docs/mock.md picks where
// the kind declares that (mock.unique); nil when names need not be
// unique.
func (g *phase) uniqueAnswer(res *semantics.Resource) *semantics.Answer {
	if g.Cfg.Mock && res.Mock != nil && res.Mock.Unique != nil {
		return res.Mock.Unique
	}
	return res.Unique
}

// negative sends every derived invalid request: broken bodies, path
// parameters outside their schema, queries outside their schema. Each must
// be refused with a 4xx (its body is judged like any other), and together
// they must change nothing. Invalid changes not bound to a resource by its
// path (a create) are sent only with Mutate, and anything a broken server
// creates anyway is deleted.
func (g *phase) negative(ctx context.Context) {
	before, _, beforeErr := g.snapshot(ctx)
	unknown := uuid.NewString()
	for _, o := range docwalk.Operations(g.Doc.OpenAPI()) {
		op, d := o.Op, g.Sem.Of(o.Op.OperationID)
		if !g.OpOn(op.OperationID) || d == nil {
			continue
		}
		// Bound to a resource named in the path (one that does not exist),
		// a change cannot touch anything real.
		bound := d.KeyExpr != nil && d.KeyExpr.In == "path" || d.ParentExpr != nil && d.ParentExpr.In == "path"
		safe := o.Method == http.MethodGet || bound || g.Cfg.Mutate
		if op.RequestBody != nil && op.RequestBody.Value != nil && (g.Cfg.Mutate || bound) {
			mt := op.RequestBody.Value.Content.Get("application/json")
			if !g.invalidBodies(ctx, o, mt, bound, unknown) {
				return
			}
		}
		if !safe || o.Method != http.MethodGet && !g.Cfg.Mutate {
			continue
		}
		var body []byte
		if op.RequestBody != nil {
			body = []byte(`{}`)
		}
		if g.Cfg.Budgeted {
			// With a budget, every parameter outside its schema at once.
			g.outsideAtOnce(ctx, o, d, bound, body, unknown)
		} else if !g.outsideOneByOne(ctx, o, d, body, unknown) {
			return
		}
		if g.Cfg.Mock {
			// docs/mock.md: a tags query not of key=value pairs is
			// refused (the document says what it is, not what DLI answers
			// when it is not).
			for param, f := range d.Filters {
				for _, q := range []string{param + "=no_pair", param + "=%3Dvalue"} {
					if f.Match != "tags" || g.Stopped() {
						continue
					}
					ex := g.Send(ctx, true, o.Method, g.fillAll(o.Path, unknown)+"?"+q, nil)
					g.Judge(wire.Verdict{Check: check.Negative, Op: op.OperationID, What: "query " + q, Where: param, Ex: ex, Msg: g.Invalid(ex, "query "+q)})
				}
			}
		}
	}
	// A delete of a resource that does not exist: refused as its kind
	// declares an unknown one is.
	for _, res := range g.Kinds() {
		del := res.Op(semantics.Delete)
		answer := g.unknownAnswer(res)
		if del == nil || answer.Status == 0 || g.Stopped() || !g.OpOn(del.ID) || g.Unplaced(res) != "" {
			continue
		}
		what := "a delete of a " + res.Title + " that does not exist"
		ex := g.Send(ctx, true, del.Method, g.Fill(del, unknown), nil)
		g.Judge(wire.Verdict{Check: check.Negative, Op: del.ID, What: what, Ex: ex, Msg: env.RefusedAs(ex, what, answer)})
	}
	if g.Cfg.Mock {
		// A list that names what it lists (an object's privileges), of an
		// object of no kind declared with an object prefix: a dli-mock
		// does not model it and refuses it as the list's kind's
		// mock.unknown says (docs/mock.md).
		for _, res := range g.Kinds() {
			list := res.Op(semantics.List)
			if list == nil || env.Selector(list) == "" || res.Mock == nil || res.Mock.Unknown == nil || g.Stopped() || !g.OpOn(list.ID) {
				continue
			}
			obj := "unmodelled." + unknown
			if kind, _ := g.Sem.ObjectKind(obj); kind != nil {
				continue
			}
			what := "a list of the " + res.Title + "s on an object of no kind a dli-mock models"
			ex := g.Send(ctx, true, list.Method, g.Fill(list, "")+"?"+url.Values{env.Selector(list): {obj}}.Encode(), nil)
			g.Judge(wire.Verdict{Check: check.Negative, Op: list.ID, What: what, Ex: ex, Msg: env.RefusedAs(ex, what, *res.Mock.Unknown)})
		}
		// What docs/mock.md says it refuses beyond the document.
		for _, id := range g.Sem.Order {
			refusals := lifeBehaviours[id].mockRefusals
			if refusals == nil || !g.OpOn(id) {
				continue
			}
			op := g.Sem.Of(id)
			for _, r := range refusals(g, unknown) {
				if g.Stopped() {
					break
				}
				ex := g.Send(ctx, true, op.Method, g.Fill(op, unknown), r.body)
				g.Judge(wire.Verdict{Check: check.Negative, Op: id, What: r.what, Ex: ex, Msg: env.RefusedWith(ex, r.what, r.code)})
			}
		}
	}
	if create := g.firstCreate(); g.Cfg.Mock && g.Cfg.Mutate && create != nil && g.OpOn(create.ID) && !g.Stopped() {
		// docs/mock.md: a body over 1 MiB is refused unread, 413;
		// one of exactly 1 MiB is read (and refused by the document).
		// Its length declared or not (chunked), it is refused alike,
		// DLI.0001.
		for _, size := range []int{mockMaxBody, mockMaxBody + 1, -(mockMaxBody + 1)} {
			n, chunked := max(size, -size), size < 0
			body := []byte(`{"name":"contract_big"` + strings.Repeat(" ", n-len(`{"name":"contract_big"}`)) + `}`)
			what := fmt.Sprintf("a body of %d bytes", n)
			var ex *wire.Exchange
			if chunked {
				what += ", its length not declared"
				ex = g.SendChunked(ctx, create.Method, g.Fill(create, ""), body)
			} else {
				ex = g.Send(ctx, true, create.Method, g.Fill(create, ""), body)
			}
			msg := env.Refused(ex, what)
			too := ex.Status == http.StatusRequestEntityTooLarge
			switch {
			case msg == "" && too != (n > mockMaxBody):
				msg = fmt.Sprintf("%s was answered %d; a dli-mock refuses a body over %d bytes 413, and reads one of that size", what, ex.Status, mockMaxBody)
			case msg == "" && too && env.ErrorCodeOf(ex) != apierror.CodeBadParameter:
				msg = fmt.Sprintf("%s was refused 413 %s; a dli-mock refuses it 413 %s", what, env.ErrorCodeOf(ex), apierror.CodeBadParameter)
			}
			g.Judge(wire.Verdict{Check: check.Negative, Op: create.ID, What: what, Ex: ex, Msg: msg})
		}
	}
	after, ex, afterErr := g.snapshot(ctx)
	what := "the project's resources before and after the invalid requests"
	op := wire.UndeclaredRoute
	if ex != nil {
		op = g.OpNamed(ex)
	}
	switch diff := changes(before, after); {
	case beforeErr != nil || afterErr != nil:
		// Not knowing what the project held is no evidence either way.
		g.NotJudged(check.Unchanged, fmt.Sprintf("the project could not be listed whole (%v)", firstErr(beforeErr, afterErr)))
	case len(diff) > 0:
		g.Judge(wire.Verdict{Check: check.Unchanged, Op: op, What: what, Ex: ex, Msg: "the resources of the project changed while the server refused (or should have refused) invalid requests: " + strings.Join(diff, "; ")})
	default:
		g.Judge(wire.Verdict{Check: check.Unchanged, Op: op, What: what, Ex: ex})
	}
}

// invalidBodies sends the bodies derived from each example of a request
// body to break a rule of its schema, each to be refused; false when the
// run stopped. With a budget, first those of a body with every property
// (the examples leave some out), with null where a property takes it and
// no request sent it yet (firstCases); then only those that break a
// constraint no request broke yet, several to a request.
func (g *phase) invalidBodies(ctx context.Context, o docwalk.Op, mt *openapi3.MediaType, bound bool, unknown string) bool {
	id := o.Op.OperationID
	var examples []any
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		var example any
		if err := json.Unmarshal(env.Marshal(mt.Examples[name].Value.Value), &example); err == nil {
			examples = append(examples, example)
		}
	}
	if g.Cfg.Budgeted && len(examples) > 0 {
		// First, so that its breaks, of every property, pack into few
		// requests; the examples' then add what it did not break.
		examples = slices.Insert(examples, 0, env.Complete(mt.Schema.Value, examples[0]))
	}
	seen := map[string]bool{}
	for i, example := range examples {
		derived := slices.DeleteFunc(contract.Derive(mt.Schema.Value, example), func(c contract.Case) bool { return c.Valid })
		var cases []contract.Case
		for _, c := range derived {
			if seen[c.Name] || g.Cfg.Budgeted && !g.KW.AddsBreak(id, nil, nil, env.Marshal(c.Value)) {
				continue
			}
			seen[c.Name] = true
			cases = append(cases, c)
		}
		switch {
		case g.Cfg.Budgeted && i == 0:
			adds := func(v any) bool { return g.KW.AddsSatisfy(id, nil, nil, env.Marshal(v)) }
			cases = firstCases(example, cases, derived, adds, bound, g.nullsWanted(id))
		case g.Cfg.Budgeted:
			// Each constraint broken once, several in a request.
			cases = contract.Combine(example, cases)
		}
		for _, c := range cases {
			if g.Stopped() {
				return false
			}
			ex := g.Send(ctx, true, o.Method, g.fillAll(o.Path, unknown), env.Marshal(c.Value))
			// Whatever a broken server creates anyway, the registry
			// saw, and cleanup deletes.
			msg := g.Invalid(ex, c.Name)
			if c.Valid {
				msg = env.Refused(ex, c.Name+" of a resource that does not exist")
			}
			g.Judge(wire.Verdict{Check: check.Negative, Op: id, What: c.Name, Where: c.Field, Ex: ex, Msg: msg})
		}
	}
	return true
}

// nullsWanted are the body's nullable properties of op that no request
// sent null yet, each array's first item standing for all.
func (g *phase) nullsWanted(op string) []string {
	var out []string
	for _, n := range g.KW.Missing("body") {
		if n.Inst.Operation == op && n.Inst.Keyword.Keyword == "nullable" && n.Satisfy {
			out = append(out, strings.ReplaceAll(n.Inst.Where, "/*", "/0"))
		}
	}
	return out
}

// outsideOneByOne sends each path and query parameter outside its schema,
// one request each; false when the run stopped.
func (g *phase) outsideOneByOne(ctx context.Context, o docwalk.Op, d *semantics.Operation, body []byte, unknown string) bool {
	op := o.Op
	// Each path parameter outside its schema: not a UUID, over its
	// maxLength (the project's too, a project that cannot exist).
	for _, p := range pathParams(o) {
		for _, bad := range env.Outside(p.Schema.Value) {
			if g.Stopped() {
				return false
			}
			path := strings.Replace(strings.ReplaceAll(o.Path, "{project_id}", g.Cfg.ProjectID), "{"+p.Name+"}", bad.Value, 1)
			path = g.fillAll(path, unknown)
			if p.Name == "project_id" {
				path = strings.Replace(g.fillAll(o.Path, unknown), "/"+g.Cfg.ProjectID+"/", "/"+bad.Value+"/", 1)
			}
			what := fmt.Sprintf("a %s %s", p.Name, bad.What)
			ex := g.Send(ctx, true, o.Method, path, body)
			g.Judge(wire.Verdict{Check: check.Negative, Op: op.OperationID, What: what, Where: p.Name, Ex: ex, Msg: g.Invalid(ex, what)})
		}
	}
	// Each query parameter outside its schema, and empty where it has
	// a minLength.
	for _, name := range slices.Sorted(maps.Keys(env.QueryParams(d))) {
		for _, bad := range env.OutsideQuery(env.QueryParams(d)[name]) {
			if g.Stopped() {
				return false
			}
			q := name + "=" + url.QueryEscape(bad.Value)
			ex := g.Send(ctx, true, o.Method, g.fillAll(o.Path, unknown)+"?"+q, nil)
			g.Judge(wire.Verdict{Check: check.Negative, Op: op.OperationID, What: "query " + q, Where: name, Ex: ex, Msg: g.Invalid(ex, "query "+q)})
		}
	}
	return true
}

// outsideAtOnce sends every path parameter outside its schema in one
// path, and every query parameter in one query, round by round (each
// parameter's first refused value, then its second ...), where the
// request breaks a constraint none broke yet: a run with a budget breaks
// each once. Where the path names a resource (bound), one request with
// every parameter valid shows them within their schemas, if none did.
func (g *phase) outsideAtOnce(ctx context.Context, o docwalk.Op, d *semantics.Operation, bound bool, body []byte, unknown string) {
	params := pathParams(o)
	if bound && len(params) > 0 {
		// Every parameter breaks its schema below: one request shows
		// them within it, naming what does not exist.
		valid := map[string]string{}
		for _, p := range params {
			valid[p.Name] = unknown
			if p.Name == "project_id" {
				valid[p.Name] = g.Cfg.ProjectID
			}
		}
		if !g.Stopped() && g.KW.AddsSatisfy(o.Op.OperationID, valid, nil, nil) {
			what := "a " + o.Method + " of a resource that does not exist"
			ex := g.Send(ctx, true, o.Method, g.fillAll(o.Path, unknown), body)
			g.Judge(wire.Verdict{Check: check.Negative, Op: o.Op.OperationID, What: what, Ex: ex, Msg: env.Refused(ex, what)})
		}
	}
	bads := make([][]env.BadValue, len(params))
	rounds := 0
	for i, p := range params {
		bads[i] = env.Outside(p.Schema.Value)
		rounds = max(rounds, len(bads[i]))
	}
	for j := range rounds {
		path, sent, whats := o.Path, map[string]string{}, []string(nil)
		for i, p := range params {
			if j < len(bads[i]) {
				path = strings.Replace(path, "{"+p.Name+"}", bads[i][j].Value, 1)
				sent[p.Name] = bads[i][j].Value
				whats = append(whats, fmt.Sprintf("a %s %s", p.Name, bads[i][j].What))
			}
		}
		if g.Stopped() || !g.KW.AddsBreak(o.Op.OperationID, sent, nil, nil) {
			continue
		}
		what := strings.Join(whats, ", ")
		ex := g.Send(ctx, true, o.Method, g.fillAll(path, unknown), body)
		g.Judge(wire.Verdict{Check: check.Negative, Op: o.Op.OperationID, What: what, Ex: ex, Msg: g.Invalid(ex, what)})
	}
	qbads := map[string][]env.BadValue{}
	rounds = 0
	for name, s := range env.QueryParams(d) {
		qbads[name] = env.OutsideQuery(s)
		rounds = max(rounds, len(qbads[name]))
	}
	for j := range rounds {
		q := url.Values{}
		for _, name := range slices.Sorted(maps.Keys(qbads)) {
			if j < len(qbads[name]) {
				q.Set(name, qbads[name][j].Value)
			}
		}
		if g.Stopped() || !g.KW.AddsBreak(o.Op.OperationID, nil, q, nil) {
			continue
		}
		what := "query " + q.Encode()
		ex := g.Send(ctx, true, o.Method, g.fillAll(o.Path, unknown)+"?"+q.Encode(), nil)
		g.Judge(wire.Verdict{Check: check.Negative, Op: o.Op.OperationID, What: what, Ex: ex, Msg: g.Invalid(ex, what)})
	}
}

// firstCreate is the create of the first current top-level kind.
func (g *phase) firstCreate() *semantics.Operation {
	for _, res := range g.Kinds() {
		if c := res.Op(semantics.Create); c != nil && !env.Retired(res) {
			return c
		}
	}
	return nil
}

// pathParams are the path parameters of an operation, its path's first.
func pathParams(o docwalk.Op) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, p := range slices.Concat(o.Item.Parameters, o.Op.Parameters) {
		if p.Value != nil && p.Value.In == "path" && p.Value.Schema != nil && p.Value.Schema.Value != nil {
			out = append(out, p.Value)
		}
	}
	return out
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
