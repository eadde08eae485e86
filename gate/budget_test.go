package gate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

// A run of the live profile, -mutate, against a dli-mock whose bindings
// take a minute (on a fake clock): it spends at most its request budget
// (the polls of settling waits aside), makes at most the declared
// budget of enhanced connections, leaves nothing behind, says what it
// left out, and passes: a budget is not a finding.
func TestALiveRunKeepsItsBudget(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
			m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, CreateDelay: time.Minute, Clock: clk})
			require.NoError(t, err)
			rep := gate.Run(context.Background(), gate.Config{
				Target: gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: projectID, Mutate: true, Mock: true,
					Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}, Poll: 2 * time.Second, Settle: 2 * time.Minute},
				Network: mockserver.NewMockTransport(m), Clock: clk, Seed: seed, Profile: gate.ProfileLive,
			})
			require.Equal(t, 0, rep.ExitCode(), "%s%s", rep.Failures(), rep.Text())
			b := rep.Budget
			require.NotNil(t, b)
			assert.Equal(t, gate.ProfileLive, b.Profile)
			assert.Equal(t, gate.DefaultLiveMaxRequests, b.MaxRequests)
			assert.LessOrEqual(t, b.Spent, gate.DefaultLiveMaxRequests, "the cleanup included")
			assert.Equal(t, rep.Requests, b.Spent+b.Polls, "every request is spent or a poll")
			shares := 0
			for _, p := range b.Phases {
				shares += p.Share
			}
			assert.Equal(t, gate.DefaultLiveMaxRequests, shares, "the plan shares the whole budget")
			require.Len(t, b.Kinds, 1)
			assert.Equal(t, "enhanced_connection", b.Kinds[0].Kind)
			assert.LessOrEqual(t, b.Kinds[0].Made, 3)
			assert.Empty(t, rep.Leftovers)
			assert.NotEmpty(t, b.LeftOut(), "a run this size leaves something out, and says so")
		})
	}
}
