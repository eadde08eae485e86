package mockserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

// What Huawei Cloud's Terraform provider sends to live DLI every day, the
// mock must take as live DLI does (see contract/testdata/field for the
// whole requests).

const enhanced = "/v2.0/" + project + "/datasource/enhanced-connections"

// send sends a raw JSON request and decodes the answer into a map.
func send(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), "answer: %s", rec.Body)
	return rec.Code, out, rec.Body.String()
}

func createRaw(t *testing.T, h http.Handler, body string) string {
	t.Helper()
	code, out, raw := send(t, h, http.MethodPost, enhanced, body)
	require.Equal(t, http.StatusCreated, code, raw)
	return out["connection_id"].(string)
}

func TestNullMeansAbsentInCreates(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"tf","dest_vpc_id":"vpc","dest_network_id":"net","queues":[],"hosts":null,"tags":null,`+
		`"elastic_resource_pools":null,"routetable_id":null}`)
	code, shown, raw := send(t, m, http.MethodGet, enhanced+"/"+id, "")
	require.Equal(t, http.StatusOK, code, raw)
	assert.Equal(t, "tf", shown["name"])
	assert.Empty(t, shown["hosts"])

	code, _, raw = send(t, m, http.MethodPost, "/v2.0/"+project+"/datasource-connection",
		`{"name":"classic","service":"RDS","security_group_id":"sg","network_id":"net","url":"10.0.0.1:3306","tags":null}`)
	assert.Equal(t, http.StatusCreated, code, "classic create with tags null: %s", raw)
}

func TestV2RoutesDoWhatV3Does(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"tf","dest_vpc_id":"vpc","dest_network_id":"net"}`)
	v2, v3 := enhanced+"/"+id+"/routes", "/v3/"+project+"/datasource/enhanced-connections/"+id+"/routes"

	code, _, raw := send(t, m, http.MethodPost, v2, `{"cidr":"10.169.0.0/24","name":"test"}`)
	require.Equal(t, http.StatusOK, code, raw)
	code, out, _ := send(t, m, http.MethodPost, v3, `{"cidr":"10.1.0.0/16","name":"test"}`)
	assert.Equal(t, http.StatusBadRequest, code, "one set of routes under both paths")
	assert.Equal(t, apierror.CodeAlreadyExists, out["error_code"])
	_, shown, _ := send(t, m, http.MethodGet, enhanced+"/"+id, "")
	assert.Equal(t, []any{map[string]any{"name": "test", "cidr": "10.169.0.0/24", "create_time": shown["routes"].([]any)[0].(map[string]any)["create_time"]}}, shown["routes"])

	code, _, raw = send(t, m, http.MethodDelete, v2+"/test", "")
	require.Equal(t, http.StatusOK, code, raw)
	code, out, _ = send(t, m, http.MethodDelete, v3+"/test", "")
	assert.Equal(t, http.StatusBadRequest, code, "deleted through v2.0, gone from v3")
	assert.Contains(t, out["error_msg"], "Route test does not exist")
}

func TestEveryListPageCarriesItsArray(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	for _, path := range []string{enhanced, enhanced + "?offset=5", enhanced + "?status=ACTIVE&name=none", "/v2.0/" + project + "/datasource-connection"} {
		code, _, raw := send(t, m, http.MethodGet, path, "")
		require.Equal(t, http.StatusOK, code, raw)
		assert.Contains(t, raw, `"connections":[]`, "%s on an empty project", path)
	}
	createRaw(t, m, `{"name":"one","dest_vpc_id":"vpc","dest_network_id":"net"}`)
	_, _, raw := send(t, m, http.MethodGet, enhanced+"?offset=1", "")
	assert.Contains(t, raw, `"connections":[]`, "the page past the last")
	assert.Contains(t, raw, `"count":0`)
}

