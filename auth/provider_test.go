package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestEnvProvider(t *testing.T) {
	t.Parallel()
	creds, err := Env{Getenv: envOf(map[string]string{EnvAK: "AKENV", EnvSK: "SKENV", EnvSecurityToken: "TOK", EnvProjectID: "p1"})}.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, AKSK{AK: "AKENV", SK: "SKENV", SecurityToken: "TOK", ProjectID: "p1"}, creds)

	_, err = Env{Getenv: envOf(nil)}.Credentials(context.Background())
	assert.ErrorIs(t, err, ErrNoCredentials)
	_, err = Env{Getenv: envOf(map[string]string{EnvAK: "AKENV"})}.Credentials(context.Background())
	assert.ErrorContains(t, err, "HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not")
	assert.NotErrorIs(t, err, ErrNoCredentials, "half a key pair is a mistake to show, not a place without credentials")
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestProfileProvider(t *testing.T) {
	t.Parallel()
	path := writeFile(t, `# the SDK's credentials file
[global]
ak = AKGLOBAL
sk = SKGLOBAL
domain_id = d1

[basic]
ak = AKBASIC
sk = SKBASIC
; a comment
project_id = p1
security_token = TOK
`)
	creds, err := Profile{Path: path}.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, AKSK{AK: "AKBASIC", SK: "SKBASIC", SecurityToken: "TOK", ProjectID: "p1"}, creds)

	// The file the environment names, or the one in the home folder.
	creds, err = Profile{Getenv: envOf(map[string]string{EnvCredentialsFile: path})}.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "AKBASIC", creds.(AKSK).AK)

	cases := []struct {
		content string
		want    string
		none    bool
	}{
		{"[global]\nak = a\nsk = b\n", "no [basic] section", true},
		{"[basic]\nproject_id = p\n", "[basic] has no ak and sk", true},
		{"[basic]\nak = a\n", "only one of ak and sk", false},
		{"[basic\nak = a\n", "line 1: a section header without ]", false},
		{"[basic]\nak a\n", "line 2: not key = value", false},
	}
	for _, tc := range cases {
		_, err := Profile{Path: writeFile(t, tc.content)}.Credentials(context.Background())
		assert.ErrorContains(t, err, tc.want, tc.content)
		assert.Equal(t, tc.none, errors.Is(err, ErrNoCredentials), tc.content)
	}
	_, err = Profile{Path: filepath.Join(t.TempDir(), "missing")}.Credentials(context.Background())
	assert.ErrorIs(t, err, ErrNoCredentials)
}

// metadataFake is a loopback stand-in for the ECS metadata service.
type metadataFake struct {
	srv     *httptest.Server
	mu      sync.Mutex
	serial  int
	expires time.Time
	// answer overrides the securitykey answer when set.
	answer func(w http.ResponseWriter, r *http.Request) bool
	keys   atomic.Int32 // securitykey requests
	tokens atomic.Int32
}

func newMetadataFake(t *testing.T, expires time.Time) *metadataFake {
	f := &metadataFake{expires: expires}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/meta-data/latest/api/token":
			f.tokens.Add(1)
			if r.Header.Get("X-Metadata-Token-Ttl-Seconds") == "" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			_, _ = fmt.Fprint(w, "session-token")
		case r.Method == http.MethodGet && r.URL.Path == "/openstack/latest/securitykey":
			f.keys.Add(1)
			if r.Header.Get("X-Metadata-Token") != "session-token" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if f.answer != nil && f.answer(w, r) {
				return
			}
			f.mu.Lock()
			f.serial++
			n, exp := f.serial, f.expires
			f.mu.Unlock()
			_, _ = fmt.Fprintf(w, `{"credential":{"access":"AKMETA%d","secret":"SKMETA%d","securitytoken":"TOKMETA%d","expires_at":%q}}`,
				n, n, n, exp.UTC().Format("2006-01-02T15:04:05.000000Z"))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *metadataFake) setExpiry(t time.Time) { f.mu.Lock(); f.expires = t; f.mu.Unlock() }

