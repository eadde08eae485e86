package mockserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/validate"
)

const (
	server   = "https://dli.cn-north-4.myhuaweicloud.com"
	project  = "0123456789abcdef0123456789abcdef"
	project2 = "fedcba9876543210fedcba9876543210"
	testAK   = "AKTESTEXAMPLE0000000"
	testSK   = "SKtestexampleSecretKey0000000000000000000"
)

// newClock is a settable clock for the life cycle.
func newClock() *clock.Fake { return clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }
func body(name string) dli.ConnectionCreateRequest {
	return dli.ConnectionCreateRequest{Name: name, Service: "RDS", SecurityGroupID: "sg-1", NetworkID: "net-1", URL: "192.168.12.148:3306"}
}

// setup returns a generated client talking to the mock in-process through a
// recorder that validates every response the mock gives against the
// document; any mismatch fails the test.
func setup(t *testing.T, cfg mockserver.Config, creds auth.Credentials) *dli.ClientWithResponses {
	t.Helper()
	m, err := mockserver.New(cfg)
	require.NoError(t, err)
	doc, err := validate.Embedded()
	require.NoError(t, err)
	rec := contract.NewRecorder(doc, mockserver.NewMockTransport(m), contract.NewCoverage(doc.OpenAPI()))
	var rt http.RoundTripper = rec
	if creds != nil {
		rt = auth.NewTransport(creds, rec)
	}
	c, err := dli.NewClientWithResponses(server, dli.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, f := range rec.Findings() {
			t.Errorf("mock answered outside the contract: %s", f)
		}
	})
	return c
}

func TestLifeCycle(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := setup(t, mockserver.Config{CreateDelay: 10 * time.Second, Clock: clk}, nil)
	ctx := context.Background()

	created, err := c.CreateDatasourceConnectionWithResponse(ctx, project, body("rds_orders"))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
	id := *created.JSON201.ConnectionID
	assert.Len(t, id, 36)

	clk.Advance(4 * time.Second)
	shown, err := c.ShowDatasourceConnectionWithResponse(ctx, project, id)
	require.NoError(t, err)
	require.NotNil(t, shown.JSON200)
	assert.Equal(t, dli.StateCreating, *shown.JSON200.State)
	assert.InDelta(t, 0.4, *shown.JSON200.Process, 0.001)
	assert.Equal(t, "rds_orders", *shown.JSON200.Name)
	assert.Equal(t, "192.168.12.148:3306", *shown.JSON200.Destination)

	del, err := c.DeleteDatasourceConnectionWithResponse(ctx, project, id)
	require.NoError(t, err)
	require.NotNil(t, del.JSON400, "a CREATING connection cannot be deleted")
	assert.Equal(t, apierror.CodeNotSupported, del.JSON400.ErrorCode)

	clk.Advance(6 * time.Second)
	list, err := c.ListDatasourceConnectionsWithResponse(ctx, project, nil)
	require.NoError(t, err)
	require.NotNil(t, list.JSON200)
	require.Len(t, list.JSON200.Connections, 1)
	assert.Equal(t, int32(1), *list.JSON200.Count)
	assert.Equal(t, dli.StateActive, *list.JSON200.Connections[0].State)
	assert.Equal(t, 1.0, *list.JSON200.Connections[0].Process)
	assert.Equal(t, clk.Now().Add(-10*time.Second).UnixMilli(), *list.JSON200.Connections[0].CreateTime)

	del, err = c.DeleteDatasourceConnectionWithResponse(ctx, project, id)
	require.NoError(t, err)
	require.NotNil(t, del.JSON200, "%s", del.Body)
	assert.Equal(t, "Deleted", *del.JSON200.Message)
	assert.True(t, *del.JSON200.IsSuccess)

	gone, err := c.ShowDatasourceConnectionWithResponse(ctx, project, id)
	require.NoError(t, err)
	require.NotNil(t, gone.JSON400)
	assert.Equal(t, apierror.CodeNotExist, gone.JSON400.ErrorCode)
	assert.True(t, apierror.IsNotFound(apierror.Check(gone, err)))

	again, err := c.DeleteDatasourceConnectionWithResponse(ctx, project, id)
	require.NoError(t, err)
	require.NotNil(t, again.JSON400)
	assert.Equal(t, apierror.CodeNotExist, again.JSON400.ErrorCode)
}

