package semantics

// What a declaration refers to in the document: parameters, schemas,
// response codes, links, and the expressions that name them.

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/docwalk"
)

// parameters are an operation's parameters with its path item's, by name.
func parameters(item *openapi3.PathItem, op *openapi3.Operation) map[string]*openapi3.Parameter {
	out := map[string]*openapi3.Parameter{}
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range ps {
			if p.Value != nil {
				out[p.Value.Name] = p.Value
			}
		}
	}
	return out
}

// resolves says why e names nothing an operation has.
func resolves(e Expr, op *openapi3.Operation, params map[string]*openapi3.Parameter) error {
	switch {
	case e.Whole != "":
		return nil
	case e.Source == "request" && (e.In == "path" || e.In == "query"):
		if p := params[e.Name]; p == nil || p.In != e.In {
			return fmt.Errorf("the operation has no %s parameter %q", e.In, e.Name)
		}
		return nil
	case e.In == "header":
		return nil // headers are not all declared (X-Request-Id)
	case e.Source == "request":
		body := docwalk.RequestSchema(op)
		if body == nil {
			return errors.New("the operation has no JSON request body")
		}
		_, err := schemaAt(body, e.Pointer)
		return err
	}
	last := errors.New("the operation has no 2xx answer with a JSON schema")
	for status := 200; status < 300; status++ {
		if s := schemaOf(op, status); s != nil {
			if _, err := schemaAt(s, e.Pointer); err == nil {
				return nil
			} else {
				last = fmt.Errorf("its %d answer: %w", status, err)
			}
		}
	}
	return last
}

// ResolvesIn is why e, a link's parameter read from an answer of source
// or sent to target, names nothing there; nil when it does.
func ResolvesIn(e Expr, op *openapi3.Operation, item *openapi3.PathItem) error {
	return resolves(e, op, parameters(item, op))
}

// schemaOf is the JSON schema of an operation's answer of status.
func schemaOf(op *openapi3.Operation, status int) *openapi3.Schema {
	if op.Responses == nil {
		return nil
	}
	r := op.Responses.Status(status)
	if r == nil || r.Value == nil {
		return nil
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// responseCodes reads x-dli-codes of each response of op.
func responseCodes(op *openapi3.Operation) (map[int][]string, error) {
	out := map[int][]string{}
	if op.Responses == nil {
		return out, nil
	}
	var errs []error
	for key, ref := range op.Responses.Map() {
		if ref.Value == nil {
			continue
		}
		raw, ok := ref.Value.Extensions[extCodes]
		if !ok {
			continue
		}
		status, err := strconv.Atoi(key)
		if err != nil {
			errs = append(errs, fmt.Errorf("response %s: %s on a response that is not one status", key, extCodes))
			continue
		}
		var codes []string
		if err := decodeStrict(raw, &codes); err != nil {
			errs = append(errs, fmt.Errorf("response %s: %s: %w", key, extCodes, err))
			continue
		}
		for _, c := range codes {
			if !codePattern.MatchString(c) {
				errs = append(errs, fmt.Errorf("response %s: %s: %q is not an error code such as DLI.0001", key, extCodes, c))
			}
		}
		out[status] = codes
	}
	return out, errors.Join(errs...)
}

func firstOf(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// checkLinks says which link of doc the gate could not follow: a target
// that is no operation, a parameter the target lacks, or an expression
// that names nothing in the call it is read from.
func checkLinks(doc *openapi3.T) []error {
	type at struct {
		op   *openapi3.Operation
		item *openapi3.PathItem
	}
	byID := map[string]at{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, op := range item.Operations() {
			byID[op.OperationID] = at{op, item}
		}
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		src := byID[id]
		if src.op.Responses == nil {
			continue
		}
		for _, status := range slices.Sorted(maps.Keys(src.op.Responses.Map())) {
			resp := src.op.Responses.Map()[status]
			if resp.Value == nil {
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(resp.Value.Links)) {
				l := resp.Value.Links[name].Value
				where := fmt.Sprintf("operation %s: response %s: link %s", id, status, name)
				target, ok := byID[l.OperationID]
				if !ok {
					errs = append(errs, fmt.Errorf("%s: operation %q is not in the document", where, l.OperationID))
					continue
				}
				params := parameters(target.item, target.op)
				for _, pname := range slices.Sorted(maps.Keys(l.Parameters)) {
					if params[pname] == nil {
						errs = append(errs, fmt.Errorf("%s: %s has no parameter %q", where, l.OperationID, pname))
					}
					expr, _ := l.Parameters[pname].(string)
					exprs := []string{expr}
					if strings.Contains(expr, "{$") {
						exprs = embedded(expr) // embedded in a string: datasourceauth.{$…}
					}
					for _, e := range exprs {
						if err := linkExpr(e, src.op, src.item); err != nil {
							errs = append(errs, fmt.Errorf("%s: parameter %s: %w", where, pname, err))
						}
					}
				}
				for _, expr := range embedded(l.RequestBody) {
					if err := linkExpr(expr, src.op, src.item); err != nil {
						errs = append(errs, fmt.Errorf("%s: requestBody: %w", where, err))
					}
				}
			}
		}
	}
	return errs
}

func linkExpr(s string, op *openapi3.Operation, item *openapi3.PathItem) error {
	e, err := ParseExpr(s)
	if err != nil {
		return err
	}
	if err := ResolvesIn(e, op, item); err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	return nil
}

// embedded lists the {expressions} in the strings of a link's body.
func embedded(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		for rest := x; ; {
			i := strings.Index(rest, "{$")
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], "}")
			if j < 0 {
				out = append(out, rest[i+1:])
				break
			}
			out = append(out, rest[i+1:i+j])
			rest = rest[i+j+1:]
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out = append(out, embedded(x[k])...)
		}
	case []any:
		for _, e := range x {
			out = append(out, embedded(e)...)
		}
	}
	return out
}

// checkDecides checks a dli-mock's rule against what it speaks of: a
// field the read answers, body properties the create takes, patterns Go
// reads, and a declared kind for the parent to be bound to.
func (s *Semantics) checkDecides(r *Resource, d *Decides) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("mock decides: "+format, args...)) }
	if d.Field == "" || d.Value == "" || d.Otherwise == "" || d.Value == d.Otherwise {
		bad("say the field, the value when the rule holds and another otherwise")
	}
	if read := r.Op(Read); read == nil {
		bad("%s has no read to answer it", r.Title)
	} else if shown := schemaOf(read.op, 200); shown != nil {
		if _, err := schemaAt(shown, "/"+d.Field); err != nil {
			bad("field %q is not a property of what %s answers", d.Field, read.ID)
		}
	}
	create := r.Op(Create)
	if create == nil {
		bad("nothing creates a %s", r.Title)
	}
	for _, prop := range slices.Sorted(maps.Keys(d.When.Match)) {
		if _, err := regexp.Compile(d.When.Match[prop]); err != nil {
			bad("match %s: %v", prop, err)
		}
		if create == nil {
			continue
		}
		if body := docwalk.RequestSchema(create.op); body == nil {
			bad("match %s: %s takes no JSON body", prop, create.ID)
		} else if _, err := schemaAt(body, "/"+prop); err != nil {
			bad("match %s: not a property of %s's body", prop, create.ID)
		}
	}
	if b := d.When.Bound; b != "" {
		switch {
		case s.Resources[b] == nil:
			bad("bound: kind %q is not declared", b)
		case r.Parent == "":
			bad("bound: a %s has no parent to be bound", r.Title)
		}
	}
	return errs
}
