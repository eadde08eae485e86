package validate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Error is a request or response that does not match the document. It
// lists every problem found, not only the first.
type Error struct {
	// Operation is the operationId, or "METHOD /path" when no operation
	// matched.
	Operation string
	// Status is the response status checked; 0 for a request.
	Status   int
	Problems []Problem
}

// Problem is one mismatch.
type Problem struct {
	// In is where it was found: "route", "path", "query", "header",
	// "body" (request body), "response" or "response body".
	In string
	// Field names the parameter, or is a JSON pointer into the body
	// ("/tags/0/key"); "" for the body or response as a whole.
	Field string
	// Rule is the schema keyword that failed (maxLength, required, type,
	// pattern, enum ...), or what else was checked (status, content-type).
	Rule string
	// Reason is kin-openapi's explanation. It quotes the offending value
	// only for an enum (a value outside a closed set of words, which is what
	// a person needs to see to tell drift from a typo), cut to 64 bytes;
	// for every other rule it does not, so a secret in a request cannot
	// leak through it.
	Reason string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.In)
	if p.Field != "" {
		b.WriteString(" " + p.Field)
	}
	if p.Rule != "" {
		b.WriteString(": " + p.Rule)
	}
	if p.Reason != "" {
		b.WriteString(": " + p.Reason)
	}
	return b.String()
}

func (e *Error) Error() string {
	what := "request"
	if e.Status != 0 {
		what = "response " + strconv.Itoa(e.Status)
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%s %s does not match openapi/dli.yaml: %s", e.Operation, what, strings.Join(parts, "; "))
}

// Has reports whether some problem is at field (a parameter name or JSON
// pointer) and, when rule is not "", broke that rule.
func (e *Error) Has(field, rule string) bool {
	for _, p := range e.Problems {
		if p.Field == field && (rule == "" || p.Rule == rule) {
			return true
		}
	}
	return false
}

func fromKin(operation string, status int, err error) *Error {
	e := &Error{Operation: operation, Status: status}
	in := "body"
	if status != 0 {
		in = "response body"
	}
	collect(err, Problem{In: in}, &e.Problems)
	return e
}

// collect flattens kin-openapi's nested errors into problems, carrying the
// location found on the outer errors down to the schema errors inside.
func collect(err error, at Problem, out *[]Problem) {
	// Each level of kin-openapi's error tree is inspected as it is, not
	// unwrapped: the outer levels carry the location of the inner ones.
	if multi, ok := err.(openapi3.MultiError); ok { //nolint:errorlint // see above
		for _, inner := range multi {
			collect(inner, at, out)
		}
		return
	}
	switch e := err.(type) { //nolint:errorlint // see above
	case *openapi3filter.RequestError:
		if e.Parameter != nil {
			at.In, at.Field = e.Parameter.In, e.Parameter.Name
		} else if e.RequestBody != nil {
			at.In = "body"
		}
		if e.Err == nil {
			at.Reason = e.Reason
			*out = append(*out, at)
			return
		}
		collect(e.Err, at, out)
	case *openapi3filter.ResponseError:
		if e.Err == nil {
			at.In = "response"
			at.Rule, at.Reason = responseRule(e.Reason), e.Reason
			*out = append(*out, at)
			return
		}
		if strings.Contains(e.Reason, "Content-Type") {
			at.In, at.Rule = "response", "content-type"
		}
		collect(e.Err, at, out)
	case *openapi3.SchemaError:
		if ptr := e.JSONPointer(); len(ptr) > 0 {
			at.Field += pointer(ptr)
		}
		at.Rule, at.Reason = e.SchemaField, e.Reason
		if e.SchemaField == "enum" {
			at.Reason += ", got " + quoted(e.Value)
		}
		*out = append(*out, at)
	default:
		if at.Rule == "" {
			at.Rule = "decode"
		}
		at.Reason = err.Error()
		*out = append(*out, at)
	}
}

// quoted is v as JSON, cut to 64 bytes.
func quoted(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}

func responseRule(reason string) string {
	switch {
	case strings.Contains(reason, "status"):
		return "status"
	case strings.Contains(reason, "Content-Type"), strings.Contains(reason, "content type"):
		return "content-type"
	}
	return "response"
}

func pointer(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("/" + PointerToken(k))
	}
	return b.String()
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// PointerToken escapes one JSON pointer token (RFC 6901): ~ as ~0, / as ~1.
func PointerToken(token string) string { return pointerEscaper.Replace(token) }
