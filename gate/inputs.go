package gate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// What a run creates with comes from the document's x-dli-cloud-inputs:
// against live DLI what the user gives (DLI checks it); a run given none
// of them (a mock, or a server that takes any) sends each one's declared
// mock value, or without one whatever the examples and schemas give.

// DeclaredInputs are the inputs the embedded document declares, in its
// order: a mutating run against live DLI is given them by flag (-Name) or
// environment variable (Env).
func DeclaredInputs() ([]*semantics.Input, error) { return embeddedInputs() }

var embeddedInputs = sync.OnceValues(func() ([]*semantics.Input, error) {
	doc, err := validate.Embedded()
	if err != nil {
		return nil, err
	}
	sem, err := semantics.Load(doc.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("the embedded document's declarations: %w", err)
	}
	return sem.Inputs, nil
})

// resolveInputs fixes the value of every declared input for the run:
// with none given, each one's mock value, or free when it has none; else
// what was given, or the input's default.
func (g *gate) resolveInputs() error {
	given := false
	for _, name := range slices.Sorted(maps.Keys(g.cfg.Inputs)) {
		if g.sem.Input(name) == nil {
			var names []string
			for _, in := range g.sem.Inputs {
				names = append(names, in.Name)
			}
			return fmt.Errorf("unknown input %q; the document declares %s", name, strings.Join(names, ", "))
		}
		given = given || g.cfg.Inputs[name] != ""
	}
	g.inputs, g.free = map[string]string{}, map[string]bool{}
	for _, in := range g.sem.Inputs {
		v := g.cfg.Inputs[in.Name]
		switch {
		case !given:
			v, g.free[in.Name] = in.Mock, in.Mock == ""
		case v == "":
			v = in.Default
		}
		g.inputs[in.Name] = v
	}
	return nil
}

// inputAt is the run's value for what op's body takes at ptr, and whether
// an input the run fixes is declared there (not one that is free).
func (g *gate) inputAt(op, ptr string) (string, bool) {
	in := g.sem.InputAt(op, ptr)
	if in == nil || g.free[in.Name] {
		return "", false
	}
	return g.inputs[in.Name], true
}

// unplaced says why a run cannot create res, or "": its create takes a
// required input, or inputs that go together, the run was not given.
func (g *gate) unplaced(res *semantics.Resource) string {
	if res == nil || res.Op(semantics.Create) == nil {
		return ""
	}
	create := res.Op(semantics.Create)
	var missing []string
	if p := g.inputParent(res); p != nil && g.inputs[p.Input] == "" {
		missing = append(missing, "-"+p.Input)
	}
	for _, c := range g.sem.InputsOf(create.ID) {
		in := g.sem.Input(c.Input)
		if in.Need != semantics.NeedOptional && g.inputs[in.Name] == "" && !g.free[in.Name] {
			missing = append(missing, "-"+in.Name)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	slices.Sort(missing)
	return fmt.Sprintf("%s: its create needs %s, which the run was not given", res.Title, strings.Join(slices.Compact(missing), ", "))
}

// withInputs writes the run's inputs into body, a request of op: each
// property that takes one gets its value (an array, one item), and one
// whose input the run was not given is left out (one that is free keeps
// the example's value).
func (g *gate) withInputs(op *semantics.Operation, body map[string]any) {
	for _, c := range g.sem.InputsOf(op.ID) {
		top := strings.TrimPrefix(c.Pointer, "/")
		if strings.Contains(top, "/") {
			continue // only top-level properties take inputs in this document
		}
		v := g.inputs[c.Input]
		switch {
		case g.free[c.Input]:
		case v == "":
			delete(body, top)
		case isArray(op, top):
			body[top] = []any{v}
		default:
			body[top] = v
		}
	}
}

// isArray says whether op's body property name is an array.
func isArray(op *semantics.Operation, name string) bool {
	p := bodyProperty(op, name)
	return p != nil && p.Type.Is("array")
}

// bodyProperty is the schema of op's top-level body property name, or nil.
func bodyProperty(op *semantics.Operation, name string) *openapi3.Schema {
	body := op.RequestSchema()
	if body == nil || body.Properties[name] == nil {
		return nil
	}
	return body.Properties[name].Value
}

// inputParent is the kind res lives under when that kind is not made
// through the API but given as an input (a connectivity test's queue),
// else nil.
func (g *gate) inputParent(res *semantics.Resource) *semantics.Resource {
	if res == nil || res.Parent == "" {
		return nil
	}
	if p := g.sem.Resources[res.Parent]; p != nil && p.Input != "" {
		return p
	}
	return nil
}

// mockValue is the declared mock value of the first input of kind: what
// the hooks that hold a dli-mock to docs/mock.md send.
func (g *gate) mockValue(kind string) string {
	for _, in := range g.sem.Inputs {
		if in.Kind == kind {
			return in.Mock
		}
	}
	return ""
}

// inputVars are the field cases' placeholders the run's inputs fill.
func (g *gate) inputVars() map[string]string {
	vars := map[string]string{}
	for _, in := range g.sem.Inputs {
		if v := g.inputs[in.Name]; v != "" {
			vars[in.Placeholder()] = v
		}
	}
	return vars
}
