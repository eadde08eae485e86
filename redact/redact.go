// Package redact hides secrets in JSON bodies before anything shows them:
// the values at JSON pointers the document marks writeOnly (a request's
// passwords), or of properties by those names at any depth (an answer
// that should never have carried them). It has no dependencies, so that
// the client, which does not import kin-openapi, logs through it too.
package redact

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Redacted stands for a secret's value wherever traffic is shown.
const Redacted = "<redacted>"

// maxDepth bounds the walk of a hostile body.
const maxDepth = 32

// At is body with the value at each pointer (* for every item of an
// array) replaced by Redacted; a body that is not JSON, or has none of
// them, comes back as it is.
func At(body []byte, pointers []string) []byte {
	if len(pointers) == 0 || len(body) == 0 {
		return body
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return body
	}
	changed := false
	for _, ptr := range pointers {
		changed = at(v, strings.Split(strings.TrimPrefix(ptr, "/"), "/")) || changed
	}
	return remarshal(body, v, changed)
}

func at(v any, tokens []string) bool {
	if len(tokens) == 0 {
		return false
	}
	head, rest := tokens[0], tokens[1:]
	switch x := v.(type) {
	case map[string]any:
		child, ok := x[head]
		if !ok || child == nil || head == "*" {
			return false
		}
		if len(rest) == 0 {
			x[head] = Redacted
			return true
		}
		return at(child, rest)
	case []any:
		if head != "*" {
			return false
		}
		done := false
		for i, item := range x {
			switch {
			case len(rest) > 0:
				done = at(item, rest) || done
			case item != nil:
				x[i], done = Redacted, true
			}
		}
		return done
	}
	return false
}

// Named is body with the value of every property called one of names, at
// any depth, replaced by Redacted.
func Named(body []byte, names []string) []byte {
	v, ok := decodeNaming(body, names)
	if !ok {
		return body
	}
	changed := false
	visit(v, "", 0, names, func(parent map[string]any, key, _ string) {
		if parent[key] != nil {
			parent[key], changed = Redacted, true
		}
	})
	return remarshal(body, v, changed)
}

// Each calls f with the JSON pointer (indexes for array items) and the
// value of every property of body called one of names, at any depth, in
// key order.
func Each(body []byte, names []string, f func(pointer string, value any)) {
	v, ok := decodeNaming(body, names)
	if !ok {
		return
	}
	visit(v, "", 0, names, func(parent map[string]any, key, at string) { f(at, parent[key]) })
}

// decodeNaming decodes body when it may hold a property of one of names:
// one whose name it spells, or one whose name an escape could hide, so
// that the bodies of almost every exchange are not decoded at all.
func decodeNaming(body []byte, names []string) (any, bool) {
	if len(names) == 0 || len(body) == 0 {
		return nil, false
	}
	if !bytes.Contains(body, []byte(`\`)) && !slices.ContainsFunc(names, func(n string) bool { return bytes.Contains(body, []byte(`"`+n+`"`)) }) {
		return nil, false
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil, false
	}
	return v, true
}

// visit calls f for each property called one of names under v, at its
// pointer, then walks into the property's value as f left it.
func visit(v any, at string, depth int, names []string, f func(parent map[string]any, key, at string)) {
	if depth > maxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if slices.Contains(names, k) {
				f(x, k, at+"/"+k)
			}
			visit(x[k], at+"/"+k, depth+1, names, f)
		}
	case []any:
		for i, c := range x {
			visit(c, at+"/"+strconv.Itoa(i), depth+1, names, f)
		}
	}
}

func remarshal(body []byte, v any, changed bool) []byte {
	if !changed {
		return body
	}
	// Not HTML-escaped, so that Redacted reads as itself.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return body
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
