package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// Finding is one way in which the document, a fixture or a server breaks
// the contract. Where is a JSON pointer into the document, or the
// operation and status of a response.
type Finding struct {
	Where string
	What  string
}

func (f Finding) String() string { return f.Where + ": " + f.What }

// CheckDocument holds the document to the rules every operation must keep:
// the document validates; every operation has an operationId; every
// response declares its content as application/json; and every example
// (request, response and parameter) validates against its own schema with
// the formats the document uses (uuid) enforced; every pattern means
// the same to every tool that reads it (PortablePattern); and the
// declarations of what each operation means (package semantics) place
// every operation, naming fields and parameters the schemas have.
func CheckDocument(doc *openapi3.T) []Finding {
	out := checkPatterns(doc)
	if _, err := semantics.Load(doc); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			out = append(out, Finding{Where: "x-dli declarations", What: line})
		}
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		out = append(out, Finding{Where: "#", What: "document does not validate: " + err.Error()})
	}
	for _, o := range operationsOf(doc) {
		op := o.op
		where := fmt.Sprintf("#/paths/%s/%s", validate.PointerToken(o.path), strings.ToLower(o.method))
		if op.OperationID == "" {
			out = append(out, Finding{Where: where, What: "operation has no operationId"})
		}
		for _, p := range slices.Concat(o.item.Parameters, op.Parameters) {
			if p.Value != nil && p.Value.Example != nil && p.Value.Schema != nil {
				out = append(out, checkValue(where+"/parameters/"+p.Value.Name+"/example", p.Value.Schema.Value, p.Value.Example)...)
			}
		}
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			out = append(out, checkContent(where+"/requestBody", op.RequestBody.Value.Content)...)
		}
		if op.Responses == nil || op.Responses.Len() == 0 {
			out = append(out, Finding{Where: where, What: "operation declares no responses"})
			continue
		}
		for _, status := range slices.Sorted(maps.Keys(op.Responses.Map())) {
			r := op.Responses.Value(status)
			rw := where + "/responses/" + status
			if r.Value != nil && len(r.Value.Content) == 0 && status == "204" {
				continue // No Content: DLI's tag create and delete
			}
			if r.Value == nil || len(r.Value.Content) == 0 {
				out = append(out, Finding{Where: rw, What: "response declares no content (only a 204 may have none)"})
				continue
			}
			out = append(out, checkContent(rw, r.Value.Content)...)
			out = append(out, checkLinks(doc, rw, r.Value.Links)...)
		}
	}
	return out
}

// linkExpression is what a link may say, as the gate's generated call
// sequences read it: a value of the response's body, or of the request's
// path or body.
var linkExpression = regexp.MustCompile(`^\$(response\.body#/[a-z_]+|request\.path\.[a-z_]+|request\.body#/[a-z_]+)$`)

// checkLinks holds each link to an operation of the document, its
// parameters to that operation's own, and its expressions to the forms
// the gate follows.
func checkLinks(doc *openapi3.T, where string, links openapi3.Links) []Finding {
	var out []Finding
	ops := map[string]*located{}
	for _, o := range operationsOf(doc) {
		ops[o.op.OperationID] = &o
	}
	for _, name := range slices.Sorted(maps.Keys(links)) {
		l := links[name].Value
		lw := where + "/links/" + name
		target := ops[l.OperationID]
		if target == nil {
			out = append(out, Finding{Where: lw, What: fmt.Sprintf("operationId %q is not an operation of the document", l.OperationID)})
			continue
		}
		params := map[string]bool{}
		for _, p := range slices.Concat(target.item.Parameters, target.op.Parameters) {
			params[p.Value.Name] = true
		}
		for _, p := range slices.Sorted(maps.Keys(l.Parameters)) {
			if !params[p] {
				out = append(out, Finding{Where: lw, What: fmt.Sprintf("parameter %q is not a parameter of %s", p, l.OperationID)})
			}
			if e, ok := l.Parameters[p].(string); !ok || !linkExpression.MatchString(e) && !embedsOnlyLinkExpressions(e) {
				out = append(out, Finding{Where: lw, What: fmt.Sprintf("parameter %q: %v is not a runtime expression the gate follows ($response.body#/x, $request.path.x, $request.body#/x)", p, l.Parameters[p])})
			}
		}
	}
	return out
}

// embedsOnlyLinkExpressions says whether s is a string with runtime
// expressions embedded in braces (datasourceauth.{$request.body#/name}),
// each one the gate follows.
func embedsOnlyLinkExpressions(s string) bool {
	found := embeddedExpr.FindAllStringSubmatch(s, -1)
	for _, m := range found {
		if !linkExpression.MatchString(m[1]) {
			return false
		}
	}
	return len(found) > 0
}

var embeddedExpr = regexp.MustCompile(`\{(\$[^}]+)\}`)

func checkContent(where string, content openapi3.Content) []Finding {
	var out []Finding
	for _, ct := range slices.Sorted(maps.Keys(content)) {
		if ct != "application/json" {
			out = append(out, Finding{Where: where + "/content/" + validate.PointerToken(ct),
				What: "content type must be exactly application/json (a parameter such as charset changes generated names)"})
		}
	}
	mt := content.Get("application/json")
	if mt == nil {
		return out
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return append(out, Finding{Where: where + "/content/application~1json", What: "media type has no schema"})
	}
	base := where + "/content/application~1json"
	if mt.Example != nil {
		out = append(out, checkValue(base+"/example", mt.Schema.Value, mt.Example)...)
	}
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		ex := mt.Examples[name]
		if ex.Value == nil {
			continue
		}
		out = append(out, checkValue(base+"/examples/"+name, mt.Schema.Value, ex.Value.Value)...)
	}
	return out
}

// checkValue validates a value as decoded from YAML or JSON against schema.
func checkValue(where string, schema *openapi3.Schema, v any) []Finding {
	decoded, err := asJSON(v)
	if err != nil {
		return []Finding{{Where: where, What: "example is not JSON: " + err.Error()}}
	}
	opts := append(validate.SchemaOptions(), openapi3.MultiErrors())
	if err := schema.VisitJSON(decoded, opts...); err != nil {
		return []Finding{{Where: where, What: "example does not match its schema: " + err.Error()}}
	}
	return nil
}

// asJSON normalises a value to what encoding/json decodes into any, as
// kin-openapi's VisitJSON expects.
func asJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}
