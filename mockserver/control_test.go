package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

func TestResetEmptiesTheStoreAndKeepsFaults(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	createRaw(t, m, createBody)
	_, err = m.AddFault(mockserver.Fault{Kind: mockserver.FaultLatency, Latency: mockserver.Duration(time.Millisecond)})
	require.NoError(t, err)

	code, out, _ := send(t, m, http.MethodPost, "/_mock/reset", "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, true, out["reset"])
	assert.Empty(t, m.State().Projects)
	assert.Len(t, m.Faults(), 1)
	createRaw(t, m, createBody) // the name is free again

	m.Reset()
	assert.Empty(t, m.State().Projects)

	// The tags go with the connections: nothing is counted by them after
	// a reset.
	code, _, raw := send(t, m, http.MethodPost, "/v2.0/"+project+"/datasource/enhanced-connections",
		`{"name":"tagged","dest_vpc_id":"v","dest_network_id":"n","tags":[{"key":"team","value":"a"}]}`)
	require.Equal(t, http.StatusCreated, code, raw)
	count := func() any {
		code, out, raw := send(t, m, http.MethodPost, "/v3/"+project+"/dli_enhanced_datasource/resource-instances/count", `{"tags":[{"key":"team","values":[]}]}`)
		require.Equal(t, http.StatusOK, code, raw)
		return out["total_count"]
	}
	assert.EqualValues(t, 1, count())
	m.Reset()
	assert.EqualValues(t, 0, count())
}

func TestStateShowsWhatTheMockHolds(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"conn","dest_vpc_id":"vpc","dest_network_id":"net","elastic_resource_pools":["p1"],`+
		`"hosts":[{"name":"db","ip":"10.0.0.1"}],"tags":[{"key":"k","value":"v"}]}`)
	code, _, raw := send(t, m, http.MethodGet, "/_mock/state", "")
	require.Equal(t, http.StatusOK, code)
	var state mockserver.Fixtures
	require.NoError(t, json.Unmarshal([]byte(raw), &state))
	got := state.Projects[project].Enhanced
	require.Len(t, got, 1)
	assert.Equal(t, id, got[0].ID)
	assert.Equal(t, "ACTIVE", got[0].Status)
	assert.Equal(t, []mockserver.BindingFixture{{Name: "p1", Status: "ACTIVE", UpdateTime: got[0].CreateTime}}, got[0].ElasticResourcePools)
	assert.Equal(t, []mockserver.HostFixture{{Name: "db", IP: "10.0.0.1"}}, got[0].Hosts)

	// What State answers loads into another mock as it was.
	other, err := mockserver.New(mockserver.Config{Fixtures: &state})
	require.NoError(t, err)
	assert.Equal(t, state, other.State())
}

func TestControlFaultsAtRunTime(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	code, out, raw := send(t, m, http.MethodPost, "/_mock/faults", `{"name":"slow-list","kind":"throttle","operation":"ListEnhancedConnections","times":1}`)
	require.Equal(t, http.StatusCreated, code, raw)
	assert.Equal(t, "slow-list", out["name"])
	code, out, _ = send(t, m, http.MethodGet, "/_mock/faults", "")
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, out["faults"], 1)
	code, _, _ = send(t, m, http.MethodGet, enhanced, "")
	assert.Equal(t, http.StatusTooManyRequests, code)
	code, _, _ = send(t, m, http.MethodGet, enhanced, "")
	assert.Equal(t, http.StatusOK, code)

	code, out, _ = send(t, m, http.MethodPost, "/_mock/faults", `{"kind":"throttle","tiems":1}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, out["error_msg"], `unknown field "tiems"`)
	code, _, _ = send(t, m, http.MethodPost, "/_mock/faults", `{"kind":"error"}`)
	require.Equal(t, http.StatusCreated, code)
	code, _, _ = send(t, m, http.MethodDelete, "/_mock/faults", "")
	require.Equal(t, http.StatusOK, code)
	code, _, _ = send(t, m, http.MethodGet, enhanced, "")
	assert.Equal(t, http.StatusOK, code, "faults are cleared")

	code, out, _ = send(t, m, http.MethodGet, "/_mock/nothing", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, out["error_msg"], "POST reset")
}

