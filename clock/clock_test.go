package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/clock"
)

func TestFakeMovesOnlyWhenSleptOn(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := clock.NewFake(start)
	assert.Equal(t, start, f.Now(), "a fake stands still")
	require.NoError(t, f.Sleep(context.Background(), 90*time.Second))
	assert.Equal(t, start.Add(90*time.Second), f.Now())
	require.NoError(t, f.Sleep(context.Background(), -time.Second))
	f.Advance(time.Hour)
	assert.Equal(t, start.Add(time.Hour+90*time.Second), f.Now())
	assert.Equal(t, 90*time.Second, f.Slept(), "Advance is not a sleep, nor is a negative wait")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, f.Sleep(ctx, time.Minute), context.Canceled)
	assert.Equal(t, 90*time.Second, f.Slept(), "a cancelled sleep does not move the clock")
}

func TestSystemSleepIsBoundedByItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	assert.ErrorIs(t, clock.System.Sleep(ctx, time.Minute), context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.NoError(t, clock.System.Sleep(context.Background(), time.Millisecond))
	assert.NoError(t, clock.System.Sleep(context.Background(), 0))
	assert.Equal(t, clock.System, clock.Or(nil))
	f := clock.NewFake(time.Time{})
	assert.Same(t, clock.Clock(f), clock.Or(f))
}
