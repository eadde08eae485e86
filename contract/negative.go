package contract

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/validate"
)

// Case is a value derived from a valid one by breaking, or exactly meeting,
// one rule of its schema. Valid cases sit on a boundary (a string at its
// maxLength) and must be accepted; the others must be rejected with a
// problem at Field for Rule.
type Case struct {
	Name  string
	Value any    // the whole body, decoded JSON
	Field string // JSON pointer of the value changed
	Rule  string // schema keyword expected to fail ("" when Valid)
	Valid bool
}

// Derive builds the cases of schema from valid, a decoded JSON value that
// matches it (usually an example of the document). Nothing is listed by
// hand: each required property is dropped, each property gets a value of
// the wrong JSON type, strings are taken to their length limits and past
// them, patterns, enums and numeric bounds are broken. Objects and the
// first item of arrays are walked recursively.
func Derive(schema *openapi3.Schema, valid any) []Case {
	var out []Case
	derive(schema, valid, "", func(ptr, name, rule string, v any, ok bool) {
		out = append(out, Case{Name: name, Value: replaceAt(valid, ptr, v), Field: ptr, Rule: rule, Valid: ok})
	}, func(ptr, name string) {
		out = append(out, Case{Name: name, Value: removeAt(valid, ptr), Field: ptr, Rule: "required"})
	})
	return out
}

type emitFn func(ptr, name, rule string, v any, valid bool)

func derive(s *openapi3.Schema, v any, ptr string, emit emitFn, drop func(ptr, name string)) {
	if s == nil {
		return
	}
	at := ptr
	if at == "" {
		at = "the body"
	}
	if ptr != "" || !s.Type.Is("object") {
		if wrong, typ := wrongType(s); typ != "" {
			rule := "type"
			if len(s.Enum) > 0 {
				// A value outside an enum fails membership first,
				// whatever its type.
				rule = "enum"
			}
			emit(ptr, fmt.Sprintf("%s as %s", at, typ), rule, wrong, false)
		}
	} else {
		emit(ptr, "an array in place of the body", "type", []any{v}, false)
	}
	switch {
	case s.Type.Is("object"):
		obj, _ := v.(map[string]any)
		if s.MinProps > 0 && s.MinProps <= 1 {
			emit(ptr, fmt.Sprintf("%s without any member (minProperties %d)", at, s.MinProps), "minProperties", map[string]any{}, false)
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			child, present := obj[name]
			cptr := ptr + "/" + validate.PointerToken(name)
			if !present {
				continue
			}
			if slices.Contains(s.Required, name) {
				drop(cptr, "without required "+cptr)
			}
			derive(s.Properties[name].Value, child, cptr, emit, drop)
		}
	case s.Type.Is("array"):
		arr, _ := v.([]any)
		if s.MinItems > 0 && s.MinItems < maxItemsBuilt && (s.MinItems == 1 || len(arr) > 0) {
			short := make([]any, 0, s.MinItems-1)
			for range s.MinItems - 1 {
				short = append(short, arr[0])
			}
			emit(ptr, fmt.Sprintf("%s with %d items, below minItems", at, s.MinItems-1), "minItems", short, false)
		}
		if s.MaxItems != nil && len(arr) > 0 && *s.MaxItems < maxItemsBuilt {
			n := int(*s.MaxItems) + 1
			emit(ptr, fmt.Sprintf("%s with %d items, above maxItems", at, n), "maxItems", slices.Repeat(arr[:1], n), false)
		}
		if len(arr) > 0 && s.Items != nil {
			derive(s.Items.Value, arr[0], ptr+"/0", emit, drop)
		}
	case s.Type.Is("string"):
		deriveString(s, v, ptr, emit)
	case s.Type.Is("number"), s.Type.Is("integer"):
		if s.Min != nil {
			emit(ptr, fmt.Sprintf("%s below its minimum", ptr), "minimum", *s.Min-1, false)
		}
		if s.Max != nil {
			emit(ptr, fmt.Sprintf("%s above its maximum", ptr), "maximum", *s.Max+1, false)
		}
	}
}

