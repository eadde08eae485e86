// Package report is what a run found and its writers: the text summary,
// JSON, JUnit, the HTML page and the HAR, and -replay of one violation.
// It reads a finished Report and never the run.
package report

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gate/keywords"
	"github.com/dli-contract/dli-go/gate/wire"
)

// CheckTally counts how often a check held, failed, and could not be
// judged (throttled, or the run stopped first).
type CheckTally struct {
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	NotRun int `json:"not_run,omitempty"`
}

// OperationTally counts what the gate sent to an operation: requests,
// the cases among them (each a request built to show one thing), and the
// violations found.
type OperationTally struct {
	Requests int `json:"requests"`
	Cases    int `json:"cases"`
	// Judged counts the verdicts on its answers, passed or failed: none
	// when every request went unanswered or the run stopped first.
	Judged int `json:"judged"`
	Failed int `json:"failed"`
}

// Report is the outcome of a run (gate.Run).
type Report struct {
	// Version is the release of dli-go that made the report.
	Version string `json:"version"`
	// Started is when the run began.
	Started  time.Time `json:"started"`
	Endpoint string    `json:"endpoint"`
	// Options are the settings the run was given, by flag name, as
	// cmd/dli-contract records them: never a credential.
	Options  map[string]string `json:"options,omitempty"`
	Seed     uint64            `json:"seed"`
	Requests int               `json:"requests"`
	// Answered is how many of them the server answered; none means the
	// run never reached a server (see NotCarriedOut).
	Answered   int                       `json:"answered"`
	Duration   time.Duration             `json:"duration_ns"`
	Checks     map[string]CheckTally     `json:"checks"`
	Operations map[string]OperationTally `json:"operations"`
	// Violations are grouped: identical ones once, with a Count.
	Violations []Violation `json:"violations"`
	Leftovers  []Leftover  `json:"leftovers,omitempty"`
	// Throttled counts the requests still answered 429 after every retry;
	// ThrottledFor is how long the run waited out 429s, in all.
	Throttled    int           `json:"throttled,omitempty"`
	ThrottledFor time.Duration `json:"throttled_for_ns,omitempty"`
	// Keywords says which constraints of the request schemas the run both
	// satisfied and broke.
	Keywords keywords.Coverage `json:"keywords"`
	// NotRun says what the run did not get to, and why.
	NotRun []string `json:"not_run,omitempty"`
	// Budget is what the run was allowed to spend, its plan, and what it
	// spent and left out (Budget.LeftOut). What it left out leaves the
	// verdict as it is: the run did what it planned.
	Budget *Budget `json:"budget,omitempty"`
	// NotJudged names the checks the server left nothing to judge, and
	// why (a dli-mock that checks no credentials has none to refuse). It
	// leaves the verdict as it is.
	NotJudged map[string]string `json:"not_judged,omitempty"`
	// Exchanges are every request the run sent and its answer, in the
	// order answered, for the HAR (WriteHAR); not in the JSON report.
	Exchanges []*wire.Exchange `json:"-"`
	// Skipped says what the run was not asked to do, and why: the life
	// cycle of a kind whose create takes inputs the run was not given (a
	// classic connection's, past its end of life). It leaves the verdict
	// as it is.
	Skipped []string         `json:"skipped,omitempty"`
	Summary contract.Summary `json:"-"`
	// Problem is set when the run could not be carried out, or not to
	// the end: the document does not load, the endpoint is not a URL, the
	// server never answered.
	Problem string `json:"problem,omitempty"`
}

// NotCarriedOut reports whether the run could not be carried out at all:
// it found nothing, and never got an answer, because of a problem that
// is the run's (its configuration, a document that does not load, a
// server that cannot be reached), not the server's.
func (r Report) NotCarriedOut() bool {
	return r.Problem != "" && r.Answered == 0 && len(r.Violations) == 0
}

// Failed reports whether the server or document broke the contract.
func (r Report) Failed() bool { return len(r.Violations) > 0 }

// Incomplete reports whether the run could not be trusted to the end: a
// problem, checks not run, throttling that outlasted its retries, or
// connections left behind.
func (r Report) Incomplete() bool {
	return r.Problem != "" || len(r.NotRun) > 0 || r.Throttled > 0 || len(r.Leftovers) > 0
}

// ExitCode is what dli-contract exits with: 1 for a contract violation, 2
// for a run that could not be carried out or trusted, 0 otherwise.
func (r Report) ExitCode() int {
	switch {
	case r.Failed():
		return 1
	case r.Incomplete():
		return 2
	}
	return 0
}

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
	Exchange *wire.Exchange `json:"exchange,omitempty"`
	Count    int            `json:"count"`
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

// Group reports alike violations once, with a count: those of one check,
// operation, status, pointer and group (for a server error, any pointer:
// it is one failure, wherever the case pointed).
func Group(vs []Violation) []Violation {
	var out []Violation
	index := map[string]int{}
	for _, v := range vs {
		pointer := v.Pointer
		if v.Status >= 500 {
			pointer = "" // a server error is one failure, wherever the case pointed
		}
		key := strings.Join([]string{v.Check, v.Operation, fmt.Sprint(v.Status), pointer, cmp.Or(v.Group, v.Message)}, "|")
		if i, ok := index[key]; ok {
			out[i].Count++
			continue
		}
		index[key] = len(out)
		out = append(out, v)
	}
	return out
}

// Leftover is a resource the run created and could not delete.
type Leftover struct {
	// Kind is the resource's title, e.g. "enhanced connection".
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// LastAnswer is what the server last said about it.
	LastAnswer string `json:"last_answer"`
}

func (l Leftover) String() string {
	id := l.ID
	if id == "" {
		id = "(id unknown)"
	}
	return fmt.Sprintf("%s %s %q: %s", l.Kind, id, l.Name, l.LastAnswer)
}