func TestProjectsAndNames(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	first, err := c.CreateDatasourceConnectionWithResponse(ctx, project, body("dup"))
	require.NoError(t, err)
	require.NotNil(t, first.JSON201)

	dup, err := c.CreateDatasourceConnectionWithResponse(ctx, project, body("dup"))
	require.NoError(t, err)
	require.NotNil(t, dup.JSON400)
	assert.Equal(t, apierror.CodeAlreadyExists, dup.JSON400.ErrorCode)
	assert.Contains(t, dup.JSON400.ErrorMsg, "dup")

	other, err := c.CreateDatasourceConnectionWithResponse(ctx, project2, body("dup"))
	require.NoError(t, err)
	require.NotNil(t, other.JSON201, "the same name in another project is fine")

	l1, err := c.ListDatasourceConnectionsWithResponse(ctx, project, nil)
	require.NoError(t, apierror.Check(l1, err))
	l2, err := c.ListDatasourceConnectionsWithResponse(ctx, project2, nil)
	require.NoError(t, apierror.Check(l2, err))
	assert.Equal(t, int32(1), *l1.JSON200.Count)
	assert.Equal(t, int32(1), *l2.JSON200.Count)
	assert.NotEqual(t, *l1.JSON200.Connections[0].ConnectionID, *l2.JSON200.Connections[0].ConnectionID)

	cross, err := c.ShowDatasourceConnectionWithResponse(ctx, project2, *first.JSON201.ConnectionID)
	require.NoError(t, err)
	require.NotNil(t, cross.JSON400, "a connection is not visible from another project")
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  string
		field string
		rule  string
	}{
		{"url too long", `{"name":"a","service":"RDS","security_group_id":"s","network_id":"n","url":"` + strings.Repeat("u", 513) + `"}`, "/url", "maxLength"},
		{"name missing", `{"service":"RDS","security_group_id":"s","network_id":"n","url":"u"}`, "/name", "required"},
		{"name with a space", `{"name":"a b","service":"RDS","security_group_id":"s","network_id":"n","url":"u"}`, "/name", "pattern"},
		{"service as a number", `{"name":"a","service":1,"security_group_id":"s","network_id":"n","url":"u"}`, "/service", "type"},
		{"tags as an object", `{"name":"a","service":"RDS","security_group_id":"s","network_id":"n","url":"u","tags":{}}`, "/tags", "type"},
		{"not JSON", `{"name":`, "body", "decode: unexpected EOF"},
		{"empty body", ``, "body", "decode: value is required but missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := setup(t, mockserver.Config{}, nil)
			resp, err := c.CreateDatasourceConnectionWithBodyWithResponse(contract.Deliberate(context.Background()), project, "application/json", strings.NewReader(tc.body))
			require.NoError(t, err)
			require.NotNil(t, resp.JSON400, "%d %s", resp.StatusCode(), resp.Body)
			assert.Equal(t, apierror.CodeBadParameter, resp.JSON400.ErrorCode)
			assert.Contains(t, resp.JSON400.ErrorMsg, "invalid request: ")
			assert.Contains(t, resp.JSON400.ErrorMsg, tc.field+": "+tc.rule)
			list, err := c.ListDatasourceConnectionsWithResponse(context.Background(), project, nil)
			require.NoError(t, err)
			assert.Equal(t, int32(0), *list.JSON200.Count, "a refused create must not store anything")
		})
	}
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v2.0/" + project + "/queues"},
		{http.MethodPut, "/v2.0/" + project + "/datasource-connection"},
		{http.MethodGet, "/"},
	} {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s", tc.method, tc.path)
		assert.Contains(t, rec.Body.String(), apierror.CodeGatewayNoAPI)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	}
}

// countingReader counts what the server read of an endless body.
type countingReader struct{ n atomic.Int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	c.n.Add(int64(len(p)))
	return len(p), nil
}

