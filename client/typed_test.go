package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
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
)

const unknownID = "503fc86a-5e60-4349-92c2-7e399404fa8a"

// mockClient is a typed client on the mock (signature checking on), polling
// every few milliseconds.
func mockClient(t *testing.T, delay time.Duration) *client.Client {
	t.Helper()
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK, CreateDelay: delay})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: projectID,
		Credentials: auth.AKSK{AK: testAK, SK: testSK}, Wait: client.WaitPolicy{MinDelay: 5 * time.Millisecond}})
	require.NoError(t, err)
	return c
}

// apiErr asserts err is an *apierror.Error of op with status and code.
func apiErr(t *testing.T, err error, op string, status int, code string) {
	t.Helper()
	e := asAPIError(t, err)
	assert.Equal(t, op, e.Operation)
	assert.Equal(t, status, e.StatusCode)
	assert.Equal(t, code, e.Code)
	assert.True(t, strings.HasPrefix(err.Error(), op+": "+strconv.Itoa(status)), "the message starts with the operation: %v", err)
}

func asAPIError(t *testing.T, err error) *apierror.Error {
	t.Helper()
	var e *apierror.Error
	require.ErrorAs(t, err, &e)
	return e
}

func TestEveryTypedMethodAgainstTheMock(t *testing.T) {
	t.Parallel()
	c := mockClient(t, 0)
	ctx := context.Background()

	// Enhanced: each method's success, then its documented error for an
	// unknown connection.
	created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: "orders", DestVpcID: "v", DestNetworkID: "s",
		ElasticResourcePools: []string{"pool1"}})
	require.NoError(t, err)
	id := *created.ConnectionID
	_, err = c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: "orders", DestVpcID: "v", DestNetworkID: "s"})
	apiErr(t, err, "CreateEnhancedConnection", 400, apierror.CodeAlreadyExists)

	list, err := c.ListEnhancedConnections(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(1), *list.Count)
	bad := "nope"
	_, err = c.ListEnhancedConnections(ctx, &dli.ListEnhancedConnectionsParams{Status: &bad})
	apiErr(t, err, "ListEnhancedConnections", 400, apierror.CodeBadParameter)

	shown, err := c.ShowEnhancedConnection(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "orders", *shown.Name)

	_, err = c.UpdateEnhancedConnection(ctx, id, dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{{IP: ptr("10.0.0.1")}}})
	require.NoError(t, err)
	_, err = c.AssociateQueueToEnhancedConnection(ctx, id, dli.EnhancedConnectionBindingRequest{Queues: []string{"q1"}})
	require.NoError(t, err)
	_, err = c.DisassociateQueueFromEnhancedConnection(ctx, id, dli.EnhancedConnectionBindingRequest{Queues: []string{"q1"}})
	require.NoError(t, err)
	privileges, err := c.ShowEnhancedConnectionPrivilege(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, id, *privileges.ConnectionID)
	_, err = c.CreateRouteToEnhancedConnection(ctx, id, dli.RouteCreateRequest{Name: "r", Cidr: "10.0.0.0/8"})
	require.NoError(t, err)
	_, err = c.DeleteRouteFromEnhancedConnection(ctx, id, "r")
	require.NoError(t, err)
	deleted, err := c.DeleteEnhancedConnection(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Deleted", *deleted.Message)

	notFound := map[string]func() error{
		"ShowEnhancedConnection": func() error { _, err := c.ShowEnhancedConnection(ctx, unknownID); return err },
		"UpdateEnhancedConnection": func() error {
			_, err := c.UpdateEnhancedConnection(ctx, unknownID, dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{}})
			return err
		},
		"DeleteEnhancedConnection": func() error { _, err := c.DeleteEnhancedConnection(ctx, unknownID); return err },
		"AssociateQueueToEnhancedConnection": func() error {
			_, err := c.AssociateQueueToEnhancedConnection(ctx, unknownID, dli.EnhancedConnectionBindingRequest{Queues: []string{"q"}})
			return err
		},
		"DisassociateQueueFromEnhancedConnection": func() error {
			_, err := c.DisassociateQueueFromEnhancedConnection(ctx, unknownID, dli.EnhancedConnectionBindingRequest{Queues: []string{"q"}})
			return err
		},
		"ShowEnhancedConnectionPrivilege": func() error { _, err := c.ShowEnhancedConnectionPrivilege(ctx, unknownID); return err },
		"CreateRouteToEnhancedConnection": func() error {
			_, err := c.CreateRouteToEnhancedConnection(ctx, unknownID, dli.RouteCreateRequest{Name: "r", Cidr: "10.0.0.0/8"})
			return err
		},
		"DeleteRouteFromEnhancedConnection": func() error { _, err := c.DeleteRouteFromEnhancedConnection(ctx, unknownID, "r"); return err },
		"ShowDatasourceConnection":          func() error { _, err := c.ShowDatasourceConnection(ctx, unknownID); return err },
		"DeleteDatasourceConnection":        func() error { _, err := c.DeleteDatasourceConnection(ctx, unknownID); return err },
	}
	for op, call := range notFound {
		err := call()
		code := apierror.CodeBadParameter
		if strings.Contains(op, "Datasource") {
			code = apierror.CodeNotExist
		}
		apiErr(t, err, op, 400, code)
		assert.True(t, apierror.IsNotFound(err), "%s: %v", op, err)
	}

	// Classic.
	classic, err := c.CreateDatasourceConnection(ctx, createBody)
	require.NoError(t, err)
	_, err = c.CreateDatasourceConnection(ctx, createBody)
	apiErr(t, err, "CreateDatasourceConnection", 400, apierror.CodeAlreadyExists)
	classicList, err := c.ListDatasourceConnections(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(1), *classicList.Count)
	detail, err := c.ShowDatasourceConnection(ctx, *classic.ConnectionID)
	require.NoError(t, err)
	assert.Equal(t, createBody.Name, *detail.Name)
	_, err = c.DeleteDatasourceConnection(ctx, *classic.ConnectionID)
	require.NoError(t, err)
}

