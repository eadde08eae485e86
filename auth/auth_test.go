package auth

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAK = "AKTESTEXAMPLE0000000"
	testSK = "SKtestexampleSecretKey0000000000000000000"
)

func fixedVerifier(now time.Time) *Verifier {
	return &Verifier{
		SecretKey: func(ak string) (string, bool) {
			switch ak {
			case testAK:
				return testSK, true
			case "QTWAOYTTINDUT2QVKYUC":
				return "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", true
			}
			return "", false
		},
		Now: func() time.Time { return now },
	}
}

func TestVerifyAcceptsEveryVectorAndRefusesTampering(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			signed := func() *http.Request {
				req := v.request(t)
				require.NoError(t, NewSigner(v.AK, v.SK).Sign(req, v.time(t)))
				if req.Host == "" {
					req.Host = req.URL.Host
				}
				return req
			}
			ver := fixedVerifier(v.time(t).Add(5 * time.Minute))
			assert.NoError(t, ver.Verify(signed(), []byte(v.Body)))

			tampered := []struct {
				name   string
				breakR func(*http.Request) []byte
				reason string
			}{
				{"body", func(r *http.Request) []byte { return []byte(v.Body + "x") }, "does not match"},
				{"path", func(r *http.Request) []byte { r.URL.Path += "x"; return []byte(v.Body) }, "does not match"},
				{"host", func(r *http.Request) []byte { r.Host = "evil.example.com"; return []byte(v.Body) }, "does not match"},
				{"date", func(r *http.Request) []byte { r.Header.Set(HeaderDate, "20200101T000000Z"); return []byte(v.Body) }, "from the server time"},
				{"signed header removed", func(r *http.Request) []byte { r.Header.Del(HeaderDate); return []byte(v.Body) }, "X-Sdk-Date"},
				{"unknown key", func(r *http.Request) []byte {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Access="+v.AK, "Access=NOPE0000", 1))
					return []byte(v.Body)
				}, "unknown access key"},
			}
			if v.Body == "" || strings.Contains(v.SignedHeaders, "x-sdk-content-sha256") {
				tampered = tampered[1:] // an unsigned or empty body cannot be tampered with that way
			}
			for _, tc := range tampered {
				req := signed()
				body := tc.breakR(req)
				err := ver.Verify(req, body)
				var verr *VerifyError
				if assert.ErrorAs(t, err, &verr, tc.name) {
					assert.Contains(t, verr.Reason, tc.reason, tc.name)
				}
			}
		})
	}
}

func TestVerifyRefusesMalformedAuthorization(t *testing.T) {
	t.Parallel()
	ver := fixedVerifier(time.Now())
	for _, h := range []string{"", "Bearer x", Algorithm + " Access=AK", Algorithm + " Access=AK, SignedHeaders=x-sdk-date, Signature"} {
		req := httptest.NewRequest(http.MethodGet, "https://h/p", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		var verr *VerifyError
		assert.ErrorAs(t, ver.Verify(req, nil), &verr, "Authorization %q", h)
	}
}

func TestSignLeavesTheBodyReadableAndSignsNewHeaders(t *testing.T) {
	t.Parallel()
	body := []byte(`{"name":"test1"}`)
	// A body without GetBody must be buffered and put back.
	req, err := http.NewRequest(http.MethodPost, "https://dli.cn-north-4.myhuaweicloud.com/v2.0/p/datasource-connection", io.NopCloser(bytes.NewReader(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Custom", " padded ")
	now := time.Date(2024, 6, 3, 10, 15, 30, 0, time.FixedZone("CST", 8*3600))
	require.NoError(t, NewSigner(testAK, testSK).Sign(req, now))

	assert.Equal(t, "20240603T021530Z", req.Header.Get(HeaderDate), "X-Sdk-Date must be UTC")
	assert.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=content-type;host;x-custom;x-sdk-date,")
	got, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, body, got)
	assert.NoError(t, fixedVerifier(now).Verify(withHost(req), body))

	// Signing again (a retry) replaces the old signature instead of
	// signing it.
	later := now.Add(time.Second)
	require.NoError(t, NewSigner(testAK, testSK).Sign(req, later))
	assert.NotContains(t, req.Header.Get("Authorization"), "authorization")
	assert.Equal(t, "20240603T021531Z", req.Header.Get(HeaderDate))
	assert.NoError(t, fixedVerifier(later).Verify(withHost(req), body))
}

func TestSignRefusesMissingKeys(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodGet, "https://h/p", nil)
	assert.Error(t, NewSigner("", testSK).Sign(req, time.Now()))
	assert.Error(t, NewSigner(testAK, "").Sign(req, time.Now()))
	assert.Empty(t, req.Header.Get("Authorization"), "a refused request must not be changed")
}

func TestTransportSignsLastAndPerAttempt(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	var dates []string
	ver := &Verifier{SecretKey: fixedVerifier(time.Now()).SecretKey}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		body, _ := io.ReadAll(r.Body)
		if err := ver.Verify(r, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		dates = append(dates, r.Header.Get(HeaderDate))
		assert.Equal(t, "proj", r.Header.Get(HeaderProjectID))
		assert.Equal(t, "sts-token", r.Header.Get(HeaderSecurityToken))
		assert.Contains(t, r.Header.Get("Authorization"), "x-project-id;x-sdk-date;x-security-token")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	tr := NewTransport(AKSK{AK: testAK, SK: testSK, SecurityToken: "sts-token", ProjectID: "proj"}, srv.Client().Transport)
	clock := time.Now().Add(-time.Minute)
	tr.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v2.0/proj/datasource-connection", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	}
	assert.Equal(t, int32(2), attempts.Load())
	require.Len(t, dates, 2)
	assert.NotEqual(t, dates[0], dates[1], "each attempt gets a fresh date")
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request must not be modified")
}

func TestTokenSetsHeader(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodGet, "https://h/p", nil)
	require.NoError(t, Token("tok-123").Authenticate(req, time.Now()))
	assert.Equal(t, "tok-123", req.Header.Get(HeaderAuthToken))
	assert.Error(t, Token("").Authenticate(req, time.Now()))
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	values := []any{
		NewSigner(testAK, testSK),
		AKSK{AK: testAK, SK: testSK, SecurityToken: "sts-secret-token", ProjectID: "proj"},
		Token("iam-secret-token"),
	}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, testSK, verb)
			assert.NotContains(t, out, "sts-secret-token", verb)
			assert.NotContains(t, out, "iam-secret-token", verb)
			assert.NotContains(t, out, testAK, verb, "the full access key is not printed either")
		}
	}
}

