package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gen/spec"
	"github.com/dli-contract/dli-go/semantics"
)

// An unbind of two names that each cannot be unbound, for reasons with
// different codes, is refused; the document does not say which reason a
// server names, so either code will do. One reason keeps its code.
func TestPredictUnbindForSeveralReasons(t *testing.T) {
	t.Parallel()
	for _, mock := range []bool{true, false} {
		m := &Model{Mock: mock, Conns: []*Conn{{ID: "c1", Bindings: []Binding{{Name: "fail_pool", Status: "FAILED"}, {Name: "pool_a", Status: "ACTIVE"}}}}}
		unbind := func(pools ...any) Prediction {
			return m.Predict("DisassociateQueueFromEnhancedConnection", map[string]string{"connection_id": "c1"}, map[string]any{"elastic_resource_pools": pools})
		}
		both := unbind("contract_pool", "fail_pool")
		assert.Equal(t, Refuse, both.Want, "mock=%t: %s", mock, both.Why)
		assert.Empty(t, both.Code, "mock=%t: Either reason's code", mock)

		failed := unbind("fail_pool")
		assert.Equal(t, Refusal("DLI.0007", "fail_pool's binding FAILED"), failed)

		notBound := unbind("contract_pool")
		if mock {
			assert.Equal(t, "DLI.0001", notBound.Code, "docs/mock.md")
			assert.Equal(t, Refuse, notBound.Want)
		} else {
			assert.Equal(t, Either, notBound.Want, "not documented")
		}
		ok := unbind("pool_a")
		assert.Equal(t, Accept, ok.Want)
		assert.NotNil(t, ok.Apply)
	}
	// A fail_ binding still CREATING may have failed by the time the
	// server looks: beside a name that is not bound, either code.
	m := &Model{Mock: true, Conns: []*Conn{{ID: "c1", Bindings: []Binding{{Name: "fail_pool", Status: "CREATING"}}}}}
	p := m.Predict("DisassociateQueueFromEnhancedConnection", map[string]string{"connection_id": "c1"},
		map[string]any{"elastic_resource_pools": []any{"pool_b", "fail_pool"}})
	assert.Equal(t, Refuse, p.Want, p.Why)
	assert.Empty(t, p.Code, "pool_b is not bound (DLI.0001) or fail_pool failed (DLI.0007): %s", p.Why)
	alone := m.Predict("DisassociateQueueFromEnhancedConnection", map[string]string{"connection_id": "c1"},
		map[string]any{"elastic_resource_pools": []any{"fail_pool"}})
	assert.Equal(t, Either, alone.Want, alone.Why)
}

// declared is the document's declarations, for the generic model.
func declared(t *testing.T) *semantics.Semantics {
	t.Helper()
	doc, err := spec.GetSpec()
	require.NoError(t, err)
	sem, err := semantics.Load(doc)
	require.NoError(t, err)
	return sem
}

