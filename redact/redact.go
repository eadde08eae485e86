// Package redact hides secrets in JSON bodies before anything shows them:
// the values at JSON pointers the document marks writeOnly (a request's
// passwords), or of properties by those names at any depth (an answer
// that should never have carried them). It has no dependencies, so that
// the client, which does not import kin-openapi, logs through it too.
package redact

import (
	"bytes"
	"encoding/json"
	"slices"
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
	if len(names) == 0 || len(body) == 0 {
		return body
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return body
	}
	return remarshal(body, v, named(v, names, 0))
}

func named(v any, names []string, depth int) bool {
	if depth > maxDepth {
		return false
	}
	done := false
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if slices.Contains(names, k) && c != nil {
				x[k], done = Redacted, true
				continue
			}
			done = named(c, names, depth+1) || done
		}
	case []any:
		for _, c := range x {
			done = named(c, names, depth+1) || done
		}
	}
	return done
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
