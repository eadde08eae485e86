package phases

// The first requests of a body with every property (env.Complete): with a
// budget, the invalid requests break each constraint once, several in a
// request.

import (
	"reflect"
	"slices"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/docwalk"
)

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
