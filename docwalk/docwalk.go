// Package docwalk walks, in one way, what the suite (contract), the gate
// and the validator all walk: a document's operations, in a fixed order,
// and a decoded JSON value by a pointer whose * stands for every item of
// an array.
package docwalk

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Op is one operation of a document with where it sits.
type Op struct {
	Path, Method string
	Item         *openapi3.PathItem
	Op           *openapi3.Operation
}

// Operations lists the operations of doc in kin-openapi's matching order
// of paths, methods sorted, so that every walker meets them alike.
func Operations(doc *openapi3.T) []Op {
	var out []Op
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			out = append(out, Op{Path: path, Method: method, Item: item, Op: ops[method]})
		}
	}
	return out
}

// Match is what a pointer reached: Found says whether a value is there,
// at Pointer (the * tokens replaced by indexes).
type Match struct {
	Pointer string
	Value   any
	Found   bool
}

// Starred resolves a JSON pointer (RFC 6901) whose * tokens stand for
// every item of an array: one match per item reached. A * over an array
// that is empty or null reaches nothing; a token that is absent, one
// match not Found, where it is missing. "" and "/" name the whole value.
func Starred(doc any, ptr string) []Match {
	if ptr == "" || ptr == "/" {
		return []Match{{Value: doc, Found: true}}
	}
	var walk func(v any, at string, rest []string) []Match
	walk = func(v any, at string, rest []string) []Match {
		if len(rest) == 0 {
			return []Match{{Pointer: at, Value: v, Found: true}}
		}
		t := rest[0]
		if t == "*" {
			arr, _ := v.([]any)
			var out []Match
			for i, item := range arr {
				out = append(out, walk(item, at+"/"+strconv.Itoa(i), rest[1:])...)
			}
			return out
		}
		next, ok := Child(v, t)
		if !ok {
			return []Match{{Pointer: at + "/" + t}}
		}
		return walk(next, at+"/"+t, rest[1:])
	}
	return walk(doc, "", Tokens(ptr))
}

// Tokens are a JSON pointer's reference tokens, unescaped.
func Tokens(ptr string) []string {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
	}
	return parts
}

// Child is what one unescaped reference token reaches in v: an object's
// member, or an array's item by index.
func Child(v any, tok string) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		c, ok := x[tok]
		return c, ok
	case []any:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(x) {
			return nil, false
		}
		return x[i], true
	}
	return nil, false
}

// RequestSchema is the JSON schema of op's request body, or nil.
func RequestSchema(op *openapi3.Operation) *openapi3.Schema {
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// maxSchemaDepth bounds Schema's walk of a recursive schema.
const maxSchemaDepth = 8

// Schema calls f with s and each schema under it, properties in name
// order, at its JSON pointer ("" for s, * for the items of an array), to
// a bounded depth.
func Schema(s *openapi3.Schema, f func(ptr string, s *openapi3.Schema)) {
	var walk func(s *openapi3.Schema, at string, depth int)
	walk = func(s *openapi3.Schema, at string, depth int) {
		if s == nil || depth > maxSchemaDepth {
			return
		}
		f(at, s)
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			walk(s.Properties[name].Value, at+"/"+name, depth+1)
		}
		if s.Items != nil {
			walk(s.Items.Value, at+"/*", depth+1)
		}
	}
	walk(s, "", 0)
}
