package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/semantics"
)

func tagItems(kv ...string) []any {
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, map[string]any{"key": kv[i], "value": kv[i+1]})
	}
	return out
}

// A connection's tags, by their declarations alone: the create's are its
// first, a batch adds and deletes one per item, a key added again is
// overwritten by a dli-mock and unsure of another server, a delete naming
// a value is held only against a dli-mock, and 20 is a dli-mock's most.
func TestTheModelOfAConnectionsTags(t *testing.T) {
	t.Parallel()
	sem := declared(t)
	// The operations, by what their declarations say they do: the gate
	// names none of them.
	tag := sem.Resources[sem.TagKind("enhanced_connection")]
	require.NotNil(t, tag)
	addTags, delTags := tag.Op(semantics.Create).ID, tag.Op(semantics.Delete).ID
	var showTags, countByTags string
	for _, id := range sem.Order {
		switch op := sem.Of(id); {
		case op.Resource == tag.Kind && op.Role == semantics.List && op.ParentExpr != nil:
			showTags = id
		case op.Role == semantics.Count && op.ByTags != nil:
			countByTags = id
		}
	}
	for _, mock := range []bool{true, false} {
		m := &Model{Mock: mock, Sem: sem}
		p := m.Predict("CreateEnhancedConnection", nil, map[string]any{"name": "c1", "dest_vpc_id": "v", "dest_network_id": "n",
			"tags": tagItems("team", "a")})
		require.Equal(t, Accept, p.Want, p.Why)
		p.Apply(map[string]any{"connection_id": "id-1"})
		c := m.Conn("id-1")
		require.NotNil(t, c)
		path := map[string]string{"resource_id": "id-1"}
		tags := func() ([]Tag, bool) { return m.ConnTags(c) }

		add := m.Predict(addTags, path, map[string]any{"tags": tagItems("env", "prod", "team", "b")})
		require.Equal(t, Accept, add.Want, add.Why)
		add.Apply(nil)
		got, sure := tags()
		if mock {
			assert.True(t, sure)
			assert.ElementsMatch(t, []Tag{{"team", "b"}, {"env", "prod"}}, got, "a dli-mock overwrites a key there")
		} else {
			assert.False(t, sure, "what another server does with a key there, no source says")
			assert.Equal(t, []Tag{{"env", "prod"}}, got, "the tags the model is sure of")
		}

		twice := m.Predict(addTags, path, map[string]any{"tags": tagItems("x", "1", "x", "2")})
		assert.Equal(t, Refuse, twice.Want, "each key once in a call (dli_02_0396)")
		unknown := m.Predict(addTags, map[string]string{"resource_id": "nope"}, map[string]any{"tags": tagItems("x", "1")})
		assert.Equal(t, Refuse, unknown.Want, "a connection that does not exist")
		assert.Equal(t, "DLI.0001", unknown.Code, "as its kind declares an unknown one")

		var many []any
		for i := range 19 {
			many = append(many, map[string]any{"key": string(rune('a' + i)), "value": "v"})
		}
		over := m.Predict(addTags, path, map[string]any{"tags": many})
		if mock {
			assert.Equal(t, Prediction{Want: Refuse, Code: "DLI.0009"}, Prediction{Want: over.Want, Code: over.Code}, "2 and 19 is over a dli-mock's 20")
		} else {
			assert.Equal(t, Either, over.Want, "20 a connection is the document's choice")
		}
		within := m.Predict(addTags, path, map[string]any{"tags": many[:18]})
		assert.Equal(t, Accept, within.Want, "2 and 18 is 20")

		del := m.Predict(delTags, path, map[string]any{"tags": []any{
			map[string]any{"key": "env", "value": "other"}, map[string]any{"key": "nope"}}})
		require.Equal(t, Accept, del.Want, "a key not there is no error")
		del.Apply(nil)
		env := m.liveChild(tag.Kind, "id-1", "env")
		require.NotNil(t, env)
		if mock {
			assert.False(t, env.Unsure, "another value leaves the tag (a dli-mock)")
		} else {
			assert.True(t, env.Unsure, "what another server does with a value, no source says")
		}
		del = m.Predict(delTags, path, map[string]any{"tags": []any{map[string]any{"key": "env"}}})
		del.Apply(nil)
		assert.Nil(t, m.liveChild(tag.Kind, "id-1", "env"), "a key alone deletes it, whatever its value")
		if mock {
			del = m.Predict(delTags, path, map[string]any{"tags": []any{map[string]any{"key": "team", "value": ""}}})
			del.Apply(nil)
			assert.Nil(t, m.liveChild(tag.Kind, "id-1", "team"), `"" is any value, as the SDK sends an unset one`)
		}

		gone := m.Predict("DeleteEnhancedConnection", map[string]string{"connection_id": "id-1"}, nil)
		gone.Apply(nil)
		assert.Equal(t, Refuse, m.Predict(addTags, path, map[string]any{"tags": tagItems("x", "1")}).Want,
			"a deleted connection's tags do not change")
		shown := m.Predict(showTags, path, nil)
		if mock {
			assert.Equal(t, Accept, shown.Want, "a deleted connection's tags are still shown (the document's choice)")
		} else {
			assert.Equal(t, Either, shown.Want)
		}
		assert.Equal(t, Accept, m.Predict(countByTags, nil, map[string]any{}).Want)
	}
}

