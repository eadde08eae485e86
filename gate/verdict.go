package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// Violation is one way a server broke the contract, with the request that
// showed it and what came back. Identical violations are reported once,
// with Count.
type Violation struct {
	Check     string `json:"check"`
	Operation string `json:"operation"`
	// Case says which case it was, e.g. "without required /dest_vpc_id".
	Case    string `json:"case,omitempty"`
	Status  int    `json:"status,omitempty"`
	Pointer string `json:"pointer,omitempty"` // JSON pointer into the body, or the parameter
	Message string `json:"message"`
	// Group is what alike violations share; they are reported once, the
	// first found, with Count.
	Group string `json:"group,omitempty"`
	// Exchange is the request that showed it and its answer.
	Exchange *Exchange `json:"exchange,omitempty"`
	Count    int       `json:"count"`
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
	if v.Count > 1 {
		fmt.Fprintf(&b, " (×%d)", v.Count)
	}
	if e := v.Exchange; e != nil && e.Method != "" {
		fmt.Fprintf(&b, "\n    request: %s %s", e.Method, e.URL)
		if e.Body != "" {
			body := e.Body
			if len(body) > 300 {
				body = body[:300] + "…"
			}
			fmt.Fprintf(&b, " %s", body)
		}
		fmt.Fprintf(&b, "\n    answer:  %s", e.Answer())
		fmt.Fprintf(&b, "\n    reproduce: %s", e.Curl())
	}
	return b.String()
}

// verdict is one check's outcome for one case of an operation: a
// violation when msg is not "", shown by ex, the exchange; else a pass.
type verdict struct {
	check, op string
	// what says which case it was, e.g. "without required /dest_vpc_id";
	// where is the JSON pointer into the body, or the parameter.
	what, where string
	ex          *Exchange
	msg         string
	// group is what alike failures share, for a report to show them as
	// one with a count: what differs between them (an index, an id) left
	// out. Empty, the message is its own group.
	group string
}

// judge records a verdict. A throttled exchange, or one the stopped run
// cut off, is judged neither way.
func (g *gate) judge(v verdict) {
	check, op, what, pointer, ex, msg := v.check, v.op, v.what, v.where, v.ex, v.msg
	if !g.checkOn(check) || !g.opOn(op) {
		return
	}
	if ex == nil {
		ex = &Exchange{}
	}
	notRun := ""
	switch {
	case ex.Throttled:
		notRun = "throttled"
	case msg != "" && ex.Error != "" && g.runCtx != nil && g.runCtx.Err() != nil:
		notRun = "the run stopped before the answer"
	}
	g.mu.Lock()
	t := g.tally[check]
	o := g.ops[op]
	switch {
	case notRun != "":
		t.NotRun++
	case msg == "":
		t.Passed++
	default:
		t.Failed++
		o.Failed++
		exCopy := *ex
		g.violations = append(g.violations, Violation{Check: check, Operation: op, Case: what, Status: ex.Status,
			Pointer: pointer, Message: msg, Group: firstOf(v.group, msg), Exchange: &exCopy, Count: 1})
	}
	if what != "" && notRun == "" {
		o.Cases++
	}
	if notRun == "" {
		o.Judged++
	}
	g.tally[check], g.ops[op] = t, o
	failures := len(g.violations)
	g.mu.Unlock()

	if g.cfg.Verbose && (what != "" || msg != "") {
		mark := "PASS"
		switch {
		case notRun != "":
			mark = "SKIP"
			msg = notRun
		case msg != "":
			mark = "FAIL"
		}
		line := fmt.Sprintf("%s %-30s %s", mark, check, op)
		if what != "" {
			line += ": " + what
		}
		if msg != "" {
			line += ": " + msg
		}
		g.logf("%s", line)
	}
	if msg != "" && notRun == "" && g.cfg.MaxFailures > 0 && failures >= g.cfg.MaxFailures {
		g.stop(fmt.Sprintf("stopped after %d failures (-max-failures)", failures))
	}
}

