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