// The control surface is not open to an unauthenticated caller when the
// mock checks credentials; signed like any call, it answers.
func TestControlNeedsTheMocksCredentials(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK, Token: "tok"})
	require.NoError(t, err)
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/_mock/reset"}, {http.MethodGet, "/_mock/state"}, {http.MethodPost, "/_mock/fixtures"},
		{http.MethodGet, "/_mock/faults"}, {http.MethodPost, "/_mock/faults"}, {http.MethodDelete, "/_mock/faults"},
	} {
		code, out, _ := send(t, m, r.method, r.path, "")
		assert.Equal(t, http.StatusUnauthorized, code, "%s %s", r.method, r.path)
		assert.Equal(t, "APIGW.0301", out["error_code"])
	}
	req := httptest.NewRequest(http.MethodGet, "/_mock/state", nil)
	req.Header.Set(auth.HeaderAuthToken, "wrong")
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)

	req = httptest.NewRequest(http.MethodPost, "/_mock/reset", nil)
	require.NoError(t, auth.NewSigner(testAK, testSK).Sign(req, time.Now()))
	rec = httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

func TestFixturesFileLoads(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/fixtures.json")
	require.NoError(t, err)
	f, err := mockserver.ParseFixtures(raw)
	require.NoError(t, err)
	clk := newClock()
	c := setup(t, mockserver.Config{Fixtures: &f, CreateDelay: time.Minute, Clock: clk}, nil)
	ctx := context.Background()

	d := shown(t, c, "4c693ecc-bab8-4113-a838-129cedc9a563")
	assert.Equal(t, map[string]string{"pool_etl": "ACTIVE", "pool_bi": "FAILED", "pool_new": "CREATING"}, statuses(d.ElasticResourcePools))
	assert.Equal(t, "The CIDR block of the pool overlaps the CIDR block of the VPC.", *d.ElasticResourcePools[1].ErrMsg)
	assert.False(t, *d.IsPrivis, "granted to another project")
	assert.Len(t, d.Routes, 1)
	assert.Equal(t, "DELETED", string(*shown(t, c, "2a620c33-5609-40c9-affd-2b6453071b0f").Status))
	clk.Advance(time.Minute)
	assert.Equal(t, "ACTIVE", statuses(shown(t, c, "4c693ecc-bab8-4113-a838-129cedc9a563").ElasticResourcePools)["pool_new"],
		"a CREATING fixture binding ends as a new one does")

	list, err := c.ListEnhancedConnectionsWithResponse(ctx, project, nil)
	require.NoError(t, err)
	require.Len(t, list.JSON200.Connections, 3)
	assert.Equal(t, "kafka_logs", *list.JSON200.Connections[2].Name, "the file's order is the creation order")
	classic, err := c.ShowDatasourceConnectionWithResponse(ctx, project, "75419c22-7a31-42e4-a3f3-102f6e6895c9")
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", string(*classic.JSON200.State))

	// A fixture's tags are the connection's: shown, and found by them.
	assert.Equal(t, map[string]string{"team": "data-platform"}, tagsOf(t, c, "4c693ecc-bab8-4113-a838-129cedc9a563"))
	assert.Equal(t, []string{"orders_rds"}, found(t, c, dli.ResourceFilterRequest{Tags: []dli.TagSelector{{Key: "team", Values: []string{"data-platform"}}}}))
}

func statuses(bs []dli.Binding) map[string]string {
	out := map[string]string{}
	for _, b := range bs {
		out[*b.Name] = string(*b.Status)
	}
	return out
}

// Paging code can be tested against 500 connections without creating
// them: the client's paginator walks every one, in order.
func TestFiveHundredFixturesPage(t *testing.T) {
	t.Parallel()
	var f mockserver.Fixtures
	f.Projects = map[string]mockserver.ProjectFixture{}
	var pf mockserver.ProjectFixture
	for i := range 500 {
		status := "ACTIVE"
		if i%10 == 9 {
			status = "DELETED"
		}
		pf.Enhanced = append(pf.Enhanced, mockserver.EnhancedFixture{Name: fmt.Sprintf("conn_%03d", i),
			DestVpcID: "vpc", DestNetworkID: "net", Status: status})
	}
	f.Projects[project] = pf
	m, err := mockserver.New(mockserver.Config{Fixtures: &f})
	require.NoError(t, err)
	c, err := client.New(client.Options{Endpoint: "https://dli.mock.invalid", ProjectID: project, Credentials: auth.Anonymous, Transport: mockserver.NewMockTransport(m)})
	require.NoError(t, err)
	limit, active := int32(37), "ACTIVE"
	var names []string
	for conn, err := range c.EnhancedConnections(context.Background(), &dli.ListEnhancedConnectionsParams{Limit: &limit, Status: &active}) {
		require.NoError(t, err)
		names = append(names, *conn.Name)
	}
	require.Len(t, names, 450)
	assert.Equal(t, "conn_000", names[0])
	assert.Equal(t, "conn_498", names[449])
}