func TestUpdateWithoutHostsClearsThem(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{}`, `{"hosts":null}`, `{"hosts":[]}`} {
		m, err := mockserver.New(mockserver.Config{})
		require.NoError(t, err)
		id := createRaw(t, m, `{"name":"tf","dest_vpc_id":"vpc","dest_network_id":"net","hosts":[{"name":"db","ip":"10.0.0.1"}]}`)
		code, _, raw := send(t, m, http.MethodPut, enhanced+"/"+id, body)
		require.Equal(t, http.StatusOK, code, "%s: %s", body, raw)
		_, shown, _ := send(t, m, http.MethodGet, enhanced+"/"+id, "")
		assert.Empty(t, shown["hosts"], "%s clears the hosts", body)
	}
}

func TestDeleteIsAcceptedWhileABindingIsCreating(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := setup(t, mockserver.Config{CreateDelay: time.Minute, Clock: clk}, nil)
	ctx := context.Background()
	created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, enhancedBody("tf", "pool1"))
	require.NoError(t, apierror.Check(created, err))
	id := *created.JSON201.ConnectionID
	require.Equal(t, dli.BindingCreating, *shown(t, c, id).ElasticResourcePools[0].Status)

	del, err := c.DeleteEnhancedConnectionWithResponse(ctx, project, id)
	require.NoError(t, apierror.Check(del, err), "Terraform's provider deletes without waiting for bindings")
	assert.Equal(t, dli.EnhancedDeleted, *shown(t, c, id).Status)
}

func TestPrivilegesAreGrantedUpdatedAndRevoked(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"tf","dest_vpc_id":"vpc","dest_network_id":"net"}`)
	auth := "/v1.0/" + project + "/authorization"
	privileges := enhanced + "/" + id + "/privileges"
	act := func(action, grantee, object, privs string) (int, map[string]any) {
		code, out, _ := send(t, m, http.MethodPut, auth,
			`{"projectId":"`+grantee+`","action":"`+action+`","privileges":[{"object":"`+object+`","privileges":`+privs+`}]}`)
		return code, out
	}
	listed := func() []any {
		code, out, raw := send(t, m, http.MethodGet, privileges, "")
		require.Equal(t, http.StatusOK, code, raw)
		arr, _ := out["privileges"].([]any) // absent when none is granted
		return arr
	}
	isPrivis := func() any {
		_, shown, _ := send(t, m, http.MethodGet, enhanced+"/"+id, "")
		return shown["isPrivis"]
	}
	object := "edsconnections." + id
	assert.Empty(t, listed())
	assert.Equal(t, true, isPrivis())

	code, out := act("grant", project2, object, `["BIND_QUEUE"]`)
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, true, out["is_success"], "the provider asserts is_success is a boolean")
	assert.Equal(t, []any{map[string]any{"object": object, "project_id": project2, "applicant_project_id": project2,
		"privileges": []any{"BIND_QUEUE"}}}, listed(), "both names of the project field")
	assert.Equal(t, false, isPrivis(), "granted to another project")

	code, _ = act("update", project2, object, `["BIND_QUEUE","OTHER"]`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []any{"BIND_QUEUE", "OTHER"}, listed()[0].(map[string]any)["privileges"], "update replaces")
	code, _ = act("revoke", project2, object, `["OTHER"]`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []any{"BIND_QUEUE"}, listed()[0].(map[string]any)["privileges"], "revoke takes what it names")
	code, _ = act("revoke", project2, object, `["BIND_QUEUE"]`)
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, listed(), "a project left without privileges is not listed")
	assert.Equal(t, true, isPrivis())

	// What the mock does not model, or cannot find, changes nothing.
	code, out = act("grant", project2, "databases.db1", `["SELECT"]`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, apierror.CodeNotSupported, out["error_code"])
	assert.Contains(t, out["error_msg"], "not modelled")
	code, out = act("grant", project2, "edsconnections.4d9b0d6e-2f1c-4c1a-9e5e-3b1f0a9c7d21", `["BIND_QUEUE"]`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, out["error_msg"], "is not exist")
	code, _, _ = send(t, m, http.MethodPut, auth, `{"projectId":"`+project2+`","action":"grant","privileges":[`+
		`{"object":"`+object+`","privileges":["BIND_QUEUE"]},{"object":"databases.db1","privileges":["SELECT"]}]}`)
	assert.Equal(t, http.StatusBadRequest, code, "one entry the mock cannot carry out refuses the whole request")
	assert.Empty(t, listed(), "a refused request grants nothing")
	code, out = act("grant", "", object, `["BIND_QUEUE"]`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, out["error_msg"], "projectId is required")

	code, _, _ = send(t, m, http.MethodDelete, enhanced+"/"+id, "")
	require.Equal(t, http.StatusOK, code)
	code, out = act("grant", project2, object, `["BIND_QUEUE"]`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, out["error_msg"], "has been deleted")
}

func TestBindingRequestsNameSomething(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"tf","dest_vpc_id":"vpc","dest_network_id":"net"}`)
	for _, op := range []string{"associate-queue", "disassociate-queue"} {
		code, out, _ := send(t, m, http.MethodPost, enhanced+"/"+id+"/"+op, `{"queues":null}`)
		assert.Equal(t, http.StatusBadRequest, code, op)
		assert.Contains(t, out["error_msg"], "name at least one queue", op)
	}
	code, _, raw := send(t, m, http.MethodPost, enhanced+"/"+id+"/associate-queue", `{"queues":null,"elastic_resource_pools":["p1"]}`)
	assert.Equal(t, http.StatusOK, code, "null beside a list: %s", raw)
}
