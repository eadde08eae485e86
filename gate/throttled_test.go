package gate_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

// throttlingFront answers every third request 429 with Retry-After: 1,
// as API Gateway does before DLI sees it, and passes the rest on.
type throttlingFront struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    int
}

func (f *throttlingFront) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.n++
	third := f.n%3 == 0
	f.mu.Unlock()
	if !third {
		return f.next.RoundTrip(req)
	}
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusTooManyRequests, Request: req,
		Header: http.Header{"Retry-After": {"1"}, "Content-Type": {"application/json"}},
		Body:   io.NopCloser(strings.NewReader(`{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}`))}, nil
}

// Waiting out a 429 takes time in which a state moves on: a connection
// CREATING when the gate read it may be ACTIVE by the time a request
// that waited reaches the server, which is then right to accept what
// CREATING refuses. A run behind a front that throttles every third
// request, against a mock whose create delay is shorter than the wait,
// finds nothing.
func TestThrottlingMakesNoFinding(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			throttledRun(t, seed)
		})
	}
}

func throttledRun(t *testing.T, seed uint64) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, CreateDelay: time.Second, Clock: clk})
	require.NoError(t, err)
	rep := gate.Run(context.Background(), gate.Config{
		Target: gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: projectID, Mutate: true, Mock: true,
			Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}, Poll: 100 * time.Millisecond, Settle: time.Minute},
		Network: &throttlingFront{next: mockserver.NewMockTransport(m)}, Clock: clk, Seed: seed, MaxExamples: 3, ThrottleRetries: 5,
	})
	assert.Empty(t, rep.Violations, "%s", rep.Failures())
	assert.Zero(t, rep.Throttled, "every 429 was waited out")
	assert.Positive(t, rep.ThrottledFor)
}
