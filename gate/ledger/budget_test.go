package ledger

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

func withDeclarations(t *testing.T, caps map[string]int) *Ledger {
	t.Helper()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	sem, err := semantics.Load(doc.OpenAPI())
	require.NoError(t, err)
	l, _ := started(Settings{Caps: caps})
	l.sem = sem
	return l
}

// A phase's limit counts every request but the polls of a settling wait,
// keeps what deleting the run's resources will take, and, reached, stops
// the phase (not the run) with ErrBudget before the request is sent.
func TestTheBudgetStopsAPhaseAtItsLimit(t *testing.T) {
	t.Parallel()
	l := withDeclarations(t, nil)
	ctx := context.Background()
	phase, stop := context.WithCancelCause(ctx)
	l.Share(5, stop)
	for range 3 {
		assert.Empty(t, l.Hold(ctx, "ListEnhancedConnections", nil))
	}
	assert.Empty(t, l.Hold(wire.Settling(ctx), "ShowEnhancedConnection", nil), "a poll always goes out")
	l.AddMade(l.sem.Resources["auth_info"], "a1", "contract_a1")
	// 3 spent and 2 to delete the one made: the next would pass 5.
	assert.Equal(t, ErrBudget.Error(), l.Hold(ctx, "ListEnhancedConnections", nil))
	assert.ErrorIs(t, context.Cause(phase), ErrBudget)
	spent, polls := l.Spent()
	assert.Equal(t, []int{3, 1}, []int{spent, polls})

	l.Share(0, nil) // the cleanup's: no limit
	assert.Empty(t, l.Hold(ctx, "DeleteAuthInfo", nil))
	assert.False(t, l.Stopped(), "the run goes on; only the phase stopped")
}

// A kind with a budget is made so many times, then its creates are held
// back and counted; one built to be refused is sent, as is any create of
// a kind without a budget.
func TestTheBudgetHoldsBackCreatesPastAKindsBudget(t *testing.T) {
	t.Parallel()
	l := withDeclarations(t, map[string]int{"enhanced_connection": 2})
	ctx := context.Background()
	conn := l.sem.Resources["enhanced_connection"]
	assert.True(t, l.MayMake("enhanced_connection"))
	assert.Empty(t, l.Hold(ctx, "CreateEnhancedConnection", nil))
	l.AddMade(conn, "c1", "contract_c1")
	l.AddMade(conn, "c2", "contract_c2")
	assert.False(t, l.MayMake("enhanced_connection"))
	assert.Equal(t, []string{"enhanced_connection"}, l.SpentKinds())

	why := l.Hold(ctx, "CreateEnhancedConnection", nil)
	assert.Equal(t, "the run made 2 enhanced connections, as many as the profile allows (x-dli-resources budget)", why)
	assert.Empty(t, l.Hold(wire.MeantToBeRefused(ctx), "CreateEnhancedConnection", nil), "a request built to be refused makes nothing")
	assert.Empty(t, l.Hold(ctx, "CreateAuthInfo", nil), "a kind without a budget")
	assert.Empty(t, l.Hold(ctx, "UpdateEnhancedConnection", nil), "not a create")
	assert.True(t, l.MayMake("auth_info"))

	assert.Equal(t, []report.KindBudget{{Kind: "enhanced_connection", Title: "enhanced connection", Max: 2, Made: 2, HeldBack: 1}}, l.KindBudgets())
	l.Judge(wire.Verdict{Check: check.Positive, Op: "CreateEnhancedConnection", Ex: &wire.Exchange{HeldBack: why, Error: "not sent: " + why}, Msg: "no answer"})
	var rep report.Report
	l.Report(&rep)
	assert.Empty(t, rep.Violations, "a request not sent is not judged")
	assert.Equal(t, 1, rep.Checks[check.Positive].NotRun)
}

// A phase that keeps some of a kind for later ones makes only what is
// left of it; once the phase is over, the later one makes what was kept.
func TestAPhaseLeavesWhatItKeepsForLaterOnes(t *testing.T) {
	t.Parallel()
	l := withDeclarations(t, map[string]int{"enhanced_connection": 3})
	ctx := context.Background()
	conn := l.sem.Resources["enhanced_connection"]
	l.Keep(map[string]int{"enhanced_connection": 1})
	l.AddMade(conn, "c1", "contract_c1")
	assert.True(t, l.MayMake("enhanced_connection"), "1 made, 1 kept, of 3")
	l.AddMade(conn, "c2", "contract_c2")
	assert.False(t, l.MayMake("enhanced_connection"))
	assert.Equal(t, "the run made 2 of its 3 enhanced connections, and keeps 1 for a later phase (x-dli-resources budget)",
		l.Hold(ctx, "CreateEnhancedConnection", nil))
	assert.True(t, l.MayMake("auth_info"), "a kind without a budget keeps nothing")

	l.Keep(nil)
	assert.True(t, l.MayMake("enhanced_connection"), "the later phase makes what was kept")
	assert.Empty(t, l.Hold(ctx, "CreateEnhancedConnection", nil))
}

// What a phase leaves out is noted once.
func TestTheBudgetNotesWhatWasLeftOut(t *testing.T) {
	t.Parallel()
	l, _ := started(Settings{})
	l.LeaveOut("generated sequences: none")
	l.LeaveOut("generated sequences: none")
	assert.Equal(t, []string{"generated sequences: none"}, l.LeftOut())
}
