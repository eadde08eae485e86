package gate

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/dli-contract/dli-go/gate/report"

	"github.com/dli-contract/dli-go/gate/wire"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// judge records a verdict. A throttled exchange, or one the stopped run
// cut off, is judged neither way.
func (g *gate) Judge(v wire.Verdict) {
	check, op, what, pointer, ex, msg := v.Check, v.Op, v.What, v.Where, v.Ex, v.Msg
	if !g.checkOn(check) || !g.opOn(op) {
		return
	}
	if ex == nil {
		ex = &wire.Exchange{}
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
		g.violations = append(g.violations, report.Violation{Check: check, Operation: op, Case: what, Status: ex.Status,
			Pointer: pointer, Message: msg, Group: cmp.Or(v.Group, msg), Exchange: &exCopy, Count: 1})
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
func (g *gate) Abort(why string) {
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
		fmt.Fprint(g.cfg.Log, g.secrets.Scrub(fmt.Sprintf(format+"\n", args...)))
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

// refused is the message for a request that should have been refused with
// a 4xx, "" when it was.
func refused(ex *wire.Exchange, what string) string {
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
func (g *gate) invalid(ex *wire.Exchange, what string) string {
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
func refusedWith(ex *wire.Exchange, what, code string) string {
	return refusedAs(ex, what, semantics.Answer{Status: http.StatusBadRequest, Code: code})
}

// refusedAs is the message for a request that should have been refused as
// answer declares (its status, and its code where it names one), "" when
// it was.
func refusedAs(ex *wire.Exchange, what string, answer semantics.Answer) string {
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
func errorCodeOf(ex *wire.Exchange) string {
	var answer struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal([]byte(ex.RawAnswer()), &answer)
	return answer.Code
}

// accepted is the message for a request that should have been answered
// want, "" when it was.
func accepted(ex *wire.Exchange, want int, what string) string {
	switch {
	case ex.Error != "":
		return fmt.Sprintf("%s: the request got no answer: %s", what, ex.Error)
	case ex.Status != want:
		return fmt.Sprintf("%s was answered %d, want %d", what, ex.Status, want)
	}
	return ""
}

// judgeRefusal judges an exchange that should have been refused 400 with
// code.
func (g *gate) judgeRefusal(check string, ex *wire.Exchange, what, code string) {
	g.Judge(wire.Verdict{Check: check, Op: g.opNamed(ex), What: what, Ex: ex, Msg: refusedWith(ex, what, code)})
}

// opNamed is the operation the document finds for an exchange's request.
func (g *gate) opNamed(ex *wire.Exchange) string {
	req, err := http.NewRequest(ex.Method, ex.URL, nil)
	if err != nil {
		return wire.UndeclaredRoute
	}
	if op, err := g.doc.Find(req); err == nil {
		return op.ID
	}
	return wire.UndeclaredRoute
}
