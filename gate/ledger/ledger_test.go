package ledger

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
)

func started(cfg Settings) (*Ledger, context.Context) {
	l := New(cfg, clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)), nil, nil, nil)
	ctx, stop := context.WithCancelCause(context.Background())
	l.Begin(ctx, stop)
	return l, ctx
}

// A verdict counts once, where it belongs: a pass, a failure (with its
// violation), or not judged when throttled; a case counts for its
// operation; checks and operations left out are not counted at all.
func TestTheLedgerTalliesVerdicts(t *testing.T) {
	t.Parallel()
	l, _ := started(Settings{ExcludeChecks: []string{check.Secrets}, ExcludeOperations: []string{"DeleteEnhancedConnection"}})
	ok := &wire.Exchange{Status: 200}
	l.Judge(wire.Verdict{Check: check.Status, Op: "ListEnhancedConnections", Ex: ok})
	l.Judge(wire.Verdict{Check: check.Status, Op: "ListEnhancedConnections", What: "a case", Ex: &wire.Exchange{Status: 500}, Msg: "bad", Group: "bad status"})
	l.Judge(wire.Verdict{Check: check.Status, Op: "ListEnhancedConnections", Ex: &wire.Exchange{Throttled: true}, Msg: "never judged"})
	l.Judge(wire.Verdict{Check: check.Secrets, Op: "ListEnhancedConnections", Ex: ok, Msg: "left out"})
	l.Judge(wire.Verdict{Check: check.Status, Op: "DeleteEnhancedConnection", Ex: ok, Msg: "left out"})
	l.NotJudged(check.Model, "the model is unsure")

	var rep report.Report
	l.Report(&rep)
	assert.Equal(t, report.CheckTally{Passed: 1, Failed: 1, NotRun: 1}, rep.Checks[check.Status])
	assert.Equal(t, report.CheckTally{}, rep.Checks[check.Secrets])
	assert.Equal(t, report.CheckTally{NotRun: 1}, rep.Checks[check.Model])
	assert.Equal(t, report.OperationTally{Cases: 1, Judged: 2, Failed: 1}, rep.Operations["ListEnhancedConnections"])
	assert.NotContains(t, rep.Operations, "DeleteEnhancedConnection")
	if assert.Len(t, rep.Violations, 1) {
		v := rep.Violations[0]
		assert.Equal(t, "bad status", v.Group)
		assert.Equal(t, 500, v.Status)
		assert.Equal(t, "a case", v.Case)
	}
}

// -max-failures stops the run, with why; an abort is the run's problem,
// and the first one is kept.
func TestTheLedgerStopsTheRun(t *testing.T) {
	t.Parallel()
	l, ctx := started(Settings{MaxFailures: 2})
	bad := wire.Verdict{Check: check.Status, Op: "ListEnhancedConnections", Ex: &wire.Exchange{Status: 500}, Msg: "bad"}
	l.Judge(bad)
	assert.False(t, l.Stopped())
	l.Judge(bad)
	assert.True(t, l.Stopped())
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
	assert.Equal(t, "stopped after 2 failures (-max-failures)", l.StopReason())
	assert.Empty(t, l.Problem(), "a stop for failures is no problem of the run")

	l, _ = started(Settings{})
	l.Abort("cannot reach http://127.0.0.1:9")
	l.Abort("a second reason")
	assert.Equal(t, "cannot reach http://127.0.0.1:9", l.Problem())
	assert.True(t, l.Stopped())
}

// What did not run is said once per phase; the log hides the secrets the
// run saw.
func TestTheLedgerNotesWhatDidNotRun(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	l, _ := started(Settings{Log: &log})
	assert.False(t, l.NotRunYet(check.PhaseLife))
	l.NotRun(check.PhaseLife + ": cut short")
	assert.True(t, l.NotRunYet(check.PhaseLife))
	l.Skip("life cycle of a classic connection")
	l.AddProblem("one")
	l.AddProblem("two")
	l.AddProblem("two")
	var rep report.Report
	l.Report(&rep)
	assert.Equal(t, []string{check.PhaseLife + ": cut short"}, rep.NotRun)
	assert.Equal(t, []string{"life cycle of a classic connection"}, rep.Skipped)
	assert.Equal(t, "one; two", rep.Problem)

	l.secrets.Note([]string{"a-secret-password"})
	l.Logf("sent %s", "a-secret-password")
	assert.NotContains(t, log.String(), "a-secret-password")
}