func TestSelections(t *testing.T) {
	t.Parallel()
	tags := []Tag{{"team", "a"}, {"env", "prod"}}
	for _, tc := range []struct {
		s    Selection
		want bool
	}{
		{Selection{Tags: map[string][]string{"team": {"a", "b"}}}, true},
		{Selection{Tags: map[string][]string{"team": nil}}, true},
		{Selection{Tags: map[string][]string{"team": {"a"}, "env": {"dev"}}}, false},
		{Selection{Tags: map[string][]string{"owner": nil}}, false},
		{Selection{Without: true}, false},
		{Selection{}, true},
		{Selection{Prefix: "orders"}, true},
		{Selection{Prefix: "orders_", Tags: map[string][]string{"team": nil}}, true},
		{Selection{Prefix: "order_"}, false},
		{Selection{Prefix: "orders_db_2"}, false},
	} {
		assert.Equal(t, tc.want, tc.s.Keeps("orders_db", tags), "%+v", tc.s)
	}
	assert.True(t, Selection{Without: true}.Keeps("x", nil))
	assert.False(t, Selection{Without: true, Prefix: "y"}.Keeps("x", nil))

	sel := &semantics.ByTags{Kind: "tag", Tags: "tags", Without: "without_any_tag", Names: "matches"}
	s := Selection{Tags: map[string][]string{"team": {"a"}, "env": nil}, Prefix: "orders"}
	s.Build(sel, "resource_name")
	assert.JSONEq(t, `{"tags":[{"key":"env","values":[]},{"key":"team","values":["a"]}],"matches":[{"key":"resource_name","value":"orders"}]}`, string(env.Marshal(s.Body)))
	s = Selection{Without: true}
	s.Build(sel, "resource_name")
	assert.JSONEq(t, `{"without_any_tag":true}`, string(env.Marshal(s.Body)))
	s = Selection{Prefix: "orders"}
	s.Build(sel, "resource_name")
	assert.JSONEq(t, `{"matches":[{"key":"resource_name","value":"orders"}]}`, string(env.Marshal(s.Body)), "no tags, no tags property")
	assert.True(t, SameTags([]Tag{{"a", "1"}, {"b", "2"}}, []Tag{{"b", "2"}, {"a", "1"}}))
	assert.False(t, SameTags([]Tag{{"a", "1"}, {"a", "1"}}, []Tag{{"a", "1"}}))
	assert.Equal(t, []Tag{{"k", "v"}}, ListedTags([]any{map[string]any{"key": "k", "value": "v"}, "junk"}))
}