// A classic connection is held by its declarations alone: created under
// the key its answer names, unique by name, read while it lives and
// refused as an unknown one once deleted, and a delete is left open while
// it may still be CREATING (which refuses one), held once it is ACTIVE.
func TestTheGenericModelOfAClassicConnection(t *testing.T) {
	t.Parallel()
	sem := declared(t)
	for _, mock := range []bool{true, false} {
		m := &Model{Mock: mock, Sem: sem}
		at := map[string]string{"connection_id": "k1"}
		create := m.Predict("CreateDatasourceConnection", nil, map[string]any{"name": "c1", "service": "RDS"})
		require.Equal(t, Accept, create.Want)
		create.Apply(map[string]any{"connection_id": "k1", "is_success": true})

		assert.Equal(t, Refusal("DLI.0006", "classic connection names are unique (the document)"),
			m.Predict("CreateDatasourceConnection", nil, map[string]any{"name": "c1"}))
		assert.Equal(t, Accept, m.Predict("ShowDatasourceConnection", at, nil).Want)
		assert.Equal(t, Refusal("DLI.0002", "the classic connection does not exist"),
			m.Predict("ShowDatasourceConnection", map[string]string{"connection_id": "k2"}, nil))

		del := m.Predict("DeleteDatasourceConnection", at, nil)
		assert.Equal(t, Either, del.Want, "not yet seen, it may still be CREATING: %s", del.Why)
		assert.Equal(t, map[bool]string{true: "DLI.0007", false: ""}[mock], del.Code, "a code only docs/mock.md gives")

		th := m.Thing("classic_connection", "k1")
		require.NotNil(t, th)
		assert.Equal(t, "c1", th.Name)
		assert.Empty(t, m.SeeThing(th, map[string]any{"connection_id": "k1", "name": "c1", "state": "ACTIVE"}))
		assert.Equal(t, []string{`state went from ACTIVE to "CREATING"`},
			m.SeeThing(th, map[string]any{"connection_id": "k1", "name": "c1", "state": "CREATING"}))
		th.State = "ACTIVE"
		del = m.Predict("DeleteDatasourceConnection", at, nil)
		require.Equal(t, Accept, del.Want, "ACTIVE refuses no delete")
		del.Apply(nil)
		assert.Equal(t, Refusal("DLI.0002", "the classic connection was deleted"), m.Predict("ShowDatasourceConnection", at, nil))
		assert.Equal(t, Accept, m.Predict("CreateDatasourceConnection", nil, map[string]any{"name": "c1"}).Want, "a deleted one's name is free")
	}
}

// An update in an old spelling (v2.0's username) may overwrite what an
// update wrote in the new one, when it leaves the new one out or sends it
// null (absent, by the document's convention): the model no longer holds
// it; a field sent beside the old spelling is still read back as sent.
func TestAnOldSpellingForgetsWhatItMayOverwrite(t *testing.T) {
	t.Parallel()
	sem := declared(t)
	m := &Model{Sem: sem, Mock: true}
	create := m.Predict("CreateJobAuthInfo", nil, map[string]any{"auth_info_name": "a1", "datasource_type": "CSS"})
	require.Equal(t, Accept, create.Want, create.Why)
	create.Apply(map[string]any{})
	update := func(id string, body map[string]any) {
		t.Helper()
		p := m.Predict(id, nil, body)
		require.Equal(t, Accept, p.Want, p.Why)
		p.Apply(map[string]any{})
	}
	update("UpdateJobAuthInfo", map[string]any{"auth_info_name": "a1", "user_name": "new", "krb5_conf": "k"})
	th := m.Thing("auth_info", "a1")
	require.NotNil(t, th)
	assert.Equal(t, "new", th.Written["user_name"])
	for _, sent := range []map[string]any{
		{"auth_info_name": "a1", "username": "old"},
		{"auth_info_name": "a1", "username": "old", "user_name": nil},
	} {
		th.Written["user_name"] = "new"
		update("UpdateAuthInfo", sent)
		assert.NotContains(t, th.Written, "user_name", "after %v", sent)
		assert.Empty(t, m.SeeThing(th, map[string]any{"auth_info_name": "a1", "user_name": "old"}), "after %v", sent)
	}
	update("UpdateAuthInfo", map[string]any{"auth_info_name": "a1", "username": "old", "krb5_conf": "k2"})
	assert.Equal(t, []string{`krb5_conf is "k3", want "k2" as written`},
		m.SeeThing(th, map[string]any{"auth_info_name": "a1", "krb5_conf": "k3"}))
}

// What an update writes is read back as written; a read that differs is
// found out, field by field.
func TestTheGenericModelReadsBackWhatWasWritten(t *testing.T) {
	t.Parallel()
	m := &Model{Sem: declared(t)}
	th := &Thing{Kind: "classic_connection", Key: "k1", Name: "c1", Written: map[string]any{"hosts": []any{"a"}}, Fields: map[string]any{}}
	assert.Empty(t, m.SeeThing(th, map[string]any{"connection_id": "k1", "name": "c1", "hosts": []any{"a"}, "state": "CREATING"}))
	assert.Equal(t, []string{`name is "c2", want "c1"`, `hosts is ["b"], want ["a"] as written`},
		m.SeeThing(th, map[string]any{"connection_id": "k1", "name": "c2", "hosts": []any{"b"}, "state": "CREATING"}))
}
