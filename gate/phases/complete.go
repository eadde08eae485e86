package phases

// A body with every property: with a budget, the invalid requests break
// each constraint once, and the document's examples leave optional
// properties out, so that those are derived from a body that has them.

import (
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gate/env"
)

// complete is v with every property its schema declares and v lacks (or
// holds as null) added with a value of the property's schema, the first
// item of each array completed alike, and an empty array given its
// least items. v is not changed.
func complete(s *openapi3.Schema, v any) any {
	if s == nil {
		return v
	}
	switch {
	case s.Type.Is("object"):
		obj, ok := v.(map[string]any)
		if !ok && v != nil {
			return v
		}
		out := maps.Clone(obj)
		if out == nil {
			out = map[string]any{}
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if p := s.Properties[name]; p != nil && p.Value != nil {
				out[name] = complete(p.Value, out[name])
			}
		}
		return out
	case s.Type.Is("array"):
		arr, ok := v.([]any)
		if !ok && v != nil || s.Items == nil || s.Items.Value == nil {
			return v
		}
		out := slices.Clone(arr)
		if len(out) == 0 {
			out = append(out, complete(s.Items.Value, nil))
			for uint64(len(out)) < s.MinItems {
				out = append(out, out[0])
			}
			return out
		}
		out[0] = complete(s.Items.Value, out[0])
		return out
	}
	if v != nil {
		return v
	}
	return sample(s)
}

// sample is a value of a scalar schema: its enum's first, the shortest
// string of its pattern within its lengths, its least number.
func sample(s *openapi3.Schema) any {
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is("string"):
		minLen, maxLen := env.Capped(s.MinLength, 64), 16
		if s.MaxLength != nil {
			maxLen = env.Capped(*s.MaxLength, 16)
		}
		maxLen = max(maxLen, minLen)
		switch {
		case s.Format == "uuid":
			return "00000000-0000-4000-8000-000000000000"
		case s.Pattern != "":
			if vals := env.Samples(s.Pattern, minLen, maxLen); len(vals) > 0 {
				return vals[0]
			}
		}
		return strings.Repeat("a", max(minLen, 1))
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return *s.Min
		}
		if s.Max != nil && *s.Max < 0 {
			return *s.Max
		}
		return 0.0
	case s.Type.Is("boolean"):
		return true
	}
	return nil
}

// firstCases are the requests of a body with every property, with a
// budget: the cases that break a constraint no request broke yet
// (fresh), combined, but one sent alone where the body satisfies a
// constraint no request satisfied yet (every other property then holds a
// value of its schema), and null where a property takes it and no request
// sent it yet (nulls), on a case that leaves it as body has it. A null no
// such case carries rides on a case of derived not sent otherwise, or,
// where the path names what does not exist (bound), on body itself,
// marked Valid: refused only for what it names.
func firstCases(body any, fresh, derived []contract.Case, addsSatisfy func(v any) bool, bound bool, nulls []string) []contract.Case {
	var out []contract.Case
	if candidates := slices.Concat(fresh, derived); len(candidates) > 0 && addsSatisfy(body) {
		// The one alone breaks a property whose value alone adds nothing
		// satisfied, where one does: the others then add it all.
		lone := candidates[0]
		if i := slices.IndexFunc(candidates, func(c contract.Case) bool { return !addsSatisfy(docwalk.Only(body, c.Field)) }); i >= 0 {
			lone = candidates[i]
		}
		out = append(out, lone)
		fresh = slices.DeleteFunc(slices.Clone(fresh), func(c contract.Case) bool { return c.Name == lone.Name })
		derived = slices.DeleteFunc(slices.Clone(derived), func(c contract.Case) bool { return c.Name == lone.Name })
	}
	combined := contract.Combine(body, fresh)
	spare := slices.Concat(derived, []contract.Case{{Name: "a valid body", Value: body, Valid: true}})
	if !bound {
		spare = derived
	}
	for _, ptr := range nulls {
		want, ok := docwalk.At(body, ptr)
		if !ok || want == nil {
			continue
		}
		carries := func(c contract.Case) bool {
			got, ok := docwalk.At(c.Value, ptr)
			return ok && reflect.DeepEqual(got, want)
		}
		if i := slices.IndexFunc(combined, carries); i >= 0 {
			combined[i].Value, combined[i].Name = docwalk.Set(combined[i].Value, ptr, nil), combined[i].Name+", with "+ptr+" null"
			continue
		}
		if i := slices.IndexFunc(spare, carries); i >= 0 {
			c := spare[i]
			c.Value, c.Name = docwalk.Set(c.Value, ptr, nil), c.Name+", with "+ptr+" null"
			combined = append(combined, c)
			spare = slices.Delete(slices.Clone(spare), i, i+1)
		}
	}
	return append(out, combined...)
}
