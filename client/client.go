// Package client is the DLI client a Go program calls: one typed method per
// operation of the document (generated, in operations.gen.go), waiters
// that poll until a connection is usable, a paginator over enhanced
// connections, and one error type, *apierror.Error, for every failure.
//
// It assembles the generated client (gen/dli) with the hand-written
// runtime: endpoint resolution, authentication, retries and timeouts, and
// only configures gen/dli through its options (WithHTTPClient), so
// everything the generated client offers stays available through Raw.
//
// The transport chain of a call, from the caller down:
//
//	Wrap (e.g. validate.NewTransport) → deadline → retry → auth → network
//
// Authentication sits below retries so every attempt is signed anew.
package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/dli-contract/dli-go/apierror"
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
	// ProjectID is the project every call is for: it fills the project_id
	// path parameter, and X-Project-Id under AK/SK. When empty, the
	// credentials' project (HUAWEICLOUD_SDK_PROJECT_ID, or project_id in
	// the credentials file) is used; one of them is required.
	ProjectID string
	// Region, e.g. cn-north-4, picks the public endpoint; Endpoint, when
	// set, is used instead (a private endpoint or a local mock).
	Region   string
	Endpoint string
	// Credentials authenticate each request: auth.AKSK, auth.Token, or
	// auth.Anonymous for a local mock (allowed only for a loopback or
	// reserved test host). When nil, CredentialsProvider finds them.
	Credentials auth.Credentials
	// CredentialsProvider finds credentials when Credentials is nil:
	// auth.DefaultChain when nil, which looks in the environment
	// (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK ...), then in the SDK's
	// credentials file, then, only when asked for, in the metadata
	// service. New fails, naming every place tried, when none has them.
	CredentialsProvider auth.Provider
	// Logger, when set, gets one Debug line per attempt (operation,
	// method, path, status, request id, attempt, duration, and the retry
	// decision with its reason) and a Warn line when retries give up.
	// Credentials never reach it, nor bodies unless LogBodies.
	Logger *slog.Logger
	// LogBodies adds the first 2 KiB of request and response bodies to
	// the Debug lines.
	LogBodies bool
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
	// Wait is the polling schedule of the waiters.
	Wait WaitPolicy
}

// Client calls DLI: one method per operation of the document, named after
// its operationId, plus waiters and a paginator. It is safe for concurrent
// use.
type Client struct {
	raw       *dli.ClientWithResponses
	projectID string
	wait      WaitPolicy
	// logged is true when a logger wants the operation of each call.
	logged bool
}

// New returns a client configured by o. More generated options (such as
// dli.WithRequestEditorFn) may follow; they run before signing.
func New(o Options, opts ...dli.ClientOption) (*Client, error) {
	server, err := endpoint.Resolve(o.Region, o.Endpoint)
	if err != nil {
		return nil, err
	}
	if err := resolveCredentials(&o, server); err != nil {
		return nil, err
	}
	if o.ProjectID == "" {
		return nil, errors.New("client: Options.ProjectID is required: the project every call is for (IAM GET /v3/projects); " +
			"or set " + auth.EnvProjectID)
	}
	if c, ok := o.Credentials.(auth.AKSK); ok {
		switch c.ProjectID {
		case "":
			c.ProjectID = o.ProjectID
			o.Credentials = c
		case o.ProjectID:
		default:
			return nil, fmt.Errorf("client: the credentials are for project %s, Options.ProjectID is %s; give one project", c.ProjectID, o.ProjectID)
		}
	}
	wait, err := o.Wait.resolve(server)
	if err != nil {
		return nil, err
	}
	hc, err := HTTPClient(o)
	if err != nil {
		return nil, err
	}
	raw, err := dli.NewClientWithResponses(server, append([]dli.ClientOption{dli.WithHTTPClient(hc)}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &Client{raw: raw, projectID: o.ProjectID, wait: wait, logged: o.Logger != nil}, nil
}

// resolveCredentials fills o.Credentials from its provider when nil, and
// o.ProjectID from the credentials when empty; it refuses
// auth.Anonymous for an endpoint that could be real.
func resolveCredentials(o *Options, server string) error {
	if o.Credentials == auth.Anonymous {
		if !local(server) {
			return fmt.Errorf("client: auth.Anonymous sends unsigned requests; it is allowed only for a loopback or reserved test host "+
				"(127.0.0.1, ::1, localhost, *.invalid, *.test, *.localhost), not %s", server)
		}
		return nil
	}
	if o.Credentials == nil {
		p := o.CredentialsProvider
		if p == nil {
			p = auth.DefaultChain(auth.ChainOptions{})
		}
		// Finding credentials may ask the metadata service; its own
		// timeouts bound that.
		creds, err := p.Credentials(context.Background())
		if err != nil {
			return fmt.Errorf("client: %w", err)
		}
		o.Credentials = creds
	}
	if o.ProjectID == "" {
		if c, ok := o.Credentials.(auth.AKSK); ok {
			o.ProjectID = c.ProjectID
		}
	}
	return nil
}

// Raw returns the generated client underneath, for anything the typed
// methods do not offer (bodies as io.Reader, request editors per call,
// the full response).
func (c *Client) Raw() *dli.ClientWithResponses { return c.raw }

// ProjectID returns the project every call is for.
func (c *Client) ProjectID() string { return c.projectID }

// check turns the result of a generated call into the typed methods' one
// error: an *apierror.Error naming the operation for every answer that is
// not a success, the call's own error (network, context) wrapped with the
// operation's name.
func check(op string, resp apierror.Response, err error) error {
	err = apierror.Check(resp, err)
	if err == nil {
		return nil
	}
	var e *apierror.Error
	if errors.As(err, &e) {
		e.Operation = op
		return e
	}
	return fmt.Errorf("%s: %w", op, err)
}

// HTTPClient returns the *http.Client New uses, for callers who build the
// generated client themselves.
func HTTPClient(o Options) (*http.Client, error) {
	if o.Timeout < 0 {
		return nil, errors.New("client: Timeout must not be negative")
	}
	server, err := endpoint.Resolve(o.Region, o.Endpoint)
	if err != nil {
		return nil, err
	}
	if err := resolveCredentials(&o, server); err != nil {
		return nil, err
	}
	rt := o.Transport
	if rt == nil {
		rt = DefaultTransport()
	}
	if o.Credentials != nil && o.Credentials != auth.Anonymous {
		rt = auth.NewTransport(o.Credentials, rt)
	}
	policy := o.Retry
	if o.Logger != nil {
		policy.OnAttempt = chainAttempts(policy.OnAttempt, logAttempt(o.Logger, o.LogBodies))
	}
	rt = retry.NewTransport(rt, policy)
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
