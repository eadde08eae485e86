package contract

import (
	"fmt"
	"strings"
)

// Combine packs invalid cases of one body into as few cases as keep each
// one's change: a case joins the first combined case none of whose
// fields holds its field or sits in it (a change inside a dropped or
// retyped object would be lost), else starts one. Each combined case is
// valid with every member's field changed as that member changes it, so
// that one request breaks several constraints: a run with a request
// budget breaks each constraint once, not one request each.
func Combine(valid any, cases []Case) []Case {
	var groups [][]Case
	for _, c := range cases {
		placed := false
		for i, g := range groups {
			if !nests(g, c.Field) {
				groups[i] = append(g, c)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, []Case{c})
		}
	}
	out := make([]Case, 0, len(groups))
	for _, g := range groups {
		if len(g) == 1 {
			out = append(out, g[0])
			continue
		}
		v := valid
		names, rules := make([]string, len(g)), make([]string, len(g))
		for i, c := range g {
			if changed, ok := lookupOne(c.Value, c.Field); ok {
				v = replaceAt(v, c.Field, changed)
			} else {
				v = removeAt(v, c.Field)
			}
			names[i], rules[i] = c.Name, c.Rule
		}
		out = append(out, Case{Name: fmt.Sprintf("%d at once: %s", len(g), strings.Join(names, "; ")), Value: v,
			Field: g[0].Field, Rule: strings.Join(rules, ",")})
	}
	return out
}

// nests says whether field is one of g's fields, holds one, or sits in
// one.
func nests(g []Case, field string) bool {
	for _, c := range g {
		if c.Field == field || within(field, c.Field) || within(c.Field, field) {
			return true
		}
	}
	return false
}

// within says whether JSON pointer a points inside b.
func within(a, b string) bool { return b == "" || strings.HasPrefix(a, b+"/") }
