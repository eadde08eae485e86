package gate

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/gate/check"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/validate"
)

// observer is an http.RoundTripper between the gate's client and the
// server: it records every request in its exchange (the caller's, when
// the caller tracks one), reads each answer up to a cap, and judges every
// answer against the document (declared status, content type, schema,
// never a 5xx). Throttled answers, which say nothing of the contract, are
// not judged. It also notices a server that stopped answering.
type observer struct {
	doc      *validate.Document
	next     http.RoundTripper
	coverage *contract.Coverage
	run      listener
	maxBody  int64
	clock    clock.Clock
	// endpoint and requestTimeout name, in the message that ends a run,
	// the server that stopped answering and the bound it ran out of.
	endpoint       string
	requestTimeout time.Duration

	mu        sync.Mutex
	requests  int
	answered  int
	throttled int // answers still throttled after every retry
	// silent counts the requests in a row that got no answer, and
	// timeouts those that ran out of time.
	silent, timeouts int
}

// listener is what the observer tells the run, and all it knows of it:
// each request sent, each answer (a create's, for the cleanup), each
// verdict of an answer, and that the server stopped answering.
type listener interface {
	sent(opID string, pathParams map[string]string, req *http.Request, body []byte)
	answered(opID string, ex *Exchange, body, answer []byte)
	judge(v verdict)
	abort(why string)
}

// Consecutive requests without an answer after which the server is taken
// to have stopped answering and the run ends.
const (
	maxTimeoutsInARow = 3
	maxSilentInARow   = 8
)

// maxShownBody is how much of an answer the HAR keeps.
const maxShownBody = 64 << 10

func (o *observer) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := validate.ReadBody(req)
	if err != nil {
		return nil, err
	}
	ex := exchangeOf(req.Context())
	if ex == nil {
		ex = &Exchange{}
	}
	if log, ok := req.Context().Value(exchangeLogKey{}).(*exchangeLog); ok {
		log.add(ex)
	}
	ex.record(req, body)
	o.mu.Lock()
	o.requests++
	ex.Seq = o.requests
	o.mu.Unlock()
	ex.Started = o.clock.Now()
	defer func() { ex.Took = o.clock.Now().Sub(ex.Started) }()

	opID := ""
	op, _ := o.doc.Find(validate.WithBody(req, body))
	if op != nil {
		opID = op.ID
		// What the document marks writeOnly (a password) is sent, and
		// never shown: not in a report, a curl picture or a replay file.
		ex.Body = string(o.doc.Redact(opID, body))
		o.run.sent(opID, op.PathParams, req, body)
	}
	resp, err := o.next.RoundTrip(forward(req, body))
	if err != nil {
		ex.Error = err.Error()
		o.run.answered(opID, ex, body, nil)
		if o.unreachable(req.Context(), err) {
			return nil, err
		}
		o.silence(req.Context(), err)
		o.unanswered(req, op, ex, err)
		return nil, err
	}
	o.mu.Lock()
	o.silent, o.timeouts = 0, 0
	o.answered++
	o.mu.Unlock()

	// Read up to the cap: a body larger than that is reported, not held.
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, o.maxBody+1))
	_ = resp.Body.Close()
	size := int64(len(respBody))
	over := size > o.maxBody
	if over {
		respBody = respBody[:o.maxBody]
		size = max(resp.ContentLength, size)
	}
	ex.answered(resp, respBody, size)
	shown := o.doc.RedactAnswer(respBody)
	ex.ResponseBody = apierror.Snippet(shown)
	ex.shownBody = string(shown[:min(len(shown), maxShownBody)])
	if err != nil {
		ex.Error = "reading the answer: " + err.Error()
		o.silence(req.Context(), err)
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	ex.Retries = retriesOf(resp)
	o.run.answered(opID, ex, body, respBody)
	if throttled(resp.StatusCode, respBody) {
		ex.Throttled = true
		o.mu.Lock()
		o.throttled++
		o.mu.Unlock()
		return resp, nil
	}
	o.judge(validate.WithBody(req, body), op, ex, resp, respBody, over)
	return resp, nil
}

// unanswered judges a request whose connection the server closed or
// reset without an answer: a server that crashes on a request (a Go
// handler that panics) fails it as surely as one that answers 500, and
// the caller, which only learns that there was no answer, must not be
// left to pass it. A request the run stopped, or one that ran out of
// -request-timeout, is not judged here: the first is no fault of the
// server, the second is the silence counted above.
func (o *observer) unanswered(req *http.Request, op *validate.Operation, ex *Exchange, err error) {
	if req.Context().Err() != nil || isTimeout(err) {
		return
	}
	o.run.judge(verdict{check: check.ServerError, op: opName(req, op), ex: ex, msg: "the request got no answer: " + err.Error()})
}

