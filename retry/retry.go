// Package retry retries DLI calls that failed for passing reasons, without
// ever risking a duplicate connection.
//
// What is retried:
//
//   - GET, HEAD, OPTIONS, PUT and DELETE (list, show, delete): network
//     errors and HTTP 429, 500, 502, 503 and 504. A network error while
//     the response body is read counts too: while attempts remain, the
//     transport reads the body of these answers (up to MaxBufferedBody)
//     before returning it, so a connection reset after the headers is
//     retried like one before them.
//   - POST (create, associate, route add): after HTTP 429, which API
//     Gateway answers before the request reaches DLI, so nothing ran; and
//     when the request certainly never reached the server, i.e. the
//     connection could not be opened (refused, no route, DNS failure).
//     Never after a timeout, a reset or a 5xx: the server may have created
//     the connection, and a second create would make a duplicate (or fail
//     with DLI.0006).
//
// Waits grow exponentially, each drawn between half and all of its step
// (equal jitter) so that clients do not retry in lockstep; a Retry-After
// header (seconds or an HTTP date) is honoured, and no wait runs past the
// context's deadline. Put the transport above the authenticating one, so every
// attempt is signed anew with a fresh X-Sdk-Date.
package retry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/dli-contract/dli-go/clock"
)

// Policy says how often and how long to retry. The zero value is usable:
// every zero field takes its default.
type Policy struct {
	MaxAttempts int           // attempts in all, the first included; default 3
	BaseDelay   time.Duration // first backoff; default 200ms
	MaxDelay    time.Duration // cap of one wait, Retry-After included; default 20s
	// OnAttempt, when set, is told of every attempt as it ends, with the
	// decision taken after it (for logging; it must not keep the request
	// or response).
	OnAttempt func(Attempt)
}

// Attempt is one try of a request and what the transport decided after
// it.
type Attempt struct {
	Request  *http.Request
	Response *http.Response // nil when Err is set
	Err      error
	Number   int // from 1
	Duration time.Duration
	// Retry is true when another attempt follows, after Wait.
	Retry bool
	Wait  time.Duration
	// Reason says why the attempt is, or is not, retried.
	Reason string
	// GaveUp is true when the attempt failed in a way that is retried,
	// but no attempt or time was left.
	GaveUp bool
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 200 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 20 * time.Second
	}
	return p
}

// Transport retries requests through next.
type Transport struct {
	next   http.RoundTripper
	policy Policy
	// sleep waits for d or until ctx is done; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a random duration in [0, d).
	jitter func(d time.Duration) time.Duration
}

// NewTransport returns a retrying transport in front of next
// (http.DefaultTransport when nil).
func NewTransport(next http.RoundTripper, p Policy) *Transport {
	if next == nil {
		next = http.DefaultTransport
	}
	return &Transport{next: next, policy: p.withDefaults(), sleep: clock.System.Sleep, jitter: func(d time.Duration) time.Duration {
		if d <= 0 {
			return 0
		}
		return rand.N(d) //nolint:gosec // jitter spreads retries; it guards no secret
	}}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		var start time.Time
		if t.policy.OnAttempt != nil {
			start = time.Now() // only a listener needs the duration
		}
		r, err := rewind(req, attempt)
		if err != nil {
			// The first attempt handed req.Body on; closing it again is
			// harmless, and a RoundTripper must leave no body open.
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, fmt.Errorf("retry: attempt %d of %s %s: rewind the body: %w", attempt, req.Method, req.URL.Redacted(), err)
		}
		resp, err := t.next.RoundTrip(r)
		if err == nil && idempotent(req.Method) && attempt < t.policy.MaxAttempts {
			if berr := buffer(resp); berr != nil {
				resp, err = nil, berr
			}
		}
		retryable, reason := t.retryable(req, resp, err)
		if attempt >= t.policy.MaxAttempts || !retryable || ctx.Err() != nil {
			if retryable {
				reason += fmt.Sprintf("; no attempt left of %d", t.policy.MaxAttempts)
				if ctx.Err() != nil {
					reason += "; " + ctx.Err().Error()
				}
			}
			t.tell(Attempt{Request: r, Response: resp, Err: err, Number: attempt, Duration: time.Since(start), Reason: reason, GaveUp: retryable})
			return resp, err
		}
		wait := t.backoff(attempt)
		if resp != nil {
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = min(ra, t.policy.MaxDelay)
				reason += fmt.Sprintf(", Retry-After %s", ra)
			}
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			// The next attempt could not finish in time: answer now with
			// what we have rather than fail with a deadline error later.
			t.tell(Attempt{Request: r, Response: resp, Err: err, Number: attempt, Duration: time.Since(start),
				Reason: reason + fmt.Sprintf("; the deadline comes before the next attempt (in %s)", wait), GaveUp: true})
			return resp, err
		}
		t.tell(Attempt{Request: r, Response: resp, Err: err, Number: attempt, Duration: time.Since(start), Retry: true, Wait: wait, Reason: reason})
		if resp != nil {
			drain(resp)
		}
		if serr := t.sleep(ctx, wait); serr != nil {
			if err == nil {
				err = serr
			}
			return nil, err
		}
	}
}

// rewind returns the request for an attempt with a fresh body.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 {
		return req, nil
	}
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody() // retryable made sure there is one
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

func (t *Transport) tell(a Attempt) {
	if t.policy.OnAttempt != nil {
		t.policy.OnAttempt(a)
	}
}

// retryable decides whether to try req again after this answer, and says
// why.
func (t *Transport) retryable(req *http.Request, resp *http.Response, err error) (bool, string) {
	if err == nil && resp.StatusCode < 400 {
		return false, "success"
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false, "the body cannot be sent again"
	}
	if err != nil {
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			return false, "the context is done"
		case idempotent(req.Method):
			return true, "network error of an idempotent " + req.Method
		case neverSent(err):
			return true, "the connection could not be opened, so nothing was sent"
		}
		return false, "network error of a " + req.Method + " that may have arrived"
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		// API Gateway refuses before DLI sees the request: nothing ran,
		// whatever the method.
		return true, "429 throttled"
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if idempotent(req.Method) {
			return true, fmt.Sprintf("%d of an idempotent %s", resp.StatusCode, req.Method)
		}
		return false, fmt.Sprintf("%d of a %s, which may have run", resp.StatusCode, req.Method)
	}
	return false, fmt.Sprintf("%d is not retried", resp.StatusCode)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// neverSent reports whether err happened while opening the connection, so
// no byte of the request reached the server.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// backoff is an exponential wait with equal jitter for the given attempt.
func (t *Transport) backoff(attempt int) time.Duration {
	d := t.policy.BaseDelay << (attempt - 1)
	if d <= 0 || d > t.policy.MaxDelay {
		d = t.policy.MaxDelay
	}
	return d/2 + t.jitter(d/2)
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// MaxBufferedBody bounds the response body buffered to retry a read that
// fails; a larger body is handed on as it streams.
const MaxBufferedBody = 8 << 20

// buffer reads resp's body into memory, so that an error while reading it
// surfaces here, where it can still be retried.
func buffer(resp *http.Response) error {
	if resp.Body == nil || resp.Body == http.NoBody || resp.ContentLength > MaxBufferedBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBufferedBody+1))
	if err != nil {
		_ = resp.Body.Close()
		return fmt.Errorf("read response body: %w", err)
	}
	if len(b) > MaxBufferedBody {
		// Unknown length and larger than the bound: hand on what was read
		// followed by the rest, unbuffered.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
		return nil
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return nil
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
