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
	return (&preparedAKSK{AKSK: c, signer: NewSigner(c.AK, c.SK)}).authenticate(req, now, nil)
}

func (c AKSK) setHeaders(h http.Header, spare *[]string) {
	if c.ProjectID != "" {
		setHeader(h, spare, HeaderProjectID, c.ProjectID)
	}
	if c.SecurityToken != "" {
		setHeader(h, spare, HeaderSecurityToken, c.SecurityToken)
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
	return c.authenticate(req, now, nil)
}

func (c *preparedAKSK) authenticate(req *http.Request, now time.Time, spare *[]string) error {
	if req == nil {
		return errors.New("auth: authenticate: request is nil")
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	c.setHeaders(req.Header, spare)
	return c.signer.sign(req, now, spare)
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
	var err error
	if c, ok := t.creds.(*preparedAKSK); ok {
		var spare []string
		r.Header, spare = cloneHeader(req.Header, headersSigningAdds)
		err = c.authenticate(r, t.now(), &spare)
	} else {
		// Room for the one header a token or custom credentials add.
		r.Header, _ = cloneHeader(req.Header, 1)
		err = t.creds.Authenticate(r, t.now())
	}
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(r)
}

// headersSigningAdds is how many headers AK/SK authentication may add:
// X-Project-Id, X-Security-Token, X-Sdk-Date and Authorization.
const headersSigningAdds = 4

// cloneHeader is http.Header.Clone (never nil, though) with room for extra
// more keys, and extra spare value slots after the copied values in the same
// array, for setHeader.
func cloneHeader(h http.Header, extra int) (_ http.Header, spare []string) {
	n := 0
	for _, vv := range h {
		n += len(vv)
	}
	values := make([]string, n+extra)
	out := make(http.Header, len(h)+extra)
	for k, vv := range h {
		if vv == nil {
			// Preserve nil values, as Header.Clone does: a nil value
			// tells the client not to send a default header.
			out[k] = nil
			continue
		}
		n := copy(values, vv)
		out[k] = values[:n:n]
		values = values[n:]
	}
	return out, values
}