func TestNewBindsTheProjectOnce(t *testing.T) {
	t.Parallel()
	_, err := client.New(client.Options{Endpoint: "http://127.0.0.1:1", Credentials: auth.Anonymous})
	assert.ErrorContains(t, err, "Options.ProjectID is required")
	_, err = client.New(client.Options{Endpoint: "http://127.0.0.1:1", ProjectID: "p1", Credentials: auth.AKSK{AK: "a", SK: "s", ProjectID: "p2"}})
	assert.ErrorContains(t, err, "the credentials are for project p2, Options.ProjectID is p1")
	_, err = client.New(client.Options{Region: "cn-north-4", ProjectID: "p1", Credentials: auth.AKSK{AK: "a", SK: "s"}, Wait: client.WaitPolicy{MinDelay: 100 * time.Millisecond}})
	assert.ErrorContains(t, err, "faster than once a second")
	_, err = client.New(client.Options{Region: "cn-north-4", ProjectID: "p1", Credentials: auth.AKSK{AK: "a", SK: "s"}, Wait: client.WaitPolicy{MinDelay: time.Second}})
	assert.NoError(t, err, "once a second is allowed against a real endpoint")

	// X-Project-Id goes out with the bound project.
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get(auth.HeaderProjectID) + " " + r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"is_success":true,"connections":[],"count":0}`))
	}))
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: "p1", Credentials: auth.AKSK{AK: "a", SK: "s"}})
	require.NoError(t, err)
	_, err = c.ListEnhancedConnections(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "p1 /v2.0/p1/datasource/enhanced-connections", got.Load())
	assert.Equal(t, "p1", c.ProjectID())
	assert.NotNil(t, c.Raw())
}

func TestTypedCallsWrapCallErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: "p1", Credentials: auth.Anonymous})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.ShowEnhancedConnection(ctx, unknownID)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, strings.HasPrefix(err.Error(), "ShowEnhancedConnection: "), "%v", err)
	var e *apierror.Error
	assert.False(t, errors.As(err, &e), "a call that got no answer is not an API error")
}

func TestWaitEnhancedConnectionReady(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("ready", func(t *testing.T) {
		t.Parallel()
		c := mockClient(t, 40*time.Millisecond)
		created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: "w", DestVpcID: "v", DestNetworkID: "s",
			ElasticResourcePools: []string{"p1"}, Queues: []string{"q1"}})
		require.NoError(t, err)
		start := time.Now()
		conn, err := c.WaitEnhancedConnectionReady(ctx, *created.ConnectionID)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
		assert.Equal(t, dli.BindingActive, *conn.ElasticResourcePools[0].Status)
		assert.Equal(t, dli.BindingActive, *conn.AvailableQueueInfo[0].Status)
	})
	t.Run("failed binding", func(t *testing.T) {
		t.Parallel()
		c := mockClient(t, 10*time.Millisecond)
		created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: "w", DestVpcID: "v", DestNetworkID: "s",
			ElasticResourcePools: []string{"p1", mockserver.FailPrefix + "p2"}})
		require.NoError(t, err)
		_, err = c.WaitEnhancedConnectionReady(ctx, *created.ConnectionID)
		apiErr(t, err, "WaitEnhancedConnectionReady", 200, "")
		e := asAPIError(t, err)
		assert.Contains(t, e.Reason, "elastic resource pool fail_p2 FAILED")
		assert.Contains(t, e.Message, "mock: the peering of fail_p2 failed")
	})
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		c := mockClient(t, time.Hour)
		created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: "w", DestVpcID: "v", DestNetworkID: "s",
			ElasticResourcePools: []string{"p1"}})
		require.NoError(t, err)
		dctx, cancel := context.WithTimeout(ctx, 60*time.Millisecond)
		defer cancel()
		_, err = c.WaitEnhancedConnectionReady(dctx, *created.ConnectionID)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "WaitEnhancedConnectionReady")
	})
	t.Run("deadline during a show", func(t *testing.T) {
		t.Parallel()
		// The server never answers, so the deadline always falls inside
		// the show, not between two: the error still names the wait.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer srv.Close()
		c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: "p1", Credentials: auth.Anonymous})
		require.NoError(t, err)
		dctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		defer cancel()
		_, err = c.WaitEnhancedConnectionReady(dctx, unknownID)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, strings.HasPrefix(err.Error(), "WaitEnhancedConnectionReady: ShowEnhancedConnection: "), "%v", err)
	})
}

func TestWaitDatasourceConnectionActive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := mockClient(t, 40*time.Millisecond)
	created, err := c.CreateDatasourceConnection(ctx, createBody)
	require.NoError(t, err)
	conn, err := c.WaitDatasourceConnectionActive(ctx, *created.ConnectionID)
	require.NoError(t, err)
	assert.Equal(t, dli.StateActive, *conn.State)

	dctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	slow := mockClient(t, time.Hour)
	created, err = slow.CreateDatasourceConnection(ctx, createBody)
	require.NoError(t, err)
	_, err = slow.WaitDatasourceConnectionActive(dctx, *created.ConnectionID)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	// A FAILED connection ends the wait with DLI's message.
	srv := standIn(200, `{"is_success":true,"message":"Can't get ready router.","state":"FAILED"}`, func(*http.Request, []byte) {})
	defer srv.Close()
	failing, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: projectID, Credentials: auth.Anonymous})
	require.NoError(t, err)
	_, err = failing.WaitDatasourceConnectionActive(ctx, unknownID)
	apiErr(t, err, "WaitDatasourceConnectionActive", 200, "")
	e := asAPIError(t, err)
	assert.Equal(t, "Can't get ready router.", e.Message)
	assert.Contains(t, e.Reason, "is FAILED")
}

func TestEnhancedConnectionsPages(t *testing.T) {
	t.Parallel()
	c := mockClient(t, 0)
	ctx := context.Background()
	var want []string
	for i := range 7 {
		name := "c" + strconv.Itoa(i)
		_, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: name, DestVpcID: "v", DestNetworkID: "s"})
		require.NoError(t, err)
		want = append(want, name)
	}
	collect := func(p *dli.ListEnhancedConnectionsParams) ([]string, error) {
		var got []string
		for conn, err := range c.EnhancedConnections(ctx, p) {
			if err != nil {
				return got, err
			}
			got = append(got, *conn.Name)
		}
		return got, nil
	}
	for _, size := range []int32{1, 2, 3, 7, 100, 0} {
		got, err := collect(&dli.ListEnhancedConnectionsParams{Limit: &size})
		require.NoError(t, err)
		assert.Equal(t, want, got, "pages of %d", size)
	}
	got, err := collect(nil)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// Stopping early stops paging.
	n := 0
	for _, err := range c.EnhancedConnections(ctx, &dli.ListEnhancedConnectionsParams{Limit: ptr(int32(2))}) {
		require.NoError(t, err)
		n++
		if n == 3 {
			break
		}
	}
	assert.Equal(t, 3, n)
}

func TestEnhancedConnectionsStopsOnARepeatedPageAndTheContext(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	// A server that ignores offset: every page is the same.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"is_success":true,"count":2,"connections":[` +
			`{"id":"2a620c33-5609-40c9-affd-2b6453071b0f","name":"a"},{"id":"4c693ecc-bab8-4113-a838-129cedc9a563","name":"b"}]}`))
	}))
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: projectID, Credentials: auth.Anonymous})
	require.NoError(t, err)
	var names []string
	var last error
	for conn, err := range c.EnhancedConnections(context.Background(), &dli.ListEnhancedConnectionsParams{Limit: ptr(int32(2))}) {
		if err != nil {
			last = err
			break
		}
		names = append(names, *conn.Name)
	}
	assert.Equal(t, []string{"a", "b"}, names)
	require.ErrorContains(t, last, "answered offset 2 with the same 2 items as the page before")
	assert.Equal(t, int32(2), calls.Load())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls.Store(0)
	for _, err := range c.EnhancedConnections(ctx, &dli.ListEnhancedConnectionsParams{Limit: ptr(int32(2))}) {
		cancel() // between the first and the second page
		if err != nil {
			last = err
			break
		}
	}
	assert.ErrorIs(t, last, context.Canceled)
	assert.Equal(t, int32(1), calls.Load(), "no page is asked for after the context is done")
}

func ptr[T any](v T) *T { return &v }
