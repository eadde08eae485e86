// Package auth authenticates requests to DLI: AK/SK request signing
// (SDK-HMAC-SHA256, as API Gateway verifies it), IAM token auth, and the
// server side of signing for stand-in servers. Secrets never appear in
// errors, logs or String output.
package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Header names and formats of Huawei Cloud's API Gateway.
const (
	Algorithm           = "SDK-HMAC-SHA256"
	DateLayout          = "20060102T150405Z"
	HeaderDate          = "X-Sdk-Date"
	HeaderContentSHA256 = "X-Sdk-Content-Sha256"
	HeaderSecurityToken = "X-Security-Token"
	HeaderProjectID     = "X-Project-Id"
	HeaderAuthToken     = "X-Auth-Token"
	// UnsignedPayload in X-Sdk-Content-Sha256 signs a request without
	// hashing its body.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// Signer signs requests with an access key pair. It is safe for concurrent
// use.
type Signer struct {
	ak string
	sk []byte
}

// NewSigner returns a signer for access key ak and secret key sk, used
// exactly as given.
func NewSigner(ak, sk string) *Signer { return &Signer{ak: ak, sk: []byte(sk)} }

// String names the access key and hides the secret.
func (s *Signer) String() string { return "auth.Signer{AK: " + maskAK(s.ak) + ", SK: [redacted]}" }

// GoString keeps %#v from printing the secret key.
func (s *Signer) GoString() string { return s.String() }

// Sign sets X-Sdk-Date from t (in UTC) and Authorization on req. It signs
// host plus every header present on req at that moment (but Authorization)
// and the SHA-256 of the exact body bytes, which stay readable: the body is
// read through GetBody when the request has one, else buffered and put
// back. Sign it last, after every other change to the request.
func (s *Signer) Sign(req *http.Request, t time.Time) error {
	if req == nil || req.URL == nil {
		return errors.New("auth: sign: request has no URL")
	}
	if s.ak == "" || len(s.sk) == 0 {
		return errors.New("auth: sign: access key or secret key is empty")
	}
	payload := req.Header.Get(HeaderContentSHA256)
	if payload == "" {
		body, err := bodyBytes(req)
		if err != nil {
			return fmt.Errorf("auth: sign %s %s: read body: %w", req.Method, req.URL.Path, err)
		}
		payload = sha256Hex(body)
	}
	date := t.UTC().Format(DateLayout)
	req.Header.Set(HeaderDate, date)
	req.Header.Del("Authorization")

	names := make([]string, 0, len(req.Header)+1)
	names = append(names, "host")
	for name := range req.Header {
		if l := strings.ToLower(name); l != "host" {
			names = append(names, l)
		}
	}
	sort.Strings(names)

	var b strings.Builder
	b.Grow(512)
	canonicalRequest(&b, req, hostOf(req), names, payload)
	sig := signature(s.sk, date, b.String())

	b.Reset()
	b.WriteString(Algorithm)
	b.WriteString(" Access=")
	b.WriteString(s.ak)
	b.WriteString(", SignedHeaders=")
	for i, n := range names {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(n)
	}
	b.WriteString(", Signature=")
	b.WriteString(sig)
	req.Header.Set("Authorization", b.String())
	return nil
}

// hostOf is the authority Go's client will send as Host.
func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// bodyBytes returns the request body without consuming it.
func bodyBytes(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}

// maskAK shows enough of an access key to tell keys apart in a log.
func maskAK(ak string) string {
	if len(ak) <= 4 {
		return "****"
	}
	return ak[:4] + "****"
}