func withHost(r *http.Request) *http.Request {
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	return r
}

func TestSignARequestWithoutHeaders(t *testing.T) {
	t.Parallel()
	u, err := url.Parse("https://dli.cn-north-4.myhuaweicloud.com/v2.0/p/datasource-connection")
	require.NoError(t, err)
	req := &http.Request{Method: http.MethodGet, URL: u} // Header is nil
	require.NoError(t, NewSigner(testAK, testSK).Sign(req, time.Now()))
	assert.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=host;x-sdk-date,")
}

// A signature over one body must never let another through. The attack:
// sign body A without X-Sdk-Content-Sha256 in SignedHeaders, then send
// body B with an unsigned X-Sdk-Content-Sha256 carrying A's hash.
func TestVerifyPayloadHashHeader(t *testing.T) {
	t.Parallel()
	now := time.Now()
	bodyA := []byte(`{"name":"okname"}`)
	bodyB := []byte(`{"name":"evil"}`)
	sign := func(body []byte, header string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "https://h/v2.0/p/datasource-connection", bytes.NewReader(body))
		req.Header = http.Header{}
		if header != "" {
			req.Header.Set(HeaderContentSHA256, header)
		}
		require.NoError(t, NewSigner(testAK, testSK).Sign(req, now))
		return req
	}
	cases := []struct {
		name   string
		req    func() (*http.Request, []byte)
		reason string // "" when accepted
	}{
		{"body swapped under an unsigned hash header", func() (*http.Request, []byte) {
			req := sign(bodyA, "")
			req.Header.Set(HeaderContentSHA256, sha256Hex(bodyA))
			return req, bodyB
		}, "X-Sdk-Content-Sha256 is sent but not signed"},
		{"unsigned hash header matching the body", func() (*http.Request, []byte) {
			req := sign(bodyA, "")
			req.Header.Set(HeaderContentSHA256, sha256Hex(bodyA))
			return req, bodyA
		}, "not signed"},
		{"signed hash header of another body", func() (*http.Request, []byte) {
			return sign(bodyA, sha256Hex(bodyA)), bodyB
		}, "X-Sdk-Content-Sha256 does not match the body"},
		{"signed hash header of the body", func() (*http.Request, []byte) {
			return sign(bodyA, sha256Hex(bodyA)), bodyA
		}, ""},
		{"signed UNSIGNED-PAYLOAD (documented: the body is not covered)", func() (*http.Request, []byte) {
			return sign(bodyA, UnsignedPayload), bodyB
		}, ""},
		{"UNSIGNED-PAYLOAD added after signing", func() (*http.Request, []byte) {
			req := sign(bodyA, "")
			req.Header.Set(HeaderContentSHA256, UnsignedPayload)
			return req, bodyB
		}, "not signed"},
		{"the hash header twice", func() (*http.Request, []byte) {
			req := sign(bodyA, sha256Hex(bodyA))
			req.Header.Add(HeaderContentSHA256, sha256Hex(bodyB))
			return req, bodyA
		}, "more than once"},
	}
	for _, tc := range cases {
		req, body := tc.req()
		err := fixedVerifier(now).Verify(req, body)
		if tc.reason == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		var verr *VerifyError
		if assert.ErrorAs(t, err, &verr, tc.name) {
			assert.Contains(t, verr.Reason, tc.reason, tc.name)
		}
	}
}

// A transport on another clock signs with that clock's date, so that a
// server on the same clock finds no skew however far it has moved.
func TestTransportWithNowSignsWithThatDate(t *testing.T) {
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	var got *http.Request
	tr := NewTransport(AKSK{AK: testAK, SK: testSK}, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})).WithNow(func() time.Time { return at })
	req, err := http.NewRequest(http.MethodGet, "https://dli.example.com/v1.0/p/x", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "20310506T070809Z", got.Header.Get("X-Sdk-Date"))
	assert.NoError(t, fixedVerifier(at).Verify(got, nil), "a server at that date accepts it")
	assert.Error(t, fixedVerifier(time.Now()).Verify(got, nil), "a server at the system's date finds it skewed")
}
