package auth

import (
	"errors"
	"net/http"
	"time"
)

// Credentials authenticate one outgoing request.
type Credentials interface {
	// Authenticate adds the credentials to req; now is the signing time.
	Authenticate(req *http.Request, now time.Time) error
}

// AKSK are access-key credentials: a permanent key pair, or a temporary one
// with its security token. With a ProjectID, requests carry X-Project-Id.
type AKSK struct {
	AK            string
	SK            string
	SecurityToken string // temporary credentials only
	ProjectID     string
}

// Authenticate adds X-Project-Id and X-Security-Token when configured, then
// signs the request, so that both are covered by the signature.
func (c AKSK) Authenticate(req *http.Request, now time.Time) error {
	c.setHeaders(req)
	return NewSigner(c.AK, c.SK).Sign(req, now)
}

func (c AKSK) setHeaders(req *http.Request) {
	if c.ProjectID != "" {
		req.Header[HeaderProjectID] = []string{c.ProjectID}
	}
	if c.SecurityToken != "" {
		req.Header[HeaderSecurityToken] = []string{c.SecurityToken}
	}
}

// String hides the secret key and the security token.
func (c AKSK) String() string {
	s := "auth.AKSK{AK: " + maskAK(c.AK) + ", SK: [redacted]"
	if c.SecurityToken != "" {
		s += ", SecurityToken: [redacted]"
	}
	if c.ProjectID != "" {
		s += ", ProjectID: " + c.ProjectID
	}
	return s + "}"
}

// GoString keeps %#v from printing secrets.
func (c AKSK) GoString() string { return c.String() }

// Token is a project-scoped IAM token, sent as X-Auth-Token.
type Token string

// Authenticate sets X-Auth-Token.
func (t Token) Authenticate(req *http.Request, _ time.Time) error {
	if t == "" {
		return errors.New("auth: token is empty")
	}
	req.Header.Set(HeaderAuthToken, string(t))
	return nil
}

// String hides the token.
func (t Token) String() string { return "auth.Token([redacted])" }

// GoString keeps %#v from printing the token.
func (t Token) GoString() string { return t.String() }

// Transport authenticates every request it sends. Put it directly in front
// of the network, below any retrying layer: signing is then the last change
// made to a request, after every request editor of the generated client,
// and each retry attempt is signed anew with a fresh X-Sdk-Date. (A request
// editor cannot guarantee that: per-call editors run after client-level
// ones, and editors run once per call, not per attempt.)
type Transport struct {
	creds Credentials
	next  http.RoundTripper
	now   func() time.Time
}

// NewTransport returns a transport that authenticates with creds and sends
// through next (http.DefaultTransport when nil).
func NewTransport(creds Credentials, next http.RoundTripper) *Transport {
	if next == nil {
		next = http.DefaultTransport
	}
	if c, ok := creds.(AKSK); ok {
		creds = &preparedAKSK{AKSK: c, signer: NewSigner(c.AK, c.SK)}
	}
	return &Transport{creds: creds, next: next, now: time.Now}
}

// preparedAKSK keeps the signer (and its HMAC pads) of an AKSK for the
// life of a transport instead of deriving it on every request.
type preparedAKSK struct {
	AKSK
	signer *Signer
}

func (c *preparedAKSK) Authenticate(req *http.Request, now time.Time) error {
	c.setHeaders(req)
	return c.signer.Sign(req, now)
}

// RoundTrip authenticates a copy of req, leaving the caller's untouched.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.creds == nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errors.New("auth: Transport has no credentials; build it with NewTransport")
	}
	// A shallow copy with its own headers is all signing changes; a full
	// Clone would also copy the URL and more on every call.
	r := new(http.Request)
	*r = *req
	r.Header = req.Header.Clone()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	if err := t.creds.Authenticate(r, t.now()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(r)
}
