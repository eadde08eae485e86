package env

// A body with every property: with a budget, the invalid requests break
// each constraint once, and the document's examples leave optional
// properties out, so that those are derived from a body that has them.

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Complete is v with every property its schema declares and v lacks (or
// holds as null) added with a value of the property's schema, the first
// item of each array completed alike, and an empty array given its
// least items. v is not changed.
func Complete(s *openapi3.Schema, v any) any {
	if s == nil {
		return v
	}
	switch {
	case s.Type.Is("object"):
		obj, ok := v.(map[string]any)
		if !ok && v != nil {
			return v
		}
		out := maps.Clone(obj)
		if out == nil {
			out = map[string]any{}
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if p := s.Properties[name]; p != nil && p.Value != nil {
				out[name] = Complete(p.Value, out[name])
			}
		}
		return out
	case s.Type.Is("array"):
		arr, ok := v.([]any)
		if !ok && v != nil || s.Items == nil || s.Items.Value == nil {
			return v
		}
		out := slices.Clone(arr)
		if len(out) == 0 {
			out = append(out, Complete(s.Items.Value, nil))
			for uint64(len(out)) < s.MinItems {
				out = append(out, out[0])
			}
			return out
		}
		out[0] = Complete(s.Items.Value, out[0])
		return out
	}
	if v != nil {
		return v
	}
	return Sample(s)
}

// Sample is a value of a scalar schema: its enum's first, the shortest
// string of its pattern within its lengths, its least number.
func Sample(s *openapi3.Schema) any {
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is("string"):
		minLen, maxLen := Capped(s.MinLength, 64), 16
		if s.MaxLength != nil {
			maxLen = Capped(*s.MaxLength, 16)
		}
		maxLen = max(maxLen, minLen)
		switch {
		case s.Format == "uuid":
			return "00000000-0000-4000-8000-000000000000"
		case s.Pattern != "":
			if vals := Samples(s.Pattern, minLen, maxLen); len(vals) > 0 {
				return vals[0]
			}
		}
		return strings.Repeat("a", max(minLen, 1))
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return *s.Min
		}
		if s.Max != nil && *s.Max < 0 {
			return *s.Max
		}
		return 0.0
	case s.Type.Is("boolean"):
		return true
	}
	return nil
}
