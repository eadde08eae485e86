package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/retry"
)

const (
	projectID    = "0123456789abcdef0123456789abcdef"
	connectionID = "68233202-63bf-4f27-a99b-fa5f5a2dbae1"
	testAK       = "AKTESTEXAMPLE0000000"
	testSK       = "SKtestexampleSecretKey0000000000000000000"
)

var createBody = dli.ConnectionCreateRequest{
	Name: "rds_orders", Service: "RDS", SecurityGroupID: "sg-1", NetworkID: "net-1", URL: "192.168.12.148:3306",
}

// fault is a server behaviour, given the attempt number (1-based).
type fault func(w http.ResponseWriter, r *http.Request, attempt int)

func jsonAnswer(status int, body string) fault {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-42")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func sequence(fs ...fault) fault {
	return func(w http.ResponseWriter, r *http.Request, attempt int) {
		i := min(attempt, len(fs)) - 1
		fs[i](w, r, attempt)
	}
}

func resetConnection(w http.ResponseWriter, _ *http.Request, _ int) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST instead of FIN
	}
	_ = conn.Close()
}

// faultServer answers with f, verifies every request's signature, and
// counts the attempts that arrived.
func faultServer(t *testing.T, f fault) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var attempts atomic.Int32
	ver := &auth.Verifier{SecretKey: func(ak string) (string, bool) { return testSK, ak == testAK }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(attempts.Add(1))
		body, _ := io.ReadAll(r.Body)
		if err := ver.Verify(r, body); err != nil {
			t.Errorf("attempt %d: %v", n, err)
		}
		f(w, r, n)
	}))
	t.Cleanup(srv.Close)
	return srv, &attempts
}

func newClient(t *testing.T, srv *httptest.Server, timeout time.Duration) *client.Client {
	t.Helper()
	c, err := client.New(client.Options{
		Endpoint:    srv.URL,
		ProjectID:   projectID,
		Credentials: auth.AKSK{AK: testAK, SK: testSK, ProjectID: projectID},
		Retry:       retry.Policy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
		Timeout:     timeout,
	})
	require.NoError(t, err)
	return c
}

func show(ctx context.Context, c *client.Client) (*dli.ConnectionDetail, error) {
	return c.ShowDatasourceConnection(ctx, connectionID)
}

func create(ctx context.Context, c *client.Client) (*dli.ConnectionCreated, error) {
	return c.CreateDatasourceConnection(ctx, createBody)
}

const okShow = `{"is_success":true,"message":"","connection_id":"` + connectionID + `","state":"ACTIVE","process":1}`

