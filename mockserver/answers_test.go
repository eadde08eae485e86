package mockserver_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/mockserver"
)

// What each refusal says (status, DLI's error code, message) and what
// each success carries: a client branches on the code, so a refusal with
// the wrong one misleads it as much as a wrong status.

const grantee = "fedcba9876543210fedcba9876543210"

func TestRefusalsCarryTheirCodes(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	live := createRaw(t, m, `{"name":"live","dest_vpc_id":"v","dest_network_id":"n","queues":["q1"]}`)
	gone := createRaw(t, m, `{"name":"gone","dest_vpc_id":"v","dest_network_id":"n"}`)
	code, _, raw := send(t, m, http.MethodDelete, enhanced+"/"+gone, "")
	require.Equal(t, http.StatusOK, code, raw)
	unknown := "0b5c7e3a-1f2d-4c3b-9a8e-7d6c5b4a3f21"
	object := func(id string) string { return `"object":"edsconnections.` + id + `"` }
	authz, authzPath := http.MethodPut, "/v1.0/"+project+"/authorization"
	cases := []struct {
		name, method, path, body string
		code, msg                string
	}{
		{"tags that are not key=value, enhanced", http.MethodGet, enhanced + "?tags=novalue", "", apierror.CodeBadParameter, "query tags"},
		{"tags that are not key=value, classic", http.MethodGet, collection + "?tags=novalue", "", apierror.CodeBadParameter, "query tags"},
		{"a bind naming nothing", http.MethodPost, enhanced + "/" + live + "/associate-queue", `{"queues":null}`, apierror.CodeBadParameter, "name at least one"},
		{"an unbind of what is not bound", http.MethodPost, enhanced + "/" + live + "/disassociate-queue", `{"queues":["q9"]}`, apierror.CodeBadParameter, "is not bound"},
		{"a v2 route on an unknown connection", http.MethodPost, "/v2.0/" + project + "/datasource/enhanced-connections/" + unknown + "/routes",
			`{"name":"r1","cidr":"10.0.0.0/24"}`, apierror.CodeBadParameter, "is not exist"},
		{"a v2 route delete on an unknown connection", http.MethodDelete, "/v2.0/" + project + "/datasource/enhanced-connections/" + unknown + "/routes/r1",
			"", apierror.CodeBadParameter, "is not exist"},
		{"a grant without projectId", authz, authzPath, `{"action":"grant","privileges":[{` + object(live) + `,"privileges":["BIND_QUEUE"]}]}`,
			apierror.CodeBadParameter, "projectId is required"},
		{"a grant of no privilege", authz, authzPath, `{"action":"grant","projectId":"` + grantee + `","privileges":[{` + object(live) + `,"privileges":[]}]}`,
			apierror.CodeBadParameter, "names no privilege"},
		{"a revoke of no privilege", authz, authzPath, `{"action":"revoke","projectId":"` + grantee + `","privileges":[{` + object(live) + `,"privileges":null}]}`,
			apierror.CodeBadParameter, "names no privilege"},
		{"a grant on an unknown connection", authz, authzPath, `{"action":"grant","projectId":"` + grantee + `","privileges":[{` + object(unknown) + `,"privileges":["BIND_QUEUE"]}]}`,
			apierror.CodeBadParameter, "is not exist"},
		{"a grant on a deleted connection", authz, authzPath, `{"action":"grant","projectId":"` + grantee + `","privileges":[{` + object(gone) + `,"privileges":["BIND_QUEUE"]}]}`,
			apierror.CodeBadParameter, "has been deleted"},
	}
	for _, tc := range cases {
		code, out, raw := send(t, m, tc.method, tc.path, tc.body)
		assert.Equal(t, http.StatusBadRequest, code, "%s: %s", tc.name, raw)
		assert.Equal(t, tc.code, out["error_code"], tc.name)
		assert.Contains(t, out["error_msg"], tc.msg, tc.name)
	}
	c := m.State().Projects[project].Enhanced[0]
	assert.Len(t, c.Queues, 1, "the refused bind and unbind left the queue bound")
	assert.Empty(t, c.Privileges, "the refused grants granted nothing")
}