// maxBuilt bounds the strings Derive builds at length limits, and
// maxItemsBuilt the arrays: 20 001 host entries still fit the 1 MiB a
// server takes.
const (
	maxBuilt      = 1 << 20
	maxItemsBuilt = 1 << 15
)

func deriveString(s *openapi3.Schema, v any, ptr string, emit emitFn) {
	str, _ := v.(string)
	fill := "a"
	if str != "" {
		fill = str[:1]
	}
	// Limits beyond maxBuilt are not worth building strings for.
	if s.MaxLength != nil && *s.MaxLength < maxBuilt {
		n := int(*s.MaxLength)
		emit(ptr, fmt.Sprintf("%s at its maxLength %d", ptr, n), "", strings.Repeat(fill, n), true)
		emit(ptr, fmt.Sprintf("%s at maxLength+1 (%d)", ptr, n+1), "maxLength", strings.Repeat(fill, n+1), false)
	}
	if s.MinLength > 0 && s.MinLength < maxBuilt {
		n := int(s.MinLength)
		emit(ptr, fmt.Sprintf("%s at minLength-1 (%d)", ptr, n-1), "minLength", strings.Repeat(fill, n-1), false)
	}
	if s.Pattern != "" {
		if bad, ok := patternViolation(s); ok {
			emit(ptr, fmt.Sprintf("%s breaking its pattern with %q", ptr, bad), "pattern", bad, false)
		}
	}
	if len(s.Enum) > 0 {
		emit(ptr, ptr+" outside its enum", "enum", "NOT_A_MEMBER", false)
	}
}

// patternViolation finds a string within the length limits that the
// pattern rejects, so that only the pattern rule fails.
func patternViolation(s *openapi3.Schema) (string, bool) {
	for _, c := range []string{"a b", "a!", "a#b", " a", "a/b", "<a>", "a\tb"} {
		if uint64(len(c)) < s.MinLength || (s.MaxLength != nil && uint64(len(c)) > *s.MaxLength) {
			continue
		}
		if err := s.VisitJSON(c); err != nil {
			return c, true
		}
	}
	return "", false
}

// wrongType returns a value of a JSON type the schema does not allow.
func wrongType(s *openapi3.Schema) (any, string) {
	switch {
	case s.Type.Is("string"):
		return 12345, "a number"
	case s.Type.Is("integer"), s.Type.Is("number"):
		return "12", "a string"
	case s.Type.Is("boolean"):
		return "true", "a string"
	case s.Type.Is("array"):
		return map[string]any{}, "an object"
	case s.Type.Is("object"):
		return []any{}, "an array"
	}
	return nil, ""
}

// replaceAt returns a deep copy of doc with the value at ptr replaced.
func replaceAt(doc any, ptr string, v any) any {
	if ptr == "" {
		return v
	}
	return edit(deepCopy(doc), tokens(ptr), func(parent any, key string) {
		switch p := parent.(type) {
		case map[string]any:
			p[key] = v
		case []any:
			var i int
			_, _ = fmt.Sscan(key, &i)
			p[i] = v
		}
	})
}

// removeAt returns a deep copy of doc without the object member at ptr.
func removeAt(doc any, ptr string) any {
	return edit(deepCopy(doc), tokens(ptr), func(parent any, key string) {
		if p, ok := parent.(map[string]any); ok {
			delete(p, key)
		}
	})
}

func edit(root any, toks []string, apply func(parent any, key string)) any {
	cur := root
	for _, t := range toks[:len(toks)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[t]
		case []any:
			var i int
			_, _ = fmt.Sscan(t, &i)
			cur = c[i]
		}
	}
	apply(cur, toks[len(toks)-1])
	return root
}

func tokens(ptr string) []string {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
	}
	return parts
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}