func TestFaults(t *testing.T) {
	t.Parallel()
	slow := func(w http.ResponseWriter, r *http.Request, _ int) {
		select { // longer than the client's timeout, but never stuck
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	// The headers go out, then the connection ends before the body does.
	truncated := func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "200")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"is_success":true,"mess`)
	}
	cases := []struct {
		name     string
		op       string // show or create
		server   fault
		timeout  time.Duration
		attempts int32
		check    func(t *testing.T, err error)
	}{
		{"show: 500 then success", "show", sequence(jsonAnswer(500, `{"error_code":"DLI.0999","error_msg":"x"}`), jsonAnswer(200, okShow)), 0, 2,
			func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"show: 503 every time", "show", jsonAnswer(503, `{"error_code":"APIGW.0201","error_msg":"Request unavailable"}`), 0, 3,
			apiError(503, "APIGW.0201")},
		{"show: 429 with Retry-After, then success", "show", sequence(func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "0")
			jsonAnswer(429, `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached","request_id":"gw-1"}`)(w, r, n)
		}, jsonAnswer(200, okShow)), 0, 2, func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"show: 429 every time is a throttling error", "show", jsonAnswer(429, `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}`), 0, 3,
			func(t *testing.T, err error) { assert.True(t, apierror.IsThrottled(err), "%v", err) }},
		{"show: garbage JSON keeps status and body", "show", jsonAnswer(200, `{"is_success":tru`), 0, 1,
			func(t *testing.T, err error) {
				var e *apierror.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, 200, e.StatusCode)
				assert.Error(t, e.Decode)
				assert.Equal(t, `{"is_success":tru`, string(e.Body))
				assert.Equal(t, "req-42", e.RequestID)
			}},
		{"show: a wrong type keeps status and body", "show", jsonAnswer(200, `{"process":"half"}`), 0, 1,
			func(t *testing.T, err error) {
				var e *apierror.Error
				require.ErrorAs(t, err, &e)
				assert.Error(t, e.Decode)
				assert.Contains(t, e.Error(), "half")
			}},
		{"show: truncated body every time", "show", truncated, 0, 3, func(t *testing.T, err error) {
			var e *apierror.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 200, e.StatusCode)
			assert.True(t, errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
		}},
		{"show: HTML 502 page", "show", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
		}, 0, 3, func(t *testing.T, err error) {
			var e *apierror.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 502, e.StatusCode)
			assert.Empty(t, e.Code)
			assert.Contains(t, string(e.Body), "502 Bad Gateway")
			assert.Contains(t, e.Error(), "502 Bad Gateway")
		}},
		{"show: unknown id is not found", "show", jsonAnswer(400, `{"error_code":"DLI.0002","error_msg":"The connection does not exist"}`), 0, 1,
			func(t *testing.T, err error) { assert.True(t, apierror.IsNotFound(err), "%v", err) }},
		{"show: 401 is an auth failure", "show", jsonAnswer(401, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`), 0, 1,
			func(t *testing.T, err error) { assert.True(t, apierror.IsAuth(err), "%v", err) }},
		{"show: a server slower than the timeout", "show", slow, 300 * time.Millisecond, 1,
			func(t *testing.T, err error) {
				var ne net.Error
				require.ErrorAs(t, err, &ne)
				assert.True(t, ne.Timeout())
			}},
		{"show: connection reset is retried", "show", sequence(resetConnection, jsonAnswer(200, okShow)), 0, 2,
			func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"create: 500 is not retried", "create", jsonAnswer(500, `{"error_code":"DLI.0999","error_msg":"x"}`), 0, 1,
			apiError(500, "DLI.0999")},
		{"create: 503 is not retried", "create", jsonAnswer(503, `{"error_code":"APIGW.0201","error_msg":"x"}`), 0, 1,
			apiError(503, "APIGW.0201")},
		// API Gateway throttles before DLI sees the create: nothing ran.
		{"create: 429 is retried", "create", jsonAnswer(429, `{"error_code":"APIGW.0308","error_msg":"x"}`), 0, 3,
			func(t *testing.T, err error) { assert.True(t, apierror.IsThrottled(err)) }},
		{"create: 429, then 201", "create", sequence(jsonAnswer(429, `{"error_code":"APIGW.0308","error_msg":"x"}`),
			jsonAnswer(201, `{"is_success":true,"message":"","connection_id":"`+connectionID+`"}`)), 0, 2,
			func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"create: connection reset is not retried", "create", resetConnection, 0, 1,
			func(t *testing.T, err error) { assert.Error(t, err) }},
		{"create: a timeout is not retried", "create", slow, 300 * time.Millisecond, 1,
			func(t *testing.T, err error) { assert.Error(t, err) }},
		{"create: a name in use", "create", jsonAnswer(400, `{"error_code":"DLI.0006","error_msg":"Connection rds_orders already exists"}`), 0, 1,
			apiError(400, apierror.CodeAlreadyExists)},
		{"show: a body cut short, then success", "show", sequence(truncated, jsonAnswer(200, okShow)), 0, 2,
			func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"show: reset after the headers, then success", "show", sequence(func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"is_success":`)
			w.(http.Flusher).Flush()
			resetConnection(w, r, n)
		}, jsonAnswer(200, okShow)), 0, 2, func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"create: a body cut short is not retried", "create", truncated, 0, 1, func(t *testing.T, err error) {
			var e *apierror.Error
			require.ErrorAs(t, err, &e)
			assert.True(t, errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
		}},
		{"create: success", "create", jsonAnswer(201, `{"is_success":true,"message":"","connection_id":"`+connectionID+`"}`), 0, 1,
			func(t *testing.T, err error) { assert.NoError(t, err) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, attempts := faultServer(t, tc.server)
			c := newClient(t, srv, tc.timeout)
			var err error
			if tc.op == "create" {
				_, err = create(context.Background(), c)
			} else {
				_, err = show(context.Background(), c)
			}
			tc.check(t, err)
			assert.Equal(t, tc.attempts, attempts.Load(), "attempts that reached the server")
		})
	}
}

func TestCreateIsRetriedWhenTheConnectionWasRefused(t *testing.T) {
	t.Parallel()
	// A listener that is closed refuses connections: nothing can have
	// reached a server, so create may be retried.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	var dials atomic.Int32
	base := client.DefaultTransport()
	dial := base.DialContext
	base.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, a)
	}
	c, err := client.New(client.Options{Endpoint: "http://" + addr, Transport: base, ProjectID: projectID, Credentials: auth.Anonymous,
		Retry: retry.Policy{MaxAttempts: 3, BaseDelay: time.Millisecond}})
	require.NoError(t, err)
	_, err = create(context.Background(), c)
	require.Error(t, err)
	assert.Equal(t, int32(3), dials.Load())
}

func TestContextCancelsACall(t *testing.T) {
	t.Parallel()
	released := make(chan struct{})
	srv, _ := faultServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-released:
		}
	})
	defer close(released)
	c := newClient(t, srv, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := show(ctx, c)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

func apiError(status int, code string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		var e *apierror.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, status, e.StatusCode)
		assert.Equal(t, code, e.Code)
		assert.Equal(t, "req-42", e.RequestID)
	}
}

// The call's timeout must also hold while the body is read, as
// http.Client.Timeout would: a server that sends headers and then stalls
// cannot hold the caller past it.
func TestTimeoutCoversTheBody(t *testing.T) {
	t.Parallel()
	released := make(chan struct{})
	srv, _ := faultServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"is_success":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-released:
		}
	})
	defer close(released)
	c := newClient(t, srv, 200*time.Millisecond)
	_, err := show(context.Background(), c)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}
