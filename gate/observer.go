package gate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/dli-contract/dli-go/contract"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/validate"
)

// Check names: Schemathesis's where it has one, so that a team that knows
// it knows what each means.
const (
	CheckServerError  = "not_a_server_error"
	CheckStatus       = "status_code_conformance"
	CheckContentType  = "content_type_conformance"
	CheckSchema       = "response_schema_conformance"
	CheckNegative     = "negative_data_rejection"
	CheckPositive     = "positive_data_acceptance"
	CheckIgnoredAuth  = "ignored_auth"
	CheckAvailability = "ensure_resource_availability"
	CheckUseAfterFree = "use_after_free"
	CheckTransitions  = "state_transitions"
	CheckUnchanged    = "refusal_changes_nothing"
)

// AllChecks lists every check in the order a report shows them.
var AllChecks = []string{CheckServerError, CheckStatus, CheckContentType, CheckSchema, CheckNegative,
	CheckPositive, CheckIgnoredAuth, CheckAvailability, CheckUseAfterFree, CheckTransitions, CheckUnchanged}

// Violation is one way a server broke the contract, with what a person
// needs to reproduce it.
type Violation struct {
	Check     string `json:"check"`
	Operation string `json:"operation"`
	Status    int    `json:"status,omitempty"`
	Pointer   string `json:"pointer,omitempty"` // JSON pointer into the body, or the parameter
	Message   string `json:"message"`
	Curl      string `json:"curl,omitempty"` // the request, credentials redacted
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", v.Check, v.Operation)
	if v.Status != 0 {
		fmt.Fprintf(&b, " %d", v.Status)
	}
	if v.Pointer != "" {
		fmt.Fprintf(&b, " %s", v.Pointer)
	}
	fmt.Fprintf(&b, ": %s", v.Message)
	if v.Curl != "" {
		fmt.Fprintf(&b, "\n    reproduce: %s", v.Curl)
	}
	return b.String()
}

// exchange is one request the gate sent and what came back.
type exchange struct {
	status int
	curl   string
}

// observer is an http.RoundTripper between the gate's client and the
// server: it judges every response against the document (declared status,
// content type, schema, no 5xx), counts requests and (operation, status)
// pairs, and remembers the last exchange so that a check can name it.
type observer struct {
	doc      *validate.Document
	next     http.RoundTripper
	coverage *contract.Coverage

	mu         sync.Mutex
	requests   int
	violations []Violation
	passed     map[string]int
	last       exchange
}

func newObserver(doc *validate.Document, next http.RoundTripper, cov *contract.Coverage) *observer {
	return &observer{doc: doc, next: next, coverage: cov, passed: map[string]int{}}
}

func (o *observer) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	send := withBody(req, body)
	o.mu.Lock()
	o.requests++
	o.mu.Unlock()
	resp, err := o.next.RoundTrip(send)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	// The request as sent, signed headers included, for the curl line.
	curl := Curl(send, body)
	check := withBody(req, body)
	op, _ := o.doc.Find(check)
	name := req.Method + " " + req.URL.Path
	if op != nil {
		name = op.ID
	}
	o.mu.Lock()
	o.last = exchange{status: resp.StatusCode, curl: curl}
	o.mu.Unlock()
	o.judge(check, op, name, resp, respBody, curl)
	return resp, nil
}

// judge runs the four checks every response gets.
func (o *observer) judge(req *http.Request, op *validate.Operation, name string, resp *http.Response, body []byte, curl string) {
	v := Violation{Operation: name, Status: resp.StatusCode, Curl: curl}
	if resp.StatusCode >= 500 {
		o.fail(v, CheckServerError, "", fmt.Sprintf("the server answered %d: %s", resp.StatusCode, apierror.Snippet(body)))
	} else {
		o.pass(CheckServerError)
	}
	if op == nil {
		return
	}
	if err := o.coverage.HitDeclared(op.ID, resp.StatusCode); err != nil {
		o.fail(v, CheckStatus, "", err.Error())
		return
	}
	o.pass(CheckStatus)
	err := o.doc.Response(req, op, resp.StatusCode, resp.Header, body)
	var verr *validate.Error
	if err == nil {
		o.pass(CheckContentType)
		o.pass(CheckSchema)
		return
	}
	if !errors.As(err, &verr) {
		o.fail(v, CheckSchema, "", err.Error())
		return
	}
	contentOK := true
	for _, p := range verr.Problems {
		switch p.Rule {
		case "content-type":
			contentOK = false
			o.fail(v, CheckContentType, "", fmt.Sprintf("%s (got %q)", p.Reason, resp.Header.Get("Content-Type")))
		case "status":
			o.fail(v, CheckStatus, "", p.Reason)
		default:
			o.fail(v, CheckSchema, p.Field, p.String())
		}
	}
	if contentOK {
		o.pass(CheckContentType)
	}
}

func (o *observer) fail(v Violation, check, pointer, msg string) {
	v.Check, v.Pointer, v.Message = check, pointer, msg
	o.mu.Lock()
	o.violations = append(o.violations, v)
	o.mu.Unlock()
}

func (o *observer) pass(check string) {
	o.mu.Lock()
	o.passed[check]++
	o.mu.Unlock()
}

func (o *observer) lastExchange() exchange {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// Curl renders req as a curl command with credentials redacted:
// Authorization, X-Auth-Token and X-Security-Token show as <redacted>.
func Curl(req *http.Request, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -X %s %s", req.Method, shellQuote(req.URL.String()))
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "X-Auth-Token", "X-Security-Token":
				v = "<redacted>"
			}
			fmt.Fprintf(&b, " -H %s", shellQuote(k+": "+v))
		}
	}
	if len(body) > 0 {
		fmt.Fprintf(&b, " --data-raw %s", shellQuote(string(body)))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
