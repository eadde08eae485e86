package sequences

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A link's template says where in a drawn body the answers so far go: a
// string holding a runtime expression is filled, wherever it sits in
// objects and arrays; what holds none is left as drawn.
func TestALinksTemplateFillsTheDrawnBody(t *testing.T) {
	t.Parallel()
	fill := func(s string) string {
		for _, m := range embedded.FindAllStringSubmatch(s, -1) {
			s = strings.ReplaceAll(s, m[0], "<"+m[1]+">")
		}
		return s
	}
	for _, c := range []struct {
		name       string
		drawn, tpl any
		want       any
	}{
		{"a whole value", "drawn", "{$response.body#/connection_id}", "<$response.body#/connection_id>"},
		{"embedded in text", "drawn", "edsconnections.{$response.body#/id}", "edsconnections.<$response.body#/id>"},
		{"no expression: as drawn", "drawn", "literal", "drawn"},
		{"a property of an object, the rest as drawn",
			map[string]any{"name": "n", "queue": "q"},
			map[string]any{"queue": "{$request.path.queue}", "name": "literal"},
			map[string]any{"name": "n", "queue": "<$request.path.queue>"}},
		{"an object drawn as null",
			nil, map[string]any{"id": "{$response.body#/id}"},
			map[string]any{"id": "<$response.body#/id>"}},
		{"each item of an array, from the template's items in turn",
			[]any{"a", "b", "c"}, []any{"{$x}", "{$y}"},
			[]any{"<$x>", "<$y>", "<$y>"}},
		{"an empty array drawn: one item to fill",
			[]any{}, []any{map[string]any{"object": "{$o}"}},
			[]any{map[string]any{"object": "<$o>"}}},
		{"an empty template array: as drawn", []any{"a"}, []any{}, []any{"a"}},
	} {
		assert.Equal(t, c.want, fillExpr(c.drawn, c.tpl, fill), c.name)
	}
}

func TestWhetherATemplateHoldsAnExpression(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want bool
	}{
		{"{$response.body#/id}", true},
		{"$response.body#/id", false},
		{"plain", false},
		{[]any{"a", map[string]any{"b": "{$x}"}}, true},
		{map[string]any{"a": []any{"b"}}, false},
		{42, false},
		{nil, false},
	} {
		assert.Equal(t, c.want, hasExpr(c.v), "%v", c.v)
	}
}
