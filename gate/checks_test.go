package gate

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
	for _, c := range checkTable {
		assert.False(t, seen[c.name], "%s is in the table twice", c.name)
		seen[c.name] = true
		assert.NotEmpty(t, c.means, "%s says nothing of what it checks", c.name)
		assert.NotEmpty(t, c.phases, "no phase judges %s", c.name)
		for _, p := range c.phases {
			assert.Contains(t, every, p, "%s names a phase the run does not have", c.name)
		}
	}
	for _, p := range every {
		assert.NotEmpty(t, checksOf(p), "phase %q judges nothing", p)
	}
	for _, p := range mutating {
		assert.Contains(t, every, p, "a mutating phase the run does not have")
	}
	assert.Len(t, AllChecks, len(checkTable))
	assert.True(t, slices.Equal(checksOf(phaseUndeclared), []string{CheckServerError, CheckStatus, CheckContentType, CheckSchema, CheckSecrets, CheckUnsupported}))
	c, ok := checkOf(CheckUseAfterFree)
	assert.True(t, ok)
	assert.Equal(t, replayRefused, c.replay, "a replay of a use after free wants it refused")
	_, ok = checkOf("no_such_check")
	assert.False(t, ok)
}
