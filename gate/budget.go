package gate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/endpoint"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/ledger"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/semantics"
)

// The profiles of a run: what it may spend.
const (
	// ProfileLive bounds the requests (MaxRequests, 440 by default:
	// under four minutes at two a second, about 13 for each of the
	// document's 34 operations) and, by kind, what the run makes
	// (x-dli-resources budget: three enhanced connections, each a VPC
	// peering). The default against anything but loopback.
	ProfileLive = "live"
	// ProfileLoopback bounds nothing but what MaxRequests says: requests
	// to a mock on this machine cost nothing.
	ProfileLoopback = "loopback"
	// DefaultLiveMaxRequests is the live profile's request budget.
	DefaultLiveMaxRequests = 440
)

// Profiles are the profiles a run takes.
var Profiles = []string{ProfileLive, ProfileLoopback}

// ProfileFor is the profile a run takes by default: loopback against the
// in-process mock (a Network of its own) or a loopback endpoint, live
// against anything else.
func ProfileFor(cfg Config) string {
	if cfg.Network != nil || endpoint.Loopback(cfg.Endpoint) {
		return ProfileLoopback
	}
	return ProfileLive
}

// shares weigh each phase's part of a request budget, by what it needs
// to do its job once (measured on 2026-12-07 against a dli-mock, with a
// budget: the invalid requests about 150 to break each constraint of the
// request schemas, the life cycles about 50, the field cases about 37),
// the rest to the sequences. What a phase leaves goes to the phases
// after it.
var shares = map[string]int{
	check.PhaseReads:      3, // 7 to 8 requests: 2 left a list out
	check.PhaseValid:      5,
	check.PhaseInvalid:    45,
	check.PhaseAuth:       5,
	check.PhaseUndeclared: 6,
	check.PhaseLife:       15,
	check.PhaseRefusals:   2,
	check.PhaseField:      10,
	check.PhaseSequences:  9,
}

// planBudget shares max requests across the phases, in their order, by
// their weights: each phase's share, and the limit on the requests spent
// by its end (its share and what earlier phases left); the last phase's
// is max. With no budget (max 0), the shares are 0 and nothing is
// limited.
func planBudget(phases []string, max int) (share, limit []int) {
	share, limit = make([]int, len(phases)), make([]int, len(phases))
	if max <= 0 {
		return share, limit
	}
	total := 0
	for _, p := range phases {
		total += shares[p]
	}
	sum, prev := 0, 0
	for i, p := range phases {
		sum += shares[p]
		if total > 0 {
			limit[i] = max * sum / total
		}
		if i == len(phases)-1 {
			limit[i] = max
		}
		share[i] = limit[i] - prev
		prev = limit[i]
	}
	return share, limit
}

// keepFor is, by phase, what it leaves of each kind with a budget for
// the phases after it: every phase before the generated sequences keeps
// one of each kind whose budget has room for it beside the life cycle's,
// so that the sequences bind, route, host and grant on a resource of
// their own (a sequence that cannot make one calls on nothing).
func keepFor(phases []string, caps map[string]int) []map[string]int {
	var kept map[string]int
	for kind, limit := range caps {
		if limit >= 2 {
			if kept == nil {
				kept = map[string]int{}
			}
			kept[kind] = 1
		}
	}
	out := make([]map[string]int, len(phases))
	for i := range max(slices.Index(phases, check.PhaseSequences), 0) {
		out[i] = kept
	}
	return out
}

// runPhase runs one phase within its limit of the budget: the request
// that would pass it stops the phase (not the run), which the plan then
// marks cut. A stop of the run (-max-failures, the server gone, -timeout)
// still stops the run.
func (g *gate) runPhase(runCtx context.Context, name string, limit int, keep map[string]int) (cut bool) {
	ctx, stop := context.WithCancelCause(runCtx)
	defer stop(nil)
	g.Begin(ctx, func(cause error) { stop(cause); g.stopRun(cause) })
	g.Share(limit, stop)
	g.Keep(keep)
	phaseRuns[name](ctx, g.Env)
	g.Share(0, nil)
	g.Keep(nil)
	g.Begin(runCtx, g.stopRun)
	return runCtx.Err() == nil && errors.Is(context.Cause(ctx), ledger.ErrBudget)
}

// budgetReport is the plan of a run: its profile, its budget and each
// phase's share.
func (g *gate) budgetReport(phases []string, share []int, keep []map[string]int) *report.Budget {
	b := &report.Budget{Profile: g.cfg.Profile, MaxRequests: max(g.cfg.MaxRequests, 0), Kinds: g.kindBudgets(keep)}
	for i, p := range phases {
		b.Phases = append(b.Phases, report.PhaseShare{Phase: p, Share: share[i]})
	}
	return b
}

// kindBudgets are the kinds the run may make only so many of, by kind,
// with what the phases keep for the sequences (keep, by phase).
func (g *gate) kindBudgets(keep []map[string]int) []report.KindBudget {
	kinds := g.KindBudgets()
	for i := range kinds {
		if len(keep) > 0 {
			kinds[i].KeptForSequences = keep[0][kinds[i].Kind]
		}
	}
	slices.SortFunc(kinds, func(a, c report.KindBudget) int { return cmp.Compare(a.Kind, c.Kind) })
	return kinds
}

// resolveProfile checks the profile and gives it, and the request
// budget, their defaults.
func (c *Config) resolveProfile() error {
	switch c.Profile {
	case "":
		c.Profile = ProfileFor(*c)
	case ProfileLive, ProfileLoopback:
	default:
		return fmt.Errorf("unknown profile %q; the profiles are %s", c.Profile, strings.Join(Profiles, ", "))
	}
	switch {
	case c.MaxRequests < 0:
		c.MaxRequests = 0
	case c.MaxRequests == 0 && c.Profile == ProfileLive:
		c.MaxRequests = DefaultLiveMaxRequests
	}
	return nil
}

// caps are how many of each kind the run may make: under the live
// profile, what x-dli-resources declares (budget); none under loopback.
func (c *Config) caps(sem *semantics.Semantics) map[string]int {
	if c.Profile != ProfileLive {
		return nil
	}
	out := map[string]int{}
	for kind, res := range sem.Resources {
		if res.Budget > 0 {
			out[kind] = res.Budget
		}
	}
	return out
}
