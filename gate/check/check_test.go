package check

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The check table is the one declaration of the checks: each is named
// once, judged by a phase the run has, and each phase judges some check,
// so that a check added to the table runs, and one left out of it cannot.
func TestTheCheckTable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range table {
		assert.False(t, seen[c.Name], "%s is in the table twice", c.Name)
		seen[c.Name] = true
		assert.NotEmpty(t, c.Means, "%s says nothing of what it checks", c.Name)
		assert.NotEmpty(t, c.Phases, "no phase judges %s", c.Name)
		for _, p := range c.Phases {
			assert.Contains(t, Phases, p, "%s names a phase the run does not have", c.Name)
		}
	}
	for _, p := range Phases {
		assert.NotEmpty(t, OfPhase(p), "phase %q judges nothing", p)
	}
	for _, p := range Mutating {
		assert.Contains(t, Phases, p, "a mutating phase the run does not have")
	}
	assert.Len(t, All, len(table))
	assert.True(t, slices.Equal(OfPhase(PhaseUndeclared), []string{ServerError, Status, ContentType, Schema, Secrets, Unsupported}))
	c, ok := Of(UseAfterFree)
	assert.True(t, ok)
	assert.Equal(t, ReplayRefused, c.Replay, "a replay of a use after free wants it refused")
	_, ok = Of("no_such_check")
	assert.False(t, ok)
}
