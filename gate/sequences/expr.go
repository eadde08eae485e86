package sequences

import (
	"regexp"
	"slices"
	"strings"
)

// overlay fills a generated body with a link's request body template:
// where the template holds a runtime expression, its value replaces the
// generated one (a template of one array item speaks for every item);
// the template's other values are only examples, and the drawn ones stay.
func (r *seqRun) overlay(body any, a action, tmpl any, byExpr map[string]string) any {
	return fillExpr(body, tmpl, func(s string) string {
		for _, m := range embedded.FindAllStringSubmatch(s, -1) {
			v, ok := byExpr[m[1]]
			if !ok {
				if v, ok = r.resolve(a, m[1], byExpr); !ok {
					r.t.Skip("nothing to follow the link from")
				}
				byExpr[m[1]] = v
			}
			s = strings.ReplaceAll(s, m[0], v)
		}
		return s
	})
}

// embedded finds the runtime expressions embedded in a link's template.
var embedded = regexp.MustCompile(`\{(\$[^}]+)\}`)

func fillExpr(v, tmpl any, fill func(string) string) any {
	switch tm := tmpl.(type) {
	case string:
		if strings.Contains(tm, "{$") {
			return fill(tm)
		}
		return v
	case map[string]any:
		obj, _ := v.(map[string]any)
		if obj == nil {
			obj = map[string]any{}
		}
		for k, e := range tm {
			if hasExpr(e) {
				obj[k] = fillExpr(obj[k], e, fill)
			}
		}
		return obj
	case []any:
		arr, _ := v.([]any)
		if len(tm) == 0 {
			return v
		}
		if len(arr) == 0 {
			arr = []any{nil}
		}
		for i := range arr {
			arr[i] = fillExpr(arr[i], tm[min(i, len(tm)-1)], fill)
		}
		return arr
	}
	return v
}

func hasExpr(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "{$")
	case []any:
		return slices.ContainsFunc(x, hasExpr)
	case map[string]any:
		for _, e := range x {
			if hasExpr(e) {
				return true
			}
		}
	}
	return false
}
