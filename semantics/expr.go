package semantics

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Expr is an OpenAPI runtime expression (OpenAPI 3.0.3, "Runtime
// Expressions"): where a value is found in a call, its request or its
// answer. $url, $method and $statusCode are the call itself; the others
// name a source, a part and a name or a JSON pointer:
//
//	$request.path.connection_id    $request.query.limit
//	$request.header.X-Project-Id   $request.body#/name
//	$response.body#/connection_id  $response.header.X-Request-Id
type Expr struct {
	// Source is "request" or "response"; empty for $url, $method and
	// $statusCode, which Whole names.
	Source string
	// In is "path", "query", "header" or "body".
	In string
	// Name is the parameter or header; Pointer the JSON pointer into a
	// body ("" for the whole body).
	Name, Pointer string
	// Whole is "url", "method" or "statusCode" for those expressions.
	Whole string
	raw   string
}

func (e Expr) String() string { return e.raw }

// ParseExpr parses a runtime expression, saying what is wrong with one it
// cannot.
func ParseExpr(s string) (Expr, error) {
	e := Expr{raw: s}
	switch s {
	case "$url", "$method", "$statusCode":
		e.Whole = s[1:]
		return e, nil
	}
	var rest string
	switch {
	case strings.HasPrefix(s, "$request."):
		e.Source, rest = "request", strings.TrimPrefix(s, "$request.")
	case strings.HasPrefix(s, "$response."):
		e.Source, rest = "response", strings.TrimPrefix(s, "$response.")
	default:
		return e, fmt.Errorf("%q is not a runtime expression: want $url, $method, $statusCode, $request.… or $response.…", s)
	}
	switch {
	case rest == "body" || strings.HasPrefix(rest, "body#"):
		e.In = "body"
		if ptr, ok := strings.CutPrefix(rest, "body#"); ok {
			if ptr != "" && !strings.HasPrefix(ptr, "/") {
				return e, fmt.Errorf("%q: a body's JSON pointer starts with /", s)
			}
			e.Pointer = ptr
		}
		return e, nil
	}
	in, name, ok := strings.Cut(rest, ".")
	if !ok || name == "" {
		return e, fmt.Errorf("%q: want %s.path.NAME, .query.NAME, .header.NAME or .body#/POINTER", s, "$"+e.Source)
	}
	switch {
	case in == "header":
	case e.Source == "request" && (in == "path" || in == "query"):
	default:
		return e, fmt.Errorf("%q: a %s has no %q part (want %s)", s, e.Source, in,
			map[string]string{"request": "path, query, header or body", "response": "header or body"}[e.Source])
	}
	e.In, e.Name = in, name
	return e, nil
}

// Call is one exchange, as an expression reads it: the request's path
// parameters, URL, header and body, and the answer's status, header and
// body. Bodies are JSON; an absent one is nil.
type Call struct {
	Method       string
	URL          *url.URL
	PathParams   map[string]string
	Header       http.Header
	Body         []byte
	Status       int
	AnswerHeader http.Header
	AnswerBody   []byte
}

// Eval is the value e names in c, as a string (a JSON value other than a
// string in its JSON form); false when c has no such value.
func (e Expr) Eval(c Call) (string, bool) {
	switch e.Whole {
	case "url":
		if c.URL == nil {
			return "", false
		}
		return c.URL.String(), true
	case "method":
		return c.Method, c.Method != ""
	case "statusCode":
		return strconv.Itoa(c.Status), c.Status != 0
	}
	header, body := c.Header, c.Body
	if e.Source == "response" {
		header, body = c.AnswerHeader, c.AnswerBody
	}
	switch e.In {
	case "path":
		v, ok := c.PathParams[e.Name]
		return v, ok
	case "query":
		if c.URL == nil || !c.URL.Query().Has(e.Name) {
			return "", false
		}
		return c.URL.Query().Get(e.Name), true
	case "header":
		if header == nil || header.Values(e.Name) == nil {
			return "", false
		}
		return header.Get(e.Name), true
	}
	var doc any
	if len(body) == 0 || json.Unmarshal(body, &doc) != nil {
		return "", false
	}
	for _, v := range pointAll(doc, e.Pointer) {
		return stringOf(v), true
	}
	return "", false
}

// Many says whether e names every item of an array (a * in its pointer):
// a batch's keys, $request.body#/tags/*/key.
func (e Expr) Many() bool { return strings.Contains(e.Pointer+"/", "/*/") }

// EvalAll is every value e names in c: one for most expressions, each
// item's for a pointer with a * (Many); none when c has no such value.
func (e Expr) EvalAll(c Call) []string {
	if !e.Many() {
		if v, ok := e.Eval(c); ok {
			return []string{v}
		}
		return nil
	}
	body := c.Body
	if e.Source == "response" {
		body = c.AnswerBody
	}
	var doc any
	if len(body) == 0 || json.Unmarshal(body, &doc) != nil {
		return nil
	}
	var out []string
	for _, v := range pointAll(doc, e.Pointer) {
		out = append(out, stringOf(v))
	}
	return out
}

func stringOf(v any) string {
	if s, isString := v.(string); isString {
		return s
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// pointAll follows a JSON pointer whose * stands for every item of an
// array; it answers the non-null values found, in order.
func pointAll(v any, ptr string) []any {
	head, rest, starred := strings.Cut(ptr, "/*")
	if starred && rest != "" && !strings.HasPrefix(rest, "/") {
		head, rest, starred = ptr, "", false // a name that starts with *
	}
	at, ok := pointAt(v, head)
	if !ok {
		return nil
	}
	if !starred {
		if at == nil {
			return nil
		}
		return []any{at}
	}
	arr, _ := at.([]any)
	var out []any
	for _, item := range arr {
		out = append(out, pointAll(item, rest)...)
	}
	return out
}

// Template fills each {expression} embedded in s (as in a link's
// requestBody: "edsconnections.{$response.body#/connection_id}") from c;
// false when one has no value in c.
func Template(s string, c Call) (string, bool, error) {
	var out strings.Builder
	for {
		i := strings.Index(s, "{$")
		if i < 0 {
			out.WriteString(s)
			return out.String(), true, nil
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return "", false, fmt.Errorf("%q: an expression opened with { is not closed", s)
		}
		e, err := ParseExpr(s[i+1 : i+j])
		if err != nil {
			return "", false, err
		}
		v, ok := e.Eval(c)
		if !ok {
			return "", false, nil
		}
		out.WriteString(s[:i])
		out.WriteString(v)
		s = s[i+j+1:]
	}
}

// pointAt follows a JSON pointer (RFC 6901) into a decoded JSON value.
func pointAt(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch n := v.(type) {
		case map[string]any:
			next, ok := n[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil, false
			}
			v = n[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// schemaAt follows a JSON pointer into a schema: an object's properties,
// an array's items (any index, or *). allOf, oneOf and anyOf are looked
// into. It says where the pointer leaves the schema.
func schemaAt(s *openapi3.Schema, ptr string) (*openapi3.Schema, error) {
	if ptr == "" {
		return s, nil
	}
	at := ""
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		next := child(s, tok)
		if next == nil {
			return nil, fmt.Errorf("the schema has no %s/%s", at, tok)
		}
		s, at = next, at+"/"+tok
	}
	return s, nil
}

func child(s *openapi3.Schema, tok string) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if p := s.Properties[tok]; p != nil && p.Value != nil {
		return p.Value
	}
	if s.Items != nil && s.Items.Value != nil {
		if _, err := strconv.Atoi(tok); err == nil || tok == "*" {
			return s.Items.Value
		}
	}
	for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range group {
			if c := child(ref.Value, tok); c != nil {
				return c
			}
		}
	}
	return nil
}
