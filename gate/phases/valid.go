package phases

// The valid requests phase: generated valid lists and creates.

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/cleanup"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// positive sends generated valid lists of each current kind, and with
// Mutate valid creates (deleted again): each must be accepted.
func (g *phase) positive(ctx context.Context) {
	for _, id := range g.Sem.Order {
		list := g.Sem.Of(id)
		res := g.Sem.Resources[list.Resource]
		// Each list and count of a current kind (a deprecated list still
		// lists); a list under a parent is listed in the parent's life
		// cycle.
		if list.Role != semantics.List && list.Role != semantics.Count || env.Retired(res) || !g.OpOn(list.ID) ||
			list.ParentExpr != nil || env.Selects(list) {
			continue
		}
		// A list that takes a body (a filter) sends its examples in
		// turn.
		bodies := list.RequestExamples()
		if len(env.QueryParams(list)) == 0 && len(bodies) == 0 {
			continue
		}
		for i := range g.Cfg.MaxExamples {
			if g.Stopped() {
				return
			}
			if len(env.QueryParams(list)) == 0 && i >= len(bodies) {
				break // each body once: nothing else to draw
			}
			// With a budget, the first names every parameter: one
			// request satisfies what each takes.
			q := g.validQuery(res, list, i == 0 && g.Cfg.Budgeted)
			var body []byte
			if len(bodies) > 0 {
				body = bodies[i%len(bodies)]
			}
			if i > 0 && g.Cfg.Budgeted && !g.KW.AddsSatisfy(list.ID, nil, q, body) {
				continue // with a budget, one more only where it adds
			}
			what, path := "valid query ?"+q.Encode(), g.Fill(list, "")
			if len(q) > 0 {
				path += "?" + q.Encode()
			}
			if body != nil {
				what += " with body " + string(body)
			}
			ex := g.Send(ctx, true, list.Method, path, body)
			g.Judge(wire.Verdict{Check: check.Positive, Op: list.ID, What: what, Ex: ex, Msg: env.Accepted(ex, http.StatusOK, what)})
		}
	}
	if !g.Cfg.Mutate {
		return
	}
	for _, res := range g.Kinds() {
		create := res.Op(semantics.Create)
		if create == nil || env.Retired(res) || !g.OpOn(create.ID) {
			continue
		}
		if g.Capped(res.Kind) {
			// The life cycle creates one and judges its create alike;
			// one more here would spend what the field cases need.
			g.LeaveOut(fmt.Sprintf("valid requests: the valid create of %s (its life cycle creates one, and the budget keeps the rest for the field cases)", report.Plural(2, res.Title)))
			continue
		}
		creates := min(g.Cfg.MaxExamples, 3)
		if g.Cfg.Budgeted {
			creates = 1 // the same body again adds nothing, and costs one more made
		}
		for range creates {
			if g.Stopped() {
				return
			}
			body, ok := g.bodyFor(res)
			if !ok {
				break
			}
			// Nothing that binds: a live DLI would peer a pool or queue.
			for _, in := range g.Sem.InputsOf(create.ID) {
				if kind := g.Sem.Input(in.Input).Kind; kind == "pool" || kind == "queue" {
					top, _, _ := strings.Cut(strings.TrimPrefix(in.Pointer, "/"), "/")
					delete(body, top)
				}
			}
			raw := env.Marshal(body)
			ex := g.Send(ctx, true, create.Method, g.Fill(create, ""), raw)
			what := "a valid body " + string(g.Doc.Redact(create.ID, raw))
			g.Judge(wire.Verdict{Check: check.Positive, Op: create.ID, What: what, Ex: ex, Msg: acceptedAs(ex, create, what)})
			if key, _ := create.KeyExpr.Eval(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())}); key != "" && ex.Status < 300 {
				cleanup.RemoveCreated(ctx, g.Env, res.Kind, key)
			}
		}
	}
}

// bodyFor is a valid create body of a kind, named for the run: the
// registry's (the target's) or the create's richest example.
func (g *phase) bodyFor(res *semantics.Resource) (map[string]any, bool) {
	create := res.Op(semantics.Create)
	body, ok := env.RichestExample(create)
	if !ok {
		return nil, false
	}
	g.WithInputs(create, body)
	if hooks := lifeBehaviours[create.ID].life; hooks != nil && hooks.body != nil {
		hooks.body(g, body)
	}
	if res.Name != "" {
		body[res.Name] = g.Name()
	}
	return body, true
}

// validQuery draws a valid query of a list: each parameter now and then
// (every one with all), a name filter with a name of the run's, a tags
// filter with a pair, any other value within its schema.
func (g *phase) validQuery(res *semantics.Resource, list *semantics.Operation, all bool) url.Values {
	q := url.Values{}
	params := env.QueryParams(list)
	for _, name := range slices.Sorted(maps.Keys(params)) {
		s := params[name]
		f, filters := list.Filters[name]
		switch {
		case !all && g.Rng.IntN(2) == 0:
		case filters && f.Match == "tags":
			if all || g.Rng.IntN(3) == 0 {
				q.Set(name, "contract="+g.Name()[9:])
			}
		case filters && f.Field == res.Name:
			if all || g.Rng.IntN(3) == 0 {
				q.Set(name, g.Name())
			}
		case s.Type.Is("integer"):
			lo := 0
			if s.Min != nil {
				lo = int(*s.Min)
			}
			q.Set(name, strconv.Itoa(lo+g.Rng.IntN(200)))
		case len(s.Enum) > 0:
			q.Set(name, fmt.Sprint(s.Enum[g.Rng.IntN(len(s.Enum))]))
		case s.Pattern != "":
			if vals := env.Samples(s.Pattern, 1, 16); len(vals) > 0 {
				q.Set(name, vals[g.Rng.IntN(len(vals))])
			}
		}
	}
	return q
}

// mockMaxBody is the largest body a dli-mock reads, as docs/mock.md says.
const mockMaxBody = 1 << 20
