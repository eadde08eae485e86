// Package wire is the gate's side of the network: the observer that
// records and judges every exchange against the document, the throttler
// that waits out 429s, the limiter that paces requests, the exchanges and
// the redaction of what they carry, and the sender of the requests the
// gate builds itself. It imports nothing of the gate but package check:
// what it learns it tells a Listener.
package wire

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

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/validate"
)

// Observer is an http.RoundTripper between the gate's client and the
// server: it records every request in its exchange (the caller's, when
// the caller tracks one), reads each answer up to a cap, and judges every
// answer against the document (declared status, content type, schema,
// never a 5xx). Throttled answers, which say nothing of the contract, are
// not judged. It also notices a server that stopped answering.
type Observer struct {
	Doc      *validate.Document
	Next     http.RoundTripper
	Coverage *contract.Coverage
	Run      Listener
	MaxBody  int64
	Clock    clock.Clock
	// Endpoint and RequestTimeout name, in the message that ends a run,
	// the server that stopped answering and the bound it ran out of.
	Endpoint       string
	RequestTimeout time.Duration

	mu        sync.Mutex
	requests  int
	answered  int
	throttled int // answers still throttled after every retry
	// silent counts the requests in a row that got no answer, and
	// timeouts those that ran out of time.
	silent, timeouts int
}

// Verdict is one check's outcome for one case of an operation: a
// violation when Msg is not "", shown by Ex, the exchange; else a pass.
type Verdict struct {
	Check, Op string
	// What says which case it was, e.g. "without required /dest_vpc_id";
	// Where is the JSON pointer into the body, or the parameter.
	What, Where string
	Ex          *Exchange
	Msg         string
	// Group is what alike failures share, for a report to show them as
	// one with a count: what differs between them (an index, an id) left
	// out. Empty, the message is its own group.
	Group string
}

// Listener is what the observer tells the run, and all it knows of it:
// each request sent, each answer (a create's, for the cleanup), each
// verdict of an answer, and that the server stopped answering. It asks
// one thing: whether a request may go out (Hold).
type Listener interface {
	// Hold says why a request must not be sent (the run's budget is
	// spent), "" when it may. A request held is not sent, not counted and
	// not judged: its exchange says why (HeldBack).
	Hold(ctx context.Context, opID string, body []byte) string
	Sent(opID string, pathParams map[string]string, req *http.Request, body []byte)
	Answered(opID string, ex *Exchange, body, answer []byte)
	Judge(v Verdict)
	Abort(why string)
}

// Consecutive requests without an answer after which the server is taken
// to have stopped answering and the run ends.
const (
	maxTimeoutsInARow = 3
	maxSilentInARow   = 8
)

// maxShownBody is how much of an answer the HAR keeps.
const maxShownBody = 64 << 10

func (o *Observer) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := validate.ReadBody(req)
	if err != nil {
		return nil, err
	}
	ex := exchangeOf(req.Context())
	if ex == nil {
		ex = &Exchange{}
	}
	if log, ok := req.Context().Value(exchangeLogKey{}).(*ExchangeLog); ok {
		log.add(ex)
	}
	ex.Record(req, body)
	opID := ""
	op, _ := o.Doc.Find(validate.WithBody(req, body))
	if op != nil {
		opID = op.ID
		// What the document marks writeOnly (a password) is sent, and
		// never shown: not in a report, a curl picture or a replay file.
		ex.Body = string(o.Doc.Redact(opID, body))
	}
	if why := o.Run.Hold(req.Context(), opID, body); why != "" {
		ex.HeldBack, ex.Error = why, "not sent: "+why
		return nil, errors.New(ex.Error)
	}
	o.mu.Lock()
	o.requests++
	ex.Seq = o.requests
	o.mu.Unlock()
	ex.Started = o.Clock.Now()
	defer func() { ex.Took = o.Clock.Now().Sub(ex.Started) }()

	if op != nil {
		o.Run.Sent(opID, op.PathParams, req, body)
	}
	resp, err := o.Next.RoundTrip(forward(req, body))
	if err != nil {
		ex.Error = err.Error()
		o.Run.Answered(opID, ex, body, nil)
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
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBody+1))
	_ = resp.Body.Close()
	size := int64(len(respBody))
	over := size > o.MaxBody
	if over {
		respBody = respBody[:o.MaxBody]
		size = max(resp.ContentLength, size)
	}
	ex.SetAnswer(resp, respBody, size)
	shown := o.Doc.RedactAnswer(respBody)
	ex.ResponseBody = apierror.Snippet(shown)
	ex.shownBody = string(shown[:min(len(shown), maxShownBody)])
	if err != nil {
		ex.Error = "reading the answer: " + err.Error()
		o.silence(req.Context(), err)
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	w := waitedOf(resp)
	ex.Retries, ex.Waited = w.retries, w.waited
	o.Run.Answered(opID, ex, body, respBody)
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
func (o *Observer) unanswered(req *http.Request, op *validate.Operation, ex *Exchange, err error) {
	if req.Context().Err() != nil || isTimeout(err) {
		return
	}
	o.Run.Judge(Verdict{Check: check.ServerError, Op: opName(req, op), Ex: ex, Msg: "the request got no answer: " + err.Error()})
}

// unreachable ends the run as one that could not be carried out, and
// reports true, when the server has answered nothing yet and this request
// could not reach it: the connection refused, the name not found, the TLS
// handshake failed. That is the run's configuration (a mistyped endpoint,
// a server not started), not a finding of the server. Once the server has
// answered, the same error is a server that fell over, and judged so.
func (o *Observer) unreachable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || !CannotConnect(err) {
		return false
	}
	o.mu.Lock()
	answered := o.answered
	o.mu.Unlock()
	if answered > 0 {
		return false
	}
	o.Run.Abort(CannotReach(o.Endpoint, err))
	return true
}