// abort ends the checks (cleanup still runs) for a problem of the run,
// not a finding: the server stopped answering. The report says why.
func (g *gate) abort(why string) {
	g.mu.Lock()
	if g.problem == "" {
		g.problem = why
	}
	g.mu.Unlock()
	g.stop(why)
}

// stop ends the checks (cleanup still runs), saying why.
func (g *gate) stop(why string) {
	if g.abortRun != nil {
		g.abortRun(errors.New(why))
	}
}

// notJudged counts a check that could not be judged, and logs why.
func (g *gate) notJudged(check, why string) {
	g.mu.Lock()
	t := g.tally[check]
	t.NotRun++
	g.tally[check] = t
	g.mu.Unlock()
	g.logf("SKIP %s: %s", check, why)
}

// stopReason says why the checks stopped.
func (g *gate) stopReason() string {
	if g.runCtx == nil {
		return "not started"
	}
	if cause := context.Cause(g.runCtx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		return cause.Error()
	}
	if errors.Is(g.runCtx.Err(), context.DeadlineExceeded) {
		return "-timeout ran out (the rest of it is the cleanup's)"
	}
	return "interrupted"
}

// stopped reports whether the checks must end.
func (g *gate) stopped() bool { return g.runCtx != nil && g.runCtx.Err() != nil }

func (g *gate) checkOn(check string) bool {
	if len(g.cfg.Checks) > 0 && !slices.Contains(g.cfg.Checks, check) {
		return false
	}
	return !slices.Contains(g.cfg.ExcludeChecks, check)
}

func (g *gate) opOn(op string) bool {
	if len(g.cfg.Operations) > 0 && !slices.Contains(g.cfg.Operations, op) {
		return false
	}
	return !slices.Contains(g.cfg.ExcludeOperations, op)
}

func (g *gate) logf(format string, args ...any) {
	if g.cfg.Log != nil {
		fmt.Fprint(g.cfg.Log, g.secrets.scrub(fmt.Sprintf(format+"\n", args...)))
	}
}

func operationIDs(doc *validate.Document) []string {
	var ids []string
	for _, o := range operationsOf(doc.OpenAPI()) {
		ids = append(ids, o.op.OperationID)
	}
	slices.Sort(ids)
	return ids
}

// send sends a request the gate builds itself, signed unless raw, and
// returns its exchange.
func (g *gate) send(ctx context.Context, signed bool, method, path string, body []byte) *Exchange {
	hc := g.raw
	if signed {
		hc = g.hc
	}
	ex, _ := g.exchange(ctx, hc, method, path, body, nil)
	return ex
}

// sendChunked sends a request unsigned with its body's length not
// declared (chunked), and returns its exchange.
func (g *gate) sendChunked(ctx context.Context, method, path string, body []byte) *Exchange {
	ex, _ := g.exchange(ctx, g.raw, method, path, body, func(r *http.Request) {
		r.Body, r.GetBody, r.ContentLength = io.NopCloser(io.MultiReader(r.Body)), nil, -1
	})
	return ex
}

// exchange sends a request of the gate's through hc, prepare (when set)
// changing it last, and returns its exchange and the error of a request
// that got no answer. The answer is read, and kept, by the observer.
func (g *gate) exchange(ctx context.Context, hc *http.Client, method, path string, body []byte, prepare func(*http.Request)) (*Exchange, error) {
	ctx, ex := track(ctx)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(g.cfg.Endpoint, "/")+path, rd)
	if err != nil {
		ex.Error = err.Error()
		return ex, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(req)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ex.Error == "" {
			ex.Error = err.Error()
		}
		return ex, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return ex, nil
}

// refused is the message for a request that should have been refused with
// a 4xx, "" when it was.
func refused(ex *Exchange, what string) string {
	switch {
	case ex.Error != "":
		return fmt.Sprintf("%s: the request got no answer: %s", what, ex.Error)
	case ex.Status >= 500:
		// The same server error, whatever the case: one message, so that
		// it groups (the case is in the violation).
		return fmt.Sprintf("an invalid request was answered %d, want a 4xx refusal", ex.Status)
	case ex.Status < 400:
		return fmt.Sprintf("%s was answered %d, want a 4xx refusal", what, ex.Status)
	}
	return ""
}