func signedAK(t *testing.T, c Credentials, now time.Time) (ak, token string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "https://dli.test/v2.0/p/datasource-connection", nil)
	require.NoError(t, c.Authenticate(req, now))
	authz := req.Header.Get("Authorization")
	ak, _, _ = strings.Cut(strings.TrimPrefix(authz, Algorithm+" Access="), ",")
	return ak, req.Header.Get(HeaderSecurityToken)
}

func TestMetadataCredentialsAreFetchedSignedAndRefreshed(t *testing.T) {
	t.Parallel()
	now := time.Now()
	fake := newMetadataFake(t, now.Add(time.Hour))
	m := &Metadata{BaseURL: fake.srv.URL, ProjectID: "p1"}
	creds, err := m.Credentials(context.Background())
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprint(creds), "SKMETA", "String hides the secret")

	ak, tok := signedAK(t, creds, now)
	assert.Equal(t, "AKMETA1", ak)
	assert.Equal(t, "TOKMETA1", tok, "temporary credentials sign with X-Security-Token")
	signedAK(t, creds, now.Add(30*time.Minute))
	assert.Equal(t, int32(1), fake.keys.Load(), "cached while far from expiry")

	// Within RefreshBefore of expiry: fetched anew.
	fake.setExpiry(now.Add(2 * time.Hour))
	ak, _ = signedAK(t, creds, now.Add(57*time.Minute))
	assert.Equal(t, "AKMETA2", ak)

	// Expired, and the service gone: an error, not a stale signature.
	fake.srv.Close()
	_, err = func() (string, error) {
		req := httptest.NewRequest(http.MethodGet, "https://dli.test/x", nil)
		return "", creds.Authenticate(req, now.Add(3*time.Hour))
	}()
	assert.ErrorContains(t, err, "expired at")
}

// Under concurrent calls near expiry, one goroutine refreshes while the
// others sign with the credentials still valid; none waits on the service.
func TestMetadataRefreshIsSingleAndDoesNotBlock(t *testing.T) {
	t.Parallel()
	now := time.Now()
	fake := newMetadataFake(t, now.Add(10*time.Minute))
	release := make(chan struct{})
	var slowOnce sync.Once
	creds, err := (&Metadata{BaseURL: fake.srv.URL}).Credentials(context.Background())
	require.NoError(t, err)
	fake.setExpiry(now.Add(time.Hour))
	fake.answer = func(w http.ResponseWriter, r *http.Request) bool {
		slowOnce.Do(func() { <-release }) // the refresh hangs until released
		return false
	}
	inWindow := now.Add(6 * time.Minute) // within 5 minutes of expiry
	var wg sync.WaitGroup
	signed := make(chan string, 64)
	for range 32 {
		wg.Go(func() {
			ak, _ := signedAK(t, creds, inWindow)
			signed <- ak
		})
	}
	// All but the refreshing goroutine finish with the old, valid key.
	for range 31 {
		select {
		case ak := <-signed:
			assert.Equal(t, "AKMETA1", ak)
		case <-time.After(5 * time.Second):
			t.Fatal("a call waited for the refresh")
		}
	}
	close(release)
	wg.Wait()
	close(signed)
	assert.Equal(t, "AKMETA2", <-signed, "the refreshing call signs with the new key")
	assert.Equal(t, int32(2), fake.keys.Load(), "one refresh for 32 calls")
}

