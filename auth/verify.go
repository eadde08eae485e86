package auth

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Verifier checks SDK-HMAC-SHA256 signatures as API Gateway does, for
// stand-in servers: whatever SignedHeaders list the client chose, over the
// body's SHA-256 (or UNSIGNED-PAYLOAD in a signed X-Sdk-Content-Sha256),
// with X-Sdk-Date within MaxSkew.
type Verifier struct {
	// SecretKey returns the secret key of an access key, or false.
	SecretKey func(ak string) (sk string, ok bool)
	// MaxSkew is how far X-Sdk-Date may be from Now; 15 minutes when 0.
	MaxSkew time.Duration
	// Now is the server clock; time.Now when nil.
	Now func() time.Time
}

// VerifyError says why a signature was refused, without any secret.
type VerifyError struct{ Reason string }

func (e *VerifyError) Error() string { return "auth: signature refused: " + e.Reason }

// Verify checks the signature of req, whose body is body.
func (v *Verifier) Verify(req *http.Request, body []byte) error {
	authz := req.Header.Get("Authorization")
	if authz == "" {
		return &VerifyError{"no Authorization header"}
	}
	ak, names, sig, err := parseAuthorization(authz)
	if err != nil {
		return err
	}
	sk, ok := v.SecretKey(ak)
	if !ok {
		return &VerifyError{"unknown access key " + maskAK(ak)}
	}
	date := req.Header.Get(HeaderDate)
	ts, err := time.Parse(DateLayout, date)
	if err != nil {
		return &VerifyError{fmt.Sprintf("X-Sdk-Date %q is not of the form 20060102T150405Z", date)}
	}
	skew, now := v.MaxSkew, time.Now
	if skew == 0 {
		skew = 15 * time.Minute
	}
	if v.Now != nil {
		now = v.Now
	}
	if d := now().Sub(ts); d > skew || d < -skew {
		return &VerifyError{fmt.Sprintf("X-Sdk-Date %s is more than %s from the server time", date, skew)}
	}
	if !slices.Contains(names, "x-sdk-date") {
		return &VerifyError{"SignedHeaders does not include x-sdk-date"}
	}
	for _, n := range names {
		if n != "host" && len(req.Header.Values(n)) == 0 {
			return &VerifyError{fmt.Sprintf("signed header %s is not in the request", n)}
		}
	}
	payload, err := payloadHash(req, names, body)
	if err != nil {
		return err
	}
	headers := make([]signedHeader, len(names))
	for i, n := range names {
		headers[i] = signedHeader{name: n, values: req.Header.Values(n)}
		if n == "host" {
			headers[i].values = []string{req.Host}
		}
	}
	canonical := canonicalRequest(nil, req, headers, payload)
	want := NewSigner(ak, sk).appendSignature(nil, date, canonical)
	if !hmac.Equal(want, []byte(sig)) {
		return &VerifyError{"signature does not match the request"}
	}
	return nil
}

// payloadHash is the payload hash the signature must cover: the body's own
// SHA-256, or UNSIGNED-PAYLOAD when the client sent that in a signed
// X-Sdk-Content-Sha256. A hash in that header vouches for nothing unless it
// is signed, and never for a body it does not match: otherwise a signature
// over one body would let any other body through.
func payloadHash(req *http.Request, names []string, body []byte) (string, error) {
	actual := sha256Hex(body)
	claimed := req.Header.Values(HeaderContentSHA256)
	switch {
	case len(claimed) == 0:
		return actual, nil
	case !slices.Contains(names, strings.ToLower(HeaderContentSHA256)):
		return "", &VerifyError{"X-Sdk-Content-Sha256 is sent but not signed"}
	case len(claimed) > 1:
		return "", &VerifyError{"X-Sdk-Content-Sha256 is sent more than once"}
	case claimed[0] == UnsignedPayload:
		return UnsignedPayload, nil
	case claimed[0] != actual:
		return "", &VerifyError{"X-Sdk-Content-Sha256 does not match the body"}
	}
	return actual, nil
}

// parseAuthorization reads
// "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (ak string, names []string, sig string, err error) {
	rest, ok := strings.CutPrefix(h, Algorithm+" ")
	if !ok {
		return "", nil, "", &VerifyError{"Authorization does not start with " + Algorithm}
	}
	for _, part := range strings.Split(rest, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return "", nil, "", &VerifyError{"Authorization has a part without '='"}
		}
		switch k {
		case "Access":
			ak = val
		case "SignedHeaders":
			names = strings.Split(val, ";")
		case "Signature":
			sig = val
		}
	}
	if ak == "" || len(names) == 0 || sig == "" {
		return "", nil, "", &VerifyError{"Authorization lacks Access, SignedHeaders or Signature"}
	}
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	return ak, names, sig, nil
}
