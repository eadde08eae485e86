package env

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/semantics"
)

// Selects says whether a list takes a required query parameter: it names
// what to list (an object whose privileges to list), which only a real
// one answers, and a drawn value does not name one.
func Selects(list *semantics.Operation) bool { return Selector(list) != "" }

// Selector is the required query parameter that names what a list lists,
// or "".
func Selector(list *semantics.Operation) string {
	for _, p := range list.Document().Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Required {
			return p.Value.Name
		}
	}
	return ""
}

// QueryParams are the query parameters of op, by name.
func QueryParams(op *semantics.Operation) map[string]*openapi3.Schema {
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

const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

// Name generates a valid enhanced connection name, unique enough per run.
func (g *Env) Name() string {
	b := []byte("contract_")
	for range 1 + g.Rng.IntN(16) {
		b = append(b, nameChars[g.Rng.IntN(len(nameChars))])
	}
	return string(b)
}

// Grantees are the users a run grants privileges to.
var Grantees = []string{"contract_user_a", "contract_user_b"}
