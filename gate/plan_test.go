package gate

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate/check"
)

// The plan takes the phases in the check table's order: the read-only
// ones always, those that change things only with -mutate, and none that
// judges no check the run has on.
func TestThePlansOrder(t *testing.T) {
	t.Parallel()
	all := func(string) bool { return true }
	only := func(checks ...string) func(string) bool {
		return func(c string) bool { return slices.Contains(checks, c) }
	}
	readOnly := []string{check.PhaseReads, check.PhaseValid, check.PhaseInvalid, check.PhaseAuth, check.PhaseUndeclared}
	for _, c := range []struct {
		name   string
		mutate bool
		on     func(string) bool
		want   []string
	}{
		{"read-only", false, all, readOnly},
		{"-mutate: every phase, the read-only ones first", true, all, check.Phases},
		{"-checks ignored_auth", true, only(check.IgnoredAuth), []string{check.PhaseAuth}},
		{"-checks model_conformance without -mutate: nothing", false, only(check.Model), nil},
		{"-checks model_conformance", true, only(check.Model), []string{check.PhaseSequences}},
		{"-checks use_after_free,unsupported_method", true, only(check.UseAfterFree, check.Unsupported), []string{check.PhaseUndeclared, check.PhaseLife}},
		{"a check every phase judges", false, only(check.ServerError), readOnly},
	} {
		assert.Equal(t, c.want, plan(c.mutate, c.on), c.name)
	}
	assert.Equal(t, check.Phases[len(readOnly):], check.Mutating, "the phases that change things come last, after every read-only one")
}

// Each phase of the check table has what runs it, and nothing runs a
// phase the table does not have.
func TestEveryPhaseRuns(t *testing.T) {
	t.Parallel()
	for _, p := range check.Phases {
		assert.NotNil(t, phaseRuns[p], "nothing runs %q", p)
	}
	assert.Len(t, phaseRuns, len(check.Phases))
}

// A request budget is shared by the phases' weights, in their order: the
// shares add up to the budget, each limit is what may be spent by the
// phase's end (so what one leaves goes to the next), and the last phase's
// is the budget. No budget limits nothing.
func TestThePlanSharesTheBudget(t *testing.T) {
	t.Parallel()
	share, limit := planBudget(check.Phases, DefaultLiveMaxRequests)
	sum := 0
	for i, p := range check.Phases {
		assert.Positive(t, share[i], "%s gets a share", p)
		sum += share[i]
		assert.Equal(t, sum, limit[i], "%s: its limit is what may be spent by its end", p)
	}
	assert.Equal(t, DefaultLiveMaxRequests, sum)
	inv := slices.Index(check.Phases, check.PhaseInvalid)
	reads := slices.Index(check.Phases, check.PhaseReads)
	assert.Greater(t, share[inv], 10*share[reads], "by weight: the invalid requests break every constraint, the reads list a few kinds")

	readOnly := plan(false, func(string) bool { return true })
	share, limit = planBudget(readOnly, 100)
	assert.Len(t, share, len(readOnly))
	assert.Equal(t, 100, limit[len(limit)-1], "a run without -mutate shares the whole budget among the read-only phases")

	share, limit = planBudget(check.Phases, 0)
	for i := range check.Phases {
		assert.Zero(t, share[i])
		assert.Zero(t, limit[i])
	}
}

// Every phase before the generated sequences keeps them one of each kind
// whose budget has room beside the life cycle's; without the sequences,
// nothing is kept.
func TestThePlanKeepsAResourceForTheSequences(t *testing.T) {
	t.Parallel()
	caps := map[string]int{"enhanced_connection": 3, "scarce": 1}
	keep := keepFor(check.Phases, caps)
	seq := slices.Index(check.Phases, check.PhaseSequences)
	require.Positive(t, seq)
	for i, p := range check.Phases {
		if i < seq {
			assert.Equal(t, map[string]int{"enhanced_connection": 1}, keep[i], p)
			continue
		}
		assert.Empty(t, keep[i], p)
	}
	for _, k := range keepFor(slices.Delete(slices.Clone(check.Phases), seq, seq+1), caps) {
		assert.Empty(t, k, "no sequences, nothing kept")
	}
	for _, k := range keepFor(check.Phases, nil) {
		assert.Empty(t, k, "no budget of kinds (the loopback profile)")
	}
}

// The profile is live against anything but loopback or the in-process
// mock, and sets the request budget; an unknown one is refused by name.
func TestTheProfileAndItsBudget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		cfg         Config
		profile     string
		maxRequests int
	}{
		{"a remote endpoint", Config{Target: Target{Endpoint: "https://dli.example.com"}}, ProfileLive, DefaultLiveMaxRequests},
		{"loopback", Config{Target: Target{Endpoint: "http://127.0.0.1:8080"}}, ProfileLoopback, 0},
		{"live chosen against loopback", Config{Target: Target{Endpoint: "http://127.0.0.1:8080"}, Profile: ProfileLive}, ProfileLive, DefaultLiveMaxRequests},
		{"live with a budget of its own", Config{Target: Target{Endpoint: "https://dli.example.com"}, MaxRequests: 50}, ProfileLive, 50},
		{"live without a bound", Config{Target: Target{Endpoint: "https://dli.example.com"}, MaxRequests: -1}, ProfileLive, 0},
		{"loopback with a budget", Config{Target: Target{Endpoint: "http://[::1]:8080"}, MaxRequests: 90}, ProfileLoopback, 90},
	} {
		cfg := c.cfg
		require.NoError(t, cfg.resolveProfile(), c.name)
		assert.Equal(t, c.profile, cfg.Profile, c.name)
		assert.Equal(t, c.maxRequests, cfg.MaxRequests, c.name)
	}
	bad := Config{Profile: "cheap"}
	assert.EqualError(t, bad.resolveProfile(), `unknown profile "cheap"; the profiles are live, loopback`)
}
