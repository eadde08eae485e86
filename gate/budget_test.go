package gate_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/mockserver"
)

// A run of the live profile, -mutate, against a dli-mock whose bindings
// take a minute (on a fake clock): it spends at most its request budget
// (the polls of settling waits aside), makes at most the declared
// budget of enhanced connections, leaves nothing behind, says what it
// left out, still satisfies and breaks every constraint of the request
// schemas, and passes: a budget is not a finding.
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
			assert.Equal(t, rep.Keywords.Total, rep.Keywords.Covered, "keyword coverage complete within the budget: %v", rep.Keywords.Missing)
			assert.Equal(t, 1, b.Kinds[0].KeptForSequences)
			changes, afterDelete := changesOnASequencesConnection(rep)
			assert.Positive(t, changes, "the sequences make the connection kept for them, and change it")
			assert.Zero(t, afterDelete, "they keep what they cannot make again: only the cleanup deletes it")
			assert.NotEmpty(t, b.LeftOut(), "a run this size leaves something out, and says so")
		})
	}
}

// With a request budget a phase spends only where it adds: the invalid
// requests break each constraint once, several in a request, and break
// every one (the run without a budget, that leaves it to the sequences,
// breaks fewer); the undeclared routes try one
// method a path; the valid requests send a query more only where it
// satisfies a constraint none did, and one create a kind.
func TestABudgetedRunSpendsWhereItAdds(t *testing.T) {
	t.Parallel()
	// The phases that judge these, and not the sequences, which break
	// constraints of their own.
	checks := []string{check.Negative, check.Unsupported, check.Positive}
	run := func(profile string, maxRequests int) gate.Report {
		clk := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
		m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, Clock: clk})
		require.NoError(t, err)
		rep := gate.Run(context.Background(), gate.Config{
			Target: gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: projectID, Mock: true, Mutate: true,
				Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}, Poll: time.Second, Settle: time.Minute},
			Network: mockserver.NewMockTransport(m), Clock: clk, Seed: 5, MaxExamples: 10, Profile: profile, MaxRequests: maxRequests,
			Checks: checks,
		})
		require.Equal(t, 0, rep.ExitCode(), "%s%s", rep.Failures(), rep.Text())
		return rep
	}
	full, frugal := run(gate.ProfileLoopback, 0), run(gate.ProfileLive, 5000)
	spent := func(rep gate.Report, phase string) int {
		for _, p := range rep.Budget.Phases {
			if p.Phase == phase {
				return p.Spent
			}
		}
		t.Fatalf("no phase %q in the plan", phase)
		return 0
	}
	for _, p := range []string{"invalid requests", "undeclared routes", "valid requests"} {
		assert.Less(t, spent(frugal, p), spent(full, p)*2/3, "%s: %d with a budget, %d without", p, spent(frugal, p), spent(full, p))
		t.Logf("%s: %d requests with a budget, %d without", p, spent(frugal, p), spent(full, p))
	}
	for op, o := range full.Keywords.ByOperation {
		assert.GreaterOrEqual(t, frugal.Keywords.ByOperation[op].Broken, o.Broken, "%s: every constraint the full run broke, broken", op)
	}
	assert.Empty(t, frugal.Keywords.Missing, "with a budget, the invalid requests break (and the requests satisfy) every constraint")
}

var createdID = regexp.MustCompile(`connection_id[\\"]*:[\\"]*([0-9a-f-]{36})`)

// changesOnASequencesConnection counts the accepted changes (bind, unbind,
// routes, hosts) to a connection the generated sequences made (those
// carry the sequences' run tag), and the calls but reads sent to one
// after it was deleted.
func changesOnASequencesConnection(rep gate.Report) (changes, afterDelete int) {
	var ids []string
	deleted := map[string]bool{}
	for _, ex := range rep.Exchanges {
		if ex.Method == http.MethodPost && strings.HasSuffix(ex.URL, "/datasource/enhanced-connections") && strings.Contains(ex.Body, "dli-contract-run") {
			// The answer is kept as an excerpt, a quoted string.
			if m := createdID.FindStringSubmatch(ex.ResponseBody); m != nil && ex.Status < 300 {
				ids = append(ids, m[1])
			}
			continue
		}
		i := slices.IndexFunc(ids, func(id string) bool { return strings.Contains(ex.URL, id+"/") || strings.HasSuffix(ex.URL, id) })
		if i < 0 || ex.Method == http.MethodGet {
			continue
		}
		switch {
		case deleted[ids[i]]:
			afterDelete++
		case ex.Status >= 300:
		case ex.Method == http.MethodDelete && strings.HasSuffix(ex.URL, ids[i]):
			deleted[ids[i]] = true
		default:
			changes++
		}
	}
	return changes, afterDelete
}
