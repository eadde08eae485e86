package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Transport is an http.RoundTripper that checks every outgoing request
// against the document and refuses to send one that does not match: the
// caller gets an *Error naming the operation, field and rule, and nothing
// reaches the wire. Optionally it checks responses too.
//
// Use it by wrapping the client's transport:
//
//	hc := &http.Client{Transport: validate.NewTransport(doc, nil)}
//	c, _ := dli.NewClientWithResponses(server, dli.WithHTTPClient(hc))
type Transport struct {
	doc       *Document
	next      http.RoundTripper
	responses bool
}

// TransportOption configures a Transport.
type TransportOption func(*Transport)

// CheckResponses makes the transport also check each response (declared
// status, content type, body schema) and return an *Error for a mismatch.
// The response body stays readable for the caller.
func CheckResponses() TransportOption { return func(t *Transport) { t.responses = true } }

// NewTransport returns a validating transport in front of next
// (http.DefaultTransport when nil).
func NewTransport(doc *Document, next http.RoundTripper, opts ...TransportOption) *Transport {
	if next == nil {
		next = http.DefaultTransport
	}
	t := &Transport{doc: doc, next: next}
	for _, o := range opts {
		o(t)
	}
	return t
}

// RoundTrip implements http.RoundTripper. It never modifies req: validation
// runs on a copy with its own body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.doc == nil {
		closeBody(req)
		return nil, errors.New("validate: Transport has no document; build it with NewTransport")
	}
	body, err := ReadBody(req)
	if err != nil {
		return nil, fmt.Errorf("validate: read request body of %s %s: %w", req.Method, req.URL.Path, err)
	}
	check := WithBody(req, body)
	op, err := t.doc.Request(check)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(WithBody(req, body))
	if err != nil || !t.responses {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("validate: read response body of %s: %w", op.ID, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err := t.doc.Response(check, op, resp.StatusCode, resp.Header, respBody); err != nil {
		return nil, err
	}
	return resp, nil
}

// ReadBody returns the request body and closes req.Body: what is sent and
// what is checked are copies of the bytes read here, so req.Body itself is
// never handed on, and a RoundTripper must close it.
func ReadBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer closeBody(req)
	return io.ReadAll(req.Body)
}

// closeBody closes the body of a request that will not be sent, as a
// RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// WithBody returns a shallow copy of req whose body reads b, and can
// again.
func WithBody(req *http.Request, b []byte) *http.Request {
	r := req.Clone(req.Context())
	if b == nil {
		r.Body, r.GetBody = http.NoBody, nil
		return r
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
	return r
}
