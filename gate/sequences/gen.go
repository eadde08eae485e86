package sequences

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/internal/pattern"
	"github.com/dli-contract/dli-go/semantics"
)

// gen draws a valid value of schema for the body of op at ptr. Values
// that name real resources (the VPC, subnet, pools, queues, the grantee)
// come from the target, since a live DLI checks them; a name is unique to
// the run; the rest is drawn from the schema: its enums, patterns,
// lengths, bounds and item counts, and null where it is allowed.
func (r *seqRun) gen(s *openapi3.Schema, ptr, op string) any {
	t := r.t
	if v, ok := r.hint(ptr, op, s); ok {
		return v
	}
	switch {
	case s.Type.Is("object"):
		out := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			ps := s.Properties[name].Value
			at := ptr + "/" + name
			forced := r.force.covers(at)
			if forced && r.force.null && r.force.ptr == at {
				out[name] = nil
				continue
			}
			wanted := r.wanted(op, at)
			required := slices.Contains(s.Required, name) || wanted
			// Mostly present and mostly not null, so that most calls do
			// something; absent and null are what shrinking goes to.
			if !required && !forced && rapid.IntRange(0, 3).Draw(t, at+"?") == 0 {
				continue
			}
			if !forced && !wanted && ps.Nullable && rapid.IntRange(0, 5).Draw(t, at+" null?") == 0 {
				out[name] = nil
				continue
			}
			out[name] = r.gen(ps, at, op)
		}
		// Too few drawn (a binding request names at least one list): the
		// first properties left out are drawn too.
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if _, drawn := out[name]; !drawn && len(out) < env.Capped(s.MinProps) {
				out[name] = r.gen(s.Properties[name].Value, ptr+"/"+name, op)
			}
		}
		return out
	case s.Type.Is("array"):
		lo := env.Capped(s.MinItems)
		if r.force.covers(ptr + "/*") {
			lo = max(lo, 1)
		}
		hi := max(lo, 3)
		if s.MaxItems != nil {
			hi = min(hi, env.Capped(*s.MaxItems))
		}
		n := rapid.IntRange(lo, hi).Draw(t, ptr+" items")
		out := make([]any, n)
		for i := range out {
			out[i] = r.gen(s.Items.Value, ptr+"/*", op)
		}
		return out
	case s.Type.Is("string"):
		return r.genString(s, ptr)
	case s.Type.Is("integer"):
		lo := 0
		if s.Min != nil {
			lo = int(*s.Min)
		}
		hi := lo + 100
		if s.Max != nil {
			hi = max(lo, min(hi, int(*s.Max)))
		}
		return rapid.IntRange(lo, hi).Draw(t, ptr)
	case s.Type.Is("boolean"):
		return rapid.Bool().Draw(t, ptr)
	}
	return nil
}

// genString draws a string that keeps the schema's enum, pattern and
// lengths.
func (r *seqRun) genString(s *openapi3.Schema, ptr string) string {
	t := r.t
	if len(s.Enum) > 0 {
		var vals []string
		for _, e := range s.Enum {
			vals = append(vals, fmt.Sprint(e))
		}
		return rapid.SampledFrom(vals).Draw(t, ptr)
	}
	minLen := max(env.Capped(s.MinLength, 1<<16), 1)
	maxLen := max(20, minLen)
	if s.MaxLength != nil {
		maxLen = min(maxLen, env.Capped(*s.MaxLength, 1<<16))
	}
	expr := s.Pattern
	if expr == "" {
		expr = fmt.Sprintf(`^[a-z0-9_]{%d,%d}$`, minLen, maxLen)
	}
	return rapid.SampledFrom(env.Samples(expr, minLen, maxLen)).Draw(t, ptr)
}

// wanted says whether an optional property is always drawn: one without
// which the call is refused for a reason the schema does not say, so that
// sequences spend themselves on calls that do something. (Keyword
// coverage and the broken variants still send it absent and null.)
func (r *seqRun) wanted(op, ptr string) bool {
	if r.force != nil || !slices.Contains(behaviours[op].wanted, ptr) {
		return false
	}
	v, declared := r.g.InputAt(op, ptr)
	return !declared || v != "" // not an input the run was not given
}

