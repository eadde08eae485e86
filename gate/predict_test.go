package gate

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
		m := &model{mock: mock, conns: []*mConn{{id: "c1", bindings: []mBinding{{name: "fail_pool", status: "FAILED"}, {name: "pool_a", status: "ACTIVE"}}}}}
		unbind := func(pools ...any) prediction {
			return m.predict("DisassociateQueueFromEnhancedConnection", map[string]string{"connection_id": "c1"}, map[string]any{"elastic_resource_pools": pools})
		}
		both := unbind("contract_pool", "fail_pool")
		assert.Equal(t, refuse, both.want, "mock=%t: %s", mock, both.why)
		assert.Empty(t, both.code, "mock=%t: either reason's code", mock)

		failed := unbind("fail_pool")
		assert.Equal(t, refusal("DLI.0007", "fail_pool's binding FAILED"), failed)

		notBound := unbind("contract_pool")
		if mock {
			assert.Equal(t, "DLI.0001", notBound.code, "docs/mock.md")
			assert.Equal(t, refuse, notBound.want)
		} else {
			assert.Equal(t, either, notBound.want, "not documented")
		}
		ok := unbind("pool_a")
		assert.Equal(t, accept, ok.want)
		assert.NotNil(t, ok.apply)
	}
	// A fail_ binding still CREATING may have failed by the time the
	// server looks: beside a name that is not bound, either code.
	m := &model{mock: true, conns: []*mConn{{id: "c1", bindings: []mBinding{{name: "fail_pool", status: "CREATING"}}}}}
	p := m.predict("DisassociateQueueFromEnhancedConnection", map[string]string{"connection_id": "c1"},
		map[string]any{"elastic_resource_pools": []any{"pool_b", "fail_pool"}})
	assert.Equal(t, refuse, p.want, p.why)
	assert.Empty(t, p.code, "pool_b is not bound (DLI.0001) or fail_pool failed (DLI.0007): %s", p.why)
	alone := m.predict("DisassociateQueueFromEnhancedConnection", map[string]string{"connection_id": "c1"},
		map[string]any{"elastic_resource_pools": []any{"fail_pool"}})
	assert.Equal(t, either, alone.want, alone.why)
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
		m := &model{mock: mock, sem: sem}
		at := map[string]string{"connection_id": "k1"}
		create := m.predict("CreateDatasourceConnection", nil, map[string]any{"name": "c1", "service": "RDS"})
		require.Equal(t, accept, create.want)
		create.apply(map[string]any{"connection_id": "k1", "is_success": true})

		assert.Equal(t, refusal("DLI.0006", "classic connection names are unique (the document)"),
			m.predict("CreateDatasourceConnection", nil, map[string]any{"name": "c1"}))
		assert.Equal(t, accept, m.predict("ShowDatasourceConnection", at, nil).want)
		assert.Equal(t, refusal("DLI.0002", "the classic connection does not exist"),
			m.predict("ShowDatasourceConnection", map[string]string{"connection_id": "k2"}, nil))

		del := m.predict("DeleteDatasourceConnection", at, nil)
		assert.Equal(t, either, del.want, "not yet seen, it may still be CREATING: %s", del.why)
		assert.Equal(t, map[bool]string{true: "DLI.0007", false: ""}[mock], del.code, "a code only docs/mock.md gives")

		th := m.thing("classic_connection", "k1")
		require.NotNil(t, th)
		assert.Equal(t, "c1", th.name)
		assert.Empty(t, m.seeThing(th, map[string]any{"connection_id": "k1", "name": "c1", "state": "ACTIVE"}))
		assert.Equal(t, []string{`state went from ACTIVE to "CREATING"`},
			m.seeThing(th, map[string]any{"connection_id": "k1", "name": "c1", "state": "CREATING"}))
		th.state = "ACTIVE"
		del = m.predict("DeleteDatasourceConnection", at, nil)
		require.Equal(t, accept, del.want, "ACTIVE refuses no delete")
		del.apply(nil)
		assert.Equal(t, refusal("DLI.0002", "the classic connection was deleted"), m.predict("ShowDatasourceConnection", at, nil))
		assert.Equal(t, accept, m.predict("CreateDatasourceConnection", nil, map[string]any{"name": "c1"}).want, "a deleted one's name is free")
	}
}

// An update in an old spelling (v2.0's username) may overwrite what an
// update wrote in the new one, when it leaves the new one out or sends it
// null (absent, by the document's convention): the model no longer holds
// it; a field sent beside the old spelling is still read back as sent.
func TestAnOldSpellingForgetsWhatItMayOverwrite(t *testing.T) {
	t.Parallel()
	sem := declared(t)
	m := &model{sem: sem, mock: true}
	create := m.predict("CreateJobAuthInfo", nil, map[string]any{"auth_info_name": "a1", "datasource_type": "CSS"})
	require.Equal(t, accept, create.want, create.why)
	create.apply(map[string]any{})
	update := func(id string, body map[string]any) {
		t.Helper()
		p := m.predict(id, nil, body)
		require.Equal(t, accept, p.want, p.why)
		p.apply(map[string]any{})
	}
	update("UpdateJobAuthInfo", map[string]any{"auth_info_name": "a1", "user_name": "new", "krb5_conf": "k"})
	th := m.thing("auth_info", "a1")
	require.NotNil(t, th)
	assert.Equal(t, "new", th.written["user_name"])
	for _, sent := range []map[string]any{
		{"auth_info_name": "a1", "username": "old"},
		{"auth_info_name": "a1", "username": "old", "user_name": nil},
	} {
		th.written["user_name"] = "new"
		update("UpdateAuthInfo", sent)
		assert.NotContains(t, th.written, "user_name", "after %v", sent)
		assert.Empty(t, m.seeThing(th, map[string]any{"auth_info_name": "a1", "user_name": "old"}), "after %v", sent)
	}
	update("UpdateAuthInfo", map[string]any{"auth_info_name": "a1", "username": "old", "krb5_conf": "k2"})
	assert.Equal(t, []string{`krb5_conf is "k3", want "k2" as written`},
		m.seeThing(th, map[string]any{"auth_info_name": "a1", "krb5_conf": "k3"}))
}

// What an update writes is read back as written; a read that differs is
// found out, field by field.
func TestTheGenericModelReadsBackWhatWasWritten(t *testing.T) {
	t.Parallel()
	m := &model{sem: declared(t)}
	th := &mThing{kind: "classic_connection", key: "k1", name: "c1", written: map[string]any{"hosts": []any{"a"}}, fields: map[string]any{}}
	assert.Empty(t, m.seeThing(th, map[string]any{"connection_id": "k1", "name": "c1", "hosts": []any{"a"}, "state": "CREATING"}))
	assert.Equal(t, []string{`name is "c2", want "c1"`, `hosts is ["b"], want ["a"] as written`},
		m.seeThing(th, map[string]any{"connection_id": "k1", "name": "c2", "hosts": []any{"b"}, "state": "CREATING"}))
}
