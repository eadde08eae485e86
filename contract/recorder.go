package contract

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/dli-contract/dli-go/validate"
)

// Recorder is an http.RoundTripper that sits between the client and the
// server (an httpmock transport, a local mock or a live endpoint). It
// validates every request and every response against the document,
// records the (operation, status) pairs exercised, and collects findings
// instead of failing the call, so the client still sees what the server
// said.
type Recorder struct {
	doc      *validate.Document
	next     http.RoundTripper
	coverage *Coverage

	mu       sync.Mutex
	findings []Finding
}

// NewRecorder returns a recorder in front of next that counts into cov
// (which may be shared by many recorders).
func NewRecorder(doc *validate.Document, next http.RoundTripper, cov *Coverage) *Recorder {
	return &Recorder{doc: doc, next: next, coverage: cov}
}

// Findings returns what the recorder found so far.
func (r *Recorder) Findings() []Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Finding(nil), r.findings...)
}

func (r *Recorder) add(where, what string) {
	r.mu.Lock()
	r.findings = append(r.findings, Finding{Where: where, What: what})
	r.mu.Unlock()
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := validate.ReadBody(req)
	if err != nil {
		return nil, err
	}
	fresh := func() *http.Request { return validate.WithBody(req, body) }
	checked := fresh()
	op, reqErr := r.doc.Request(checked)
	where := req.Method + " " + req.URL.Path
	if op != nil {
		where = op.ID
	}
	if reqErr != nil && req.Context().Value(deliberateKey{}) == nil {
		r.add(where+" request", reqErr.Error())
	}
	resp, err := r.next.RoundTrip(fresh())
	if err != nil || op == nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	rwhere := op.ID + " " + strconv.Itoa(resp.StatusCode)
	if err := r.coverage.HitDeclared(op.ID, resp.StatusCode); err != nil {
		r.add(rwhere, err.Error())
	}
	if err := r.doc.Response(checked, op, resp.StatusCode, resp.Header, respBody); err != nil {
		r.add(rwhere, err.Error())
	}
	return resp, nil
}

type deliberateKey struct{}

// Deliberate marks the requests made with ctx as invalid on purpose (to
// see the server refuse them): the Recorder does not report them, while it
// still checks the responses.
func Deliberate(ctx context.Context) context.Context {
	return context.WithValue(ctx, deliberateKey{}, true)
}