// A bad fixtures document is refused whole, naming the entry and the
// field, and the mock does not start.
func TestBadFixturesNameEntryAndFieldAndLoadNothing(t *testing.T) {
	t.Parallel()
	good := `{"name":"ok","dest_vpc_id":"vpc","dest_network_id":"net"}`
	cases := []struct{ doc, want string }{
		{`{"projects":{"p":{"enhanced":[` + good + `,{"name":"bad-name","dest_vpc_id":"v","dest_network_id":"n"}]}}}`,
			`projects["p"].enhanced[1] ("bad-name"): name: `},
		{`{"projects":{"p":{"enhanced":[{"name":"x","dest_vpc_id":"v"}]}}}`, `projects["p"].enhanced[0] ("x"): dest_network_id: `},
		{`{"projects":{"p":{"enhanced":[` + good + `,` + good + `]}}}`, `enhanced[1] ("ok"): name: a connection named "ok" that is not deleted exists already`},
		{`{"projects":{"p":{"enhanced":[{"id":"nope","name":"x","dest_vpc_id":"v","dest_network_id":"n"}]}}}`, `id: "nope" is not a UUID`},
		{`{"projects":{"p":{"enhanced":[{"name":"x","dest_vpc_id":"v","dest_network_id":"n","status":"GONE"}]}}}`, `status: "GONE" is not ACTIVE or DELETED`},
		{`{"projects":{"p":{"enhanced":[{"name":"x","dest_vpc_id":"v","dest_network_id":"n","queues":[{"name":"q","status":"DONE"}]}]}}}`,
			`queues[0].status: "DONE" is not CREATING, ACTIVE or FAILED`},
		{`{"projects":{"p":{"enhanced":[{"name":"x","dest_vpc_id":"v","dest_network_id":"n","routes":[{"name":"r","cidr":"10.0.0.0/99"}]}]}}}`,
			`routes[0]: cidr: `},
		{`{"projects":{"p":{"enhanced":[{"name":"x","dest_vpc_id":"v","dest_network_id":"n","hosts":[{"ip":"300.1.1.1"}]}]}}}`, `hosts/0/ip: `},
		{`{"projects":{"p":{"enhanced":[{"name":"x","dest_vpc_id":"v","dest_network_id":"n","privileges":[{"project_id":"q"}]}]}}}`,
			`privileges[0].privileges: empty`},
		{`{"projects":{"p":{"classic":[{"name":"c","service":"RDS","url":"u","security_group_id":"s","network_id":"n","state":"ACTIVE","message":"why"}]}}}`,
			`classic[0] ("c"): message: only a FAILED connection has one`},
		{`{"projects":{"p":{"enhanced":[{"name":"x","dest_vpc_id":"v","dest_network_id":"n","tags":[{"key":"k","value":"1"},{"key":"k","value":"2"}]}]}}}`,
			`enhanced[0] ("x"): tags: invalid request: tag key "k" is given more than once`},
		{`{"projects":{"p":{"enhanced":[` + good + `]}},"extra":1}`, `unknown field "extra"`},
		{`{"projects":{"p":{"enhanced":[` + good + `]}}`, `unexpected EOF`},
	}
	for _, tc := range cases {
		f, err := mockserver.ParseFixtures([]byte(tc.doc))
		if err == nil {
			_, err = mockserver.New(mockserver.Config{Fixtures: &f})
		}
		assert.ErrorContains(t, err, tc.want, tc.doc)
	}

	// At run time too, a bad document changes nothing.
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	code, out, _ := send(t, m, http.MethodPost, "/_mock/fixtures", `{"projects":{"`+project+`":{"enhanced":[`+good+`,{"name":"bad-name"}]}}}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, out["error_msg"], `enhanced[1] ("bad-name")`)
	assert.Empty(t, m.State().Projects, "nothing is half-loaded")
	code, _, raw := send(t, m, http.MethodPost, "/_mock/fixtures", `{"projects":{"`+project+`":{"enhanced":[`+good+`]}}}`)
	require.Equal(t, http.StatusOK, code, raw)
	code, out, _ = send(t, m, http.MethodPost, "/_mock/fixtures", `{"projects":{"`+project+`":{"enhanced":[`+good+`]}}}`)
	assert.Equal(t, http.StatusBadRequest, code, "a live name the mock holds is taken")
	assert.Contains(t, out["error_msg"], "exists already")
	assert.Len(t, m.State().Projects[project].Enhanced, 1)
}
