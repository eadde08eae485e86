// Package client assembles the generated DLI client with the hand-written
// runtime: endpoint resolution, authentication, retries and timeouts. It
// only configures gen/dli through its options (WithHTTPClient), so
// everything the generated client offers stays available.
//
// The transport chain of a call, from the caller down:
//
//	Wrap (e.g. validate.NewTransport) → deadline → retry → auth → network
//
// Authentication sits below retries so every attempt is signed anew.
package client

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/endpoint"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/retry"
)

// Default timeouts. A whole call, retries included, is bounded by Timeout;
// cancel sooner through the context.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultDialTimeout    = 10 * time.Second
	DefaultTLSTimeout     = 10 * time.Second
	DefaultHeaderTimeout  = 30 * time.Second
	DefaultIdleConnection = 90 * time.Second
)

// Options configure New.
type Options struct {
	// Region, e.g. cn-north-4, picks the public endpoint; Endpoint, when
	// set, is used instead (a private endpoint or a local mock).
	Region   string
	Endpoint string
	// Credentials authenticate each request: auth.AKSK or auth.Token.
	// Nil sends anonymous requests, which only a local mock accepts.
	Credentials auth.Credentials
	// Retry is the retry policy; the zero value retries up to 3 attempts.
	// Set MaxAttempts to 1 to turn retries off.
	Retry retry.Policy
	// Timeout bounds a whole call, retries included; DefaultTimeout when 0.
	Timeout time.Duration
	// Transport is the network transport; a tuned clone of
	// http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Wrap, when set, wraps the top of the chain, for example with
	// validate.NewTransport to refuse invalid requests before they are
	// sent (kept out of this package so that callers who do not want it
	// do not compile kin-openapi).
	Wrap func(http.RoundTripper) http.RoundTripper
}

// New returns the generated client configured by o. More generated options
// (such as dli.WithRequestEditorFn) may follow; they run before signing.
func New(o Options, opts ...dli.ClientOption) (*dli.ClientWithResponses, error) {
	server, err := endpoint.Resolve(o.Region, o.Endpoint)
	if err != nil {
		return nil, err
	}
	hc, err := HTTPClient(o)
	if err != nil {
		return nil, err
	}
	return dli.NewClientWithResponses(server, append([]dli.ClientOption{dli.WithHTTPClient(hc)}, opts...)...)
}

// HTTPClient returns the *http.Client New uses, for callers who build the
// generated client themselves.
func HTTPClient(o Options) (*http.Client, error) {
	if o.Timeout < 0 {
		return nil, errors.New("client: Timeout must not be negative")
	}
	rt := o.Transport
	if rt == nil {
		rt = DefaultTransport()
	}
	if o.Credentials != nil {
		rt = auth.NewTransport(o.Credentials, rt)
	}
	rt = retry.NewTransport(rt, o.Retry)
	timeout := o.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	rt = &deadlineTransport{next: rt, timeout: timeout}
	if o.Wrap != nil {
		rt = o.Wrap(rt)
	}
	return &http.Client{Transport: rt}, nil
}

// DefaultTransport is http.DefaultTransport with bounded dial, TLS and
// response-header waits, so a silent server cannot hold a call for the
// whole Timeout on one attempt.
func DefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = DefaultTLSTimeout
	t.ResponseHeaderTimeout = DefaultHeaderTimeout
	t.IdleConnTimeout = DefaultIdleConnection
	return t
}