// unreachable ends the run as one that could not be carried out, and
// reports true, when the server has answered nothing yet and this request
// could not reach it: the connection refused, the name not found, the TLS
// handshake failed. That is the run's configuration (a mistyped endpoint,
// a server not started), not a finding of the server. Once the server has
// answered, the same error is a server that fell over, and judged so.
func (o *observer) unreachable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || !cannotConnect(err) {
		return false
	}
	o.mu.Lock()
	answered := o.answered
	o.mu.Unlock()
	if answered > 0 {
		return false
	}
	o.run.abort(cannotReach(o.endpoint, err))
	return true
}

// cannotReach is the one line a run that never reached its server ends
// with.
func cannotReach(endpoint string, err error) string {
	return fmt.Sprintf("cannot reach %s: %v", endpoint, err)
}

// cannotConnect tells an error of reaching a server (dialling, resolving
// its name, the TLS handshake) from one of a server that was reached.
func cannotConnect(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var header tls.RecordHeaderError
	var cert *tls.CertificateVerificationError
	var alert tls.AlertError
	switch {
	case errors.As(err, &op) && op.Op == "dial", errors.As(err, &dns), errors.As(err, &header), errors.As(err, &cert), errors.As(err, &alert):
		return true
	}
	// net/http's own words for a plain HTTP server at an https:// URL.
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// answeredCount is how many answers the server gave, throttled ones included.
func (o *observer) answeredCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.answered
}

// opName names a request in verdicts: its operation, or its method and
// path when the document declares none.
func opName(req *http.Request, op *validate.Operation) string {
	if op == nil {
		return undeclaredRoute
	}
	return op.ID
}

