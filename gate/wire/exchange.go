package wire

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/apierror"
)

// Exchange is one request the gate sent and what came back: what a person
// needs to see what happened and to send it again. Credentials and the
// signature are left out; -replay signs anew.
type Exchange struct {
	Method string            `json:"method"`
	URL    string            `json:"url"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
	// Signed is whether the gate signed the request (a replay signs it
	// again); the deliberately unauthenticated ones are not.
	Signed bool `json:"signed"`

	Status int `json:"status,omitempty"`
	// ResponseHeader keeps the headers that matter to a person: the
	// content type, Retry-After and DLI's request id.
	ResponseHeader map[string]string `json:"response_header,omitempty"`
	ResponseBody   string            `json:"response_body,omitempty"` // an excerpt
	ResponseSize   int64             `json:"response_size,omitempty"`
	// Error is the transport error, when the request got no answer.
	Error string `json:"error,omitempty"`
	// Throttled is an answer of 429 (or APIGW.0308) after every retry:
	// it says nothing about the contract.
	Throttled bool `json:"throttled,omitempty"`
	// HeldBack, when set, says why the request was not sent at all: the
	// run's budget was spent. Like a throttled one, it says nothing about
	// the contract.
	HeldBack string `json:"held_back,omitempty"`
	// Retries counts the throttled answers waited out before this one.
	Retries int `json:"retries,omitempty"`
	// Waited is how long those retries waited, on the run's clock: time
	// in which what the server holds may have moved on.
	Waited time.Duration `json:"waited_ns,omitempty"`
	// Seq is the exchange's place in the run, from 1: the HAR's entry
	// (entries[Seq-1]) of a violation's request.
	Seq int `json:"seq,omitempty"`
	// Started is when the request was sent and Took how long its answer
	// (throttled retries included) took, on the run's clock.
	Started time.Time     `json:"started,omitzero"`
	Took    time.Duration `json:"took_ns,omitempty"`
	// body is the whole answer as read (up to the cap), for the checks;
	// shownBody its head with writeOnly values redacted, for the HAR.
	body, shownBody string
}

// secretHeaders never reach a report, a log or a replay file.
var secretHeaders = []string{"Authorization", "X-Auth-Token", "X-Security-Token", "X-Sdk-Date"}

// keptResponseHeaders are the answer's headers a report shows.
var keptResponseHeaders = []string{"Content-Type", "Retry-After", "X-Request-Id", "Content-Length"}

// record fills the request side of an exchange.
func (e *Exchange) Record(req *http.Request, body []byte) {
	e.Method, e.URL = req.Method, req.URL.String()
	e.Header = map[string]string{}
	for k, v := range req.Header {
		if slices.Contains(secretHeaders, http.CanonicalHeaderKey(k)) {
			continue
		}
		e.Header[http.CanonicalHeaderKey(k)] = strings.Join(v, ", ")
	}
	e.Signed = req.Header.Get("Authorization") != "" || req.Header.Get("X-Auth-Token") != ""
	e.Body = string(body)
}

// answered fills the response side.
func (e *Exchange) SetAnswer(resp *http.Response, body []byte, size int64) {
	e.Status, e.ResponseSize = resp.StatusCode, size
	e.ResponseHeader = map[string]string{}
	for _, k := range keptResponseHeaders {
		if v := resp.Header.Get(k); v != "" {
			e.ResponseHeader[k] = v
		}
	}
	e.ResponseBody = apierror.Snippet(body)
	e.body = string(body)
}

// Curl renders the request as a curl command, its credentials shown as
// placeholders: a picture of what was sent, not a way to send it again
// (the signature expires; use -replay).
func (e *Exchange) Curl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -X %s %s", e.Method, shellQuote(e.URL))
	for _, k := range slices.Sorted(maps.Keys(e.Header)) {
		fmt.Fprintf(&b, " -H %s", shellQuote(k+": "+e.Header[k]))
	}
	if e.Signed {
		b.WriteString(" -H 'Authorization: <signature>' -H 'X-Sdk-Date: <date>'")
	}
	if e.Body != "" {
		fmt.Fprintf(&b, " --data-raw %s", shellQuote(e.Body))
	}
	return b.String()
}

// Answer says what came back: the status, the headers that matter and
// a body excerpt, or why nothing did.
func (e *Exchange) Answer() string {
	if e.Error != "" {
		return "no answer: " + e.Error
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Status)
	for _, k := range []string{"Retry-After", "X-Request-Id"} {
		if v := e.ResponseHeader[k]; v != "" {
			fmt.Fprintf(&b, ", %s: %s", k, v)
		}
	}
	if e.ResponseBody != "" && e.ResponseBody != `""` {
		fmt.Fprintf(&b, ", body %s", e.ResponseBody)
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// exchangeKey carries the exchange a call should fill.
type exchangeKey struct{}

// Track returns a context whose next request fills the exchange returned,
// so that a check names the request it judges, even when the request got
// no answer.
func Track(ctx context.Context) (context.Context, *Exchange) {
	ex := &Exchange{}
	return context.WithValue(ctx, exchangeKey{}, ex), ex
}

func exchangeOf(ctx context.Context) *Exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*Exchange)
	return ex
}

// RawAnswer is the answer's body as read, up to -max-body: for the
// checks, never for a report (which shows ResponseBody, redacted).
func (e *Exchange) RawAnswer() string { return e.body }

// ShownAnswer is the answer's body as a report may show it: redacted, up
// to 64 KiB.
func (e *Exchange) ShownAnswer() string { return e.shownBody }

// Scrub passes what a report shows of the exchange through sc, which
// hides the secrets the run saw.
func (e *Exchange) Scrub(sc func(string) string) {
	e.URL, e.Body, e.ResponseBody, e.shownBody, e.Error = sc(e.URL), sc(e.Body), sc(e.ResponseBody), sc(e.shownBody), sc(e.Error)
}

// MayHaveMoved says whether what the server holds may have changed
// between what the run last read and when the server acted on this
// request: the request waited out throttling first. A judgement that
// rests on a state read before must read it again, or not judge.
func (e *Exchange) MayHaveMoved() bool { return e.Retries > 0 || e.Waited > 0 }