func TestLargeBodiesAreRefusedUnread(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)

	t.Run("declared length", func(t *testing.T) {
		r := &countingReader{}
		req := httptest.NewRequest(http.MethodPost, "/v2.0/"+project+"/datasource-connection", io.LimitReader(r, 5<<20))
		req.ContentLength = 5 << 20
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.Zero(t, r.n.Load(), "nothing of a body declared too large is read")
	})
	t.Run("chunked", func(t *testing.T) {
		r := &countingReader{}
		req := httptest.NewRequest(http.MethodPost, "/v2.0/"+project+"/datasource-connection", r)
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.Less(t, r.n.Load(), int64(mockserver.MaxBodyBytes+64<<10), "the body is not read whole")
		assert.Contains(t, rec.Body.String(), apierror.CodeBadParameter)
	})
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := mockserver.Config{AK: testAK, SK: testSK, Token: "good-token", Clock: clk}
	stale := &fixedClockCreds{creds: auth.AKSK{AK: testAK, SK: testSK}, at: clk.Now().Add(-20 * time.Minute)}
	cases := []struct {
		name   string
		creds  auth.Credentials
		status int
		reason string
	}{
		{"signed", &fixedClockCreds{creds: auth.AKSK{AK: testAK, SK: testSK, ProjectID: project}, at: clk.Now()}, http.StatusOK, ""},
		{"token", auth.Token("good-token"), http.StatusOK, ""},
		{"anonymous", nil, http.StatusUnauthorized, "no credentials"},
		{"wrong token", auth.Token("bad-token"), http.StatusUnauthorized, "token is not valid"},
		{"wrong secret", &fixedClockCreds{creds: auth.AKSK{AK: testAK, SK: "wrong"}, at: clk.Now()}, http.StatusUnauthorized, "signature does not match"},
		{"unknown key", &fixedClockCreds{creds: auth.AKSK{AK: "AKOTHER", SK: testSK}, at: clk.Now()}, http.StatusUnauthorized, "unknown access key"},
		{"stale date", stale, http.StatusUnauthorized, "from the server time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := setup(t, cfg, tc.creds)
			resp, err := c.ListDatasourceConnectionsWithResponse(context.Background(), project, nil)
			require.NoError(t, err)
			require.Equal(t, tc.status, resp.StatusCode(), "%s", resp.Body)
			if tc.status == http.StatusUnauthorized {
				require.NotNil(t, resp.JSONDefault)
				assert.Equal(t, apierror.CodeGatewayAuth, resp.JSONDefault.ErrorCode)
				assert.Contains(t, resp.JSONDefault.ErrorMsg, tc.reason)
				assert.NotNil(t, resp.JSONDefault.RequestID)
				assert.NotContains(t, string(resp.Body), testSK)
				assert.NotContains(t, string(resp.Body), "good-token")
			}
		})
	}
}

// fixedClockCreds signs at a fixed time.
type fixedClockCreds struct {
	creds auth.Credentials
	at    time.Time
}

func (f *fixedClockCreds) Authenticate(req *http.Request, _ time.Time) error {
	return f.creds.Authenticate(req, f.at)
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	const n = 64
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.CreateDatasourceConnectionWithResponse(ctx, project, body(fmt.Sprintf("conn_%d", i)))
			if assert.NoError(t, err) && assert.NotNil(t, resp.JSON201) {
				ids[i] = *resp.JSON201.ConnectionID
			}
			_, _ = c.ListDatasourceConnectionsWithResponse(ctx, project, nil)
		}()
	}
	wg.Wait()
	list, err := c.ListDatasourceConnectionsWithResponse(ctx, project, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(n), *list.JSON200.Count)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.DeleteDatasourceConnectionWithResponse(ctx, project, ids[i])
			if assert.NoError(t, err) {
				assert.NotNil(t, resp.JSON200)
			}
		}()
	}
	wg.Wait()
	list, err = c.ListDatasourceConnectionsWithResponse(ctx, project, nil)
	require.NoError(t, err)
	assert.Zero(t, *list.JSON200.Count)
}

func TestOverRealHTTP(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	hc := &http.Client{Transport: auth.NewTransport(auth.AKSK{AK: testAK, SK: testSK, ProjectID: project}, nil)}
	c, err := dli.NewClientWithResponses(srv.URL, dli.WithHTTPClient(hc))
	require.NoError(t, err)
	resp, err := c.CreateDatasourceConnectionWithResponse(context.Background(), project, body("over_http"))
	require.NoError(t, err)
	require.NotNil(t, resp.JSON201, "%s", resp.Body)
	assert.NotEmpty(t, resp.HTTPResponse.Header.Get("X-Request-Id"))
}

func TestConfigIsChecked(t *testing.T) {
	t.Parallel()
	_, err := mockserver.New(mockserver.Config{AK: testAK})
	assert.ErrorContains(t, err, "both AK and SK")
	_, err = mockserver.New(mockserver.Config{CreateDelay: -time.Second})
	assert.ErrorContains(t, err, "CreateDelay")
}