// update with no privilege revokes everything: unlike grant and revoke,
// it is accepted.
func TestAuthorizationUpdateToNothing(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"granted","dest_vpc_id":"v","dest_network_id":"n"}`)
	path := "/v1.0/" + project + "/authorization"
	body := func(action, privs string) string {
		return `{"action":"` + action + `","projectId":"` + grantee + `","privileges":[{"object":"edsconnections.` + id + `","privileges":[` + privs + `]}]}`
	}
	code, out, raw := send(t, m, http.MethodPut, path, body("grant", `"BIND_QUEUE"`))
	require.Equal(t, http.StatusOK, code, raw)
	assert.Equal(t, true, out["is_success"])
	code, shown, _ := send(t, m, http.MethodGet, enhanced+"/"+id, "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, false, shown["isPrivis"], "granted to another project")
	code, privs, raw := send(t, m, http.MethodGet, enhanced+"/"+id+"/privileges", "")
	require.Equal(t, http.StatusOK, code, raw)
	assert.Equal(t, true, privs["is_success"])
	assert.Len(t, privs["privileges"], 1)

	code, _, raw = send(t, m, http.MethodPut, path, body("update", ""))
	require.Equal(t, http.StatusOK, code, "update to no privilege: %s", raw)
	_, privs, _ = send(t, m, http.MethodGet, enhanced+"/"+id+"/privileges", "")
	assert.Empty(t, privs["privileges"], "update to nothing revokes everything")
	_, shown, _ = send(t, m, http.MethodGet, enhanced+"/"+id, "")
	assert.Equal(t, true, shown["isPrivis"])
}

// What a create and a show carry: is_success true, queues bound by an
// associate listed, ipv6_enable false, and no field the connection has
// not got.
func TestAnswersCarryWhatTheyShould(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"fields","dest_vpc_id":"v","dest_network_id":"n","hosts":[{"name":"db"}]}`)
	code, out, raw := send(t, m, http.MethodPost, enhanced+"/"+id+"/associate-queue", `{"queues":["q1"],"elastic_resource_pools":["p1"]}`)
	require.Equal(t, http.StatusOK, code, raw)
	assert.Equal(t, true, out["is_success"])
	_, shown, raw := send(t, m, http.MethodGet, enhanced+"/"+id, "")
	assert.Equal(t, false, shown["ipv6_enable"], raw)
	queues, _ := shown["available_queue_info"].([]any)
	require.Len(t, queues, 1, "the associated queue is listed: %s", raw)
	assert.Equal(t, "q1", queues[0].(map[string]any)["name"])
	pools, _ := shown["elastic_resource_pools"].([]any)
	assert.Len(t, pools, 1, raw)
	hosts, _ := shown["hosts"].([]any)
	require.Len(t, hosts, 1, raw)
	assert.NotContains(t, hosts[0], "ip", "a host sent without an ip is shown without one")

	code, created, raw := send(t, m, http.MethodPost, collection, validCreate)
	require.Equal(t, http.StatusCreated, code, raw)
	assert.Equal(t, true, created["is_success"])
	_, classic, raw := send(t, m, http.MethodGet, collection+"/"+created["connection_id"].(string), "")
	assert.Equal(t, true, classic["is_success"], raw)
}

// A classic connection loaded FAILED stays FAILED, with its message and
// no progress; one deleted frees its name and leaves the others.
func TestClassicStatesAndNames(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{Fixtures: &mockserver.Fixtures{Projects: map[string]mockserver.ProjectFixture{project: {
		Classic: []mockserver.ClassicFixture{
			{ID: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "failed", Service: "RDS", URL: "10.0.0.1:3306", SecurityGroupID: "sg", NetworkID: "net",
				State: "FAILED", Message: "the peer refused"},
			{ID: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "keep", Service: "RDS", URL: "10.0.0.1:3306", SecurityGroupID: "sg", NetworkID: "net"},
			{ID: "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "okname", Service: "RDS", URL: "10.0.0.1:3306", SecurityGroupID: "sg", NetworkID: "net"},
		},
	}}}})
	require.NoError(t, err)
	code, shown, raw := send(t, m, http.MethodGet, collection+"/6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "")
	require.Equal(t, http.StatusOK, code, raw)
	assert.Equal(t, "FAILED", shown["state"])
	assert.Equal(t, "the peer refused", shown["message"])
	assert.InDelta(t, 0.0, shown["process"], 0)
	assert.Equal(t, true, shown["is_success"])

	code, _, raw = send(t, m, http.MethodDelete, collection+"/8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "")
	require.Equal(t, http.StatusOK, code, raw)
	code, _, raw = send(t, m, http.MethodPost, collection, validCreate)
	assert.Equal(t, http.StatusCreated, code, "the deleted connection's name is free again: %s", raw)
	_, list, raw := send(t, m, http.MethodGet, collection, "")
	var names []string
	for _, c := range list["connections"].([]any) {
		names = append(names, c.(map[string]any)["name"].(string))
	}
	assert.ElementsMatch(t, []string{"failed", "keep", "okname"}, names, "the delete took only its own connection: %s", raw)
}

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
func (failingBody) Close() error             { return nil }

// A body that cannot be read is refused as such, not handled as empty.
func TestUnreadableBody(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, enhanced, nil)
	req.Body = failingBody{}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), apierror.CodeBadParameter)
	assert.Contains(t, rec.Body.String(), "cannot read the request body")
	assert.Empty(t, m.State().Projects[project].Enhanced, "nothing was created")
}
