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
// body hash (or X-Sdk-Content-Sha256), with X-Sdk-Date within MaxSkew.
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
	payload := req.Header.Get(HeaderContentSHA256)
	if payload == "" {
		payload = sha256Hex(body)
	}
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = http.CanonicalHeaderKey(n)
	}
	canonical := canonicalRequest(nil, req, req.Host, names, keys, []byte(payload))
	var want [64]byte
	newHMACKey([]byte(sk)).signature(&want, date, canonical)
	if !hmac.Equal(want[:], []byte(sig)) {
		return &VerifyError{"signature does not match the request"}
	}
	return nil
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
