package auth

import (
	"errors"
	"net/http"
	"slices"
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
	return c.authenticate(req, now, NewSigner(c.AK, c.SK))
}

func (c AKSK) authenticate(req *http.Request, now time.Time, s *Signer) error {
	if req == nil {
		return errors.New("auth: authenticate: request is nil")
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if c.ProjectID != "" {
		req.Header.Set(HeaderProjectID, c.ProjectID)
	}
	if c.SecurityToken != "" {
		req.Header.Set(HeaderSecurityToken, c.SecurityToken)
	}
	return s.Sign(req, now)
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
	if req.Header == nil {
		req.Header = http.Header{}
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
	// signer is kept for AKSK credentials, so that its HMAC states are
	// reused across requests.
	signer *Signer
	next   http.RoundTripper
	now    func() time.Time
}

// NewTransport returns a transport that authenticates with creds and sends
// through next (http.DefaultTransport when nil).
func NewTransport(creds Credentials, next http.RoundTripper) *Transport {
	if next == nil {
		next = http.DefaultTransport
	}
	t := &Transport{creds: creds, next: next, now: time.Now}
	if c, ok := creds.(AKSK); ok {
		t.signer = NewSigner(c.AK, c.SK)
	}
	return t
}

// WithNow makes t sign with the date now gives instead of the system
// clock's, for a caller whose server runs on another clock (a test's
// fake one); it returns t. Call it before t is used.
func (t *Transport) WithNow(now func() time.Time) *Transport {
	t.now = now
	return t
}

// RoundTrip authenticates a copy of req, leaving the caller's untouched.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.creds == nil {
		closeBody(req)
		return nil, errors.New("auth: Transport has no credentials; build it with NewTransport")
	}
	// Authentication changes only headers (and buffers a body that cannot
	// be re-read), so a copy with its own header map is enough. The map
	// has room for the headers signing adds; the value slices are shared
	// but clipped, so that an Add copies instead of writing into the
	// caller's array.
	r := new(http.Request)
	*r = *req
	r.Header = make(http.Header, len(req.Header)+headersAuthAdds)
	for k, v := range req.Header {
		r.Header[k] = slices.Clip(v)
	}
	var err error
	if c, ok := t.creds.(AKSK); ok && t.signer != nil {
		err = c.authenticate(r, t.now(), t.signer)
	} else {
		err = t.creds.Authenticate(r, t.now())
	}
	if err != nil {
		closeBody(req)
		return nil, err
	}
	return t.next.RoundTrip(r)
}

// headersAuthAdds is how many headers AK/SK authentication may add:
// X-Project-Id, X-Security-Token, X-Sdk-Date and Authorization.
const headersAuthAdds = 4

// closeBody closes the body of a request that will not be sent, as a
// RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
