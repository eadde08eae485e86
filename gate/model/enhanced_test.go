package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The Go model of an enhanced connection, call by call: what it expects
// of each, and what an accepted one changes. Against a dli-mock it holds
// the server to docs/mock.md's refusals too; against another server, to
// the document alone, where a name used twice may go either way.
func TestTheModelOfAnEnhancedConnection(t *testing.T) {
	t.Parallel()
	for _, mock := range []bool{true, false} {
		m := &Model{Mock: mock, Sem: declared(t)}
		create := map[string]any{"name": "c1", "dest_vpc_id": "v", "dest_network_id": "n", "queues": []any{"q1"},
			"tags": []any{map[string]any{"key": "team", "value": "a"}}}
		p := m.Predict("CreateEnhancedConnection", nil, create)
		if assert.Equal(t, Accept, p.Want, p.Why) && assert.NotNil(t, p.Apply) {
			p.Apply(map[string]any{"connection_id": "id-1"})
		}
		c := m.Conn("id-1")
		if !assert.NotNil(t, c, "an accepted create is held under the id its answer gives") {
			continue
		}
		assert.True(t, m.ConnTagged(c, "team=a"), "a create's tags are its first")
		assert.NotNil(t, c.BindingOf("q1", true), "a queue of the create is bound")

		again := m.Predict("CreateEnhancedConnection", nil, create)
		twice := m.Predict("CreateEnhancedConnection", nil, map[string]any{"name": "c2", "queues": []any{"q"}, "elastic_resource_pools": []any{"q"}})
		if mock {
			assert.Equal(t, Prediction{Want: Refuse, Code: "DLI.0006"}, Prediction{Want: again.Want, Code: again.Code}, "docs/mock.md: a name in use")
			assert.Equal(t, "DLI.0001", twice.Code, "docs/mock.md: a queue named twice")
		} else {
			assert.Equal(t, Either, again.Want, "the document does not say whether an enhanced name is unique")
			assert.Equal(t, Either, twice.Want)
		}

		unknown := m.Predict("ShowEnhancedConnection", map[string]string{"connection_id": "nope"}, nil)
		assert.Equal(t, Prediction{Want: Refuse, Code: "DLI.0001"}, Prediction{Want: unknown.Want, Code: unknown.Code})

		del := m.Predict("DeleteEnhancedConnection", map[string]string{"connection_id": "id-1"}, nil)
		if assert.Equal(t, Accept, del.Want) {
			del.Apply(nil)
		}
		assert.True(t, c.Deleted)
		shown := m.Predict("ShowEnhancedConnection", map[string]string{"connection_id": "id-1"}, nil)
		assert.Equal(t, Accept, shown.Want, "a deleted connection is still shown")
		update := m.Predict("UpdateEnhancedConnection", map[string]string{"connection_id": "id-1"}, map[string]any{"hosts": []any{}})
		assert.Equal(t, Refuse, update.Want, "a deleted connection refuses changes")
		assert.Nil(t, m.LiveNamed("c1"), "its name is free again")
	}
}
