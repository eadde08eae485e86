package mockserver_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/retry"
)

const createBody = `{"name":"conn","dest_vpc_id":"vpc","dest_network_id":"net"}`

// held counts the enhanced connections of the project.
func held(t *testing.T, m *mockserver.Server) int {
	t.Helper()
	return len(m.State().Projects[project].Enhanced)
}

func TestEachFaultKindAnswersBeforeTheOperation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault       mockserver.Fault
		status      int
		contentType string
		want        string
		header      map[string]string
	}{
		{mockserver.Fault{Kind: mockserver.FaultThrottle, RetryAfter: "7"}, 429, "application/json", `"error_code":"APIGW.0308"`,
			map[string]string{"Retry-After": "7"}},
		{mockserver.Fault{Kind: mockserver.FaultThrottle}, 429, "application/json", `"request_id":"`, map[string]string{"Retry-After": "1"}},
		{mockserver.Fault{Kind: mockserver.FaultError}, 500, "application/json", `"error_code":"DLI.0999"`, nil},
		{mockserver.Fault{Kind: mockserver.FaultBadGateway}, 502, "text/html", "<h1>502 Bad Gateway</h1>", nil},
		{mockserver.Fault{Kind: mockserver.FaultUnavailable}, 503, "text/html", "<h1>503 Service Temporarily Unavailable</h1>", nil},
		{mockserver.Fault{Kind: mockserver.FaultStatus, Status: 418, Body: "teapot", ContentType: "text/plain"}, 418, "text/plain", "teapot", nil},
	}
	for _, tc := range cases {
		t.Run(tc.fault.Kind, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK, Faults: []mockserver.Fault{tc.fault}})
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, enhanced, strings.NewReader(createBody))
			req.Header.Set("Content-Type", "application/json")
			m.ServeHTTP(rec, req) // unsigned: the fault answers before authentication
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.contentType, rec.Header().Get("Content-Type"))
			assert.Contains(t, rec.Body.String(), tc.want)
			for k, v := range tc.header {
				assert.Equal(t, v, rec.Header().Get(k), k)
			}
			assert.Equal(t, tc.fault.Kind+"-1", rec.Header().Get(mockserver.HeaderFault), "the answer names the fault")
			assert.Zero(t, held(t, m), "a fault answers before the operation runs")
		})
	}
}

func TestLatencyDelaysThenServes(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{{Kind: mockserver.FaultLatency, Latency: mockserver.Duration(50 * time.Millisecond)}}})
	require.NoError(t, err)
	start := time.Now()
	code, _, raw := send(t, m, http.MethodPost, enhanced, createBody)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	assert.Equal(t, http.StatusCreated, code, raw)
	assert.Equal(t, 1, held(t, m))
}

func TestCloseAnswersNothing(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{{Kind: mockserver.FaultClose, Name: "cut"}}})
	require.NoError(t, err)

	// In-process, the transport reports a closed connection.
	hc := &http.Client{Transport: mockserver.NewMockTransport(m)}
	_, err = hc.Post("https://dli.mock.invalid"+enhanced, "application/json", strings.NewReader(createBody))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)

	// Over a socket, net/http closes the connection.
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Post(srv.URL+enhanced, "application/json", strings.NewReader(createBody))
	if resp != nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err, "no answer")
	assert.Zero(t, held(t, m))
}

func TestFaultsMatchTheirOperationAndCount(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	_, err = m.AddFault(mockserver.Fault{Name: "two-creates", Kind: mockserver.FaultError, Operation: "CreateEnhancedConnection", Times: 2})
	require.NoError(t, err)

	code, _, _ := send(t, m, http.MethodGet, enhanced, "")
	assert.Equal(t, http.StatusOK, code, "another operation is not faulted")
	for range 2 {
		code, _, _ = send(t, m, http.MethodPost, enhanced, createBody)
		assert.Equal(t, http.StatusInternalServerError, code)
	}
	assert.Empty(t, m.Faults(), "a fault for the next 2 calls is spent after 2")
	code, _, _ = send(t, m, http.MethodPost, enhanced, createBody)
	assert.Equal(t, http.StatusCreated, code)

	// A tag operation is faulted by its name as any other, before the
	// tags change: a throttled create leaves the connection as it was.
	_, out, _ := send(t, m, http.MethodGet, enhanced, "")
	id := out["connections"].([]any)[0].(map[string]any)["id"].(string)
	tags := "/v3/" + project + "/dli_enhanced_datasource/" + id + "/tags"
	_, err = m.AddFault(mockserver.Fault{Kind: mockserver.FaultThrottle, Operation: "BatchCreateResourceTags", Times: 1})
	require.NoError(t, err)
	code, _, _ = send(t, m, http.MethodPost, tags+"/create", `{"tags":[{"key":"team","value":"a"}]}`)
	assert.Equal(t, http.StatusTooManyRequests, code)
	_, shown, _ := send(t, m, http.MethodGet, tags, "")
	assert.Empty(t, shown["tags"], "the throttled create added nothing")

	_, err = m.AddFault(mockserver.Fault{Kind: mockserver.FaultError})
	require.NoError(t, err)
	code, _, _ = send(t, m, http.MethodGet, "/v3/"+project+"/nothing-here", "")
	assert.Equal(t, http.StatusInternalServerError, code, "a fault for all takes unknown paths too")
	m.ClearFaults()
	code, _, _ = send(t, m, http.MethodGet, enhanced, "")
	assert.Equal(t, http.StatusOK, code)
}

