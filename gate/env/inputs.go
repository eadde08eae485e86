package env

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/semantics"
)

// ResolveInputs fixes the value of every declared input for the run:
// with none given, each one's mock value, or free when it has none; else
// what was given, or the input's default.
func (g *Env) ResolveInputs(values map[string]string) error {
	given := false
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if g.Sem.Input(name) == nil {
			var names []string
			for _, in := range g.Sem.Inputs {
				names = append(names, in.Name)
			}
			return fmt.Errorf("unknown input %q; the document declares %s", name, strings.Join(names, ", "))
		}
		given = given || values[name] != ""
	}
	g.Inputs, g.free = map[string]string{}, map[string]bool{}
	for _, in := range g.Sem.Inputs {
		v := values[in.Name]
		switch {
		case !given:
			v, g.free[in.Name] = in.Mock, in.Mock == ""
		case v == "":
			v = in.Default
		}
		g.Inputs[in.Name] = v
	}
	return nil
}

// InputAt is the run's value for what op's body takes at ptr, and whether
// an input the run fixes is declared there (not one that is free).
func (g *Env) InputAt(op, ptr string) (string, bool) {
	in := g.Sem.InputAt(op, ptr)
	if in == nil || g.free[in.Name] {
		return "", false
	}
	return g.Inputs[in.Name], true
}

// Unplaced says why a run cannot create res, or "": its create takes a
// required input, or inputs that go together, the run was not given.
func (g *Env) Unplaced(res *semantics.Resource) string {
	if res == nil || res.Op(semantics.Create) == nil {
		return ""
	}
	create := res.Op(semantics.Create)
	var missing []string
	if p := g.InputParent(res); p != nil && g.Inputs[p.Input] == "" {
		missing = append(missing, "-"+p.Input)
	}
	for _, c := range g.Sem.InputsOf(create.ID) {
		in := g.Sem.Input(c.Input)
		if in.Need != semantics.NeedOptional && g.Inputs[in.Name] == "" && !g.free[in.Name] {
			missing = append(missing, "-"+in.Name)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	slices.Sort(missing)
	return fmt.Sprintf("%s: its create needs %s, which the run was not given", res.Title, strings.Join(slices.Compact(missing), ", "))
}

// WithInputs writes the run's inputs into body, a request of op: each
// property that takes one gets its value (an array, one item), and one
// whose input the run was not given is left out (one that is free keeps
// the example's value).
func (g *Env) WithInputs(op *semantics.Operation, body map[string]any) {
	for _, c := range g.Sem.InputsOf(op.ID) {
		top := strings.TrimPrefix(c.Pointer, "/")
		if strings.Contains(top, "/") {
			continue // only top-level properties take inputs in this document
		}
		v := g.Inputs[c.Input]
		switch {
		case g.free[c.Input]:
		case v == "":
			delete(body, top)
		case IsArray(op, top):
			body[top] = []any{v}
		default:
			body[top] = v
		}
	}
}

// IsArray says whether op's body property name is an array.
func IsArray(op *semantics.Operation, name string) bool {
	p := BodyProperty(op, name)
	return p != nil && p.Type.Is("array")
}

// BodyProperty is the schema of op's top-level body property name, or nil.
func BodyProperty(op *semantics.Operation, name string) *openapi3.Schema {
	body := op.RequestSchema()
	if body == nil || body.Properties[name] == nil {
		return nil
	}
	return body.Properties[name].Value
}

// InputParent is the kind res lives under when that kind is not made
// through the API but given as an input (a connectivity test's queue),
// else nil.
func (g *Env) InputParent(res *semantics.Resource) *semantics.Resource {
	if res == nil || res.Parent == "" {
		return nil
	}
	if p := g.Sem.Resources[res.Parent]; p != nil && p.Input != "" {
		return p
	}
	return nil
}

// MockValue is the declared mock value of the first input of kind: what
// the hooks that hold a dli-mock to docs/mock.md send.
func (g *Env) MockValue(kind string) string {
	for _, in := range g.Sem.Inputs {
		if in.Kind == kind {
			return in.Mock
		}
	}
	return ""
}

// InputVars are the field cases' placeholders the run's inputs fill.
func (g *Env) InputVars() map[string]string {
	vars := map[string]string{}
	for _, in := range g.Sem.Inputs {
		if v := g.Inputs[in.Name]; v != "" {
			vars[in.Placeholder()] = v
		}
	}
	return vars
}