// silence counts a request that got no answer; too many in a row end the
// run: the server has stopped answering, and every check after would only
// repeat that.
func (o *observer) silence(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // the run, not the server, stopped this request
	}
	o.mu.Lock()
	o.silent++
	if isTimeout(err) {
		o.timeouts++
	}
	silent, timeouts := o.silent, o.timeouts
	o.mu.Unlock()
	switch {
	case timeouts >= maxTimeoutsInARow:
		o.run.abort(fmt.Sprintf("the server at %s never answered: %d requests in a row ran out of -request-timeout (%s); last: %v",
			o.endpoint, timeouts, o.requestTimeout, err))
	case silent >= maxSilentInARow:
		o.run.abort(fmt.Sprintf("the server at %s stopped answering: %d requests in a row got no answer; last: %v",
			o.endpoint, silent, err))
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// throttled reports an answer of API Gateway's throttling: 429, or its
// code APIGW.0308 under any status.
func throttled(status int, body []byte) bool {
	return status == http.StatusTooManyRequests || bytes.Contains(body, []byte(apierror.CodeThrottled))
}

// judge runs the four checks every answer gets.
func (o *observer) judge(req *http.Request, op *validate.Operation, ex *Exchange, resp *http.Response, body []byte, over bool) {
	g := o.run
	name := opName(req, op)
	if resp.StatusCode >= 500 {
		g.judge(verdict{check: check.ServerError, op: name, ex: ex, msg: fmt.Sprintf("the server answered %d: %s", resp.StatusCode, apierror.Snippet(body)),
			group: fmt.Sprintf("the server answered %d", resp.StatusCode)})
	} else {
		g.judge(verdict{check: check.ServerError, op: name, ex: ex})
	}
	if op == nil {
		return
	}
	if err := o.coverage.HitDeclared(op.ID, resp.StatusCode); err != nil {
		g.judge(verdict{check: check.Status, op: name, ex: ex, msg: err.Error()})
		return
	}
	g.judge(verdict{check: check.Status, op: name, ex: ex, msg: contradicted(resp.StatusCode, body)})
	if over {
		g.judge(verdict{check: check.Schema, op: name, ex: ex, msg: fmt.Sprintf("the answer's body of %d bytes is over the cap of %d (-max-body); it was not read further", ex.ResponseSize, o.maxBody)})
		return
	}
	leaks := o.doc.SecretsIn(body)
	msg := ""
	if len(leaks) > 0 {
		msg = fmt.Sprintf("the answer carries %s, which the document marks writeOnly: a secret sent must never be answered", strings.Join(leaks, ", "))
	}
	g.judge(verdict{check: check.Secrets, op: name, where: firstOr(leaks), ex: ex, msg: msg})
	err := o.doc.Response(req, op, resp.StatusCode, resp.Header, body)
	var verr *validate.Error
	if err == nil {
		g.judge(verdict{check: check.ContentType, op: name, ex: ex})
		g.judge(verdict{check: check.Schema, op: name, ex: ex})
		return
	}
	if !errors.As(err, &verr) {
		g.judge(verdict{check: check.Schema, op: name, ex: ex, msg: err.Error()})
		return
	}
	contentOK, schemaOK := true, true
	for _, p := range verr.Problems {
		switch p.Rule {
		case "content-type":
			contentOK = false
			g.judge(verdict{check: check.ContentType, op: name, ex: ex, msg: fmt.Sprintf("%s (got %q)", p.Reason, resp.Header.Get("Content-Type"))})
		case "status":
			g.judge(verdict{check: check.Status, op: name, ex: ex, msg: p.Reason})
		default:
			schemaOK = false
			g.judge(verdict{check: check.Schema, op: name, where: p.Field, ex: ex, msg: p.String(), group: p.In + " " + p.Field + ": " + p.Rule})
		}
	}
	if contentOK {
		g.judge(verdict{check: check.ContentType, op: name, ex: ex})
	}
	if schemaOK {
		g.judge(verdict{check: check.Schema, op: name, ex: ex})
	}
}

func firstOr(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// throttler sends a request again, for every method, while API Gateway
// answers it 429 (it refuses before DLI runs anything): up to maxRetries
// times, waiting as Retry-After says (or 1, 2, 4 ... seconds), within the
// request's context. Below it, limiter paces every request sent.
type throttler struct {
	next       http.RoundTripper
	limit      *limiter
	clock      clock.Clock
	maxRetries int
	maxWait    time.Duration
	// attemptTimeout bounds each attempt at the server, its answer's body
	// included; the waits in between are bounded by the run.
	attemptTimeout time.Duration

	waitedMu sync.Mutex
	waited   time.Duration // waiting out 429s, in all
}

// waitedOut is how long the run waited out throttling, in all.
func (t *throttler) waitedOut() time.Duration {
	t.waitedMu.Lock()
	defer t.waitedMu.Unlock()
	return t.waited
}

type retriesKey struct{}

// retriesOf is how many throttled answers were waited out before resp.
func retriesOf(resp *http.Response) int {
	if resp.Request == nil {
		return 0
	}
	n, _ := resp.Request.Context().Value(retriesKey{}).(*int)
	if n == nil {
		return 0
	}
	return *n
}

func (t *throttler) RoundTrip(req *http.Request) (*http.Response, error) {
	retries := new(int)
	ctx := context.WithValue(req.Context(), retriesKey{}, retries)
	body, err := validate.ReadBody(req)
	if err != nil {
		return nil, err
	}
	for {
		if err := t.limit.wait(ctx); err != nil {
			return nil, err
		}
		actx, cancel := context.WithTimeout(ctx, t.attemptTimeout)
		resp, err := t.next.RoundTrip(forward(req.WithContext(actx), body))
		if err != nil {
			// Read before cancel, which would set it: only an attempt
			// that ran out of its own time is said to have.
			ranOut := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
			cancel()
			if ranOut {
				err = fmt.Errorf("no answer within -request-timeout %s: %w", t.attemptTimeout, err)
			}
			return nil, err
		}
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
		if !throttled(resp.StatusCode, head) || *retries >= t.maxRetries {
			resp.Request = req.WithContext(ctx)
			return resp, nil
		}
		wait := throttleWait(resp.Header.Get("Retry-After"), *retries, t.maxWait, t.clock.Now())
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		*retries++
		t.waitedMu.Lock()
		t.waited += wait
		t.waitedMu.Unlock()
		if err := t.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// limiter spaces requests evenly at rate per second; 0 does not limit.
type limiter struct {
	clock    clock.Clock
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func (l *limiter) wait(ctx context.Context) error {
	if l == nil || l.interval <= 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := l.clock.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	return l.clock.Sleep(ctx, at.Sub(now))
}

// cancelOnClose ends an attempt's context once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (o *observer) requestCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requests
}

func (o *observer) throttledCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.throttled
}

// contradicted says what is wrong with a success whose body says it
// failed: the document has is_success "true when the request was carried
// out", which a 2xx says it was.
func contradicted(status int, body []byte) string {
	if status < 200 || status > 299 {
		return ""
	}
	var answer struct {
		IsSuccess *bool `json:"is_success"`
	}
	if json.Unmarshal(body, &answer) != nil || answer.IsSuccess == nil || *answer.IsSuccess {
		return ""
	}
	return fmt.Sprintf("answered %d, but is_success is false: the document has it true when the request was carried out, as a %d says it was", status, status)
}

// forward is a copy of req to send on, reading body: its length declared
// as the caller declared it, or not (chunked).
func forward(req *http.Request, body []byte) *http.Request {
	fwd := validate.WithBody(req, body)
	if req.ContentLength < 0 {
		fwd.ContentLength = -1
	}
	return fwd
}
