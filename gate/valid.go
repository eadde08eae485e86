package gate

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

	"github.com/dli-contract/dli-go/gate/wire"

	"github.com/dli-contract/dli-go/gate/check"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/semantics"
)

// positive sends generated valid lists of each current kind, and with
// Mutate valid creates (deleted again): each must be accepted.
func (g *gate) positive(ctx context.Context) {
	for _, res := range g.kinds() {
		if retired(res) {
			continue
		}
		// Each list of the kind (a deprecated one still lists).
		for _, list := range res.Operations[semantics.List] {
			if !g.OpOn(list.ID) || len(queryParams(list)) == 0 || selects(list) {
				continue
			}
			for range g.cfg.MaxExamples {
				if g.Stopped() {
					return
				}
				q := g.validQuery(res, list)
				ex := g.Send(ctx, true, list.Method, g.fill(list, "")+"?"+q.Encode(), nil)
				what := "valid query ?" + q.Encode()
				g.Judge(wire.Verdict{Check: check.Positive, Op: list.ID, What: what, Ex: ex, Msg: accepted(ex, http.StatusOK, what)})
			}
		}
	}
	if !g.cfg.Mutate {
		return
	}
	for _, res := range g.kinds() {
		create := res.Op(semantics.Create)
		if create == nil || retired(res) || !g.OpOn(create.ID) {
			continue
		}
		for range min(g.cfg.MaxExamples, 3) {
			if g.Stopped() {
				return
			}
			body, ok := g.bodyFor(res)
			if !ok {
				break
			}
			// Nothing that binds: a live DLI would peer a pool or queue.
			for _, in := range g.sem.InputsOf(create.ID) {
				if kind := g.sem.Input(in.Input).Kind; kind == "pool" || kind == "queue" {
					top, _, _ := strings.Cut(strings.TrimPrefix(in.Pointer, "/"), "/")
					delete(body, top)
				}
			}
			raw := marshal(body)
			ex := g.Send(ctx, true, create.Method, g.fill(create, ""), raw)
			what := "a valid body " + string(g.doc.Redact(create.ID, raw))
			g.Judge(wire.Verdict{Check: check.Positive, Op: create.ID, What: what, Ex: ex, Msg: acceptedAs(ex, create, what)})
			if key, _ := create.KeyExpr.Eval(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())}); key != "" && ex.Status < 300 {
				g.removeCreated(ctx, res.Kind, key)
			}
		}
	}
}

// bodyFor is a valid create body of a kind, named for the run: the
// registry's (the target's) or the create's richest example.
func (g *gate) bodyFor(res *semantics.Resource) (map[string]any, bool) {
	create := res.Op(semantics.Create)
	body, ok := richestExample(create)
	if !ok {
		return nil, false
	}
	g.withInputs(create, body)
	if hooks := behaviours[create.ID].life; hooks != nil && hooks.body != nil {
		hooks.body(g, body)
	}
	if res.Name != "" {
		body[res.Name] = g.name()
	}
	return body, true
}

// selects says whether a list takes a required query parameter: it names
// what to list (an object whose privileges to list), which only a real
// one answers, and a drawn value does not name one.
func selects(list *semantics.Operation) bool { return selector(list) != "" }

// selector is the required query parameter that names what a list lists,
// or "".
func selector(list *semantics.Operation) string {
	for _, p := range list.Document().Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Required {
			return p.Value.Name
		}
	}
	return ""
}

// queryParams are the query parameters of op, by name.
func queryParams(op *semantics.Operation) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	doc := op.Document()
	if doc == nil {
		return out
	}
	for _, p := range doc.Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Schema != nil && p.Value.Schema.Value != nil {
			out[p.Value.Name] = p.Value.Schema.Value
		}
	}
	return out
}

// validQuery draws a valid query of a list: each parameter now and then,
// a name filter with a name of the run's, a tags filter with a pair, any
// other value within its schema.
func (g *gate) validQuery(res *semantics.Resource, list *semantics.Operation) url.Values {
	q := url.Values{}
	params := queryParams(list)
	for _, name := range slices.Sorted(maps.Keys(params)) {
		s := params[name]
		f, filters := list.Filters[name]
		switch {
		case g.rng.IntN(2) == 0:
		case filters && f.Match == "tags":
			if g.rng.IntN(3) == 0 {
				q.Set(name, "contract="+g.name()[9:])
			}
		case filters && f.Field == res.Name:
			if g.rng.IntN(3) == 0 {
				q.Set(name, g.name())
			}
		case s.Type.Is("integer"):
			lo := 0
			if s.Min != nil {
				lo = int(*s.Min)
			}
			q.Set(name, strconv.Itoa(lo+g.rng.IntN(200)))
		case len(s.Enum) > 0:
			q.Set(name, fmt.Sprint(s.Enum[g.rng.IntN(len(s.Enum))]))
		case s.Pattern != "":
			if vals := samples(s.Pattern, 1, 16); len(vals) > 0 {
				q.Set(name, vals[g.rng.IntN(len(vals))])
			}
		}
	}
	return q
}

// mockMaxBody is the largest body a dli-mock reads, as docs/mock.md says.
const mockMaxBody = 1 << 20

const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

// name generates a valid enhanced connection name, unique enough per run.
func (g *gate) name() string {
	b := []byte("contract_")
	for range 1 + g.rng.IntN(16) {
		b = append(b, nameChars[g.rng.IntN(len(nameChars))])
	}
	return string(b)
}
