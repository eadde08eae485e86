package gate_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

// A phase that runs longer than ten seconds says, at least every ten
// seconds, how far it is: requests so far, and which generated sequence
// of how many. Against a mock that takes seconds to create, as dli-mock
// does by default, most of a run is waiting; the clock is a fake one the
// waits move, so the test waits for nothing.
func TestALongPhaseSaysHowFarItIs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short draws no generated sequence (rapid reads testing.Short); make test runs it")
	}
	t.Parallel()
	run := func(delay time.Duration) string {
		clk := clock.NewFake(time.Now())
		m, err := mockserver.New(mockserver.Config{CreateDelay: delay, Clock: clk})
		require.NoError(t, err)
		var log bytes.Buffer
		rep := gate.Run(context.Background(), gate.Config{
			Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: true, Mock: true, Credentials: auth.Anonymous,
				Poll: 2 * time.Second, Settle: time.Minute},
			Network: mockserver.NewMockTransport(m), Clock: clk, Seed: 3, MaxExamples: 3, Log: &log,
		})
		require.Equal(t, 0, rep.ExitCode(), "%s\n%s", rep.Failures(), rep.Text())
		return log.String()
	}
	slow := run(3 * time.Second)
	lines := regexp.MustCompile(`(?m)^  … generated sequences, (\d+)s in: \d+ requests so far, (sequence \d of 3|one more sequence, for the constraints the others left uncovered)$`).FindAllStringSubmatch(slow, -1)
	require.NotEmpty(t, lines, "no progress from a long phase:\n%s", slow)
	// At least every ten seconds: a request goes out at least every poll
	// (two seconds), and the first that finds ten seconds gone says so.
	at := 0
	for _, l := range lines {
		in, err := strconv.Atoi(l[1])
		require.NoError(t, err)
		assert.GreaterOrEqual(t, in-at, 10, "%s: no more often than every ten seconds", l[0])
		assert.Less(t, in-at, 10+2, "%s: at least every ten seconds, give or take a poll", l[0])
		at = in
	}

	fast := run(0)
	assert.NotContains(t, fast, "…", "a short run says nothing more")
}
