package gate

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

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