func TestMetadataFailures(t *testing.T) {
	t.Parallel()
	now := time.Now()
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request) bool
		want   string
		none   bool
	}{
		{"no agency", func(w http.ResponseWriter, _ *http.Request) bool { w.WriteHeader(http.StatusNotFound); return true },
			"no agency is bound to this instance", true},
		{"a malformed body", func(w http.ResponseWriter, _ *http.Request) bool {
			_, _ = w.Write([]byte(`{"credential":`))
			return true
		},
			"the answer is not the credential JSON", false},
		{"fields missing", func(w http.ResponseWriter, _ *http.Request) bool {
			_, _ = w.Write([]byte(`{"credential":{"access":"a"}}`))
			return true
		}, "lacks credential.access, secret or securitytoken", false},
		{"a bad expiry", func(w http.ResponseWriter, _ *http.Request) bool {
			_, _ = w.Write([]byte(`{"credential":{"access":"a","secret":"s","securitytoken":"t","expires_at":"tomorrow"}}`))
			return true
		}, `expires_at "tomorrow" is not a time`, false},
		{"a slow answer", func(w http.ResponseWriter, r *http.Request) bool {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return true
		}, "context deadline exceeded", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newMetadataFake(t, now.Add(time.Hour))
			fake.answer = tc.answer
			_, err := (&Metadata{BaseURL: fake.srv.URL, Timeout: 100 * time.Millisecond}).Credentials(context.Background())
			assert.ErrorContains(t, err, tc.want)
			assert.Equal(t, tc.none, errors.Is(err, ErrNoCredentials))
		})
	}
	// Nothing listening: not an instance.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := (&Metadata{BaseURL: srv.URL, Timeout: 100 * time.Millisecond}).Credentials(context.Background())
	assert.ErrorIs(t, err, ErrNoCredentials)
	assert.ErrorContains(t, err, "is this an ECS or BMS instance?")
}

func TestChainOrderAndErrors(t *testing.T) {
	t.Parallel()
	now := time.Now()
	fake := newMetadataFake(t, now.Add(time.Hour))
	profile := writeFile(t, "[basic]\nak = AKFILE\nsk = SKFILE-secret\n")
	missing := filepath.Join(t.TempDir(), "missing")
	meta := &Metadata{BaseURL: fake.srv.URL}

	first := func(env map[string]string, m *Metadata) (Credentials, error) {
		return DefaultChain(ChainOptions{Getenv: envOf(env), Metadata: m}).Credentials(context.Background())
	}
	creds, err := first(map[string]string{EnvAK: "AKENV", EnvSK: "SKENV", EnvCredentialsFile: profile}, meta)
	require.NoError(t, err)
	assert.Equal(t, "AKENV", creds.(AKSK).AK, "the environment first")
	creds, err = first(map[string]string{EnvCredentialsFile: profile}, meta)
	require.NoError(t, err)
	assert.Equal(t, "AKFILE", creds.(AKSK).AK, "then the file")
	creds, err = first(map[string]string{EnvCredentialsFile: missing}, meta)
	require.NoError(t, err)
	assert.IsType(t, &MetadataCredentials{}, creds, "then the metadata service")

	_, err = first(map[string]string{EnvCredentialsFile: missing}, nil)
	var ce *ChainError
	require.ErrorAs(t, err, &ce)
	assert.Len(t, ce.Tried, 2, "without the opt-in the metadata service is not asked")
	assert.ErrorIs(t, err, ErrNoCredentials)
	assert.Contains(t, err.Error(), "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set")
	assert.Contains(t, err.Error(), "credentials file "+missing+": no such file")
	assert.Equal(t, int32(0), fake.tokens.Load()-1, "only the chain above asked the service")

	// The opt-in by environment asks the service at its real address,
	// which a test must never reach: only the chain's makeup is checked.
	chain := DefaultChain(ChainOptions{Getenv: envOf(map[string]string{EnvMetadata: "1"})})
	require.Len(t, chain, 3)
	assert.Equal(t, MetadataEndpoint, chain[2].(*Metadata).base())

	// A place that holds credentials but cannot give them stops the chain,
	// and no secret reaches the message.
	_, err = first(map[string]string{EnvCredentialsFile: writeFile(t, "[basic]\nsk = SKFILE-secret\n")}, meta)
	assert.ErrorContains(t, err, "only one of ak and sk")
	assert.NotContains(t, err.Error(), "SKFILE-secret")
}