// invalid is refused for a request that breaks the document: any 4xx in
// DLI's error shape; for a dli-mock, whose docs/mock.md says so, 400 DLI.0001.
func (g *gate) invalid(ex *Exchange, what string) string {
	if msg := refused(ex, what); msg != "" || !g.cfg.Mock {
		return msg
	}
	if code := errorCodeOf(ex); ex.Status != http.StatusBadRequest || code != apierror.CodeBadParameter {
		return fmt.Sprintf("%s was refused %d %s; a dli-mock refuses what the document does not allow 400 %s", what, ex.Status, code, apierror.CodeBadParameter)
	}
	return ""
}

// refusedWith is the message for a request that should have been refused
// 400 with code, "" when it was.
func refusedWith(ex *Exchange, what, code string) string {
	return refusedAs(ex, what, semantics.Answer{Status: http.StatusBadRequest, Code: code})
}

// refusedAs is the message for a request that should have been refused as
// answer declares (its status, and its code where it names one), "" when
// it was.
func refusedAs(ex *Exchange, what string, answer semantics.Answer) string {
	if msg := refused(ex, what); msg != "" {
		return msg
	}
	if got := errorCodeOf(ex); ex.Status != answer.Status || answer.Code != "" && got != answer.Code {
		return fmt.Sprintf("%s was refused %d %s, want %d %s", what, ex.Status, got, answer.Status, answer.Code)
	}
	return ""
}

// errorCodeOf is the error_code of an answer in DLI's error shape, "" when
// it has none.
func errorCodeOf(ex *Exchange) string {
	var answer struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal([]byte(ex.body), &answer)
	return answer.Code
}

// accepted is the message for a request that should have been answered
// want, "" when it was.
func accepted(ex *Exchange, want int, what string) string {
	switch {
	case ex.Error != "":
		return fmt.Sprintf("%s: the request got no answer: %s", what, ex.Error)
	case ex.Status != want:
		return fmt.Sprintf("%s was answered %d, want %d", what, ex.Status, want)
	}
	return ""
}

// group reports alike violations once, with a count: those of one check,
// operation, status, pointer and group (for a server error, any pointer:
// it is one failure, wherever the case pointed).
func group(vs []Violation) []Violation {
	var out []Violation
	index := map[string]int{}
	for _, v := range vs {
		pointer := v.Pointer
		if v.Status >= 500 {
			pointer = "" // a server error is one failure, wherever the case pointed
		}
		key := strings.Join([]string{v.Check, v.Operation, fmt.Sprint(v.Status), pointer, firstOf(v.Group, v.Message)}, "|")
		if i, ok := index[key]; ok {
			out[i].Count++
			continue
		}
		index[key] = len(out)
		out = append(out, v)
	}
	return out
}

// throttleWait is how long to wait after a throttled answer: Retry-After
// (seconds or an HTTP date), else 1, 2, 4 ... seconds, at most max.
func throttleWait(retryAfter string, retries int, maxWait time.Duration, now time.Time) time.Duration {
	if retryAfter != "" {
		if s, err := time.ParseDuration(retryAfter + "s"); err == nil && s >= 0 {
			return min(s, maxWait)
		}
		if at, err := http.ParseTime(retryAfter); err == nil {
			return min(max(at.Sub(now), 0), maxWait)
		}
	}
	return min(time.Second<<min(retries, 6), maxWait)
}

// judgeRefusal judges an exchange that should have been refused 400 with
// code.
func (g *gate) judgeRefusal(check string, ex *Exchange, what, code string) {
	g.judge(verdict{check: check, op: g.opNamed(ex), what: what, ex: ex, msg: refusedWith(ex, what, code)})
}

// opNamed is the operation the document finds for an exchange's request.
func (g *gate) opNamed(ex *Exchange) string {
	req, err := http.NewRequest(ex.Method, ex.URL, nil)
	if err != nil {
		return undeclaredRoute
	}
	if op, err := g.doc.Find(req); err == nil {
		return op.ID
	}
	return undeclaredRoute
}