// A fault with a probability fires by its own seed: the same seed fires on
// the same calls, so that a test is repeatable.
func TestSeededProbabilityRepeats(t *testing.T) {
	t.Parallel()
	pattern := func(seed uint64) string {
		m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{{Kind: mockserver.FaultThrottle, Probability: 0.5, Seed: seed}}})
		require.NoError(t, err)
		var b strings.Builder
		for range 40 {
			code, _, _ := send(t, m, http.MethodGet, enhanced, "")
			if code == http.StatusTooManyRequests {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	first := pattern(42)
	assert.Equal(t, first, pattern(42))
	assert.NotEqual(t, first, pattern(43))
	fired := strings.Count(first, "x")
	assert.True(t, fired > 5 && fired < 35, "about half of 40 calls fire: %s", first)
}

func TestBadFaultsAreRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	cases := map[string]mockserver.Fault{
		"kind: missing":                      {},
		`kind: "slow" is not one of`:         {Kind: "slow"},
		`operation: "CreateConnection" is`:   {Kind: mockserver.FaultError, Operation: "CreateConnection"},
		"status: 99 is not an HTTP status":   {Kind: mockserver.FaultStatus, Status: 99},
		"latency: must be positive":          {Kind: mockserver.FaultLatency},
		"probability: 1.5 is not between":    {Kind: mockserver.FaultError, Probability: 1.5},
		"times: -1 is negative":              {Kind: mockserver.FaultError, Times: -1},
		`retry_after: "soon" is not a numbe`: {Kind: mockserver.FaultThrottle, RetryAfter: "soon"},
	}
	for want, f := range cases {
		_, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{f}})
		assert.ErrorContains(t, err, want)
		assert.ErrorContains(t, err, "Config.Faults[0]")
	}
}

// The project's own client against the injected faults: reads are
// retried and wait as Retry-After says; a create is never repeated after a
// 5xx or a closed connection.
func TestTheClientAgainstInjectedFaults(t *testing.T) {
	t.Parallel()
	newClient := func(t *testing.T, m *mockserver.Server, calls *atomic.Int32) *client.Client {
		counting := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				calls.Add(1)
			}
			m.ServeHTTP(w, r)
		})
		c, err := client.New(client.Options{Endpoint: "https://dli.mock.invalid", ProjectID: project, Credentials: auth.Anonymous,
			Transport: mockserver.NewMockTransport(counting), Retry: retry.Policy{BaseDelay: time.Millisecond}})
		require.NoError(t, err)
		return c
	}
	ctx := context.Background()

	t.Run("a throttled read waits for Retry-After, then succeeds", func(t *testing.T) {
		t.Parallel()
		m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{
			{Kind: mockserver.FaultThrottle, Operation: "ListEnhancedConnections", Times: 1, RetryAfter: "1"}}})
		require.NoError(t, err)
		var calls atomic.Int32
		start := time.Now()
		list, err := newClient(t, m, &calls).ListEnhancedConnections(ctx, nil)
		require.NoError(t, err)
		assert.NotNil(t, list.Connections)
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After: 1 was honoured")
	})
	t.Run("a read whose connection was closed is retried", func(t *testing.T) {
		t.Parallel()
		m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{
			{Kind: mockserver.FaultClose, Operation: "ListEnhancedConnections", Times: 1}}})
		require.NoError(t, err)
		var calls atomic.Int32
		_, err = newClient(t, m, &calls).ListEnhancedConnections(ctx, nil)
		require.NoError(t, err)
	})
	t.Run("a read answered 503 with HTML is retried", func(t *testing.T) {
		t.Parallel()
		m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{
			{Kind: mockserver.FaultUnavailable, Operation: "ListEnhancedConnections", Times: 2}}})
		require.NoError(t, err)
		var calls atomic.Int32
		_, err = newClient(t, m, &calls).ListEnhancedConnections(ctx, nil)
		require.NoError(t, err, "three attempts outlast two 503s")
	})
	t.Run("a create answered 429, then 201, creates exactly one connection", func(t *testing.T) {
		t.Parallel()
		m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{
			{Kind: mockserver.FaultThrottle, Operation: "CreateEnhancedConnection", Times: 1, RetryAfter: "0"}}})
		require.NoError(t, err)
		var calls atomic.Int32
		_, err = newClient(t, m, &calls).CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{
			Name: "once", DestVpcID: "vpc", DestNetworkID: "net"})
		require.NoError(t, err)
		assert.Equal(t, int32(2), calls.Load(), "sent twice: throttled, then served")
		assert.Equal(t, 1, held(t, m))
	})
	for _, kind := range []string{mockserver.FaultUnavailable, mockserver.FaultError, mockserver.FaultClose} {
		t.Run("a create is not repeated after "+kind, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{
				{Kind: kind, Operation: "CreateEnhancedConnection", Times: 1}}})
			require.NoError(t, err)
			var calls atomic.Int32
			_, err = newClient(t, m, &calls).CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{
				Name: "once", DestVpcID: "vpc", DestNetworkID: "net"})
			require.Error(t, err)
			var e *apierror.Error
			if kind != mockserver.FaultClose {
				require.True(t, errors.As(err, &e), "%v", err)
				assert.GreaterOrEqual(t, e.StatusCode, 500)
			}
			assert.Equal(t, int32(1), calls.Load(), "the create went out once")
			assert.Zero(t, held(t, m))
		})
	}
}
