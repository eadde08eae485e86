package mockserver

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/jarcoal/httpmock"
)

// NewMockTransport returns an httpmock transport that answers every
// request with h in-process, without sockets: give it to a client with
// &http.Client{Transport: mockserver.NewMockTransport(s)}. Each call makes
// a new transport, so tests using it do not share state.
func NewMockTransport(h http.Handler) *httpmock.MockTransport {
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(Responder(h))
	return mt
}

// Responder adapts h to an httpmock responder. The request is handed over
// as a server would see it: Host and RequestURI set, a non-nil body.
func Responder(h http.Handler) httpmock.Responder {
	return func(req *http.Request) (resp *http.Response, err error) {
		defer func() {
			// A handler that aborts (the close fault) closed the
			// connection without an answer.
			if v := recover(); v != nil {
				if v != http.ErrAbortHandler { //nolint:errorlint // panics compare by identity
					panic(v)
				}
				resp, err = nil, fmt.Errorf("mock: the server closed the connection without an answer: %w", io.ErrUnexpectedEOF)
			}
		}()
		r := req.Clone(req.Context())
		if r.Host == "" {
			r.Host = r.URL.Host
		}
		r.RequestURI = r.URL.RequestURI()
		if r.Body == nil {
			r.Body = http.NoBody
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		resp = rec.Result()
		resp.Request = req
		return resp, nil
	}
}
