package env

import (
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/semantics"
)

// Kinds are the top-level resource kinds, the current ones first.
func (g *Env) Kinds() []*semantics.Resource {
	// In the document's order (of each kind's first operation), the
	// current kinds first: what the phases take first of is the document's
	// first.
	var out []*semantics.Resource
	for _, id := range g.Sem.Order {
		res := g.Sem.Resources[g.Sem.Of(id).Resource]
		if res != nil && res.Parent == "" && !slices.Contains(out, res) {
			out = append(out, res)
		}
	}
	slices.SortStableFunc(out, func(a, b *semantics.Resource) int { return CmpBool(Retired(a), Retired(b)) })
	return out
}

func CmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Retired reports whether every operation on a resource is deprecated.
func Retired(res *semantics.Resource) bool {
	for _, ops := range res.Operations {
		for _, o := range ops {
			if !o.Deprecated() {
				return false
			}
		}
	}
	return true
}

// UnknownLike is a key of the shape of keys that names none of them: of
// keys that are numbers (a connectivity test's), a number, which a server
// reads and does not find, rather than one it cannot read; else a fresh
// UUID.
func UnknownLike(keys []string) string {
	if numbers(keys) {
		return strconv.FormatInt(1<<53-1, 10)
	}
	return uuid.NewString()
}

// numbers says whether every key is a decimal integer.
func numbers(keys []string) bool {
	for _, k := range keys {
		if _, err := strconv.ParseInt(k, 10, 64); err != nil {
			return false
		}
	}
	return len(keys) > 0
}
