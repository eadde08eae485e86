package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
)

// Judge records a verdict. A throttled exchange, one the budget held
// back, or one the stopped run cut off, is judged neither way.
func (l *Ledger) Judge(v wire.Verdict) {
	check, op, what, pointer, ex, msg := v.Check, v.Op, v.What, v.Where, v.Ex, v.Msg
	if !l.CheckOn(check) || !l.OpOn(op) {
		return
	}
	if ex == nil {
		ex = &wire.Exchange{}
	}
	notRun := ""
	switch {
	case ex.Throttled:
		notRun = "throttled"
	case ex.HeldBack != "":
		notRun = "not sent: " + ex.HeldBack
	case msg != "" && ex.Error != "" && l.runCtx != nil && l.runCtx.Err() != nil:
		notRun = "the run stopped before the answer"
	}
	l.mu.Lock()
	t := l.tally[check]
	o := l.ops[op]
	switch {
	case notRun != "":
		t.NotRun++
	case msg == "":
		t.Passed++
	default:
		t.Failed++
		o.Failed++
		exCopy := *ex
		l.violations = append(l.violations, report.Violation{Check: check, Operation: op, Case: what, Status: ex.Status,
			Pointer: pointer, Message: msg, Group: cmp.Or(v.Group, msg), Exchange: &exCopy, Count: 1})
	}
	if what != "" && notRun == "" {
		o.Cases++
	}
	if notRun == "" {
		o.Judged++
	}
	l.tally[check], l.ops[op] = t, o
	failures := len(l.violations)
	l.mu.Unlock()

	if l.cfg.Verbose && (what != "" || msg != "") {
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
		l.Logf("%s", line)
	}
	if msg != "" && notRun == "" && l.cfg.MaxFailures > 0 && failures >= l.cfg.MaxFailures {
		l.Stop(tooMany(failures))
	}
}

// abort ends the checks (cleanup still runs) for a problem of the run,
// not a finding: the server stopped answering. The report says why.
func (l *Ledger) Abort(why string) {
	l.mu.Lock()
	if l.problem == "" {
		l.problem = why
	}
	l.mu.Unlock()
	l.Stop(why)
}

// Stop ends the checks (cleanup still runs), saying why.
func (l *Ledger) Stop(why string) {
	if l.abortRun != nil {
		l.abortRun(errors.New(why))
	}
}

// NotJudged counts a check that could not be judged, and logs why.
func (l *Ledger) NotJudged(check, why string) {
	l.mu.Lock()
	t := l.tally[check]
	t.NotRun++
	l.tally[check] = t
	l.mu.Unlock()
	l.Logf("SKIP %s: %s", check, why)
}

// StopReason says why the checks stopped.
func (l *Ledger) StopReason() string {
	if l.runCtx == nil {
		return "not started"
	}
	if cause := context.Cause(l.runCtx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		return cause.Error()
	}
	if errors.Is(l.runCtx.Err(), context.DeadlineExceeded) {
		return "-timeout ran out (the rest of it is the cleanup's)"
	}
	return "interrupted"
}

// Stopped reports whether the checks must end.
func (l *Ledger) Stopped() bool { return l.runCtx != nil && l.runCtx.Err() != nil }

func (l *Ledger) CheckOn(check string) bool {
	if len(l.cfg.Checks) > 0 && !slices.Contains(l.cfg.Checks, check) {
		return false
	}
	return !slices.Contains(l.cfg.ExcludeChecks, check)
}

func (l *Ledger) OpOn(op string) bool {
	if len(l.cfg.Operations) > 0 && !slices.Contains(l.cfg.Operations, op) {
		return false
	}
	return !slices.Contains(l.cfg.ExcludeOperations, op)
}

func (l *Ledger) Logf(format string, args ...any) {
	if l.cfg.Log != nil {
		fmt.Fprint(l.cfg.Log, l.secrets.Scrub(fmt.Sprintf(format+"\n", args...)))
	}
}

// unsettled is a kind of thing seen not to settle: what was seen, and
// whether the sequences saw it (and shrink it) rather than a life cycle.
type unsettled struct {
	seen        string
	bySequences bool
	noted       bool
}

// NeverSettled says whether what, a binding or a resource kind, failed to
// settle within -settle before in this run, and whether the generated
// sequences found it. Found elsewhere, the first time it is asked the run
// notes that later waits for it are cut short and not judged.
func (l *Ledger) NeverSettled(what string) (found, bySequences bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.unsettled[what]
	if u == nil {
		return false, false
	}
	if !u.noted && !u.bySequences {
		l.notRun = append(l.notRun, fmt.Sprintf("later waits for %s: cut short, not judged again (%s)", what, u.seen))
		u.noted = true
	}
	return true, u.bySequences
}

// DidNotSettle records that what did not settle within -settle.
func (l *Ledger) DidNotSettle(what, seen string, bySequences bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unsettled == nil {
		l.unsettled = map[string]*unsettled{}
	}
	if l.unsettled[what] == nil {
		l.unsettled[what] = &unsettled{seen: seen, bySequences: bySequences}
	}
}

// sent counts a request of opID and notes the keywords its body covers.
func (l *Ledger) Sent(opID string, pathParams map[string]string, req *http.Request, body []byte) {
	l.secrets.Note(l.doc.SecretValues(body))
	l.kw.Record(opID, pathParams, req, body)
	l.mu.Lock()
	t := l.ops[opID]
	t.Requests++
	l.ops[opID] = t
	l.mu.Unlock()
	l.Tick()
}

// answered notes what an answer created, for the cleanup, and keeps the
// exchange for the HAR (Report.Exchanges).
func (l *Ledger) Answered(opID string, ex *wire.Exchange, body, answer []byte) {
	l.secrets.Note(l.doc.SecretValues(answer))
	l.noteCreate(opID, ex, body, answer)
	l.mu.Lock()
	l.exchanges = append(l.exchanges, ex)
	l.mu.Unlock()
}

// NotJudgedAt says that a check was not judged in this run, and why: what
// the server is leaves it nothing to judge. The verdict stays as it is.
func (l *Ledger) NotJudgedAt(check, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unjudged == nil {
		l.unjudged = map[string]string{}
	}
	l.unjudged[check] = why
}

// UnjudgedWhy is why a check is not judged in this run; "" when it is.
func (l *Ledger) UnjudgedWhy(check string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unjudged[check]
}
