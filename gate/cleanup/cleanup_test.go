package cleanup

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dli-contract/dli-go/semantics"
)

// A kind that settles on its own gets -settle more to be deleted in: it
// must leave CREATING before DLI deletes it.
func TestTheCleanupOfAKindThatSettlesWaitsForIt(t *testing.T) {
	t.Parallel()
	settles := &semantics.Resource{State: &semantics.State{Settling: []string{"CREATING"}}}
	stateless := &semantics.Resource{State: &semantics.State{}}
	assert.Equal(t, cleanupBound+2*time.Minute, bound(settles, 2*time.Minute))
	assert.Equal(t, cleanupBound, bound(stateless, 2*time.Minute))
	assert.Equal(t, cleanupBound, bound(&semantics.Resource{}, 2*time.Minute))
}
