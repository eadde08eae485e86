package auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signedWith signs req as a client would that chose names as its
// SignedHeaders (values as the request has them; a name it lacks signs as
// empty), so that the verifier's own rules about SignedHeaders are what
// decides.
func signedWith(t *testing.T, req *http.Request, now time.Time, names ...string) {
	t.Helper()
	date := now.UTC().Format(DateLayout)
	req.Header.Set(HeaderDate, date)
	headers := make([]signedHeader, len(names))
	for i, n := range names {
		headers[i] = signedHeader{name: n, values: req.Header.Values(n)}
		if n == "host" {
			headers[i].values = []string{req.Host}
		}
	}
	canonical := canonicalRequest(nil, req, headers, sha256Hex(nil))
	sig := NewSigner(testAK, testSK).appendSignature(nil, date, canonical)
	req.Header.Set("Authorization", Algorithm+" Access="+testAK+", SignedHeaders="+strings.Join(names, ";")+", Signature="+string(sig))
}

// Each rule of the verifier about what a signature must cover refuses a
// signature that is otherwise correct.
func TestVerifyRefusesCorrectSignaturesThatCoverTooLittle(t *testing.T) {
	t.Parallel()
	now := time.Now()
	cases := []struct {
		name   string
		build  func() *http.Request
		reason string
	}{
		{"X-Sdk-Date not signed: the date could be changed after signing", func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "https://h/v2.0/p/datasource-connection", nil)
			signedWith(t, req, now, "host")
			return req
		}, "SignedHeaders does not include x-sdk-date"},
		{"a signed header absent from the request", func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "https://h/v2.0/p/datasource-connection", nil)
			signedWith(t, req, now, "host", "x-project-id", "x-sdk-date")
			return req
		}, "signed header x-project-id is not in the request"},
		{"an Authorization part without '='", func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "https://h/v2.0/p/datasource-connection", nil)
			signedWith(t, req, now, "host", "x-sdk-date")
			req.Header.Set("Authorization", req.Header.Get("Authorization")+", junk")
			return req
		}, "a part without '='"},
	}
	for _, tc := range cases {
		err := fixedVerifier(now).Verify(tc.build(), nil)
		var verr *VerifyError
		if assert.ErrorAs(t, err, &verr, tc.name) {
			assert.Contains(t, verr.Reason, tc.reason, tc.name)
		}
	}
	// The helper signs what the verifier accepts, so each refusal above is
	// the rule's doing.
	req := httptest.NewRequest(http.MethodGet, "https://h/v2.0/p/datasource-connection", nil)
	signedWith(t, req, now, "host", "x-sdk-date")
	require.NoError(t, fixedVerifier(now).Verify(req, nil))
}

// Each malformed credential is refused with its own reason: the reason is
// what a client's author reads, so a refusal for the wrong one misleads.
func TestVerifyNamesWhatIsMalformed(t *testing.T) {
	t.Parallel()
	now := time.Now()
	signed := func(edit func(*http.Request)) func() *http.Request {
		return func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "https://h/v2.0/p/datasource-connection", nil)
			signedWith(t, req, now, "host", "x-sdk-date")
			edit(req)
			return req
		}
	}
	authz := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", v) }
	}
	cases := []struct {
		name   string
		build  func() *http.Request
		reason string
	}{
		{"no Authorization", signed(func(r *http.Request) { r.Header.Del("Authorization") }), "no Authorization header"},
		{"another algorithm", signed(authz("AWS4-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=00")), "does not start with " + Algorithm},
		{"no Access", signed(authz(Algorithm + " SignedHeaders=host;x-sdk-date, Signature=00")), "lacks Access, SignedHeaders or Signature"},
		{"no SignedHeaders", signed(authz(Algorithm + " Access=" + testAK + ", Signature=00")), "lacks Access, SignedHeaders or Signature"},
		{"no Signature", signed(authz(Algorithm + " Access=" + testAK + ", SignedHeaders=host;x-sdk-date")), "lacks Access, SignedHeaders or Signature"},
		{"a date of another form", signed(func(r *http.Request) { r.Header.Set(HeaderDate, now.Format(time.RFC3339)) }), "is not of the form 20060102T150405Z"},
	}
	for _, tc := range cases {
		err := fixedVerifier(now).Verify(tc.build(), nil)
		var verr *VerifyError
		if assert.ErrorAs(t, err, &verr, tc.name) {
			assert.Contains(t, verr.Reason, tc.reason, tc.name)
		}
	}
}

// A date exactly MaxSkew away, either way, is still accepted; a second
// more is not.
func TestVerifySkewBoundary(t *testing.T) {
	t.Parallel()
	signedAt := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		now    time.Time
		accept bool
	}{
		{"exactly 15 minutes later", signedAt.Add(15 * time.Minute), true},
		{"exactly 15 minutes earlier", signedAt.Add(-15 * time.Minute), true},
		{"a second more, later", signedAt.Add(15*time.Minute + time.Second), false},
		{"a second more, earlier", signedAt.Add(-15*time.Minute - time.Second), false},
	} {
		req := httptest.NewRequest(http.MethodGet, "https://h/v2.0/p/datasource-connection", nil)
		signedWith(t, req, signedAt, "host", "x-sdk-date")
		err := fixedVerifier(tc.now).Verify(req, nil)
		if tc.accept {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorContains(t, err, "from the server time", tc.name)
		}
	}
}