// hint is the value of fields that must name real things, or stay
// unique.
func (r *seqRun) hint(ptr, op string, s *openapi3.Schema) (any, bool) {
	t := r.t
	g := r.g
	switch ptr {
	case "/user_name", "/grant_project_id":
		if !g.Cfg.Mock {
			return nil, true // on a live DLI they would name real users and projects
		}
	case "/projectId":
		if g.Cfg.Mock && r.force == nil && rapid.IntRange(0, 7).Draw(t, "no grantee?") == 0 {
			// docs/mock.md: a grant to no project is refused.
			return nil, true
		}
	}
	if v, ok := g.InputAt(op, ptr); ok {
		return r.input(op, ptr, v)
	}
	d, res := g.Sem.Of(op), g.Sem.ResourceOf(op)
	if v, ok := r.ruled(d, res, ptr); ok {
		return v, true
	}
	named := res != nil && ptr == "/"+res.Name && d.Role == semantics.Create
	at := ptr
	if named {
		at = "/name" // whatever the kind calls its name
	}
	switch at {
	case "/name":
		if named && res.Parent != "" {
			// Now and then the name of a route the connection has, or one
			// of a few short names: a second route on one connection, and
			// a name used twice, must both happen in a run of a few
			// sequences. Route names go into a path: a plain alphabet
			// keeps them addressable everywhere.
			var names []string
			if c := r.target; c != nil && r.force == nil {
				names = r.keysOf(res.Kind, c.ID, true)
			}
			switch rapid.IntRange(0, 3).Draw(t, "route name from") {
			case 0:
				if len(names) > 0 {
					return recent(t, names, "route name used"), true
				}
			case 1:
				return rapid.SampledFrom([]string{"r1", "r2"}).Draw(t, "route name short"), true
			}
			return rapid.SampledFrom(env.Samples(`^[a-z][a-z0-9_]{0,11}$`, 1, 12)).Draw(t, "route name"), true
		}
		// Now and then the name of a connection the run made: a second
		// connection of one name must happen in a run.
		if r.force == nil && named {
			if names := r.namesOf(res.Kind); len(names) > 0 && rapid.IntRange(0, 4).Draw(t, "a name used before?") == 0 {
				return recent(t, names, "name used before"), true
			}
		}
		// Unique to the run, so that runs do not meet each other's names;
		// the drawn part shrinks.
		suffix := rapid.SampledFrom(env.Samples(`^[a-z0-9_]{0,8}$`, 0, 8)).Draw(t, "name")
		return fmt.Sprintf("c%d_%d_%s", g.Seed%1000, r.run, suffix), true
	case "":
		if hint := behaviours[op].body; hint != nil && r.force == nil {
			return hint(r)
		}
	case "/tags/*/key", "/tags/*/value":
		// No "=" or ",", which the tags query cannot carry.
		return rapid.SampledFrom(env.Samples(`^[a-z][a-z0-9_.:+@-]{0,10}$`, 1, 11)).Draw(t, ptr), true
	case "/privileges/*/privileges/*":
		if g.Cfg.Mock {
			// Two, so that an update replaces one set by another; a live
			// DLI is asked only for the one a connection has.
			return rapid.SampledFrom([]string{"BIND_QUEUE", "SHOW_PRIVILEGES"}).Draw(t, "privilege"), true
		}
		return "BIND_QUEUE", true
	}
	return nil, false
}

// ruled is, half the time against a dli-mock, a value of the pattern a
// dli-mock's rule holds a create's property to (mock.decides): drawn from
// the schema alone, a value would seldom meet it, and what the rule
// decides when it is met would go unchecked. Then, and half the time
// when the value is not ruled, the rest of the rule is met first: the
// run's queue bound, ACTIVE. Left to chance, a sequence would seldom bind
// it, see it settle and then test it; and a test of a bound queue whose
// address fails the pattern shows that both must hold.
func (r *seqRun) ruled(d *semantics.Operation, res *semantics.Resource, ptr string) (string, bool) {
	if !r.g.Cfg.Mock || r.force != nil || d == nil || d.Role != semantics.Create || res == nil || res.Mock == nil || res.Mock.Decides == nil {
		return "", false
	}
	rule := res.Mock.Decides
	expr, ok := rule.When.Match[strings.TrimPrefix(ptr, "/")]
	if !ok || pattern.Compiled(expr) == nil {
		return "", false
	}
	vals := env.Samples(expr, 1, 64)
	meet := len(vals) > 0 && rapid.Bool().Draw(r.t, "meet the mock's rule?")
	if b := rule.When.Bound; b != "" && seqKinds[b].bind != nil && (meet || rapid.Bool().Draw(r.t, "bind the queue all the same?")) {
		if p := r.g.InputParent(res); p != nil && r.g.Inputs[p.Input] != "" {
			seqKinds[b].bind(r, r.g.Inputs[p.Input])
		}
	}
	if !meet {
		return "", false
	}
	return rapid.SampledFrom(vals).Draw(r.t, ptr), true
}

// input is the value at ptr of a property that takes an input whose
// value for the run is v: v itself, or for an array one or more items of
// v (a dli-mock takes any pool or queue, and ends a fail_ one FAILED); a
// property whose input the run was not given is left out.
func (r *seqRun) input(op, ptr, v string) (any, bool) {
	switch {
	case strings.HasSuffix(ptr, "/*"):
		if v == "" {
			return nil, false
		}
		names := []string{v}
		if r.g.Cfg.Mock {
			names = append(names, "pool_a", "pool_b", "fail_pool")
		}
		return rapid.SampledFrom(names).Draw(r.t, ptr), true
	case v == "":
		return nil, true
	case env.IsArray(r.g.Sem.Of(op), strings.TrimPrefix(ptr, "/")):
		return nil, false // drawn, its items from v
	}
	return v, true
}

// force makes gen put a value at ptr (and so its parents): null when null
// is set, else a drawn one. Keyword coverage uses it to send a request
// the random sequences happened not to.
type force struct {
	ptr  string // where, with * for the items of an array
	null bool
}

// covers says whether a value at ptr is on the way to the forced one.
func (f *force) covers(ptr string) bool {
	return f != nil && (f.ptr == ptr || strings.HasPrefix(f.ptr, ptr+"/"))
}
