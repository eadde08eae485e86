package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// ErrBudget is the cause of a phase the request budget stopped: its
// share is spent. A phase stopped so is left out, not cut short: the run
// is complete, and says what it left out.
var ErrBudget = errors.New("its share of the request budget is spent")

// budget is what a run may spend, and what it spent: requests (but the
// polls of a wait for a state to settle, which are waiting) and, by kind,
// resources made.
type budget struct {
	spent, polls int
	// limit is what spent may reach in the current phase (the planner's
	// share, and what earlier phases left), 0 for no limit; stop ends the
	// phase.
	limit int
	stop  context.CancelCauseFunc
	// held counts the creates held back, by kind.
	held map[string]int
	// keep is what the current phase leaves, by kind, for the phases
	// after it (the planner's: the generated sequences need one).
	keep map[string]int
	// leftOut is what phases left out for the budget, in their words.
	leftOut []string
}

// LeaveOut notes what a phase left out because the budget was spent.
func (l *Ledger) LeaveOut(what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Contains(l.budget.leftOut, what) {
		l.budget.leftOut = append(l.budget.leftOut, what)
	}
}

// LeftOut is what phases left out for the budget.
func (l *Ledger) LeftOut() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.budget.leftOut)
}

// SpentKinds are the kinds whose budget the run has spent: it may make
// no more of them.
func (l *Ledger) SpentKinds() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for kind := range l.cfg.Caps {
		if !l.mayMakeLocked(kind) {
			out = append(out, kind)
		}
	}
	slices.Sort(out)
	return out
}

// Share gives the phase about to run a limit on the requests spent so
// far, its share and what earlier phases left: when the next request
// would reach it, with what deleting the run's resources will take, stop
// ends the phase with ErrBudget and the request is not sent. 0 is no
// limit (the cleanup's: what a run made is always deleted).
func (l *Ledger) Share(limit int, stop context.CancelCauseFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.budget.limit, l.budget.stop = limit, stop
}

// Keep has the phase about to run leave, of each kind, that many of what
// the run may make for the phases after it; nil leaves none.
func (l *Ledger) Keep(keep map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.budget.keep = keep
}

// Spent is how many requests the budget counted, and how many polls it
// did not.
func (l *Ledger) Spent() (spent, polls int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.budget.spent, l.budget.polls
}

// Hold is the wire's question before each request: "" when it may go out,
// else why not. A poll of a settling wait always may, and is not counted.
func (l *Ledger) Hold(ctx context.Context, opID string, _ []byte) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := &l.budget
	if wire.IsSettling(ctx) {
		b.polls++
		return ""
	}
	if res := l.capped(ctx, opID); res != nil {
		if b.held == nil {
			b.held = map[string]int{}
		}
		b.held[res.Kind]++
		if kept := b.keep[res.Kind]; kept > 0 {
			return fmt.Sprintf("the run made %d of its %s, and keeps %d for a later phase (x-dli-resources budget)",
				countKind(l.made, res.Kind), report.Count(l.cfg.Caps[res.Kind], res.Title), kept)
		}
		return fmt.Sprintf("the run made %s, as many as the profile allows (x-dli-resources budget)", report.Count(l.cfg.Caps[res.Kind], res.Title))
	}
	// Each resource still to delete costs its cleanup about two
	// requests: a delete, and a read that it is gone.
	if b.limit > 0 && b.spent+1+2*len(l.pendingLocked()) > b.limit {
		if b.stop != nil {
			b.stop(ErrBudget)
		}
		return ErrBudget.Error()
	}
	b.spent++
	return ""
}

// capped is the kind whose budget a create would pass, nil when none: a
// request built to be refused makes nothing, and is not held.
func (l *Ledger) capped(ctx context.Context, opID string) *semantics.Resource {
	if len(l.cfg.Caps) == 0 || l.sem == nil || wire.IsMeantToBeRefused(ctx) {
		return nil
	}
	d := l.sem.Of(opID)
	if d == nil || d.Role != semantics.Create {
		return nil
	}
	res := l.sem.Resources[d.Resource]
	if res == nil || l.mayMakeLocked(res.Kind) {
		return nil
	}
	return res
}

// Capped says whether the run may make only so many of kind.
func (l *Ledger) Capped(kind string) bool {
	_, ok := l.cfg.Caps[kind]
	return ok
}

// MayMake says whether the run may still make a resource of kind: a
// phase that knows better than to send a create the budget would hold
// back (a sequence, which draws another call) asks first.
func (l *Ledger) MayMake(kind string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mayMakeLocked(kind)
}

// mayMakeLocked says whether the run may still make a resource of kind:
// one without a budget always, else within it and what the phase keeps
// for later ones; under l.mu.
func (l *Ledger) mayMakeLocked(kind string) bool {
	limit, ok := l.cfg.Caps[kind]
	return !ok || countKind(l.made, kind)+l.budget.keep[kind] < limit
}

func countKind(made []*Made, kind string) int {
	n := 0
	for _, m := range made {
		if m.Res.Kind == kind {
			n++
		}
	}
	return n
}

// KindBudgets are the kinds the run may make only so many of: how many,
// how many it made, and how many creates the budget held back.
func (l *Ledger) KindBudgets() []report.KindBudget {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []report.KindBudget
	for kind, limit := range l.cfg.Caps {
		title := kind
		if res := l.sem.Resources[kind]; res != nil {
			title = res.Title
		}
		out = append(out, report.KindBudget{Kind: kind, Title: title, Max: limit, Made: countKind(l.made, kind), HeldBack: l.budget.held[kind]})
	}
	return out
}
