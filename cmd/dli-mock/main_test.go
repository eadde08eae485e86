package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	t.Setenv("HUAWEICLOUD_SDK_SK", sk)
	t.Setenv("DLI_TOKEN", token)
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

// start runs the mock with args and returns its address and logs; the
// test stops it.
func start(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-create-delay", "0s"}, args...), logs, ready)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "graceful shutdown")
		case <-time.After(15 * time.Second):
			t.Error("server did not shut down")
		}
	})
	select {
	case addr := <-ready:
		return addr, logs
	case err := <-done:
		t.Fatalf("server stopped early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

func TestFixturesAndFaultsFromFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	faults := filepath.Join(dir, "faults.json")
	require.NoError(t, os.WriteFile(faults, []byte(`[{"name":"throttle-list","kind":"throttle","operation":"ListEnhancedConnections","times":1},
		{"name":"cut","kind":"close","operation":"ShowEnhancedConnection","times":1}]`), 0o600))
	addr, logs := start(t, "-fixtures", "../../mockserver/testdata/fixtures.json", "-faults", faults)
	base := "http://" + addr + "/v2.0/0123456789abcdef0123456789abcdef/datasource/enhanced-connections"

	resp, err := http.Get(base)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))

	resp, err = http.Get(base)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"name":"orders_rds"`, "the fixtures are loaded")

	// A fresh connection: net/http would send a GET again, unasked, on a
	// new one when a reused connection closes before the answer.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	_, err = fresh.Get(base + "/4c693ecc-bab8-4113-a838-129cedc9a563")
	require.Error(t, err, "the close fault answers nothing")

	require.Eventually(t, func() bool { return strings.Count(logs.String(), "msg=request ") == 3 }, 5*time.Second, 10*time.Millisecond)
	out := logs.String()
	assert.Contains(t, out, "status=429 duration=")
	assert.Contains(t, out, "fault=throttle-list")
	assert.Contains(t, out, "status=closed")
	assert.Contains(t, out, "fault=cut")
}

// A bad fixtures or faults file stops the start with an error naming the
// entry and the field; nothing listens.
func TestBadFilesStartNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-fixtures", write("bad.json", `{"projects":{"p":{"enhanced":[{"name":"a-b","dest_vpc_id":"v","dest_network_id":"n"}]}}}`)},
			`projects["p"].enhanced[0] ("a-b"): name: `},
		{[]string{"-fixtures", filepath.Join(dir, "missing.json")}, "-fixtures: open "},
		{[]string{"-faults", write("faults.json", `[{"kind":"throttle","operation":"Nope"}]`)}, `operation: "Nope" is not an operationId`},
		{[]string{"-faults", write("notarray.json", `{"kind":"throttle"}`)}, "a JSON array of faults"},
	}
	for _, tc := range cases {
		ready := make(chan string, 1)
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, tc.args...), &bytes.Buffer{}, ready)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want)
		assert.Empty(t, ready, "nothing was started")
	}
}

// The mock reads the key pair from the names the client and dli-contract
// read, so one environment serves both sides; the old DLI_MOCK_SK still
// works for a release, with a line saying what replaces it.
func TestCredentialsFromTheSDKsNames(t *testing.T) {
	const ak, sk = "AKENVEXAMPLE00000000", "SKenvExampleSecretKey000000000000000000"
	t.Setenv("HUAWEICLOUD_SDK_AK", ak)
	t.Setenv("HUAWEICLOUD_SDK_SK", "")
	t.Setenv("DLI_MOCK_SK", sk)
	t.Setenv("DLI_TOKEN", "")
	addr, logs := start(t)
	out := logs.String()
	assert.Contains(t, out, "auth=AK/SK")
	assert.Contains(t, out, "DLI_MOCK_SK is deprecated and read only until release 0.2.0: set HUAWEICLOUD_SDK_SK instead")
	assert.Contains(t, out, "url=http://"+addr+"/_mock/")
	assert.NotContains(t, out, sk)

	signed := &http.Client{Transport: auth.NewTransport(auth.AKSK{AK: ak, SK: sk}, nil), Timeout: 5 * time.Second}
	resp, err := signed.Get("http://" + addr + "/v2.0/0123456789abcdef0123456789abcdef/datasource/enhanced-connections")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "signed by the environment's keys")
	resp, err = http.Get("http://" + addr + "/v2.0/0123456789abcdef0123456789abcdef/datasource/enhanced-connections") //nolint:noctx // a test's bounded request to loopback
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "unsigned")
}
