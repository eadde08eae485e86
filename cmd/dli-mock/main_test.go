package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gen/dli"
)

// syncBuffer is a log sink safe to read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServesLogsAndShutsDown(t *testing.T) {
	const ak, sk = "AKTESTEXAMPLE0000000", "SKtestexampleSecretKey0000000000000000000"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-ak", ak, "-sk", sk, "-token", "tok-secret", "-create-delay", "0s"}, logs, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server stopped early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}

	hc := &http.Client{Transport: auth.NewTransport(auth.AKSK{AK: ak, SK: sk}, nil), Timeout: 5 * time.Second}
	c, err := dli.NewClientWithResponses("http://"+addr, dli.WithHTTPClient(hc))
	require.NoError(t, err)
	resp, err := c.CreateDatasourceConnectionWithResponse(ctx, "0123456789abcdef0123456789abcdef",
		dli.ConnectionCreateRequest{Name: "a", Service: "RDS", SecurityGroupID: "s", NetworkID: "n", URL: "u"})
	require.NoError(t, err)
	require.NotNil(t, resp.JSON201, "%s", resp.Body)

	anon, err := dli.NewClientWithResponses("http://" + addr)
	require.NoError(t, err)
	denied, err := anon.ListDatasourceConnectionsWithResponse(ctx, "0123456789abcdef0123456789abcdef", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, denied.StatusCode())

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err, "graceful shutdown")
	case <-time.After(15 * time.Second):
		t.Fatal("server did not shut down")
	}
	out := logs.String()
	assert.Contains(t, out, "method=POST path=/v2.0/0123456789abcdef0123456789abcdef/datasource-connection status=201")
	assert.Contains(t, out, "status=401")
	assert.Contains(t, out, "shutting down")
	assert.Equal(t, 2, strings.Count(out, "msg=request "), "one line per request:\n%s", out)
	for _, secret := range []string{sk, "tok-secret", "Signature="} {
		assert.NotContains(t, out, secret)
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-ak", "AK"},
		{"-sk", "SK"},
		{"-create-delay", "soon"},
		{"-create-delay", "-1s"},
		{"extra"},
	} {
		err := run(context.Background(), args, &bytes.Buffer{}, nil)
		assert.Error(t, err, "%v", args)
	}
}

// No secret is ever printed: not in the usage text (-h, or after a flag
// error), whether it came from the environment or a flag.
func TestUsageNeverPrintsSecrets(t *testing.T) {
	const sk, token = "SKenvSecret0000000000000000000000000000", "TOKENenvSecret000"
	t.Setenv("DLI_MOCK_SK", sk)
	t.Setenv("DLI_MOCK_TOKEN", token)
	for _, args := range [][]string{
		{"-h"},
		{"-no-such-flag"},
		{"-sk", "SKflagSecret", "-token", "TOKENflagSecret", "-create-delay", "soon"},
		{"-ak", "AK", "-sk", "SKflagSecret", "extra"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, &out, nil)
		require.Error(t, err, "%v", args)
		text := out.String() + err.Error()
		for _, secret := range []string{sk, token, "SKflagSecret", "TOKENflagSecret"} {
			assert.NotContains(t, text, secret, "%v printed a secret:\n%s", args, text)
		}
	}
}
