// Package auth authenticates requests to DLI: AK/SK request signing
// (SDK-HMAC-SHA256, as API Gateway verifies it), IAM token auth, and the
// server side of signing for stand-in servers. Secrets never appear in
// errors, logs or String output.
package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
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
	HeaderAuthToken     = "X-Auth-Token" //nolint:gosec // a header name, not a credential
	// UnsignedPayload in a signed X-Sdk-Content-Sha256 header signs a
	// request without hashing its body.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// Signer signs requests with an access key pair. It is safe for concurrent
// use.
type Signer struct {
	ak, sk string
	// macs recycles keyed HMAC states: hmac.New derives the key pads,
	// which Reset keeps.
	macs sync.Pool
}

// NewSigner returns a signer for access key ak and secret key sk, used
// exactly as given.
func NewSigner(ak, sk string) *Signer {
	s := &Signer{ak: ak, sk: sk}
	s.macs.New = func() any { return hmac.New(sha256.New, []byte(sk)) }
	return s
}

// String names the access key and hides the secret.
func (s *Signer) String() string { return "auth.Signer{AK: " + maskAK(s.ak) + ", SK: [redacted]}" }

// GoString keeps %#v from printing the secret key.
func (s *Signer) GoString() string { return s.String() }

// Sign sets X-Sdk-Date from t (in UTC) and Authorization on req. It signs
// host plus every header present on req at that moment (but Authorization)
// and the SHA-256 of the exact body bytes, which stay readable: the body is
// read through GetBody when the request has one, else buffered and put
// back. A X-Sdk-Content-Sha256 header already on req (UNSIGNED-PAYLOAD) is
// signed and used as the payload hash instead. Sign last, after every other
// change to the request.
func (s *Signer) Sign(req *http.Request, t time.Time) error {
	if req == nil || req.URL == nil {
		return errors.New("auth: sign: request has no URL")
	}
	if s.ak == "" || s.sk == "" {
		return errors.New("auth: sign: access key or secret key is empty")
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	payload := req.Header.Get(HeaderContentSHA256)
	if payload == "" {
		var err error
		if payload, err = hashBody(req); err != nil {
			return fmt.Errorf("auth: sign %s %s: read body: %w", req.Method, req.URL.Path, err)
		}
	}
	date := t.UTC().Format(DateLayout)
	req.Header.Set(HeaderDate, date)

	// Authorization is replaced below and never signed; another spelling
	// of the key would be sent next to ours.
	for key := range req.Header {
		if strings.EqualFold(key, "Authorization") {
			delete(req.Header, key)
		}
	}
	headers := signedHeaders(req.Header, hostOf(req))
	canonical := canonicalRequest(make([]byte, 0, 512), req, headers, payload)
	authz := make([]byte, 0, 128+len(s.ak)+16*len(headers))
	authz = append(authz, Algorithm+" Access="...)
	authz = append(authz, s.ak...)
	authz = append(authz, ", SignedHeaders="...)
	authz = appendSignedHeaders(authz, headers)
	authz = append(authz, ", Signature="...)
	authz = s.appendSignature(authz, date, canonical)
	req.Header.Set("Authorization", string(authz))
	return nil
}

// signedHeaders lists host and every header of h but Authorization, by
// lower-case name, sorted; keys spelt differently but equal in lower case
// are merged, as each is sent.
func signedHeaders(h http.Header, host string) []signedHeader {
	out := make([]signedHeader, 0, len(h)+1)
	out = append(out, signedHeader{name: "host", values: []string{host}})
	for key, values := range h {
		name := strings.ToLower(key)
		if name == "host" || name == "authorization" {
			continue
		}
		if i := slices.IndexFunc(out, func(s signedHeader) bool { return s.name == name }); i >= 0 {
			out[i].values = append(slices.Clip(out[i].values), values...)
			continue
		}
		out = append(out, signedHeader{name: name, values: values})
	}
	slices.SortFunc(out, func(a, b signedHeader) int { return strings.Compare(a.name, b.name) })
	return out
}

// appendSignature appends hex(HMAC-SHA256(sk, Algorithm + "\n" + date +
// "\n" + hex(SHA-256(canonical)))) to b.
func (s *Signer) appendSignature(b []byte, date string, canonical []byte) []byte {
	sum := sha256.Sum256(canonical)
	var sts [len(Algorithm) + 1 + len(DateLayout) + 1 + 2*sha256.Size]byte
	msg := append(sts[:0], Algorithm+"\n"...)
	msg = append(msg, date...)
	msg = append(msg, '\n')
	msg = hex.AppendEncode(msg, sum[:])
	mac := s.macs.Get().(hash.Hash)
	defer func() { mac.Reset(); s.macs.Put(mac) }()
	_, _ = mac.Write(msg)
	var sig [sha256.Size]byte
	return hex.AppendEncode(b, mac.Sum(sig[:0]))
}

// hashBody returns the hex SHA-256 of the request body without consuming
// it.
func hashBody(req *http.Request) (string, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return sha256Hex(nil), nil
	}
	if req.GetBody == nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return "", err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		return sha256Hex(b), nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return "", err
	}
	defer func() { _ = rc.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hostOf is the authority Go's client will send as Host.
func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// maskAK shows enough of an access key to tell keys apart in a log.
func maskAK(ak string) string {
	if len(ak) <= 4 {
		return "****"
	}
	return ak[:4] + "****"
}
