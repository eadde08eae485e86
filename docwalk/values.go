package docwalk

import (
	"maps"
	"slices"
	"strconv"
)

// At is what a JSON pointer (no * tokens) reaches in v.
func At(v any, ptr string) (any, bool) {
	ms := Starred(v, ptr)
	if len(ms) != 1 || !ms[0].Found {
		return nil, false
	}
	return ms[0].Value, true
}

// Only is v with nothing but what leads to ptr: the objects and arrays on
// the way, and the value there (null where ptr reaches nothing).
func Only(v any, ptr string) any {
	if ptr == "" {
		return v
	}
	var only func(v any, toks []string) any
	only = func(v any, toks []string) any {
		if len(toks) == 0 {
			return v
		}
		child, ok := Child(v, toks[0])
		if !ok {
			return nil
		}
		if _, isArray := v.([]any); isArray {
			return []any{only(child, toks[1:])}
		}
		return map[string]any{toks[0]: only(child, toks[1:])}
	}
	return only(v, Tokens(ptr))
}

// Set is v with what ptr reaches set to to, copied along the way; v as it
// is where ptr reaches nothing. v is not changed.
func Set(v any, ptr string, to any) any {
	if ptr == "" {
		return to
	}
	var set func(v any, toks []string) any
	set = func(v any, toks []string) any {
		if len(toks) == 0 {
			return to
		}
		child, ok := Child(v, toks[0])
		if !ok {
			return v
		}
		switch x := v.(type) {
		case map[string]any:
			out := maps.Clone(x)
			out[toks[0]] = set(child, toks[1:])
			return out
		case []any:
			i, _ := strconv.Atoi(toks[0]) // Child read it as an index
			out := slices.Clone(x)
			out[i] = set(child, toks[1:])
			return out
		}
		return v
	}
	return set(v, Tokens(ptr))
}

// Drop removes, in place, the object members a JSON pointer whose *
// tokens stand for every item of an array names in v.
func Drop(v any, ptr string) {
	var drop func(v any, toks []string)
	drop = func(v any, toks []string) {
		switch x := v.(type) {
		case map[string]any:
			if len(toks) == 1 {
				delete(x, toks[0])
				return
			}
			drop(x[toks[0]], toks[1:])
		case []any:
			if toks[0] == "*" && len(toks) > 1 {
				for _, it := range x {
					drop(it, toks[1:])
				}
			}
		}
	}
	if ptr != "" {
		drop(v, Tokens(ptr))
	}
}