// cannotReach is the one line a run that never reached its server ends
// with.
func CannotReach(endpoint string, err error) string {
	return fmt.Sprintf("cannot reach %s: %v", endpoint, err)
}

// cannotConnect tells an error of reaching a server (dialling, resolving
// its name, the TLS handshake) from one of a server that was reached.
func CannotConnect(err error) bool {
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
func (o *Observer) AnsweredCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.answered
}

// UndeclaredRoute names, in reports, a request to a method and path the
// document does not declare: one name, so that a server that answers them
// all alike is one line, not one per route (the request shows which).
const UndeclaredRoute = "undeclared route"

// opName names a request in verdicts: its operation, or its method and
// path when the document declares none.
func opName(req *http.Request, op *validate.Operation) string {
	if op == nil {
		return UndeclaredRoute
	}
	return op.ID
}

// silence counts a request that got no answer; too many in a row end the
// run: the server has stopped answering, and every check after would only
// repeat that.
func (o *Observer) silence(ctx context.Context, err error) {
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
		o.Run.Abort(fmt.Sprintf("the server at %s never answered: %d requests in a row ran out of -request-timeout (%s); last: %v",
			o.Endpoint, timeouts, o.RequestTimeout, err))
	case silent >= maxSilentInARow:
		o.Run.Abort(fmt.Sprintf("the server at %s stopped answering: %d requests in a row got no answer; last: %v",
			o.Endpoint, silent, err))
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
func (o *Observer) judge(req *http.Request, op *validate.Operation, ex *Exchange, resp *http.Response, body []byte, over bool) {
	g := o.Run
	name := opName(req, op)
	if resp.StatusCode >= 500 {
		g.Judge(Verdict{Check: check.ServerError, Op: name, Ex: ex, Msg: fmt.Sprintf("the server answered %d: %s", resp.StatusCode, apierror.Snippet(body)),
			Group: fmt.Sprintf("the server answered %d", resp.StatusCode)})
	} else {
		g.Judge(Verdict{Check: check.ServerError, Op: name, Ex: ex})
	}
	if op == nil {
		return
	}
	if err := o.Coverage.HitDeclared(op.ID, resp.StatusCode); err != nil {
		g.Judge(Verdict{Check: check.Status, Op: name, Ex: ex, Msg: err.Error()})
		return
	}
	g.Judge(Verdict{Check: check.Status, Op: name, Ex: ex, Msg: contradicted(resp.StatusCode, body)})
	if over {
		g.Judge(Verdict{Check: check.Schema, Op: name, Ex: ex, Msg: fmt.Sprintf("the answer's body of %d bytes is over the cap of %d (-max-body); it was not read further", ex.ResponseSize, o.MaxBody)})
		return
	}
	leaks := o.Doc.SecretsIn(body)
	msg := ""
	if len(leaks) > 0 {
		msg = fmt.Sprintf("the answer carries %s, which the document marks writeOnly: a secret sent must never be answered", strings.Join(leaks, ", "))
	}
	g.Judge(Verdict{Check: check.Secrets, Op: name, Where: firstOr(leaks), Ex: ex, Msg: msg})
	err := o.Doc.Response(req, op, resp.StatusCode, resp.Header, body)
	var verr *validate.Error
	if err == nil {
		g.Judge(Verdict{Check: check.ContentType, Op: name, Ex: ex})
		g.Judge(Verdict{Check: check.Schema, Op: name, Ex: ex})
		return
	}
	if !errors.As(err, &verr) {
		g.Judge(Verdict{Check: check.Schema, Op: name, Ex: ex, Msg: err.Error()})
		return
	}
	contentOK, schemaOK := true, true
	for _, p := range verr.Problems {
		switch p.Rule {
		case "content-type":
			contentOK = false
			g.Judge(Verdict{Check: check.ContentType, Op: name, Ex: ex, Msg: fmt.Sprintf("%s (got %q)", p.Reason, resp.Header.Get("Content-Type"))})
		case "status":
			g.Judge(Verdict{Check: check.Status, Op: name, Ex: ex, Msg: p.Reason})
		default:
			schemaOK = false
			g.Judge(Verdict{Check: check.Schema, Op: name, Where: p.Field, Ex: ex, Msg: p.String(), Group: p.In + " " + p.Field + ": " + p.Rule})
		}
	}
	if contentOK {
		g.Judge(Verdict{Check: check.ContentType, Op: name, Ex: ex})
	}
	if schemaOK {
		g.Judge(Verdict{Check: check.Schema, Op: name, Ex: ex})
	}
}

func firstOr(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func (o *Observer) RequestCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.requests
}

func (o *Observer) ThrottledCount() int {
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
