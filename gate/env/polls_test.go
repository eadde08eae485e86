package env

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate/ledger"
)

// The polls of a settling wait back off as the client's waiter does:
// -poll, then twice the last, up to 30 s (never below -poll), each on
// the run's clock; a cancelled wait ends at once.
func TestPollsBackOff(t *testing.T) {
	t.Parallel()
	const s, ms = time.Second, time.Millisecond
	for _, c := range []struct {
		poll time.Duration
		want []time.Duration
	}{
		{2 * s, []time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s}},
		{5 * ms, []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms}},
		{time.Minute, []time.Duration{time.Minute, time.Minute, time.Minute}},
	} {
		clk := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
		g := &Env{Clock: clk, Cfg: Settings{Poll: c.poll}, Ledger: ledger.New(ledger.Settings{}, clk, nil, nil, nil)}
		p := g.Polls()
		var got []time.Duration
		for range c.want {
			before := clk.Slept()
			assert.NoError(t, p.Pause(context.Background()))
			got = append(got, clk.Slept()-before)
		}
		assert.Equal(t, c.want, got, "-poll %s", c.poll)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clk := clock.NewFake(time.Now())
	g := &Env{Clock: clk, Cfg: Settings{Poll: time.Second}, Ledger: ledger.New(ledger.Settings{}, clk, nil, nil, nil)}
	assert.Error(t, g.Polls().Pause(ctx))
	assert.Zero(t, clk.Slept())
}
