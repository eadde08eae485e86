package client_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/retry"
)

// Without Options.Credentials, New finds them where Huawei Cloud programs
// keep them: here, the environment, which also gives the project.
func TestNewUsesTheChainAndItsProject(t *testing.T) {
	t.Setenv(auth.EnvAK, testAK)
	t.Setenv(auth.EnvSK, testSK)
	t.Setenv(auth.EnvProjectID, projectID)
	t.Setenv(auth.EnvCredentialsFile, filepath.Join(t.TempDir(), "none"))
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{Endpoint: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, projectID, c.ProjectID(), "HUAWEICLOUD_SDK_PROJECT_ID fills Options.ProjectID")
	_, err = c.ListEnhancedConnections(context.Background(), nil)
	assert.NoError(t, err, "signed with the environment's key pair")
}

func TestNewWithoutAnyCredentialsSaysWhereItLooked(t *testing.T) {
	t.Setenv(auth.EnvAK, "")
	t.Setenv(auth.EnvSK, "")
	t.Setenv(auth.EnvMetadata, "")
	missing := filepath.Join(t.TempDir(), "credentials")
	t.Setenv(auth.EnvCredentialsFile, missing)
	_, err := client.New(client.Options{Region: "cn-north-4", ProjectID: projectID})
	require.ErrorIs(t, err, auth.ErrNoCredentials)
	assert.Contains(t, err.Error(), "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set")
	assert.Contains(t, err.Error(), missing)
}

// Anonymous requests are a deliberate choice, and only for an endpoint
// that cannot be a real DLI.
func TestAnonymousOnlyForLocalEndpoints(t *testing.T) {
	t.Parallel()
	for _, ep := range []string{"http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080", "https://dli.mock.invalid", "http://dli.test"} {
		_, err := client.New(client.Options{Endpoint: ep, ProjectID: projectID, Credentials: auth.Anonymous})
		assert.NoError(t, err, ep)
	}
	for _, o := range []client.Options{
		{Region: "cn-north-4"},
		{Endpoint: "https://dli.cn-north-4.myhuaweicloud.com"},
		{Endpoint: "http://10.0.0.5:8080"},
		{Endpoint: "https://invalid.example.com"},
	} {
		o.ProjectID, o.Credentials = projectID, auth.Anonymous
		_, err := client.New(o)
		assert.ErrorContains(t, err, "auth.Anonymous sends unsigned requests", "%+v", o)
	}
}

// A signed call that is throttled, then answered, logs both attempts with
// the decision and its reason, and no secret.
func TestLoggerSeesAttemptsAndNoSecret(t *testing.T) {
	t.Parallel()
	const token = "security-token-secret"
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK,
		Faults: []mockserver.Fault{{Kind: mockserver.FaultThrottle, Operation: "CreateEnhancedConnection", Times: 1, RetryAfter: "0"}}})
	require.NoError(t, err)
	var creates atomic.Int32
	counting := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			creates.Add(1)
		}
		m.ServeHTTP(w, r)
	})
	var logs bytes.Buffer
	c, err := client.New(client.Options{Endpoint: "https://dli.mock.invalid", ProjectID: projectID,
		Credentials: auth.AKSK{AK: testAK, SK: testSK, SecurityToken: token},
		Transport:   mockserver.NewMockTransport(counting), Retry: retry.Policy{BaseDelay: time.Millisecond},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(t, err)
	_, err = c.CreateEnhancedConnection(context.Background(), enhancedBody("logged"))
	require.NoError(t, err)
	assert.Equal(t, int32(2), creates.Load(), "a throttled create is sent again, once")
	list, err := c.ListEnhancedConnections(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, list.Connections, 1, "and creates exactly one connection")

	out := logs.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Contains(t, lines[0], "level=DEBUG msg=\"dli attempt\" operation=CreateEnhancedConnection method=POST path=/v2.0/"+projectID+"/datasource/enhanced-connections attempt=1")
	assert.Contains(t, lines[0], "status=429 request_id=")
	assert.Contains(t, lines[0], "decision=retry")
	assert.Contains(t, lines[0], `reason="429 throttled, Retry-After 0s"`)
	assert.Contains(t, lines[1], "attempt=2")
	assert.Contains(t, lines[1], "status=201")
	assert.Contains(t, lines[1], "decision=done reason=success")
	assert.Contains(t, lines[2], "operation=ListEnhancedConnections")
	for _, secret := range []string{testSK, token, "Signature=", "logged\""} {
		assert.NotContains(t, out, secret, "the log holds a secret or a body")
	}
}

func TestLoggerWarnsWhenRetriesGiveUpAndShowsBodiesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{Faults: []mockserver.Fault{{Kind: mockserver.FaultUnavailable, Operation: "ListEnhancedConnections"}}})
	require.NoError(t, err)
	var logs bytes.Buffer
	c, err := client.New(client.Options{Endpoint: "https://dli.mock.invalid", ProjectID: projectID, Credentials: auth.Anonymous,
		Transport: mockserver.NewMockTransport(m), Retry: retry.Policy{MaxAttempts: 2, BaseDelay: time.Millisecond},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), LogBodies: true})
	require.NoError(t, err)
	_, err = c.ListEnhancedConnections(context.Background(), nil)
	require.Error(t, err)
	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "level=WARN"), out)
	assert.Contains(t, out, `msg="dli retries given up" operation=ListEnhancedConnections`)
	assert.Contains(t, out, "no attempt left of 2")
	assert.Contains(t, out, "503 Service Temporarily Unavailable", "the body, as asked")
	assert.NotContains(t, out, "level=DEBUG", "Info hides the attempts")
}

func enhancedBody(name string) dli.EnhancedConnectionCreateRequest {
	return dli.EnhancedConnectionCreateRequest{Name: name, DestVpcID: "vpc", DestNetworkID: "subnet"}
}
